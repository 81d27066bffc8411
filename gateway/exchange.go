package gateway

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/phigate/phigate"
)

// exchange is one call through the gateway: In (the client's request,
// never changed) and Out (what leaves for the vendor), with what each
// stage decided.
type exchange struct {
	g      *Gateway
	r      *http.Request
	w      http.ResponseWriter
	start  time.Time
	action string // "ai.chat", "ai.messages", "ai.embeddings"
	format phigate.APIFormat
	path   string // the vendor path: "/chat/completions", ...

	c        *caller
	body     []byte // In
	model    string
	stream   bool
	patients []string
	convName string // "" for ephemeral (embeddings)

	route   *Route
	targets []target
	sc      *scanned
	plan    *plan
	conv    *conversation
	out     []byte // Out
	used    target

	reid           reidStats
	outscan        *outScanner
	usage          tokenUsage
	upstreamStatus int
}

type tokenUsage struct{ prompt, completion int }

// prepare runs the stages before the vendor call: route, detect, decide,
// de-identify, save the map. It fails closed: any error refuses the call.
func (x *exchange) prepare(classify func(jpath) kind) error {
	ctx := x.r.Context()
	now := x.g.now()
	rt, targets, err := x.g.Registry.resolve(ctx, x.model, now)
	if err != nil {
		if phigate.ErrorCode(err) == phigate.ENOTFOUND {
			return refuse(phigate.ENOTFOUND, reasonUnknownModel, err)
		}
		return err
	}
	x.route, x.targets = rt, targets
	primary := targets[0]
	if primary.vendor.Format != x.format {
		return refuse(phigate.EINVALID, reasonFormat, nil)
	}
	x.used = primary
	pol := x.g.policyFor(rt, x.c)
	if x.sc, err = scanBody(x.g.requestDetector(primary.vendor, now), x.body, classify); err != nil {
		if phigate.ErrorCode(err) == phigate.EINVALID {
			return err
		}
		return refuse(phigate.EUNAVAILABLE, reasonDetector, err)
	}
	if x.sc.binary > 0 && !(pol.Mode == ModeAllow && primary.vendor.CoveredAt(now)) {
		return refuse(phigate.EPOLICY, reasonBinary, nil)
	}
	if x.plan, err = decide(pol, primary.vendor, x.sc.counts, now); err != nil {
		return err
	}
	if err := x.deidentify(classify, primary); err != nil {
		return err
	}
	return nil
}

// deidentify loads the conversation's map and builds Out.
func (x *exchange) deidentify(classify func(jpath) kind, t target) error {
	ctx := x.r.Context()
	var err error
	if x.convName == "" {
		x.conv, err = x.g.Conversations.Ephemeral()
	} else {
		var id string
		if id, err = x.g.Conversations.ID(x.c.id, x.convName); err == nil {
			x.conv, err = x.g.Conversations.Load(ctx, id, x.c.id)
		}
	}
	if err != nil {
		return refuse(codeOr(err, phigate.ECRYPTO), reasonMap, err)
	}
	rw := &rewriter{sc: x.sc, plan: x.plan, m: x.conv.m, coder: x.g.Coder, model: t.model}
	if x.out, err = rw.rewrite(x.body, classify); err != nil {
		return refuse(phigate.EINTERNAL, reasonPolicy, err)
	}
	if err := x.g.Conversations.Save(ctx, x.conv); err != nil {
		return refuse(codeOr(err, phigate.ECRYPTO), reasonMap, err)
	}
	return nil
}

// codeOr keeps EUNAVAILABLE and ECRYPTO, else uses def.
func codeOr(err error, def string) string {
	if c := phigate.ErrorCode(err); c == phigate.EUNAVAILABLE || c == phigate.ECRYPTO || c == phigate.EFORBIDDEN {
		return c
	}
	return def
}

// call audits and sends Out to the primary, then to each fallback while
// the failure is the vendor's. Every attempt is recorded before it leaves.
func (x *exchange) call(ctx context.Context) (*http.Response, error) {
	var last error
	for i, t := range x.targets {
		body := x.out
		if i > 0 {
			var err error
			if body, err = withModel(x.out, t.model); err != nil {
				return nil, refuse(phigate.EINTERNAL, reasonPolicy, err)
			}
		}
		if err := x.recordCall(ctx, t, i > 0); err != nil {
			return nil, err
		}
		resp, err := x.g.send(ctx, call{t: t, path: x.path, body: body, stream: x.stream,
			version: x.r.Header.Get("Anthropic-Version")})
		if err == nil {
			x.upstreamStatus = resp.StatusCode
			return resp, nil
		}
		last = err
		var ue *upstreamError
		if !errors.As(err, &ue) || !ue.retryable() {
			break
		}
		x.upstreamStatus = ue.status
	}
	return nil, last
}

// withModel returns body with its root "model" replaced.
func withModel(body []byte, model string) ([]byte, error) {
	return rewriteStrings(nil, body, func(p jpath, s string) (string, bool, error) {
		if len(p) == 1 && p.rootKey() == "model" {
			return model, true, nil
		}
		return "", false, nil
	})
}

// fail answers a refused or failed call and records it.
func (x *exchange) fail(err error, left bool) {
	if left {
		x.recordLateResult(err)
	} else if x.c != nil {
		x.recordDenied(err)
	}
	code := phigate.ErrorCode(err)
	if code == phigate.EINTERNAL || code == phigate.EAUDIT || code == phigate.ECRYPTO || code == phigate.EUNAVAILABLE {
		x.g.logError(x.r.Context(), "AI call refused", err)
	}
	var ue *upstreamError
	if errors.As(err, &ue) && ue.retryAfter != "" {
		x.w.Header().Set("Retry-After", ue.retryAfter)
	}
	if x.format == phigate.FormatAnthropic {
		writeAnthropicError(x.w, x.r, err)
		return
	}
	writeOpenAIError(x.w, x.r, err)
}

// requestDetector returns the scanner for a request to v: the higher-recall
// one when v is not covered by a BAA now.
func (g *Gateway) requestDetector(v *phigate.Vendor, now time.Time) phigate.Detector {
	if g.UncoveredDetector != nil && !v.CoveredAt(now) {
		return g.UncoveredDetector
	}
	return g.Detector
}
