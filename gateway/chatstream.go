package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/phigate/phigate"
)

// chunkInfo is what the gateway reads of a chat completion chunk.
type chunkInfo struct {
	ID                string          `json:"id"`
	Created           json.RawMessage `json:"created"`
	Model             string          `json:"model"`
	SystemFingerprint *string         `json:"system_fingerprint,omitempty"`
	Choices           []struct {
		Index int `json:"index"`
		Delta struct {
			Content   *string `json:"content"`
			Refusal   *string `json:"refusal"`
			ToolCalls []struct {
				Index int `json:"index"`
			} `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		Prompt     int `json:"prompt_tokens"`
		Completion int `json:"completion_tokens"`
	} `json:"usage"`
	Error json.RawMessage `json:"error"`
}

// choiceStream is the state of one choice of a streamed completion.
type choiceStream struct {
	content reidStream
	refusal reidStream
	out     outStream
	args    map[int]*reidStream
}

// chatStream re-identifies a streamed chat completion chunk by chunk.
type chatStream struct {
	x            *exchange
	includeUsage bool
	choices      map[int]*choiceStream
	meta         chunkInfo // of the last chunk, for chunks the gateway adds
	sentBytes    int
}

// pumpChat relays a streamed chat completion.
func (x *exchange) pumpChat(resp *http.Response, includeUsage bool) error {
	return x.pump(resp, &chatStream{x: x, includeUsage: includeUsage, choices: map[int]*choiceStream{}})
}

func (s *chatStream) choice(i int) *choiceStream {
	ch := s.choices[i]
	if ch == nil {
		m := s.x.conv.m
		ch = &choiceStream{content: reidStream{m: m, stats: &s.x.reid}, refusal: reidStream{m: m, stats: &s.x.reid},
			out: outStream{o: s.x.outscan}, args: map[int]*reidStream{}}
		s.choices[i] = ch
	}
	return ch
}

func (ch *choiceStream) tool(m *Map, i int, st *reidStats) *reidStream {
	t := ch.args[i]
	if t == nil {
		t = &reidStream{m: m, escape: true, stats: st}
		ch.args[i] = t
	}
	return t
}

// event handles one chunk of the vendor's stream.
func (s *chatStream) event(ev sseEvent) ([]byte, bool, error) {
	data := bytes.TrimSpace(ev.data)
	if string(data) == "[DONE]" {
		out, err := s.end()
		return appendEvent(out, "", data), true, err
	}
	var info chunkInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, false, refuse(phigate.EUPSTREAM, reasonUpstream, errors.New("vendor sent a malformed chunk"))
	}
	if info.Error != nil {
		return nil, false, refuse(phigate.EUPSTREAM, reasonUpstream, errors.New("vendor sent an error mid-stream"))
	}
	s.meta = info
	if info.Usage != nil {
		s.x.usage = tokenUsage{info.Usage.Prompt, info.Usage.Completion}
		if len(info.Choices) == 0 && !s.includeUsage {
			return nil, false, nil
		}
	}
	var out []byte
	finishing := map[int]bool{}
	for _, c := range info.Choices {
		if c.FinishReason != nil {
			finishing[c.Index] = true
			pre, err := s.flushChoice(c.Index, c.Delta.Content == nil, c.Delta.Refusal == nil, c.Delta.ToolCalls)
			if err != nil {
				return nil, false, err
			}
			out = append(out, pre...)
		}
	}
	body, err := rewriteStrings(nil, data, func(p jpath, v string) (string, bool, error) {
		return s.rewrite(&info, finishing, p, v)
	})
	if err != nil {
		return nil, false, streamErr(err)
	}
	s.sentBytes += len(body)
	return appendEvent(out, "", body), false, nil
}

// rewrite re-identifies one string of a chunk.
func (s *chatStream) rewrite(info *chunkInfo, finishing map[int]bool, p jpath, v string) (string, bool, error) {
	i := p.index(1)
	if p.rootKey() != "choices" || i < 0 || i >= len(info.Choices) || len(p) < 4 || !p[2].isKey || p[2].key != "delta" {
		return "", false, nil
	}
	idx := info.Choices[i].Index
	ch, fin := s.choice(idx), finishing[idx]
	switch {
	case len(p) == 4 && p.key(0) == "content":
		b, err := s.content(ch, v, fin)
		return string(b), true, err
	case len(p) == 4 && p.key(0) == "refusal":
		b := ch.refusal.write(v)
		if fin {
			b = append(b, ch.refusal.flush()...)
		}
		return string(b), true, nil
	case len(p) == 7 && p.key(0) == "arguments" && p.key(3) == "tool_calls":
		j := p.index(4)
		if j < 0 || j >= len(info.Choices[i].Delta.ToolCalls) {
			return "", false, nil
		}
		t := ch.tool(s.x.conv.m, info.Choices[i].Delta.ToolCalls[j].Index, &s.x.reid)
		b := t.write(v)
		if fin {
			b = append(b, t.flush()...)
		}
		return string(b), true, nil
	}
	return "", false, nil
}

// content re-identifies and output-scans a piece of content.
func (s *chatStream) content(ch *choiceStream, v string, fin bool) ([]byte, error) {
	b := ch.content.write(v)
	if fin {
		b = append(b, ch.content.flush()...)
	}
	out, err := ch.out.write(b)
	if err != nil {
		return nil, err
	}
	if fin {
		rest, err := ch.out.flush()
		if err != nil {
			return nil, err
		}
		out = append(out, rest...)
	}
	return out, nil
}

// flushChoice returns a chunk with what a finishing choice still holds in
// the streams its last chunk does not carry.
func (s *chatStream) flushChoice(i int, content, refusal bool, tools []struct {
	Index int `json:"index"`
}) ([]byte, error) {
	ch := s.choices[i]
	if ch == nil {
		return nil, nil
	}
	var delta synthDelta
	if content {
		b, err := s.content(ch, "", true)
		if err != nil {
			return nil, err
		}
		delta.Content = string(b)
	}
	if refusal {
		delta.Refusal = string(ch.refusal.flush())
	}
	keys := make([]int, 0, len(ch.args))
	for k := range ch.args {
		if !slices.ContainsFunc(tools, func(t struct {
			Index int `json:"index"`
		}) bool {
			return t.Index == k
		}) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if rest := ch.args[k].flush(); len(rest) > 0 {
			delta.ToolCalls = append(delta.ToolCalls, synthTool{Index: k, Function: synthFunc{Arguments: string(rest)}})
		}
	}
	return s.synth(i, delta), nil
}

// idle releases the words the output scan holds.
func (s *chatStream) idle() ([]byte, error) {
	var out []byte
	for _, i := range s.order() {
		ch := s.choices[i]
		if !ch.out.held() {
			continue
		}
		b, err := ch.out.flush()
		if err != nil {
			return nil, err
		}
		out = append(out, s.synth(i, synthDelta{Content: string(b)})...)
	}
	return out, nil
}

func (s *chatStream) holding() bool {
	for _, ch := range s.choices {
		if ch.out.held() {
			return true
		}
	}
	return false
}

// end flushes every choice.
func (s *chatStream) end() ([]byte, error) {
	var out []byte
	for _, i := range s.order() {
		b, err := s.flushChoice(i, true, true, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

func (s *chatStream) order() []int {
	keys := make([]int, 0, len(s.choices))
	for k := range s.choices {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// failure is an error chunk in the OpenAI stream shape.
func (s *chatStream) failure(err error) []byte {
	var b openAIError
	b.Error.Message, b.Error.Type, b.Error.Code = errorMessage(err), "api_error", phigate.ErrorCode(err)
	if r := reasonOf(err); r != "" {
		b.Error.Code = r
	}
	data, _ := json.Marshal(b)
	return appendEvent(nil, "", data)
}

type synthFunc struct {
	Arguments string `json:"arguments"`
}

type synthTool struct {
	Index    int       `json:"index"`
	Function synthFunc `json:"function"`
}

type synthDelta struct {
	Content   string      `json:"content,omitempty"`
	Refusal   string      `json:"refusal,omitempty"`
	ToolCalls []synthTool `json:"tool_calls,omitempty"`
}

// synth returns a chunk the gateway adds, in the vendor's chunk shape, or
// nothing when delta is empty.
func (s *chatStream) synth(i int, d synthDelta) []byte {
	if d.Content == "" && d.Refusal == "" && len(d.ToolCalls) == 0 {
		return nil
	}
	created := s.meta.Created
	if created == nil {
		created = json.RawMessage("0")
	}
	c := struct {
		ID                string          `json:"id"`
		Object            string          `json:"object"`
		Created           json.RawMessage `json:"created"`
		Model             string          `json:"model"`
		SystemFingerprint *string         `json:"system_fingerprint,omitempty"`
		Choices           []any           `json:"choices"`
	}{s.meta.ID, "chat.completion.chunk", created, s.meta.Model, s.meta.SystemFingerprint, []any{struct {
		Index        int        `json:"index"`
		Delta        synthDelta `json:"delta"`
		FinishReason *string    `json:"finish_reason"`
	}{i, d, nil}}}
	data, _ := json.Marshal(c)
	return appendEvent(nil, "", data)
}

// streamErr maps an error from inside a stream's rewriting.
func streamErr(err error) error {
	if phigate.ErrorCode(err) == phigate.EUNAVAILABLE {
		return refuse(phigate.EUNAVAILABLE, reasonDetector, err)
	}
	if reasonOf(err) != "" {
		return err
	}
	return refuse(phigate.EUPSTREAM, reasonUpstream, errors.New("vendor sent a malformed chunk"))
}
