package gateway_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/gateway"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/phi"
	"github.com/phigate/phigate/sqlite"
)

// benchNote builds a clinical note of about 2 KB with PHI of many kinds.
func benchNote() string {
	var b strings.Builder
	parts := []string{
		"Pt John Smith (MRN 4455667) admitted 3/14/2026 to Boston General with chest pain. ",
		"Wife Mary Johnson can be reached at 617-555-0142 or mary.johnson@example.com. ",
		"Dr. Alice Walker saw pt on 03/15/2026; ECG showed ST elevation in leads II, III, aVF. ",
		"Home: 12 Elm Street, Springfield, MA 01103. SSN 123-45-6789. ",
		"Meds: aspirin 81 mg daily, metoprolol 25 mg BID, atorvastatin 40 mg nightly. ",
		"Plan: cardiology consult, repeat troponin q6h, discharge planning with PCP Dr. Robert Chen. ",
	}
	for b.Len() < 2048 {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	return b.String()[:2048]
}

// echoUpstream answers a chat completion with the last user message, as a
// local model would: the cost of re-identification is counted in full.
func echoUpstream() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model    string `json:"model"`
			Messages []struct {
				Content string `json:"content"`
			} `json:"messages"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		text := ""
		if n := len(req.Messages); n > 0 {
			text = req.Messages[n-1].Content
		}
		b, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion", "created": 1, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": "stop"}},
			"usage":   map[string]any{"prompt_tokens": 500, "completion_tokens": 500, "total_tokens": 1000}})
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
}

// BenchmarkAddedLatency measures the latency phigate adds over a plain
// httputil.ReverseProxy for a 2 KB note with PHI (detection with the real
// phi scanner, placeholders, audit, re-identification, output scan), both
// in front of the same local upstream, offered 1,000 requests/s each,
// interleaved in one run (PHIGATE_BENCH_RPS changes the rate). It reports
// the rate offered and the rate of answers achieved, each side. Run it on
// 2 cores:
//
//	PHIGATE_BENCH_SECONDS=10 go test -run '^$' -bench AddedLatency -benchtime 1x -cpu 2 ./gateway
func BenchmarkAddedLatency(b *testing.B) { benchAddedLatency(b, false) }

// BenchmarkAddedLatencyDurable is BenchmarkAddedLatency with the real
// services of a deployment behind the gateway: the audit log on SQLite
// (every call's event committed to disk before it leaves, group commit)
// and envelope encryption of the conversation maps with the keys package.
func BenchmarkAddedLatencyDurable(b *testing.B) { benchAddedLatency(b, true) }

// durable replaces the stand-ins of a gateway with the audit log and
// envelope encryption of a real deployment, on a database of their own.
func durable(b *testing.B) func(*gateway.Gateway) {
	return func(g *gateway.Gateway) {
		db := sqlite.NewDB(filepath.Join(b.TempDir(), "durable.db"))
		if err := db.Open(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		ring, err := keys.NewRing(nil, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		env := keys.NewEnvelope(ring, db)
		sk, err := ring.SigningKey("bench")
		if err != nil {
			b.Fatal(err)
		}
		l := audit.NewLog()
		l.Store, l.KeyName = db, sk.Node()
		l.Signer = audit.FuncSigner{PublicKey: ed25519.PublicKey(sk.Public().Bytes()), SignFunc: sk.Sign}
		if err := l.Open(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { l.Close() })
		g.Audit, g.Hasher = l, env
		g.Conversations = &gateway.Conversations{Store: db, Sealer: env, Hasher: env}
	}
}

func benchAddedLatency(b *testing.B, real bool) {
	secs, rate := 5, 1000
	fmt.Sscan(getenv("PHIGATE_BENCH_SECONDS", "5"), &secs)
	fmt.Sscan(getenv("PHIGATE_BENCH_RPS", "1000"), &rate)
	up := httptest.NewServer(echoUpstream())
	defer up.Close()
	target, _ := url.Parse(up.URL)
	plain := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	defer plain.Close()

	sc, high := scanners(b)
	e := newEnv(b, func(g *gateway.Gateway) {
		g.Detector, g.UncoveredDetector, g.Coder = sc, high, &gateway.DeidCoder{}
		if real {
			durable(b)(g)
		}
	})
	url := up.URL + "/v1"
	e.vendors.Update(b.Context(), "test", "open", vendorURL(url))
	e.registry.CacheTTL = 0 // the default serve runs with (the test env reads the store each time)
	note := benchNote()
	body := chatBody("open/m", false, "user", note)
	plainBody := chatBody("m", false, "user", note)
	// Warm up: conversations exist and connections are open.
	// Connections are capped so that a machine too busy to keep up queues
	// calls (the wait counts in their latency) rather than running out of
	// file descriptors.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	for i := 0; i < 100; i++ {
		if got := gwCall(b, client, e.srv.URL, body, i%50); got != note {
			b.Fatalf("answer not restored: %.80q", got)
		}
		call(b, client, plain.URL+"/v1/chat/completions", plainBody, nil)
	}
	b.ResetTimer()
	for range b.N {
		var gw, px []time.Duration
		var mu sync.Mutex
		var wg sync.WaitGroup
		// Each pair of calls is due at start + i/rate: a late start is made
		// up by the next ones, so the offered rate is the rate asked for
		// however the sleeps fall (a ticker drops the ticks it misses).
		n, interval := secs*rate, time.Second/time.Duration(rate)
		start := time.Now()
		for i := range n {
			if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
				time.Sleep(d)
			}
			wg.Add(2)
			go func(i int) {
				defer wg.Done()
				t0 := time.Now()
				gwCall(b, client, e.srv.URL, body, i%50)
				d := time.Since(t0)
				mu.Lock()
				gw = append(gw, d)
				mu.Unlock()
			}(i)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				call(b, client, plain.URL+"/v1/chat/completions", plainBody, nil)
				d := time.Since(t0)
				mu.Lock()
				px = append(px, d)
				mu.Unlock()
			}()
		}
		offered := time.Since(start)
		wg.Wait()
		report(b, gw, px)
		b.ReportMetric(float64(n)/(offered+interval).Seconds(), "offered-rps")
		b.ReportMetric(float64(len(gw))/time.Since(start).Seconds(), "achieved-rps")
	}
}

// scanners returns the scanners serve wires: the default one, and the
// high-sensitivity one for vendors without a BAA (the bench's "open").
func scanners(b *testing.B) (sc, high *phi.Scanner) {
	sc, high = phi.NewScanner(), phi.NewScanner()
	high.Sensitivity = phi.HighSensitivity
	if err := sc.Open(); err != nil {
		b.Fatal(err)
	}
	return sc, high
}

func report(b *testing.B, gw, px []time.Duration) {
	slices.Sort(gw)
	slices.Sort(px)
	q := func(d []time.Duration, p float64) float64 { return float64(d[int(p*float64(len(d)-1))].Microseconds()) }
	b.ReportMetric(q(gw, 0.5), "gw-p50-µs")
	b.ReportMetric(q(px, 0.5), "proxy-p50-µs")
	b.ReportMetric(q(gw, 0.5)-q(px, 0.5), "added-p50-µs")
	b.ReportMetric(q(gw, 0.99), "gw-p99-µs")
	b.ReportMetric(q(px, 0.99), "proxy-p99-µs")
	b.ReportMetric(q(gw, 0.99)-q(px, 0.99), "added-p99-µs")
	b.ReportMetric(float64(len(gw)), "requests")
}

func gwCall(b *testing.B, c *http.Client, base, body string, conv int) string {
	var out struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
	}
	call(b, c, base+"/v1/chat/completions", body, map[string]string{
		"Authorization": "Bearer key-1", gateway.ConversationHeader: fmt.Sprint("bench-", conv)}, &out)
	if len(out.Choices) == 0 {
		return ""
	}
	return out.Choices[0].Message.Content
}

func call(b *testing.B, c *http.Client, url, body string, hdr map[string]string, out ...any) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.Errorf("status %d: %.200s", resp.StatusCode, data)
	}
	if len(out) > 0 {
		json.NewDecoder(bytes.NewReader(data)).Decode(out[0])
	}
}

// BenchmarkSerial measures one request at a time through the gateway (with
// stand-ins for the audit log and sealer, then with the real ones on
// SQLite: GatewayDurable) and through a plain reverse proxy (ns/op each), a
// figure less sensitive to a busy machine than BenchmarkAddedLatency.
func BenchmarkSerial(b *testing.B) {
	up := httptest.NewServer(echoUpstream())
	defer up.Close()
	target, _ := url.Parse(up.URL)
	plain := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	defer plain.Close()
	sc, high := scanners(b)
	e := newEnv(b, func(g *gateway.Gateway) { g.Detector, g.UncoveredDetector, g.Coder = sc, high, &gateway.DeidCoder{} })
	e.vendors.Update(b.Context(), "test", "open", vendorURL(up.URL+"/v1"))
	e.registry.CacheTTL = 0
	note := benchNote()
	body := chatBody("open/m", false, "user", note)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.Run("Gateway", func(b *testing.B) {
		gwCall(b, client, e.srv.URL, body, 0)
		for i := 0; i < b.N; i++ {
			gwCall(b, client, e.srv.URL, body, 0)
		}
	})
	d := newEnv(b, func(g *gateway.Gateway) {
		g.Detector, g.UncoveredDetector, g.Coder = sc, high, &gateway.DeidCoder{}
		durable(b)(g)
	})
	d.vendors.Update(b.Context(), "test", "open", vendorURL(up.URL+"/v1"))
	d.registry.CacheTTL = 0
	b.Run("GatewayDurable", func(b *testing.B) {
		gwCall(b, client, d.srv.URL, body, 0)
		for i := 0; i < b.N; i++ {
			gwCall(b, client, d.srv.URL, body, 0)
		}
	})
	b.Run("ReverseProxy", func(b *testing.B) {
		pb := chatBody("m", false, "user", note)
		for i := 0; i < b.N; i++ {
			call(b, client, plain.URL+"/v1/chat/completions", pb, nil)
		}
	})
	b.Run("Detect2KB", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sc.Detect(nil, []byte(note))
		}
	})
}

func vendorURL(u string) phigate.VendorChange { return phigate.VendorChange{BaseURL: &u} }

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
