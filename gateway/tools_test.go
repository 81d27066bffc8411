package gateway_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// A request with tool definitions, an earlier tool call and its result,
// all holding PHI.
const toolRequest = `{"model":"open/m","stream":%s,
 "tools":[{"type":"function","function":{"name":"record_visit","description":"Record a visit of John Smith",
   "parameters":{"type":"object","properties":{"patient":{"type":"string","description":"e.g. Jane Doe"},
   "date":{"type":"string","enum":["3/14/2026","other"]}},"required":["patient","date"]}}}],
 "messages":[
  {"role":"user","content":"Record John Smith for 3/14/2026"},
  {"role":"assistant","content":null,"tool_calls":[{"id":"call_0","type":"function",
    "function":{"name":"record_visit","arguments":"{\"patient\": \"John Smith\", \"date\": \"3/14/2026\", \"n\": 2}"}}]},
  {"role":"tool","tool_call_id":"call_0","content":"{\"ok\":true,\"saved\":\"Mary O\\\"Brien and John Smith\"}"},
  {"role":"user","content":"Now record Mary O\"Brien too"}]}`

func TestToolCalls(t *testing.T) {
	for _, stream := range []string{"false", "true"} {
		t.Run("OK"+map[string]string{"false": "", "true": "Stream"}[stream], func(t *testing.T) {
			e := newEnv(t)
			// The vendor calls the tool with arguments naming both patients
			// by the placeholders it was sent.
			e.vendor.Reply = func(prompt string) string { return "ok" }
			body := strings.Replace(toolRequest, "%s", stream, 1)
			e.post("/v1/chat/completions", "key-1", body) // first call: learn what the vendor sees
			sent := e.vendor.last()
			checkToolRequest(t, sent)
			john := codeFor(t, sent, "Record ", " for")
			mary := codeFor(t, sent, "Now record ", " too")
			e.vendor.ToolCall = `{"patients":["` + john + `","` + mary + `"],"note":"` + john + ` seen"}`
			e.vendor.Chunk = 3
			status, resp := e.post("/v1/chat/completions", "key-1", body)
			if status != 200 {
				t.Fatalf("%d %s", status, resp)
			}
			args := toolArguments(t, resp)
			var got struct {
				Patients []string `json:"patients"`
				Note     string   `json:"note"`
			}
			if err := json.Unmarshal([]byte(args), &got); err != nil {
				t.Fatalf("tool-call arguments are not valid JSON: %q: %v", args, err)
			}
			if len(got.Patients) != 2 || got.Patients[0] != "John Smith" || got.Patients[1] != `Mary O"Brien` || got.Note != "John Smith seen" {
				t.Fatalf("arguments not re-identified: %+v", got)
			}
		})
	}
}

// checkToolRequest checks that the vendor got valid JSON everywhere, with
// PHI replaced in tool definitions, arguments and results, and structure
// (names, required, types) untouched.
func checkToolRequest(t *testing.T, sent string) {
	t.Helper()
	if l := leaked(sent, []string{"John Smith", "3/14/2026", "Jane Doe", `Mary O"Brien`}); len(l) > 0 {
		t.Fatalf("vendor got PHI %q: %s", l, sent)
	}
	var req struct {
		Tools []struct {
			Function struct {
				Name        string          `json:"name"`
				Description string          `json:"description"`
				Parameters  json.RawMessage `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
		Messages []struct {
			Role      string          `json:"role"`
			Content   json.RawMessage `json:"content"`
			ToolCalls []struct {
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(sent), &req); err != nil {
		t.Fatalf("vendor request not JSON: %v", err)
	}
	fn := req.Tools[0].Function
	if fn.Name != "record_visit" || !strings.Contains(string(fn.Parameters), `"required":["patient","date"]`) ||
		!strings.Contains(fn.Description, "[NAME-") {
		t.Fatalf("tool definition: %+v %s", fn, fn.Parameters)
	}
	var args map[string]any
	call := req.Messages[1].ToolCalls[0].Function
	if err := json.Unmarshal([]byte(call.Arguments), &args); err != nil || call.Name != "record_visit" || args["n"] != 2.0 {
		t.Fatalf("tool-call arguments not valid JSON or changed: %q", call.Arguments)
	}
	var result string
	json.Unmarshal(req.Messages[2].Content, &result)
	var res map[string]any
	if err := json.Unmarshal([]byte(result), &res); err != nil || res["ok"] != true {
		t.Fatalf("tool result not valid JSON: %q", result)
	}
}

// codeFor returns the text between before and after in the vendor's request.
func codeFor(t *testing.T, sent, before, after string) string {
	t.Helper()
	var req struct {
		Messages []struct {
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	json.Unmarshal([]byte(sent), &req)
	for _, m := range req.Messages {
		var s string
		json.Unmarshal(m.Content, &s)
		if i := strings.Index(s, before); i >= 0 {
			rest := s[i+len(before):]
			if j := strings.Index(rest, after); j > 0 {
				return rest[:j]
			}
		}
	}
	t.Fatalf("no %q…%q in %s", before, after, sent)
	return ""
}

// toolArguments returns the arguments of the first tool call of a chat
// completion, streamed or not.
func toolArguments(t *testing.T, body string) string {
	t.Helper()
	if !strings.HasPrefix(body, "data:") {
		var c struct {
			Choices []struct {
				Message struct {
					ToolCalls []struct {
						Function struct{ Arguments string } `json:"function"`
					} `json:"tool_calls"`
				} `json:"message"`
			} `json:"choices"`
		}
		json.Unmarshal([]byte(body), &c)
		return c.Choices[0].Message.ToolCalls[0].Function.Arguments
	}
	var args strings.Builder
	for _, line := range strings.Split(body, "\n") {
		line, ok := strings.CutPrefix(line, "data: ")
		if !ok || line == "[DONE]" {
			continue
		}
		var c struct {
			Choices []struct {
				Delta struct {
					ToolCalls []struct {
						Function struct{ Arguments string } `json:"function"`
					} `json:"tool_calls"`
				} `json:"delta"`
			} `json:"choices"`
		}
		json.Unmarshal([]byte(line), &c)
		for _, ch := range c.Choices {
			for _, tc := range ch.Delta.ToolCalls {
				args.WriteString(tc.Function.Arguments)
			}
		}
	}
	return args.String()
}
