package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/phigate/phigate"
)

// securityHeaders are set on every response. PHI must not be cached, framed
// or leaked through referrers.
var securityHeaders = map[string]string{
	"Strict-Transport-Security":    "max-age=63072000; includeSubDomains",
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Content-Security-Policy":      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
	"Referrer-Policy":              "no-referrer",
	"Cache-Control":                "no-store",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=()",
}

// wrap applies, outermost first: panic recovery, request id and source,
// security headers, body limit, access log and metrics.
func (s *Server) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		rw := &statusWriter{ResponseWriter: w}
		h := rw.Header()
		for k, v := range securityHeaders {
			h.Set(k, v)
		}
		h.Set("X-Request-Id", id)
		ctx := phigate.NewContextWithRequestID(r.Context(), id)
		ctx = phigate.NewContextWithSource(ctx, sourceAddr(r))
		r = r.WithContext(ctx)
		defer s.logRequest(rw, r, id, start)
		defer s.recoverPanic(rw, id)
		if r.ContentLength > s.MaxBodyBytes {
			writeError(rw, phigate.Errorf(phigate.ETOOLARGE, "server", "body of %d bytes over limit", r.ContentLength))
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(rw, r.Body, s.MaxBodyBytes)
		}
		next.ServeHTTP(rw, r)
	})
}

// recoverPanic answers 500 after a panic and logs only the request id and
// the stack: never the panic value, which may quote data.
func (s *Server) recoverPanic(w *statusWriter, id string) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	s.Logger.Error("panic while serving a request", "request_id", id, "stack", string(debug.Stack()))
	if !w.wrote {
		writeError(w, phigate.Errorf(phigate.EINTERNAL, "server", "panic"))
	}
}

// logRequest writes one access log line: method, route pattern, status,
// duration and request id. Never the path, query, headers or body.
func (s *Server) logRequest(w *statusWriter, r *http.Request, id string, start time.Time) {
	d := time.Since(start)
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	s.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method), slog.String("route", route),
		slog.Int("status", status), slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.String("request_id", id))
	if s.Metrics != nil {
		s.Metrics.observe(r.Method, route, status, d)
	}
}

func newRequestID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func sourceAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// writeError writes the JSON error body for err's code.
func writeError(w http.ResponseWriter, err error) {
	WriteError(w, err)
}

// WriteError writes {"error":{"code":..., "message":...}} with the status
// of err's code. The message is the fixed one for the code: the cause of err
// is never sent.
func WriteError(w http.ResponseWriter, err error) {
	code := phigate.ErrorCode(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		code = phigate.ETOOLARGE
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(phigate.ErrorStatus(phigate.E(code, "", nil)))
	w.Write([]byte(`{"error":{"code":"` + code + `","message":"` + phigate.CodeMessage(code) + `"}}` + "\n"))
}

// statusWriter records the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush forwards to the underlying writer for streaming responses.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if !w.wrote {
			w.status, w.wrote = http.StatusOK, true
		}
		f.Flush()
	}
}
