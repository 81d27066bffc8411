package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/phigate/phigate"
)

// messagesShape is what the gateway reads of an Anthropic messages request.
type messagesShape struct {
	Model    string          `json:"model"`
	Stream   bool            `json:"stream"`
	System   json.RawMessage `json:"system"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
}

// messages serves POST /v1/messages (the Anthropic shape) towards vendors
// that speak it.
func (g *Gateway) messages(w http.ResponseWriter, r *http.Request) {
	x := &exchange{g: g, r: r, w: w, start: time.Now(), action: "ai.messages", format: phigate.FormatAnthropic, path: "/messages"}
	if err := x.begin(); err != nil {
		x.fail(err, false)
		return
	}
	var shape messagesShape
	if err := json.Unmarshal(x.body, &shape); err != nil || shape.Model == "" || len(shape.Messages) == 0 {
		x.fail(badBody(err), false)
		return
	}
	x.model, x.stream = shape.Model, shape.Stream
	var first json.RawMessage
	for _, m := range shape.Messages {
		if m.Role == "user" {
			first = m.Content
			break
		}
	}
	x.convName = conversationName(r, "history\x00"+string(compactJSON(shape.System))+"\x00"+string(compactJSON(first)))
	if err := x.prepare(classifyMessages); err != nil {
		x.fail(err, false)
		return
	}
	x.run(func(resp *http.Response) error {
		if x.stream {
			return x.pump(resp, &messageStream{x: x, blocks: map[int]*blockStream{}})
		}
		return x.finish(resp, reidentifyMessage)
	})
}

// messageSkip are structural strings of an Anthropic answer.
var messageSkip = map[string]bool{"id": true, "type": true, "name": true, "signature": true, "model": true,
	"role": true, "stop_reason": true, "stop_sequence": true, "tool_use_id": true, "service_tier": true}

// reidentifyMessage re-identifies an Anthropic message: text blocks (then
// output scanned), thinking, and tool inputs.
func reidentifyMessage(x *exchange, body []byte) ([]byte, error) {
	var usage struct {
		Usage struct {
			In  int `json:"input_tokens"`
			Out int `json:"output_tokens"`
		} `json:"usage"`
	}
	json.Unmarshal(body, &usage)
	x.usage = tokenUsage{usage.Usage.In, usage.Usage.Out}
	out, err := rewriteStrings(nil, body, func(p jpath, s string) (string, bool, error) {
		if p.rootKey() != "content" || messageSkip[p.key(0)] && len(p) == 3 {
			return "", false, nil
		}
		b, st := x.conv.m.Reidentify(nil, []byte(s), false)
		x.reid.add(st)
		if len(p) == 3 && p.key(0) == "text" {
			var err error
			if b, err = x.outscan.scan(b, 0); err != nil {
				return "", false, err
			}
		}
		return string(b), true, nil
	})
	if err != nil {
		return nil, answerError(err)
	}
	return out, nil
}

// blockStream is one content block of a streamed message.
type blockStream struct {
	kind string // "text", "tool_use", "thinking"
	reid reidStream
	out  outStream
}

// messageStream re-identifies a streamed Anthropic message event by event.
type messageStream struct {
	x      *exchange
	blocks map[int]*blockStream
}

type messageEvent struct {
	Type         string `json:"type"`
	Index        int    `json:"index"`
	ContentBlock *struct {
		Type string `json:"type"`
	} `json:"content_block"`
	Delta *struct {
		Type string `json:"type"`
	} `json:"delta"`
	Message *struct {
		Usage struct {
			In int `json:"input_tokens"`
		} `json:"usage"`
	} `json:"message"`
	Usage *struct {
		Out int `json:"output_tokens"`
	} `json:"usage"`
}

func (s *messageStream) event(ev sseEvent) ([]byte, bool, error) {
	var me messageEvent
	if err := json.Unmarshal(ev.data, &me); err != nil {
		return nil, false, refuse(phigate.EUPSTREAM, reasonUpstream, errors.New("vendor sent a malformed event"))
	}
	var out []byte
	switch me.Type {
	case "error":
		return nil, false, refuse(phigate.EUPSTREAM, reasonUpstream, errors.New("vendor sent an error mid-stream"))
	case "message_start":
		if me.Message != nil {
			s.x.usage.prompt = me.Message.Usage.In
		}
	case "message_delta":
		if me.Usage != nil {
			s.x.usage.completion = me.Usage.Out
		}
	case "content_block_start":
		if me.ContentBlock != nil {
			s.blocks[me.Index] = &blockStream{kind: me.ContentBlock.Type,
				reid: reidStream{m: s.x.conv.m, escape: me.ContentBlock.Type == "tool_use", stats: &s.x.reid},
				out:  outStream{o: s.x.outscan}}
		}
	case "content_block_stop":
		b, err := s.flushBlock(me.Index)
		if err != nil {
			return nil, false, err
		}
		out = b
	case "content_block_delta":
		data, err := s.delta(me.Index, ev.data)
		if err != nil {
			return nil, false, err
		}
		return appendEvent(nil, ev.name, data), false, nil
	}
	return appendEvent(out, ev.name, ev.data), me.Type == "message_stop", nil
}

// delta re-identifies the text of a content_block_delta event.
func (s *messageStream) delta(i int, data []byte) ([]byte, error) {
	bl := s.blocks[i]
	if bl == nil {
		return data, nil
	}
	out, err := rewriteStrings(nil, data, func(p jpath, v string) (string, bool, error) {
		if len(p) != 2 || p.rootKey() != "delta" {
			return "", false, nil
		}
		switch p.key(0) {
		case "text":
			b, err := bl.out.write(bl.reid.write(v))
			return string(b), true, err
		case "partial_json", "thinking":
			return string(bl.reid.write(v)), true, nil
		}
		return "", false, nil
	})
	if err != nil {
		return nil, streamErr(err)
	}
	return out, nil
}

// flushBlock returns a delta event with what block i still holds.
func (s *messageStream) flushBlock(i int) ([]byte, error) {
	bl := s.blocks[i]
	if bl == nil {
		return nil, nil
	}
	rest := bl.reid.flush()
	if bl.kind == "text" {
		a, err := bl.out.write(rest)
		if err != nil {
			return nil, err
		}
		b, err := bl.out.flush()
		if err != nil {
			return nil, err
		}
		rest = append(a, b...)
	}
	return s.synth(i, bl.kind, rest), nil
}

func (s *messageStream) synth(i int, kind string, text []byte) []byte {
	if len(text) == 0 {
		return nil
	}
	field, typ := "text", "text_delta"
	switch kind {
	case "tool_use":
		field, typ = "partial_json", "input_json_delta"
	case "thinking":
		field, typ = "thinking", "thinking_delta"
	}
	var b bytes.Buffer
	b.WriteString(`{"type":"content_block_delta","index":`)
	b.WriteString(itoa(i))
	b.WriteString(`,"delta":{"type":"` + typ + `","` + field + `":`)
	b.Write(appendJSONString(nil, string(text)))
	b.WriteString(`}}`)
	return appendEvent(nil, "content_block_delta", b.Bytes())
}

func (s *messageStream) idle() ([]byte, error) {
	var out []byte
	for i, bl := range s.blocks {
		if bl.out.held() {
			b, err := bl.out.flush()
			if err != nil {
				return nil, err
			}
			out = append(out, s.synth(i, bl.kind, b)...)
		}
	}
	return out, nil
}

func (s *messageStream) holding() bool {
	for _, bl := range s.blocks {
		if bl.out.held() {
			return true
		}
	}
	return false
}

func (s *messageStream) end() ([]byte, error) {
	var out []byte
	for i := range s.blocks {
		b, err := s.flushBlock(i)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

func (s *messageStream) failure(err error) []byte {
	var b anthropicError
	b.Type, b.Error.Type, b.Error.Message = "error", "api_error", errorMessage(err)
	data, _ := json.Marshal(b)
	return appendEvent(nil, "error", data)
}
