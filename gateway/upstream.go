package gateway

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/phigate/phigate"
)

// Upstream defaults.
const (
	// DefaultUpstreamTimeout bounds a whole non-streamed vendor call.
	DefaultUpstreamTimeout = 120 * time.Second
	// DefaultStreamIdleTimeout bounds the silence between two events of a
	// vendor's stream (and the wait for its headers).
	DefaultStreamIdleTimeout = 60 * time.Second
	// DefaultWriteStallTimeout bounds how long a slow client may take to
	// take one write; past it the call is ended.
	DefaultWriteStallTimeout = 30 * time.Second
	// DefaultMaxResponseBytes bounds a non-streamed vendor answer.
	DefaultMaxResponseBytes = 16 << 20
	// AnthropicVersion is sent to Anthropic vendors when the client sends none.
	AnthropicVersion = "2023-06-01"
)

// NewUpstreamClient returns the HTTP client for vendors: TLS 1.2 or later,
// bounded connection and header waits, no cookies, no redirects (a
// redirect could lead PHI elsewhere).
func NewUpstreamClient(headerTimeout time.Duration) *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: headerTimeout,
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// call is one request to one vendor.
type call struct {
	t       target
	path    string // "/chat/completions", "/messages", "/embeddings"
	body    []byte
	stream  bool
	version string // anthropic-version from the client
}

// send makes the call. A response with a status of 400 or more is closed
// and returned as an error. Codes: EUPSTREAM (with status), ERATELIMIT,
// EUNAVAILABLE (unreachable or timed out).
func (g *Gateway) send(ctx context.Context, c call) (*http.Response, error) {
	url := strings.TrimRight(c.t.vendor.BaseURL, "/") + c.path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(c.body))
	if err != nil {
		return nil, refuse(phigate.EUNAVAILABLE, reasonUpstream, errors.New("build vendor request"))
	}
	req.Header.Set("Content-Type", "application/json")
	if c.stream {
		req.Header.Set("Accept", "text/event-stream")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	g.authorizeUpstream(req, c)
	resp, err := g.client().Do(req)
	if err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
			return nil, ctx.Err()
		}
		return nil, &upstreamError{status: 0, err: refuse(phigate.EUNAVAILABLE, reasonUpstream, errors.New("vendor unreachable or timed out"))}
	}
	if resp.StatusCode >= 400 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		return nil, &upstreamError{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"),
			err: refuse(statusCode(resp.StatusCode), reasonUpstream, errors.New("vendor status "+strconv.Itoa(resp.StatusCode)))}
	}
	return resp, nil
}

func (g *Gateway) authorizeUpstream(req *http.Request, c call) {
	switch c.t.vendor.Format {
	case phigate.FormatAnthropic:
		if c.t.cred != "" {
			req.Header.Set("x-api-key", c.t.cred)
		}
		v := c.version
		if v == "" {
			v = AnthropicVersion
		}
		req.Header.Set("anthropic-version", v)
	default:
		if c.t.cred != "" {
			req.Header.Set("Authorization", "Bearer "+c.t.cred)
		}
	}
}

// upstreamError is a failed vendor call. The vendor's body is never read
// into it: it may quote the prompt.
type upstreamError struct {
	status     int
	retryAfter string
	err        error
}

func (e *upstreamError) Error() string { return e.err.Error() }
func (e *upstreamError) Unwrap() error { return e.err }

// retryable reports whether another vendor may be tried: the vendor was
// unreachable, overloaded or failed, not the request.
func (e *upstreamError) retryable() bool {
	return e.status == 0 || e.status == 408 || e.status == 409 || e.status == 429 || e.status >= 500
}

// statusCode maps a vendor's error status to the code phigate answers with.
func statusCode(status int) string {
	switch {
	case status == 429:
		return phigate.ERATELIMIT
	case status == 413:
		return phigate.ETOOLARGE
	case status == 400 || status == 404 || status == 422:
		return phigate.EINVALID
	}
	return phigate.EUPSTREAM
}

func (g *Gateway) client() *http.Client {
	if g.Client != nil {
		return g.Client
	}
	return http.DefaultClient
}
