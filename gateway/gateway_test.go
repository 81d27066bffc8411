package gateway_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/gateway"
)

const note = `Pt John Smith seen 3/14/2026 in Boston, SSN 123-45-6789, MRN 4455667. Wife Mary O"Brien at bedside.`

var notePHI = []string{"John Smith", "3/14/2026", "Boston", "123-45-6789", "MRN 4455667", `Mary O"Brien`}

// leaked returns the PHI strings found in s (JSON-escaped forms too).
func leaked(s string, phi []string) []string {
	var out []string
	for _, p := range phi {
		esc, _ := json.Marshal(p)
		if strings.Contains(s, p) || strings.Contains(s, strings.Trim(string(esc), `"`)) {
			out = append(out, p)
		}
	}
	return out
}

func TestChat(t *testing.T) {
	for _, stream := range []bool{false, true} {
		name := map[bool]string{false: "OK", true: "OKStream"}[stream]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/gpt-x", stream, "system", "You summarise notes.", "user", note))
			if status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
			if got := content(t, body); got != note {
				t.Fatalf("answer not restored:\n got %q\nwant %q", got, note)
			}
			sent := e.vendor.last()
			if l := leaked(sent, notePHI); len(l) > 0 {
				t.Fatalf("vendor received PHI %q: %s", l, sent)
			}
			if !strings.Contains(sent, `"model":"gpt-x"`) || !strings.Contains(sent, "[NAME-") {
				t.Fatalf("vendor request not rewritten: %s", sent)
			}
			if e.vendor.auth[0] != "Bearer sk-open" {
				t.Fatalf("vendor credential = %q", e.vendor.auth[0])
			}
			evs := e.audit.all()
			var call, result *phigate.Event
			count := map[string]int{}
			for _, ev := range evs {
				count[ev.Action]++
				switch ev.Action {
				case "ai.chat":
					call = ev
				case "ai.chat.result":
					result = ev
				}
			}
			if count["ai.chat"] != 1 || count["ai.chat.result"] != 1 {
				t.Fatalf("want one call and one result event, got %v", count)
			}
			if call == nil || result == nil || call.Fields["decision"] != "deidentify" || call.Fields["recipient"] != "" ||
				call.Actor != "k-1" || result.Fields["restored"] == "0" || result.Fields["completion_tokens"] != "5" {
				t.Fatalf("audit events: call %+v result %+v", call, result)
			}
			for _, ev := range evs {
				b, _ := json.Marshal(ev)
				if l := leaked(string(b), notePHI); len(l) > 0 {
					t.Fatalf("audit event holds PHI %q", l)
				}
			}
		})
	}
	t.Run("CoveredAllow", func(t *testing.T) {
		e := newEnv(t)
		status, body := e.post("/v1/chat/completions", "key-1", chatBody("covered/gpt-x", false, "user", note),
			gateway.PatientHeader, "p-42")
		if status != 200 || content(t, body) != note {
			t.Fatalf("status %d: %s", status, body)
		}
		sent := e.vendor.last()
		if !strings.Contains(sent, "John Smith") || !strings.Contains(sent, "3/14/2026") {
			t.Fatalf("covered vendor did not get the covered PHI: %s", sent)
		}
		// SSN is stripped by default (minimum necessary); LOCATION is not covered by the BAA.
		if l := leaked(sent, []string{"123-45-6789", "Boston"}); len(l) > 0 {
			t.Fatalf("covered vendor got %q", l)
		}
		var call *phigate.Event
		for _, ev := range e.audit.all() {
			if ev.Action == "ai.chat" {
				call = ev
			}
		}
		if call.Fields["recipient"] != "vendor:covered" || call.Fields["disclosed"] != "DATE:1,MRN:1,NAME:2" ||
			call.Fields["decision"] != "allow" || len(call.Patients) != 1 || call.Patients[0] == "p-42" {
			t.Fatalf("disclosure not recorded: %+v", call)
		}
	})
	t.Run("Surrogate", func(t *testing.T) {
		e := newEnv(t, func(g *gateway.Gateway) {
			g.Policy = gateway.Policy{Mode: gateway.ModeDeidentify, Method: gateway.MethodSurrogate}
		})
		for _, stream := range []bool{false, true} {
			status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/gpt-x", stream, "user", note))
			if status != 200 || content(t, body) != note {
				t.Fatalf("status %d: %s", status, body)
			}
			sent := e.vendor.last()
			if l := leaked(sent, notePHI); len(l) > 0 || strings.Contains(sent, "Pt [") || !strings.Contains(sent, "/2031") {
				t.Fatalf("surrogates not used or PHI leaked %q: %s", l, sent)
			}
		}
	})
	t.Run("ErrUnauthenticated", func(t *testing.T) {
		e := newEnv(t)
		status, body := e.post("/v1/chat/completions", "wrong", chatBody("open/gpt-x", false, "user", note))
		checkRefusal(t, e, status, body, 401, "unauthenticated")
	})
}

// checkRefusal checks an OpenAI-style error with no PHI and that the
// vendor saw nothing.
func checkRefusal(t *testing.T, e *env, status int, body string, wantStatus int, wantCode string) {
	t.Helper()
	var eb struct {
		Error struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			Code    string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error.Message == "" || eb.Error.Type == "" {
		t.Fatalf("not an OpenAI error body: %s", body)
	}
	if status != wantStatus || eb.Error.Code != wantCode {
		t.Fatalf("status %d code %q, want %d %q (%s)", status, eb.Error.Code, wantStatus, wantCode, body)
	}
	if l := leaked(body, notePHI); len(l) > 0 {
		t.Fatalf("error body holds PHI %q", l)
	}
	if n := len(e.vendor.received()); n != 0 {
		t.Fatalf("vendor received %d requests", n)
	}
}

func TestFailClosed(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(e *env)
		model  string
		status int
		code   string
	}{
		{"ErrDetector", func(e *env) { e.det.setFail(true) }, "open/m", 503, "detector"},
		{"ErrAudit", func(e *env) { e.audit.setFail(true) }, "open/m", 503, "audit"},
		{"ErrUnknownVendor", nil, "nobody/m", 404, "unknown_model"},
		{"ErrNoVendorPrefix", nil, "gpt-4o", 404, "unknown_model"},
		{"ErrDisabledVendor", func(e *env) { e.vendors.Disable(t.Context(), "test", "open") }, "open/m", 404, "unknown_model"},
		{"ErrExpiredBAA", func(e *env) { e.setNow(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) }, "covered/m", 403, "baa_not_in_force"},
		{"ErrBlocked", func(e *env) {
			e.gw.Policy = gateway.Policy{Mode: gateway.ModeBlock, Method: gateway.MethodPlaceholder, OutputScan: gateway.OutputRedact}
		}, "covered/m", 403, "blocked"},
		{"ErrPolicy", func(e *env) { e.gw.Coder = failingCoder{} }, "open/m", 500, "policy_error"},
		{"ErrSealedMap", func(e *env) { e.sealer.setFail(true) }, "open/m", 500, "conversation_map"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, stream := range []bool{false, true} {
				e := newEnv(t)
				if c.setup != nil {
					c.setup(e)
				}
				status, body := e.post("/v1/chat/completions", "key-1", chatBody(c.model, stream, "user", note))
				checkRefusal(t, e, status, body, c.status, c.code)
			}
		})
	}
	t.Run("ErrBadBody", func(t *testing.T) {
		// Malformed JSON, a truncated body, or a field missing or of the
		// wrong type: 400 with a message that says which, no PHI, nothing sent.
		trunc := chatBody("open/m", false, "user", note)
		quoted, _ := json.Marshal(note)
		for _, c := range []struct{ path, body, code string }{
			{"/v1/chat/completions", trunc[:len(trunc)/2], "malformed_json"},
			{"/v1/chat/completions", "{'model': 1}", "malformed_json"},
			{"/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}]}`, "invalid_request"},
			{"/v1/chat/completions", `{"model":"open/m","messages":` + string(quoted) + `}`, "invalid_request"},
			{"/v1/embeddings", `{"model":"open/m"}`, "invalid_request"},
		} {
			e := newEnv(t)
			status, body := e.post(c.path, "key-1", c.body)
			checkRefusal(t, e, status, body, 400, c.code)
		}
		// The Anthropic shape has no code: the message says it.
		e := newEnv(t)
		status, body := e.post("/v1/messages", "key-1", `{"model":"open/m"`)
		if status != 400 || !strings.Contains(body, `"message":"The request body is not valid JSON."`) || len(e.vendor.received()) != 0 {
			t.Errorf("messages: %d %s", status, body)
		}
	})
	t.Run("ErrExpiredBAAMinute", func(t *testing.T) {
		e := newEnv(t)
		e.setNow(time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC))
		if status, body := e.post("/v1/chat/completions", "key-1", chatBody("covered/m", false, "user", note)); status != 200 {
			t.Fatalf("a minute before expiry: %d %s", status, body)
		}
		e.setNow(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		status, _ := e.post("/v1/chat/completions", "key-1", chatBody("covered/m", false, "user", note))
		if status != 403 {
			t.Fatalf("at expiry: status %d", status)
		}
	})
	t.Run("ErrSealedMapOpen", func(t *testing.T) {
		// Another node (no cached map) must open the sealed map.
		e := newEnv(t, func(g *gateway.Gateway) { g.Conversations.CacheSize = -1 })
		hdr := []string{gateway.ConversationHeader, "c1"}
		if status, _ := e.post("/v1/chat/completions", "key-1", chatBody("open/m", false, "user", note), hdr...); status != 200 {
			t.Fatal("first turn failed")
		}
		e.sealer.setFail(true)
		before := len(e.vendor.received())
		status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", false, "user", note), hdr...)
		if status != 500 || !strings.Contains(body, "conversation_map") || len(e.vendor.received()) != before {
			t.Fatalf("status %d body %s", status, body)
		}
	})
	t.Run("ErrImageToUncovered", func(t *testing.T) {
		e := newEnv(t)
		body := `{"model":"open/m","messages":[{"role":"user","content":[{"type":"text","text":"what is this"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}`
		status, resp := e.post("/v1/chat/completions", "key-1", body)
		checkRefusal(t, e, status, resp, 403, "unscannable_content")
	})
	t.Run("ErrRefusalAudited", func(t *testing.T) {
		e := newEnv(t)
		e.post("/v1/chat/completions", "key-1", chatBody("nobody/m", false, "user", note))
		evs := e.audit.all()
		last := evs[len(evs)-1]
		if last.Outcome != phigate.OutcomeDenied || last.Reason != "unknown_model" {
			t.Fatalf("refusal not audited: %+v", last)
		}
	})
}

type failingCoder struct{}

func (failingCoder) Placeholder(phigate.Category) (string, error) {
	return "", phigate.Errorf(phigate.EINTERNAL, "failingCoder", "no randomness")
}

func (failingCoder) Surrogate(phigate.Finding, string, []byte) (string, error) { return "", nil }
