package gateway_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/audit/audittest"
	"github.com/phigate/phigate/gateway"
)

func TestMessages(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "OK", true: "OKStream"}[stream], func(t *testing.T) {
			e := newEnv(t)
			e.vendor.Chunk = 5
			b, _ := json.Marshal(map[string]any{"model": "claude/sonnet", "max_tokens": 100, "stream": stream,
				"system": "Be brief.", "messages": []any{map[string]any{"role": "user", "content": note}}})
			status, body := e.post("/v1/messages", "key-1", string(b))
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			if got := anthropicText(t, body); got != note {
				t.Fatalf("got %q", got)
			}
			if l := leaked(e.vendor.last(), notePHI); len(l) > 0 {
				t.Fatalf("vendor got %q", l)
			}
		})
	}
	t.Run("ErrFormat", func(t *testing.T) {
		e := newEnv(t)
		status, body := e.post("/v1/chat/completions", "key-1", chatBody("claude/sonnet", false, "user", note))
		checkRefusal(t, e, status, body, 400, "format")
	})
}

func anthropicText(t *testing.T, body string) string {
	t.Helper()
	if !strings.HasPrefix(body, "event:") {
		var m struct {
			Content []struct{ Text string } `json:"content"`
		}
		json.Unmarshal([]byte(body), &m)
		return m.Content[0].Text
	}
	var out strings.Builder
	for _, line := range strings.Split(body, "\n") {
		line, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		var ev struct {
			Type  string
			Delta struct{ Text string } `json:"delta"`
		}
		json.Unmarshal([]byte(line), &ev)
		if ev.Type == "error" {
			t.Fatalf("stream error: %s", line)
		}
		out.WriteString(ev.Delta.Text)
	}
	return out.String()
}

func TestEmbeddings(t *testing.T) {
	e := newEnv(t)
	status, body := e.post("/v1/embeddings", "key-1", `{"model":"covered/emb","input":["`+strings.ReplaceAll(note, `"`, `\"`)+`"]}`)
	if status != 200 || !strings.Contains(body, "embedding") {
		t.Fatalf("%d %s", status, body)
	}
	if l := leaked(e.vendor.last(), notePHI); len(l) > 0 {
		t.Fatalf("embeddings must be de-identified even for a covered vendor; got %q", l)
	}
	status, body = e.post("/v1/embeddings", "key-1", `{"model":"covered/emb","input":[[1,2,3]]}`)
	if status != 403 {
		t.Fatalf("token ids accepted: %d %s", status, body)
	}
}

func TestOutputScan(t *testing.T) {
	for _, stream := range []bool{false, true} {
		e := newEnv(t)
		e.vendor.Reply = func(p string) string { return p + " Also Jane Doe was admitted on 1/2/2020. " }
		status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", stream, "user", "About John Smith."))
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		got := content(t, body)
		if want := "About John Smith. Also [REDACTED] was admitted on [REDACTED]. "; got != want {
			t.Fatalf("stream %v: got %q want %q", stream, got, want)
		}
		var flagged string
		for _, ev := range e.audit.all() {
			if ev.Action == "ai.chat.result" {
				flagged = ev.Fields["output_phi"]
			}
		}
		if flagged != "DATE:1,NAME:1" {
			t.Fatalf("output PHI not flagged: %q", flagged)
		}
	}
}

func TestOutputScanFlagStream(t *testing.T) {
	// With output_scan = "flag" the PHI the caller did not send stays in
	// the answer: for a stream, whose result comes after it, the flag is
	// made durable before that text is released, or the text is not.
	flag := func(g *gateway.Gateway) {
		g.Policy = gateway.Policy{Mode: gateway.ModeAllow, Method: gateway.MethodPlaceholder, OutputScan: gateway.OutputFlag}
	}
	reply := func(p string) string { return p + " Also Jane Doe was admitted on 1/2/2020. " }
	t.Run("Recorded", func(t *testing.T) {
		e := newEnv(t, flag)
		e.vendor.Reply = reply
		status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", true, "user", "About John Smith."))
		if status != 200 || !strings.Contains(content(t, body), "Jane Doe") {
			t.Fatalf("%d %s", status, body)
		}
		var outputs int
		for _, ev := range e.audit.all() {
			if ev.Action == "ai.chat.output" && ev.Fields["output_phi"] != "" && ev.Fields["output_scan"] == "flag" {
				outputs++
			}
		}
		if outputs != 1 {
			t.Fatalf("%d ai.chat.output events, want 1", outputs)
		}
	})
	t.Run("ErrAudit", func(t *testing.T) {
		e := newEnv(t, flag)
		e.vendor.Reply = reply
		e.audit.mu.Lock()
		e.audit.failSuffix = ".output"
		e.audit.mu.Unlock()
		_, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", true, "user", "About John Smith."))
		if strings.Contains(body, "Jane Doe") || !strings.Contains(body, "audit") {
			t.Fatalf("flagged text released without its record: %s", body)
		}
	})
}

// syncBuffer is a log destination tests can read while handlers write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestResultAuditFailure(t *testing.T) {
	// A result written after the answer cannot refuse it: its failure is
	// logged and counted, never silently lost, and the call's own event
	// (written before the call left) is there.
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "Answered", true: "AnsweredStream"}[stream], func(t *testing.T) {
			var logs syncBuffer
			e := newEnv(t, func(g *gateway.Gateway) { g.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
			e.audit.setFailResult(true)
			status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", stream, "user", note))
			if status != 200 || content(t, body) != note {
				t.Fatalf("status %d: %.200s", status, body)
			}
			if n := e.gw.ResultAuditFailures(); n != 1 {
				t.Fatalf("result failures counted: %d", n)
			}
			if !strings.Contains(logs.String(), `"msg":"audit of an AI call result failed"`) ||
				!strings.Contains(logs.String(), `"code":"audit_unavailable"`) {
				t.Fatalf("failure not logged: %s", logs.String())
			}
			if l := leaked(logs.String(), notePHI); len(l) > 0 {
				t.Fatalf("log holds PHI %q", l)
			}
			var calls int
			for _, ev := range e.audit.all() {
				if ev.Action == "ai.chat" {
					calls++
				}
			}
			if calls != 1 {
				t.Fatalf("call events: %d", calls)
			}
		})
	}
	t.Run("ErrFlaggedOutput", func(t *testing.T) {
		// When the output scan flags PHI, the result is its record: it is
		// durable before the answer, or there is no answer.
		e := newEnv(t)
		e.vendor.Reply = func(p string) string { return p + " Also Jane Doe was admitted on 1/2/2020. " }
		e.audit.setFailResult(true)
		status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", false, "user", "About John Smith."))
		if status != 503 || strings.Contains(body, "admitted") || !strings.Contains(body, `"code":"audit"`) {
			t.Fatalf("status %d: %s", status, body)
		}
	})
}

// failingAfter is an audit store whose transactions fail after the first n.
type failingAfter struct {
	*audittest.Store
	mu sync.Mutex
	n  int
}

func (s *failingAfter) AppendAudit(ctx context.Context, fn func(phigate.AuditHead) (*phigate.AuditAppend, error)) error {
	s.mu.Lock()
	s.n--
	fail := s.n < 0
	s.mu.Unlock()
	if fail {
		return errors.New("disk full")
	}
	return s.Store.AppendAudit(ctx, fn)
}

func TestResultAuditAsync(t *testing.T) {
	// With the real audit log the result of an answered call is queued to
	// share the next commit; it is durable soon after, and its failure is
	// logged and counted as with a synchronous log.
	realLog := func(t *testing.T, store phigate.AuditStore) *audit.Log {
		_, key, _ := ed25519.GenerateKey(nil)
		l := audit.NewLog()
		l.Store, l.Signer, l.CheckpointInterval = store, key, -1
		if err := l.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	waitFor := func(t *testing.T, what string, ok func() bool) {
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("never: %s", what)
			}
		}
	}
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "Durable", true: "DurableStream"}[stream], func(t *testing.T) {
			store := audittest.NewStore()
			e := newEnv(t, func(g *gateway.Gateway) { g.Audit = realLog(t, store) })
			status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", stream, "user", note))
			if status != 200 || content(t, body) != note {
				t.Fatalf("status %d: %.200s", status, body)
			}
			var actions []string
			waitFor(t, "the result event is durable", func() bool {
				actions = actions[:0]
				store.ScanAuditBlocks(t.Context(), 0, 1<<62, func(b *phigate.AuditBlock) error {
					leaves, err := audit.DecodeBlock(slices.Clone(b.Data))
					for _, lf := range leaves {
						if ev, err := audit.Decode(lf.Entry); err == nil {
							actions = append(actions, ev.Action)
						}
					}
					return err
				})
				return len(actions) == 2
			})
			if actions[0] != "ai.chat" || actions[1] != "ai.chat.result" || e.gw.ResultAuditFailures() != 0 {
				t.Fatalf("events %v, failures %d", actions, e.gw.ResultAuditFailures())
			}
		})
	}
	t.Run("ErrDurable", func(t *testing.T) {
		var logs syncBuffer
		store := &failingAfter{Store: audittest.NewStore(), n: 1} // the call's event, then no more
		e := newEnv(t, func(g *gateway.Gateway) {
			g.Audit, g.Logger = realLog(t, store), slog.New(slog.NewJSONHandler(&logs, nil))
		})
		status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", false, "user", note))
		if status != 200 || content(t, body) != note {
			t.Fatalf("status %d: %.200s", status, body)
		}
		waitFor(t, "the failed result is counted", func() bool { return e.gw.ResultAuditFailures() == 1 })
		waitFor(t, "the failed result is logged", func() bool {
			return strings.Contains(logs.String(), `"msg":"audit of an AI call result failed"`)
		})
		if l := leaked(logs.String(), notePHI); len(l) > 0 {
			t.Fatalf("log holds PHI %q", l)
		}
	})
}

func TestFallback(t *testing.T) {
	e := newEnv(t)
	down := newVendor(t)
	down.Status = 503
	url := down.URL + "/v1"
	// Make "covered" unreachable; "open" (no BAA) and "covered2" (same BAA) are fallbacks.
	if _, err := e.vendors.Update(t.Context(), "test", "covered", phigate.VendorChange{BaseURL: &url}); err != nil {
		t.Fatal(err)
	}
	e.addVendor("covered2", phigate.BAA{Status: phigate.BAASigned, Effective: e.now.AddDate(-1, 0, 0),
		Expires: e.now.AddDate(1, 0, 0), Categories: []phigate.Category{phigate.NAME, phigate.DATE, phigate.SSN, phigate.MRN, phigate.LOCATION}},
		phigate.FormatOpenAI)
	e.registry.Routes = []gateway.Route{
		{Name: "weak", Targets: []string{"covered/m", "open/m"}},
		{Name: "strong", Targets: []string{"covered/m", "open/m", "covered2/m"}},
	}
	status, body := e.post("/v1/chat/completions", "key-1", chatBody("weak", false, "user", note))
	if status != 502 || len(e.vendor.received()) != 0 {
		t.Fatalf("fell back to an uncovered vendor: %d %s", status, body)
	}
	status, body = e.post("/v1/chat/completions", "key-1", chatBody("strong", false, "user", note))
	if status != 200 || content(t, body) != note || len(e.vendor.received()) != 1 || !strings.Contains(e.vendor.last(), "John Smith") {
		t.Fatalf("no fallback to the covered vendor: %d %s", status, body)
	}
	if len(down.received()) != 2 {
		t.Fatalf("primary tried %d times", len(down.received()))
	}
	var fallbacks int
	for _, ev := range e.audit.all() {
		if ev.Action == "ai.chat" && ev.Fields["fallback"] == "true" && ev.Fields["vendor"] == "covered2" {
			fallbacks++
		}
	}
	if fallbacks != 1 {
		t.Fatal("the fallback call was not audited before it left")
	}
}

func TestVendorErrors(t *testing.T) {
	e := newEnv(t)
	e.vendor.Status = 400
	status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", false, "user", note))
	if status != 400 || strings.Contains(body, "vendor says no") || strings.Contains(body, "NAME-") {
		t.Fatalf("vendor error passed through: %d %s", status, body)
	}
	e.vendor.Status = 429
	status, _ = e.post("/v1/chat/completions", "key-1", chatBody("open/m", false, "user", note))
	if status != 429 {
		t.Fatalf("vendor 429 → %d", status)
	}
	e.vendor.Status = 0
	e.vendor.Delay = 300 * time.Millisecond
	e.gw.UpstreamTimeout = 100 * time.Millisecond
	e.vendor.Reply = func(string) string { time.Sleep(300 * time.Millisecond); return "late" }
	status, body = e.post("/v1/chat/completions", "key-1", chatBody("open/m", false, "user", "hi"))
	if status != 503 {
		t.Fatalf("timeout → %d %s", status, body)
	}
}

func TestLimits(t *testing.T) {
	e := newEnv(t, func(g *gateway.Gateway) {
		g.Keys = []gateway.KeyConfig{{Key: "k-2", Limits: &gateway.Limits{RequestsPerMinute: 2}},
			{Key: "k-3", Limits: &gateway.Limits{TokensPerDay: 20}}}
	})
	for i, want := range []int{200, 200, 429} {
		if status, _ := e.post("/v1/chat/completions", "key-2", chatBody("open/m", false, "user", "hi")); status != want {
			t.Fatalf("request %d: %d, want %d", i+1, status, want)
		}
	}
	for i, want := range []int{200, 200, 429} { // 15 tokens each
		if status, _ := e.post("/v1/chat/completions", "key-3", chatBody("open/m", false, "user", "hi")); status != want {
			t.Fatalf("token request %d: %d, want %d", i+1, status, want)
		}
	}
	e.setNow(e.now.Add(24 * time.Hour))
	if status, _ := e.post("/v1/chat/completions", "key-3", chatBody("open/m", false, "user", "hi")); status != 200 {
		t.Fatal("tokens not reset the next day")
	}
	if status, _ := e.post("/v1/chat/completions", "key-1", chatBody("open/m", false, "user", "hi")); status != 200 {
		t.Fatal("unlimited key refused")
	}
}

func TestKeyPolicyCannotBeWeakened(t *testing.T) {
	e := newEnv(t, func(g *gateway.Gateway) {
		g.Keys = []gateway.KeyConfig{{Key: "k-9", Policy: &gateway.Policy{Mode: gateway.ModeDeidentify}}}
	})
	status, body := e.post("/v1/chat/completions", "key-9", chatBody("covered/m", false, "user", note),
		"X-Phigate-Policy", "allow", gateway.PurposeHeader, "treatment")
	if status != 200 || content(t, body) != note {
		t.Fatalf("%d %s", status, body)
	}
	if l := leaked(e.vendor.last(), notePHI); len(l) > 0 {
		t.Fatalf("key policy deidentify weakened: %q", l)
	}
}

func TestModels(t *testing.T) {
	e := newEnv(t)
	models := []string{"gpt-4o"}
	if _, err := e.vendors.Update(t.Context(), "test", "open", phigate.VendorChange{Models: &models}); err != nil {
		t.Fatal(err)
	}
	e.registry.Routes = []gateway.Route{{Name: "notes", Targets: []string{"open/gpt-4o"}}}
	req, _ := http.NewRequest("GET", e.srv.URL+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer key-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Data []struct{ ID string } `json:"data"`
	}
	json.NewDecoder(resp.Body).Decode(&list)
	if len(list.Data) != 2 || list.Data[0].ID != "notes" || list.Data[1].ID != "open/gpt-4o" {
		t.Fatalf("models = %+v", list.Data)
	}
	status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/gpt-3", false, "user", "hi"))
	if status != 404 {
		t.Fatalf("model not offered was accepted: %d %s", status, body)
	}
}

func TestVendorService(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	str := func(s string) *string { return &s }
	signed := phigate.BAASigned
	cases := []struct {
		name string
		ch   phigate.VendorChange
	}{
		{"ErrPlainHTTP", phigate.VendorChange{BaseURL: str("http://api.example.com/v1")}},
		{"ErrURLCredentials", phigate.VendorChange{BaseURL: str("https://u:p@api.example.com")}},
		{"ErrSignedWithoutDates", phigate.VendorChange{BaseURL: str("https://a.example"), BAAStatus: &signed}},
		{"ErrTwoCredentials", phigate.VendorChange{BaseURL: str("https://a.example"), CredentialEnv: str("A"), CredentialFile: str("/f")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.vendors.Add(ctx, "test", "v1", c.ch)
			if phigate.ErrorCode(err) != phigate.EINVALID {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("ErrName", func(t *testing.T) {
		if _, err := e.vendors.Add(ctx, "test", "Bad Name", phigate.VendorChange{BaseURL: str("https://a.example")}); phigate.ErrorCode(err) != phigate.EINVALID {
			t.Fatal(err)
		}
	})
	t.Run("OKSealedSecrets", func(t *testing.T) {
		key, doc := []byte("sk-secret"), []byte("%PDF signed BAA")
		v, err := e.vendors.Add(ctx, "test", "sealed", phigate.VendorChange{BaseURL: str(e.vendor.URL + "/v1"),
			Credential: &key, BAADocument: &doc, BAADocumentName: str("baa.pdf")})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(v.SealedCredential), "sk-secret") || strings.Contains(string(v.SealedBAADocument), "PDF") {
			t.Fatal("secrets stored in the clear")
		}
		got, err := e.vendors.BAADocument(ctx, "sealed")
		if err != nil || string(got) != string(doc) {
			t.Fatalf("BAA document = %q, %v", got, err)
		}
		e.post("/v1/chat/completions", "key-1", chatBody("sealed/m", false, "user", "hi"))
		if a := e.vendor.auth[len(e.vendor.auth)-1]; a != "Bearer sk-secret" {
			t.Fatalf("sealed credential not used: %q", a)
		}
	})
	t.Run("OKExpiring", func(t *testing.T) {
		list, _ := e.vendors.List(ctx)
		if exp := gateway.ExpiringBAAs(list, e.now, 30*24*time.Hour); len(exp) != 0 {
			t.Fatalf("expiring too early: %d", len(exp))
		}
		exp := gateway.ExpiringBAAs(list, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), gateway.DefaultBAAWarning)
		if len(exp) != 1 || exp[0].Name != "covered" {
			t.Fatalf("expiring = %v", exp)
		}
	})
	t.Run("OKAudited", func(t *testing.T) {
		var n int
		for _, ev := range e.audit.all() {
			if strings.HasPrefix(ev.Action, "vendor.") && strings.HasPrefix(ev.Resource, "vendor:") {
				n++
			}
		}
		if n < 4 {
			t.Fatalf("registry changes audited: %d", n)
		}
	})
}

func TestConversationExpiry(t *testing.T) {
	e := newEnv(t)
	hdr := []string{gateway.ConversationHeader, "c"}
	e.post("/v1/chat/completions", "key-1", chatBody("open/m", false, "user", "John Smith"), hdr...)
	first := placeholderRE.FindString(e.vendor.last())
	e.setNow(e.now.Add(gateway.DefaultConversationTTL + time.Minute))
	n, err := e.gw.Conversations.Reap(t.Context(), 10)
	if err != nil || n != 1 {
		t.Fatalf("reaped %d, %v", n, err)
	}
	e.post("/v1/chat/completions", "key-1", chatBody("open/m", false, "user", "John Smith"), hdr...)
	if second := placeholderRE.FindString(e.vendor.last()); second == first || second == "" {
		t.Fatalf("expired map reused: %q %q", first, second)
	}
}

func vendorModels(ms []string) phigate.VendorChange { return phigate.VendorChange{Models: &ms} }
