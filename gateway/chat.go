package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/phigate/phigate"
)

// begin authenticates the caller and reads the body. Codes:
// EUNAUTHENTICATED, EFORBIDDEN, ERATELIMIT, ETOOLARGE, EINVALID.
func (x *exchange) begin() error {
	var err error
	if x.c, err = x.g.authenticate(x.r); err != nil {
		return err
	}
	x.patients = x.g.patientsOf(x.r.Header)
	x.body, err = x.g.readBody(x.w, x.r)
	return err
}

// conversationName is the conversation a call belongs to: the header's,
// else the one its history starts.
func conversationName(r *http.Request, history string) string {
	if h := r.Header.Get(ConversationHeader); h != "" {
		return "header\x00" + h
	}
	return history
}

// chat serves POST /v1/chat/completions.
func (g *Gateway) chat(w http.ResponseWriter, r *http.Request) {
	x := &exchange{g: g, r: r, w: w, start: time.Now(), action: "ai.chat", format: phigate.FormatOpenAI, path: "/chat/completions"}
	if err := x.begin(); err != nil {
		x.fail(err, false)
		return
	}
	var shape chatShape
	if err := json.Unmarshal(x.body, &shape); err != nil || shape.Model == "" || len(shape.Messages) == 0 {
		x.fail(badBody(err), false)
		return
	}
	x.model, x.stream = shape.Model, shape.Stream
	x.convName = conversationName(r, historyName(shape.Messages))
	roles := shape.roles()
	if err := x.prepare(func(p jpath) kind { return classifyChat(p, roles) }); err != nil {
		x.fail(err, false)
		return
	}
	includeUsage := shape.StreamOptions != nil && shape.StreamOptions.IncludeUsage
	if x.stream && shape.StreamOptions == nil {
		x.out = withStreamUsage(x.out)
	}
	x.run(func(resp *http.Response) error {
		if x.stream {
			return x.pumpChat(resp, includeUsage)
		}
		return x.finish(resp, reidentifyChat)
	})
}

// run calls the vendor and hands its answer to respond, then accounts
// for the call.
func (x *exchange) run(respond func(*http.Response) error) {
	ctx, cancel := context.WithCancel(x.r.Context())
	defer cancel()
	if !x.stream {
		ctx, cancel = context.WithTimeout(ctx, x.g.upstreamTimeout())
		defer cancel()
	}
	resp, err := x.call(ctx)
	if err != nil {
		x.fail(err, phigate.ErrorCode(err) != phigate.EAUDIT)
		return
	}
	defer resp.Body.Close()
	x.outscan = newOutScanner(x.g.Detector, x.plan.policy.OutputScan, x.sc, x.conv.m)
	if x.stream {
		x.outscan.beforeRelease = x.recordOutputFlag
	}
	err = respond(resp)
	x.g.limit.spend(x.c.id, x.c.limits, x.usage.prompt+x.usage.completion, x.g.now())
	if errors.Is(err, errResponded) {
		return // finish answered and recorded (or queued) the result
	}
	if err != nil && !x.stream {
		x.fail(err, true)
		return
	}
	x.recordLateResult(err)
}

// errResponded marks a non-streamed answer already written, its result
// recorded by finish.
var errResponded = errors.New("responded")

// withStreamUsage asks the vendor for token usage at the end of a
// stream; the usage chunk is passed on only if the client asked for it.
func withStreamUsage(body []byte) []byte {
	i := 0
	for i < len(body) && body[i] != '{' {
		i++
	}
	if i == len(body) {
		return body
	}
	out := make([]byte, 0, len(body)+48)
	out = append(out, body[:i+1]...)
	out = append(out, `"stream_options":{"include_usage":true},`...)
	rest := body[i+1:]
	if j := firstNonSpace(rest); j < len(rest) && rest[j] == '}' {
		out = out[:len(out)-1]
	}
	return append(out, rest...)
}

func firstNonSpace(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// finish reads a non-streamed answer, re-identifies and scans it, writes
// it and records the result.
//
// The call's own event was durable before anything left for the vendor;
// the result adds what came back (tokens, latency, how many codes were
// restored to the caller who sent their values). As for a stream, it is
// written once the answer is out, so the caller does not wait for a
// second commit; a failure is logged and counted (ResultAuditFailures).
// When the output scan flagged PHI the caller did not send, the result is
// the record of it: it is then durable first, and a failure refuses the
// answer.
func (x *exchange) finish(resp *http.Response, reid func(x *exchange, body []byte) ([]byte, error)) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, DefaultMaxResponseBytes+1))
	if err != nil {
		return refuse(phigate.EUNAVAILABLE, reasonUpstream, errors.New("vendor answer cut short"))
	}
	if len(body) > DefaultMaxResponseBytes {
		return refuse(phigate.EUPSTREAM, reasonUpstream, errors.New("vendor answer too large"))
	}
	out, err := reid(x, body)
	if err != nil {
		return err
	}
	flagged := x.outscan != nil && len(x.outscan.flagged) > 0
	if flagged {
		if err := x.recordResult(context.WithoutCancel(x.r.Context()), nil); err != nil {
			return err
		}
	}
	x.w.Header().Set("Content-Type", "application/json")
	x.w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	x.w.WriteHeader(http.StatusOK)
	x.w.Write(out)
	if !flagged {
		// With its length known and flushed, the answer is complete for
		// the client while the result commits.
		http.NewResponseController(x.w).Flush()
		x.recordLateResult(nil)
	}
	return errResponded
}

// answerError is the refusal for a vendor answer that could not be
// re-identified: the output scan's detector failed, or the answer is not
// valid JSON.
func answerError(err error) error {
	if phigate.ErrorCode(err) == phigate.EUNAVAILABLE {
		return refuse(phigate.EUNAVAILABLE, reasonDetector, err)
	}
	return refuse(phigate.EUPSTREAM, reasonUpstream, errors.New("vendor answer is not valid JSON"))
}

// reidentifyChat re-identifies a chat completion: content (then output
// scanned), refusals, and tool-call arguments (kept valid JSON).
func reidentifyChat(x *exchange, body []byte) ([]byte, error) {
	var usage struct {
		Usage struct {
			Prompt     int `json:"prompt_tokens"`
			Completion int `json:"completion_tokens"`
		} `json:"usage"`
	}
	json.Unmarshal(body, &usage)
	x.usage = tokenUsage{usage.Usage.Prompt, usage.Usage.Completion}
	out, err := rewriteStrings(nil, body, func(p jpath, s string) (string, bool, error) {
		if p.rootKey() != "choices" || skipKeys[p.key(0)] || p.key(0) == "finish_reason" || p.key(0) == "name" {
			return "", false, nil
		}
		doc := p.key(0) == "arguments"
		b, st := x.conv.m.Reidentify(nil, []byte(s), doc)
		x.reid.add(st)
		if p.key(0) == "content" {
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
