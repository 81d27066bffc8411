package gateway_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/gateway"
	"github.com/phigate/phigate/sqlite"
)

// testDetector is a tiny, predictable detector for the pipeline tests
// (names from a list, dates, SSNs and MRNs by pattern) that can be told to
// fail; the real phi scanner is used by the PhysioNet test and the
// benchmarks, and the whole deployment by cmd/phigate's end-to-end tests.
type testDetector struct {
	mu   sync.Mutex
	fail bool
}

var testNames = []string{"John Smith", "Mary O\"Brien", "Jane Doe", "Alice Walker", "Bob Stone", "Ana María"}

var testPatterns = []struct {
	re *regexp.Regexp
	c  phigate.Category
}{
	{regexp.MustCompile(`\b\d{1,2}/\d{1,2}/\d{4}\b`), phigate.DATE},
	{regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`), phigate.SSN},
	{regexp.MustCompile(`\bMRN \d{6,8}\b`), phigate.MRN},
	{regexp.MustCompile(`\bBoston\b`), phigate.LOCATION},
}

func (d *testDetector) setFail(v bool) { d.mu.Lock(); d.fail = v; d.mu.Unlock() }

func (d *testDetector) Detect(dst []phigate.Finding, text []byte) ([]phigate.Finding, error) {
	d.mu.Lock()
	fail := d.fail
	d.mu.Unlock()
	if fail {
		return dst, errors.New("detector broken")
	}
	var fs []phigate.Finding
	for _, n := range testNames {
		for off := 0; ; {
			i := bytes.Index(text[off:], []byte(n))
			if i < 0 {
				break
			}
			fs = append(fs, phigate.Finding{Start: off + i, End: off + i + len(n), Category: phigate.NAME, Confidence: 1})
			off += i + len(n)
		}
	}
	for _, p := range testPatterns {
		for _, m := range p.re.FindAllIndex(text, -1) {
			fs = append(fs, phigate.Finding{Start: m[0], End: m[1], Category: p.c, Confidence: 1})
		}
	}
	sortFindings(fs)
	return append(dst, fs...), nil
}

func sortFindings(fs []phigate.Finding) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Start < fs[j-1].Start; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// testCoder draws placeholders like the deid package: [CATEGORY-XXXXXX].
type testCoder struct {
	mu sync.Mutex
	r  *rand.ChaCha8
}

func newTestCoder() *testCoder {
	return &testCoder{r: rand.NewChaCha8([32]byte{7})}
}

func (c *testCoder) Placeholder(cat phigate.Category) (string, error) {
	const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	c.mu.Lock()
	defer c.mu.Unlock()
	var b [6]byte
	c.r.Read(b[:])
	code := "[" + string(cat) + "-"
	for _, x := range b {
		code += string(alphabet[int(x)%len(alphabet)])
	}
	return code + "]", nil
}

func (c *testCoder) Surrogate(f phigate.Finding, value string, key []byte) (string, error) {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(value))
	sum := h.Sum(nil)
	switch f.Category {
	case phigate.NAME:
		first := []string{"Peter", "Laura", "Omar", "Grace"}[sum[0]%4]
		last := []string{"Hill", "Moreno", "Kaplan", "Reyes"}[sum[1]%4]
		return first + " " + last, nil
	case phigate.DATE:
		return "0" + string('1'+rune(sum[0]%8)) + "/1" + string('0'+rune(sum[1]%9)) + "/2031", nil
	}
	return "", nil
}

// testSealer seals with AES-GCM under a key per subject; it can be made
// to fail.
type testSealer struct {
	mu       sync.Mutex
	keys     map[string][]byte
	shredded map[string]bool
	fail     bool
}

func newTestSealer() *testSealer {
	return &testSealer{keys: map[string][]byte{}, shredded: map[string]bool{}}
}

func (s *testSealer) setFail(v bool) { s.mu.Lock(); s.fail = v; s.mu.Unlock() }

func (s *testSealer) aead(subject string, create bool) (cipher.AEAD, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return nil, phigate.Errorf(phigate.ECRYPTO, "testSealer", "broken")
	}
	if s.shredded[subject] {
		return nil, phigate.Errorf(phigate.ENOTFOUND, "testSealer", "shredded")
	}
	k := s.keys[subject]
	if k == nil {
		if !create {
			return nil, phigate.Errorf(phigate.ECRYPTO, "testSealer", "no key")
		}
		sum := sha256.Sum256([]byte("k" + subject))
		k = sum[:]
		s.keys[subject] = k
	}
	b, _ := aes.NewCipher(k)
	return cipher.NewGCM(b)
}

func placeAD(p phigate.Place) []byte { return []byte(p.Table + "/" + p.Row + "/" + p.Field) }

func (s *testSealer) Seal(ctx context.Context, subject string, p phigate.Place, plain []byte) ([]byte, error) {
	a, err := s.aead(subject, true)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, a.NonceSize())
	for i := range nonce {
		nonce[i] = byte(rand.IntN(256))
	}
	return a.Seal(nonce, nonce, plain, placeAD(p)), nil
}

func (s *testSealer) Open(ctx context.Context, subject string, p phigate.Place, sealed []byte) ([]byte, error) {
	a, err := s.aead(subject, false)
	if err != nil {
		return nil, err
	}
	if len(sealed) < a.NonceSize() {
		return nil, phigate.Errorf(phigate.ECRYPTO, "testSealer", "short")
	}
	out, err := a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], placeAD(p))
	if err != nil {
		return nil, phigate.Errorf(phigate.ECRYPTO, "testSealer", "tampered")
	}
	return out, nil
}

func (s *testSealer) Shred(ctx context.Context, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, subject)
	s.shredded[subject] = true
	return nil
}

type testHasher struct{}

func (testHasher) HMAC(domain string, v []byte) string {
	h := hmac.New(sha256.New, []byte("test-key"))
	h.Write([]byte(domain + "\x00"))
	h.Write(v)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// testAudit records events in memory; it can be made to fail, for every
// event, only for the results of calls, or for actions with a suffix.
type testAudit struct {
	mu         sync.Mutex
	events     []*phigate.Event
	fail       bool
	failResult bool
	failSuffix string
}

func (a *testAudit) setFail(v bool) { a.mu.Lock(); a.fail = v; a.mu.Unlock() }

func (a *testAudit) setFailResult(v bool) { a.mu.Lock(); a.failResult = v; a.mu.Unlock() }

func (a *testAudit) Record(ctx context.Context, e *phigate.Event) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail || a.failResult && strings.HasSuffix(e.Action, ".result") || a.failSuffix != "" && strings.HasSuffix(e.Action, a.failSuffix) {
		return phigate.Errorf(phigate.EAUDIT, "testAudit", "disk full")
	}
	a.events = append(a.events, e)
	return nil
}

func (a *testAudit) all() []*phigate.Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*phigate.Event(nil), a.events...)
}

// testAuth accepts API keys "key-<id>".
type testAuth struct{}

func (testAuth) Authenticate(ctx context.Context, c phigate.Credential) (*phigate.Principal, error) {
	if id, ok := strings.CutPrefix(c.APIKey, "key-"); ok {
		return &phigate.Principal{UserID: "u-" + id, APIKeyID: "k-" + id, Roles: []phigate.Role{phigate.RoleService}}, nil
	}
	return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, "testAuth", "unknown key")
}

// vendorStandIn is a recording OpenAI- and Anthropic-compatible stand-in
// for an AI vendor: it answers with the last user message (an echo),
// streaming it in chunks of Chunk bytes when asked.
type vendorStandIn struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   [][]byte
	auth     []string
	Chunk    int
	Status   int
	Reply    func(prompt string) string // nil: echo
	ToolCall string                     // arguments of a tool call to answer with, if set
	Delay    time.Duration              // pause between chunks
}

func newVendor(t testing.TB) *vendorStandIn {
	v := &vendorStandIn{Chunk: 7}
	v.Server = httptest.NewServer(http.HandlerFunc(v.serve))
	t.Cleanup(v.Close)
	return v
}

func (v *vendorStandIn) received() [][]byte {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([][]byte(nil), v.bodies...)
}

func (v *vendorStandIn) last() string {
	b := v.received()
	if len(b) == 0 {
		return ""
	}
	return string(b[len(b)-1])
}

type standInRequest struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
}

func (v *vendorStandIn) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	v.mu.Lock()
	v.bodies = append(v.bodies, body)
	v.auth = append(v.auth, r.Header.Get("Authorization")+r.Header.Get("X-Api-Key"))
	status, reply, toolCall, chunk, delay := v.Status, v.Reply, v.ToolCall, v.Chunk, v.Delay
	v.mu.Unlock()
	if status != 0 {
		http.Error(w, `{"error":{"message":"vendor says no to `+string(body[:min(len(body), 40)])+`"}}`, status)
		return
	}
	var req standInRequest
	json.Unmarshal(body, &req)
	prompt := ""
	for _, m := range req.Messages {
		if m.Role == "user" {
			var s string
			if json.Unmarshal(m.Content, &s) == nil {
				prompt = s
			}
		}
	}
	answer := prompt
	if reply != nil {
		answer = reply(prompt)
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/messages"):
		v.serveAnthropic(w, req, answer, toolCall, chunk, delay)
	case strings.HasSuffix(r.URL.Path, "/embeddings"):
		emb := `[0.1,0.2]`
		if bytes.Contains(body, []byte(`"encoding_format":"base64"`)) {
			emb = `"zczMPc3MTD4="` // float32 0.1, 0.2 little-endian
		}
		w.Write([]byte(`{"object":"list","data":[{"object":"embedding","index":0,"embedding":` + emb + `}],"model":"m","usage":{"prompt_tokens":3,"total_tokens":3}}`))
	case req.Stream:
		v.streamOpenAI(w, req, answer, toolCall, chunk, delay)
	default:
		v.answerOpenAI(w, req, answer, toolCall)
	}
}

func (v *vendorStandIn) answerOpenAI(w http.ResponseWriter, req standInRequest, answer, toolCall string) {
	msg := map[string]any{"role": "assistant", "content": answer}
	finish := "stop"
	if toolCall != "" {
		msg["tool_calls"] = []any{map[string]any{"id": "call_1", "type": "function",
			"function": map[string]any{"name": "record", "arguments": toolCall}}}
		finish = "tool_calls"
	}
	json.NewEncoder(w).Encode(map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "created": 1,
		"model": req.Model, "choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
		"usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
}

func (v *vendorStandIn) streamOpenAI(w http.ResponseWriter, req standInRequest, answer, toolCall string, chunk int, delay time.Duration) {
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	send := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
			"model": req.Model, "choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
		w.Write([]byte("data: " + string(b) + "\n\n"))
		fl.Flush()
		time.Sleep(delay)
	}
	send(map[string]any{"role": "assistant", "content": ""}, nil)
	for _, part := range split(answer, chunk) {
		send(map[string]any{"content": part}, nil)
	}
	finish := "stop"
	if toolCall != "" {
		send(map[string]any{"tool_calls": []any{map[string]any{"index": 0, "id": "call_1", "type": "function",
			"function": map[string]any{"name": "record", "arguments": ""}}}}, nil)
		for _, part := range split(toolCall, chunk) {
			send(map[string]any{"tool_calls": []any{map[string]any{"index": 0, "function": map[string]any{"arguments": part}}}}, nil)
		}
		finish = "tool_calls"
	}
	send(map[string]any{}, finish)
	w.Write([]byte(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}` + "\n\n"))
	w.Write([]byte("data: [DONE]\n\n"))
}

func (v *vendorStandIn) serveAnthropic(w http.ResponseWriter, req standInRequest, answer, toolCall string, chunk int, delay time.Duration) {
	if !req.Stream {
		content := []any{map[string]any{"type": "text", "text": answer}}
		if toolCall != "" {
			var input any
			json.Unmarshal([]byte(toolCall), &input)
			content = append(content, map[string]any{"type": "tool_use", "id": "tu_1", "name": "record", "input": input})
		}
		json.NewEncoder(w).Encode(map[string]any{"id": "msg_1", "type": "message", "role": "assistant", "model": req.Model,
			"content": content, "stop_reason": "end_turn", "usage": map[string]any{"input_tokens": 10, "output_tokens": 5}})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	ev := func(name string, v any) {
		b, _ := json.Marshal(v)
		w.Write([]byte("event: " + name + "\ndata: " + string(b) + "\n\n"))
		fl.Flush()
		time.Sleep(delay)
	}
	ev("message_start", map[string]any{"type": "message_start", "message": map[string]any{"id": "msg_1", "type": "message",
		"role": "assistant", "content": []any{}, "model": req.Model, "usage": map[string]any{"input_tokens": 10, "output_tokens": 1}}})
	ev("content_block_start", map[string]any{"type": "content_block_start", "index": 0, "content_block": map[string]any{"type": "text", "text": ""}})
	for _, part := range split(answer, chunk) {
		ev("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]any{"type": "text_delta", "text": part}})
	}
	ev("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
	if toolCall != "" {
		ev("content_block_start", map[string]any{"type": "content_block_start", "index": 1, "content_block": map[string]any{"type": "tool_use", "id": "tu_1", "name": "record", "input": map[string]any{}}})
		for _, part := range split(toolCall, chunk) {
			ev("content_block_delta", map[string]any{"type": "content_block_delta", "index": 1, "delta": map[string]any{"type": "input_json_delta", "partial_json": part}})
		}
		ev("content_block_stop", map[string]any{"type": "content_block_stop", "index": 1})
	}
	ev("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": "end_turn"}, "usage": map[string]any{"output_tokens": 5}})
	ev("message_stop", map[string]any{"type": "message_stop"})
}

// split cuts s into pieces of n bytes (the last may be shorter).
func split(s string, n int) []string {
	if n <= 0 {
		n = len(s)
	}
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// env is a gateway wired to real SQLite, recording test doubles for the
// detector, sealer, audit log and authenticator (so a test can make each
// fail and read what each saw), and a vendor stand-in.
type env struct {
	t        testing.TB
	gw       *gateway.Gateway
	srv      *httptest.Server
	db       *sqlite.DB
	det      *testDetector
	sealer   *testSealer
	audit    *testAudit
	vendor   *vendorStandIn
	vendors  *gateway.VendorService
	now      time.Time
	nowMu    sync.Mutex
	registry *gateway.Registry
	handlers inflight
}

// inflight counts the handlers running, so that a test can wait for what
// a call does after its answer is out (the result event).
type inflight struct {
	mu   sync.Mutex
	n    int
	idle *sync.Cond
}

func (f *inflight) Add(d int) {
	f.mu.Lock()
	if f.idle == nil {
		f.idle = sync.NewCond(&f.mu)
	}
	if f.n += d; f.n == 0 {
		f.idle.Broadcast()
	}
	f.mu.Unlock()
}

func (f *inflight) Done() { f.Add(-1) }

func (f *inflight) Wait() {
	f.mu.Lock()
	for f.n > 0 {
		f.idle.Wait()
	}
	f.mu.Unlock()
}

func (e *env) clock() time.Time { e.nowMu.Lock(); defer e.nowMu.Unlock(); return e.now }

func (e *env) setNow(t time.Time) { e.nowMu.Lock(); e.now = t; e.nowMu.Unlock() }

// newEnv starts a gateway with vendors "open" (no BAA) and "covered"
// (BAA for NAME, DATE, SSN, MRN until 2027) on one stand-in.
func newEnv(t testing.TB, configure ...func(*gateway.Gateway)) *env {
	t.Helper()
	e := &env{t: t, det: &testDetector{}, sealer: newTestSealer(), audit: &testAudit{},
		now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	e.db = sqlite.NewDB(filepath.Join(t.TempDir(), "phigate.db"))
	e.db.Now = e.clock
	if err := e.db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	e.vendor = newVendor(t)
	e.registry = &gateway.Registry{Store: e.db, Sealer: e.sealer, Now: e.clock, CacheTTL: -1,
		Getenv: func(k string) string { return map[string]string{"OPEN_KEY": "sk-open"}[k] }}
	e.vendors = &gateway.VendorService{Store: e.db, Sealer: e.sealer, Audit: e.audit, Now: e.clock, OnChange: e.registry.Forget}
	e.addVendor("open", phigate.BAA{Status: phigate.BAANone}, phigate.FormatOpenAI)
	e.addVendor("covered", phigate.BAA{Status: phigate.BAASigned, Effective: e.now.AddDate(-1, 0, 0),
		Expires:    time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		Categories: []phigate.Category{phigate.NAME, phigate.DATE, phigate.SSN, phigate.MRN}}, phigate.FormatOpenAI)
	e.addVendor("claude", phigate.BAA{Status: phigate.BAANone}, phigate.FormatAnthropic)
	g := gateway.NewGateway()
	g.Detector, g.Coder, g.Registry, g.Audit, g.Authenticator, g.Hasher = e.det, newTestCoder(), e.registry, e.audit, testAuth{}, testHasher{}
	g.Conversations = &gateway.Conversations{Store: e.db, Sealer: e.sealer, Hasher: testHasher{}, Now: e.clock}
	g.Now = e.clock
	g.StreamFlushDelay = time.Hour // tests see hold-back deterministically
	for _, c := range configure {
		c(g)
	}
	if err := g.Open(); err != nil {
		t.Fatal(err)
	}
	e.gw = g
	mux := http.NewServeMux()
	g.Register(mux)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.handlers.Add(1)
		defer e.handlers.Done()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) addVendor(name string, baa phigate.BAA, format phigate.APIFormat) {
	e.t.Helper()
	url, env := e.vendor.URL+"/v1", "OPEN_KEY"
	_, err := e.vendors.Add(context.Background(), "test", name, phigate.VendorChange{BaseURL: &url, Format: &format,
		CredentialEnv: &env, BAAStatus: &baa.Status, BAAEffective: &baa.Effective, BAAExpires: &baa.Expires,
		BAACategories: &baa.Categories})
	if err != nil {
		e.t.Fatalf("add vendor %s: %v", name, err)
	}
}

// post sends body to path with key and headers; it returns the status and
// the response body.
func (e *env) post(path, key, body string, headers ...string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	e.handlers.Wait() // what the call records after answering is in
	return resp.StatusCode, string(b)
}

// chatBody returns a chat completions request.
func chatBody(model string, stream bool, msgs ...string) string {
	var m []map[string]any
	for i := 0; i+1 < len(msgs); i += 2 {
		m = append(m, map[string]any{"role": msgs[i], "content": msgs[i+1]})
	}
	b, _ := json.Marshal(map[string]any{"model": model, "stream": stream, "messages": m})
	return string(b)
}

// content returns the assistant content of a chat completion, streamed
// (SSE) or not.
func content(t testing.TB, body string) string {
	t.Helper()
	if !strings.HasPrefix(body, "data:") {
		var c struct {
			Choices []struct {
				Message struct {
					Content string `json:"content"`
				} `json:"message"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(body), &c); err != nil || len(c.Choices) == 0 {
			t.Fatalf("not a chat completion: %.300s", body)
		}
		return c.Choices[0].Message.Content
	}
	var out strings.Builder
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok || line == "[DONE]" {
			continue
		}
		var c struct {
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
			Error *struct{ Message string } `json:"error"`
		}
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("bad chunk %.200s: %v", line, err)
		}
		if c.Error != nil {
			t.Fatalf("stream error: %s", c.Error.Message)
		}
		for _, ch := range c.Choices {
			out.WriteString(ch.Delta.Content)
		}
	}
	return out.String()
}
