package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/phigate/phigate"
)

// DefaultMaxBodyBytes bounds a request body.
const DefaultMaxBodyBytes = 8 << 20

// PurposeHeader carries the purpose of use of a call.
const PurposeHeader = "X-Purpose-Of-Use"

// PatientHeader names the patients a call concerns (phigate patient ids,
// comma-separated); they are recorded only as keyed hashes.
const PatientHeader = "X-Phigate-Patient"

// patientDomain is the Hasher domain of patient ids in audit events.
const patientDomain = phigate.PatientDomain

// KeyConfig sets the policy and limits of one API key (by id).
type KeyConfig struct {
	Key    string  `toml:"key"`
	Policy *Policy `toml:"policy"`
	Limits *Limits `toml:"limits"`
}

// Gateway is the AI gateway. Set the fields, call Open, then Register.
type Gateway struct {
	// Detector finds PHI (phi.Scanner). Required.
	Detector phigate.Detector
	// UncoveredDetector, if set, scans requests bound for a vendor without
	// a BAA in force: a higher-recall scanner, since a miss there is a
	// disclosure. Nil means Detector.
	UncoveredDetector phigate.Detector
	// Coder draws placeholders and surrogates (DeidCoder). Required.
	Coder Coder
	// Registry maps models to vendors. Required.
	Registry *Registry
	// Conversations keeps the sealed maps. Required.
	Conversations *Conversations
	// Audit records every call before it leaves. Required.
	Audit phigate.AuditLog
	// Authenticator checks API keys and sessions. Required.
	Authenticator phigate.Authenticator
	// Hasher hashes patient ids for audit events; nil leaves them out.
	Hasher phigate.Hasher
	// Policy is the default policy; zero means DefaultPolicy.
	Policy Policy
	// Keys sets policies and limits per API key.
	Keys []KeyConfig
	// Limits are the default limits per key; zero fields: unlimited.
	Limits Limits
	// Client calls vendors; nil means NewUpstreamClient(StreamIdleTimeout).
	Client *http.Client
	// Timeouts; zero means the Default constants.
	UpstreamTimeout   time.Duration
	StreamIdleTimeout time.Duration
	WriteStallTimeout time.Duration
	// StreamFlushDelay releases a word the output scan holds when the
	// vendor pauses this long; zero means DefaultStreamFlushDelay.
	StreamFlushDelay time.Duration
	// MaxBodyBytes bounds request bodies; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// DefaultPurpose is the purpose of a call that names none and whose
	// key allows several; empty means phigate.PurposeTreatment.
	DefaultPurpose phigate.Purpose
	Logger         *slog.Logger
	Now            func() time.Time

	keys           map[string]KeyConfig
	limit          limiter
	resultFailures atomic.Int64
}

// ResultAuditFailures counts the result events of calls that could not be
// written after the call had left or been answered (each is also logged).
func (g *Gateway) ResultAuditFailures() int64 { return g.resultFailures.Load() }

// DefaultStreamFlushDelay is how long a stream waits for the rest of a
// word before releasing it anyway.
const DefaultStreamFlushDelay = 50 * time.Millisecond

// NewGateway returns a Gateway with a discarding logger.
func NewGateway() *Gateway {
	return &Gateway{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// Open checks the configuration and fills defaults.
func (g *Gateway) Open() error {
	const op = "gateway.Open"
	switch {
	case g.Detector == nil, g.Coder == nil, g.Registry == nil, g.Conversations == nil, g.Audit == nil, g.Authenticator == nil:
		return phigate.Errorf(phigate.EINVALID, op, "detector, coder, registry, conversations, audit and authenticator are required")
	}
	if g.Policy.Mode == "" {
		g.Policy = DefaultPolicy
	}
	if err := g.Policy.Validate(); err != nil {
		return err
	}
	if err := ValidateRoutes(g.Registry.Routes); err != nil {
		return err
	}
	g.keys = map[string]KeyConfig{}
	for _, k := range g.Keys {
		if k.Policy != nil {
			if err := k.Policy.Validate(); err != nil {
				return err
			}
		}
		g.keys[k.Key] = k
	}
	if g.Client == nil {
		g.Client = NewUpstreamClient(g.streamIdle())
	}
	if g.Logger == nil {
		g.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Register adds the gateway's routes to mux.
func (g *Gateway) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/chat/completions", g.chat)
	mux.HandleFunc("POST /v1/messages", g.messages)
	mux.HandleFunc("POST /v1/embeddings", g.embeddings)
	mux.HandleFunc("GET /v1/models", g.models)
}

// caller is who makes a call and why.
type caller struct {
	p       *phigate.Principal
	id      string // API key or user id: owner of conversations, limits
	purpose phigate.Purpose
	limits  Limits
	policy  *Policy // the key's policy, if any
}

// authenticate establishes the caller of r. Codes: EUNAUTHENTICATED,
// EFORBIDDEN, ERATELIMIT.
func (g *Gateway) authenticate(r *http.Request) (*caller, error) {
	cred := phigate.Credential{Source: phigate.SourceFromContext(r.Context()), Route: r.Pattern}
	if auth := r.Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
		cred.APIKey = strings.TrimSpace(auth[7:])
	} else if k := r.Header.Get("X-Api-Key"); k != "" {
		cred.APIKey = k
	}
	if cred.APIKey == "" {
		return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, "gateway.authenticate", "no API key")
	}
	p, err := g.Authenticator.Authenticate(r.Context(), cred)
	if err != nil {
		return nil, err
	}
	c := &caller{p: p, id: p.UserID, limits: g.Limits}
	if p.APIKeyID != "" {
		c.id = p.APIKeyID
	}
	if k, ok := g.keys[c.id]; ok {
		c.policy = k.Policy
		if k.Limits != nil {
			c.limits = *k.Limits
		}
	}
	if c.purpose, err = g.purpose(r, p); err != nil {
		return nil, err
	}
	return c, g.limit.allow(c.id, c.limits, g.now())
}

var knownPurposes = []phigate.Purpose{phigate.PurposeTreatment, phigate.PurposePayment,
	phigate.PurposeOperations, phigate.PurposeResearch, phigate.PurposeEmergency}

// purpose returns the purpose of use: the header's, else the key's only
// one, else the default. Codes: EFORBIDDEN.
func (g *Gateway) purpose(r *http.Request, p *phigate.Principal) (phigate.Purpose, error) {
	pu := phigate.Purpose(r.Header.Get(PurposeHeader))
	switch {
	case pu == "" && len(p.Purposes) > 0:
		pu = p.Purposes[0]
	case pu == "":
		pu = g.DefaultPurpose
		if pu == "" {
			pu = phigate.PurposeTreatment
		}
	}
	if !slices.Contains(knownPurposes, pu) || len(p.Purposes) > 0 && !slices.Contains(p.Purposes, pu) {
		return "", refuse(phigate.EFORBIDDEN, reasonPurpose, nil)
	}
	return pu, nil
}

// policyFor returns the policy of a call: the strictest of the route's
// (or the default) and the key's.
func (g *Gateway) policyFor(rt *Route, c *caller) Policy {
	pol := g.Policy
	if rt != nil && rt.Policy != nil {
		pol = *rt.Policy
	}
	if c.policy != nil {
		pol = Strictest(pol, *c.policy)
	}
	return pol
}

// readBody reads a request body within the size limit. Codes: ETOOLARGE,
// EINVALID.
func (g *Gateway) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	max := g.MaxBodyBytes
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, phigate.Errorf(phigate.ETOOLARGE, "gateway.readBody", "body over %d bytes", max)
	case err != nil:
		return nil, phigate.Errorf(phigate.EINVALID, "gateway.readBody", "body could not be read")
	}
	return b, nil
}

func (g *Gateway) now() time.Time {
	if g.Now == nil {
		return time.Now()
	}
	return g.Now()
}

func (g *Gateway) upstreamTimeout() time.Duration {
	if g.UpstreamTimeout <= 0 {
		return DefaultUpstreamTimeout
	}
	return g.UpstreamTimeout
}

func (g *Gateway) streamIdle() time.Duration {
	if g.StreamIdleTimeout <= 0 {
		return DefaultStreamIdleTimeout
	}
	return g.StreamIdleTimeout
}

func (g *Gateway) writeStall() time.Duration {
	if g.WriteStallTimeout <= 0 {
		return DefaultWriteStallTimeout
	}
	return g.WriteStallTimeout
}

func (g *Gateway) flushDelay() time.Duration {
	if g.StreamFlushDelay <= 0 {
		return DefaultStreamFlushDelay
	}
	return g.StreamFlushDelay
}

// logError logs an internal failure by code and op, never payloads.
func (g *Gateway) logError(ctx context.Context, msg string, err error) {
	g.Logger.Error(msg, "code", phigate.ErrorCode(err), "err", err.Error(),
		"request_id", phigate.RequestIDFromContext(ctx))
}
