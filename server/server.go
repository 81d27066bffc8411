// Package server owns phigate's HTTPS listener: the TLS settings and the
// reloading of certificates, the security middleware (headers, body limits,
// timeouts, request ids, access logs without PHI, panic recovery), the
// health endpoints and the separate metrics listener. There is no plain-HTTP
// listener.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phigate/phigate"
)

// Defaults for Server's limits. WriteTimeout is long because AI answers
// stream for minutes.
const (
	DefaultAddr              = "127.0.0.1:8443"
	DefaultMaxBodyBytes      = 10 << 20
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 10 * time.Minute
	DefaultIdleTimeout       = 120 * time.Second
	DefaultShutdownTimeout   = 30 * time.Second
)

// Server serves phigate over HTTPS. Set the exported fields, then Open.
type Server struct {
	// Addr is the TCP address to listen on; ":0" picks a free port.
	Addr string
	// CertFile and KeyFile are the PEM certificate and key. Required.
	CertFile, KeyFile string
	// Handler serves the application routes. Required.
	Handler http.Handler
	// Ready reports whether the node can serve (store reachable, migrations
	// current); nil means always ready. It is served on /readyz.
	Ready func(ctx context.Context) error
	// Logger receives access logs and errors; nil means discard.
	Logger *slog.Logger
	// Metrics counts requests; nil means no metrics.
	Metrics *Metrics

	// Limits; zero means the Default constant.
	MaxBodyBytes      int64
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration

	cert atomic.Pointer[tls.Certificate]
	ln   net.Listener
	srv  *http.Server
	done chan error
	once sync.Once
}

// NewServer returns a Server with the default address.
func NewServer() *Server {
	return &Server{Addr: DefaultAddr}
}

// Open loads the certificate, listens and starts serving in the background.
func (s *Server) Open() error {
	s.defaults()
	if s.Handler == nil {
		return errors.New("server: Handler is required")
	}
	if err := s.ReloadCertificate(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.Addr, err)
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.wrap(s.routes()),
		TLSConfig:         TLSConfig(s.getCertificate),
		ReadHeaderTimeout: s.ReadHeaderTimeout,
		ReadTimeout:       s.ReadTimeout,
		WriteTimeout:      s.WriteTimeout,
		IdleTimeout:       s.IdleTimeout,
		MaxHeaderBytes:    DefaultMaxHeaderBytes,
		ErrorLog:          log.New(&errorLogWriter{s.Logger}, "", 0),
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.srv.ServeTLS(ln, "", "") }()
	return nil
}

func (s *Server) defaults() {
	if s.Logger == nil {
		s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	setDefault(&s.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&s.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	setDefault(&s.ReadTimeout, DefaultReadTimeout)
	setDefault(&s.WriteTimeout, DefaultWriteTimeout)
	setDefault(&s.IdleTimeout, DefaultIdleTimeout)
	setDefault(&s.ShutdownTimeout, DefaultShutdownTimeout)
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// ListenAddr returns the address the server listens on, once open.
func (s *Server) ListenAddr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// URL returns the https:// URL of the server, once open.
func (s *Server) URL() string {
	return "https://" + s.ln.Addr().String()
}

// ReloadCertificate reads CertFile and KeyFile again. New connections use
// the new certificate; open connections are not dropped. On error the old
// certificate stays in use.
func (s *Server) ReloadCertificate() error {
	c, err := LoadCertificate(s.CertFile, s.KeyFile)
	if err != nil {
		return err
	}
	s.cert.Store(c)
	return nil
}

// Certificate returns the certificate in use.
func (s *Server) Certificate() *tls.Certificate { return s.cert.Load() }

func (s *Server) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return s.cert.Load(), nil
}

// Close stops accepting connections and waits up to ShutdownTimeout for
// in-flight requests to finish, then closes what remains.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	var err error
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.ShutdownTimeout)
		defer cancel()
		if err = s.srv.Shutdown(ctx); err != nil {
			s.srv.Close()
		}
		if serr := <-s.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	})
	return err
}

// errorLogWriter sends net/http's own error log (TLS handshake failures,
// plain HTTP on the TLS port) to slog at debug level.
type errorLogWriter struct{ l *slog.Logger }

func (w *errorLogWriter) Write(p []byte) (int, error) {
	w.l.Debug("http server", "msg", string(trimNL(p)))
	return len(p), nil
}

func trimNL(p []byte) []byte {
	for len(p) > 0 && p[len(p)-1] == '\n' {
		p = p[:len(p)-1]
	}
	return p
}

// routes adds the health endpoints to the application handler.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	mux.HandleFunc("GET /readyz", s.serveReady)
	mux.Handle("/", s.Handler)
	return mux
}

func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			s.Logger.Warn("not ready", "code", phigate.ErrorCode(err))
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `{"status":"unavailable","code":%q}`+"\n", phigate.ErrorCode(err))
			return
		}
	}
	io.WriteString(w, `{"status":"ready"}`+"\n")
}
