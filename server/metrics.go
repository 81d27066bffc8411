package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the Prometheus registry. Labels carry route patterns,
// methods and status codes only: never an identifier of a person.
type Metrics struct {
	// Registry holds every collector; other packages may register theirs.
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics returns metrics with the Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "phigate_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "phigate_http_request_duration_seconds", Help: "HTTP request duration by route pattern.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10, 60},
	}, []string{"route"})
	m.Registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// CounterFunc registers a counter whose value f reads at each scrape
// (for counts another package keeps, such as the gateway's failed result
// events). The name must be a new phigate_ metric; it panics on a clash,
// which is a programming error.
func (m *Metrics) CounterFunc(name, help string, f func() float64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
}

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// MetricsServer serves /metrics over HTTPS on its own listener, with the
// same certificate as the main server.
type MetricsServer struct {
	Addr    string
	Metrics *Metrics
	// Server provides the certificate.
	Server *Server

	ln   net.Listener
	srv  *http.Server
	done chan error
}

// Open listens and serves in the background.
func (ms *MetricsServer) Open() error {
	ln, err := net.Listen("tcp", ms.Addr)
	if err != nil {
		return fmt.Errorf("listen for metrics on %s: %w", ms.Addr, err)
	}
	ms.ln = ln
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(ms.Metrics.Registry, promhttp.HandlerOpts{}))
	ms.srv = &http.Server{
		Handler:           mux,
		TLSConfig:         TLSConfig(ms.Server.getCertificate),
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      DefaultReadTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		ErrorLog:          ms.Server.srv.ErrorLog,
	}
	ms.done = make(chan error, 1)
	go func() { ms.done <- ms.srv.ServeTLS(ln, "", "") }()
	return nil
}

// ListenAddr returns the metrics listener's address.
func (ms *MetricsServer) ListenAddr() net.Addr { return ms.ln.Addr() }

// Close stops the metrics listener.
func (ms *MetricsServer) Close() error {
	if ms.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := ms.srv.Shutdown(ctx)
	if serr := <-ms.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
