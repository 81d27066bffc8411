package gateway_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/phigate/phigate/gateway"
)

var placeholderRE = regexp.MustCompile(`\[[A-Z_]+-[A-Z0-9]+\]`)

// vendorCodes returns the placeholders the vendor's last request held for
// each PHI value, by looking at what replaced it.
func TestConversationThreeTurns(t *testing.T) {
	for _, byHeader := range []bool{true, false} {
		t.Run(map[bool]string{true: "OKHeader", false: "OKHistory"}[byHeader], func(t *testing.T) {
			e := newEnv(t)
			var hdr []string
			if byHeader {
				hdr = []string{gateway.ConversationHeader, "visit-7"}
			}
			turns := []string{
				"Summarise: John Smith seen 3/14/2026.",
				"Did John Smith return after 3/14/2026? Jane Doe says yes.",
				"Write to Jane Doe and John Smith about 3/14/2026.",
			}
			msgs := []string{"system", "You help."}
			codes := map[string]string{}
			for i, turn := range turns {
				msgs = append(msgs, "user", turn)
				status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", i == 1, msgs...), hdr...)
				if status != 200 {
					t.Fatalf("turn %d: %d %s", i+1, status, body)
				}
				answer := content(t, body)
				if answer != turn {
					t.Fatalf("turn %d answer %q", i+1, answer)
				}
				sent := e.vendor.last()
				for _, v := range []string{"John Smith", "3/14/2026", "Jane Doe"} {
					if strings.Contains(sent, v) {
						t.Fatalf("turn %d leaked %q", i+1, v)
					}
				}
				checkCodes(t, sent, codes, i+1)
				msgs = append(msgs, "assistant", answer)
			}
			if len(codes) != 3 {
				t.Fatalf("want 3 distinct placeholders over the conversation, got %v", codes)
			}
		})
	}
	t.Run("OKSeparateCallers", func(t *testing.T) {
		e := newEnv(t)
		hdr := []string{gateway.ConversationHeader, "same-name"}
		e.post("/v1/chat/completions", "key-1", chatBody("open/m", false, "user", "John Smith"), hdr...)
		a := placeholderRE.FindString(e.vendor.last())
		e.post("/v1/chat/completions", "key-2", chatBody("open/m", false, "user", "John Smith"), hdr...)
		b := placeholderRE.FindString(e.vendor.last())
		if a == "" || a == b {
			t.Fatalf("two callers share a map: %q %q", a, b)
		}
	})
}

// checkCodes checks that each value in the vendor's messages keeps the
// placeholder it had and that no two values share one.
func checkCodes(t *testing.T, sent string, codes map[string]string, turn int) {
	t.Helper()
	var req struct {
		Messages []struct {
			Content string `json:"content"`
		} `json:"messages"`
	}
	json.Unmarshal([]byte(sent), &req)
	byValue := map[string]string{}
	for _, m := range req.Messages {
		for _, code := range placeholderRE.FindAllString(m.Content, -1) {
			byValue[code] = code
		}
	}
	for code := range byValue {
		if codes[code] == "" {
			codes[code] = fmt.Sprint(turn)
		}
	}
	// Turn 3 repeats every value: it must use only codes seen before or
	// exactly the three codes of the conversation.
	if turn == 3 && len(byValue) != 3 {
		t.Fatalf("turn 3 used %d codes, want 3: %v", len(byValue), byValue)
	}
}

// TestStreamSplitAtEveryOffset streams an answer holding placeholders in
// chunks of every size and at every offset: each placeholder cut anywhere
// must still be restored, and text that cannot be a placeholder must not
// be held back.
func TestStreamSplitAtEveryOffset(t *testing.T) {
	e := newEnv(t, func(g *gateway.Gateway) {
		g.Policy = gateway.Policy{Mode: gateway.ModeDeidentify, OutputScan: gateway.OutputOff}
	})
	prompt := "John Smith, [x] then Jane Doe on 3/14/2026 [NAME"
	for pad := 0; pad <= 24; pad++ {
		for chunk := 1; chunk <= 26; chunk += 1 + chunk/8 {
			e.vendor.mu.Lock()
			e.vendor.Chunk = chunk
			e.vendor.mu.Unlock()
			want := strings.Repeat(".", pad) + prompt
			status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", true, "user", want))
			if status != 200 {
				t.Fatalf("pad %d chunk %d: %d %s", pad, chunk, status, body)
			}
			if got := content(t, body); got != want {
				t.Fatalf("pad %d chunk %d:\n got %q\nwant %q", pad, chunk, got, want)
			}
		}
	}
}

// TestStreamHoldsBackOnlyPlaceholders checks that a chunk that cannot start
// a placeholder is released with the vendor's chunk.
func TestStreamHoldsBackOnlyPlaceholders(t *testing.T) {
	e := newEnv(t, func(g *gateway.Gateway) {
		g.Policy = gateway.Policy{Mode: gateway.ModeDeidentify, OutputScan: gateway.OutputOff}
	})
	e.vendor.Chunk = 4
	status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", true, "user", "abcdefgh John Smith ok"))
	if status != 200 {
		t.Fatal(body)
	}
	var pieces []string
	for _, line := range strings.Split(body, "\n") {
		if strings.Contains(line, `"content":"`) {
			var c struct {
				Choices []struct {
					Delta struct{ Content string } `json:"delta"`
				} `json:"choices"`
			}
			json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &c)
			if len(c.Choices) > 0 && c.Choices[0].Delta.Content != "" {
				pieces = append(pieces, c.Choices[0].Delta.Content)
			}
		}
	}
	if len(pieces) < 3 || pieces[0] != "abcd" || pieces[1] != "efgh" {
		t.Fatalf("pieces = %q: plain text was held back", pieces)
	}
	if strings.Join(pieces, "") != "abcdefgh John Smith ok" {
		t.Fatalf("joined = %q", strings.Join(pieces, ""))
	}
}
