package phigate

import "context"

type contextKey int

const (
	requestIDKey contextKey = iota
	principalKey
	sourceKey
)

// NewContextWithRequestID returns a context carrying the request id.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestIDFromContext returns the request id, or "".
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// NewContextWithPrincipal returns a context carrying the authenticated principal.
func NewContextWithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// PrincipalFromContext returns the authenticated principal, or nil.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey).(*Principal)
	return p
}

// NewContextWithSource returns a context carrying the client address.
func NewContextWithSource(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, sourceKey, addr)
}

// SourceFromContext returns the client address, or "".
func SourceFromContext(ctx context.Context) string {
	s, _ := ctx.Value(sourceKey).(string)
	return s
}
