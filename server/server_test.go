package server_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/server"
)

// MustOpenServer starts a Server on a free port with a fresh certificate.
func MustOpenServer(t *testing.T, h http.Handler, logs *bytes.Buffer, setup func(*server.Server)) *server.Server {
	t.Helper()
	dir := t.TempDir()
	s := server.NewServer()
	s.Addr = "127.0.0.1:0"
	s.CertFile, s.KeyFile = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := writeCert(s.CertFile, s.KeyFile, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.Handler = h
	if logs != nil {
		s.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if setup != nil {
		setup(s)
	}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func insecureClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
}

func TestServer(t *testing.T) {
	const phi = "John Smith MRN 4455667"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic(errors.New(phi)) })
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			server.WriteError(w, err)
			return
		}
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("GET /patients/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	var logs bytes.Buffer
	s := MustOpenServer(t, mux, &logs, func(s *server.Server) { s.MaxBodyBytes = 1024; s.Metrics = server.NewMetrics() })
	c := insecureClient()

	t.Run("OK", func(t *testing.T) {
		resp, err := c.Get(s.URL() + "/patients/" + "4455667?name=John")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, h := range []string{"Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Cache-Control", "X-Request-Id"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("missing header %s", h)
			}
		}
		if !strings.Contains(logs.String(), `"route":"GET /patients/{id}"`) {
			t.Errorf("access log lacks the route pattern: %s", logs.String())
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		for _, chunked := range []bool{false, true} {
			var body io.Reader = bytes.NewReader(make([]byte, 4096))
			if chunked {
				body = io.MultiReader(strings.NewReader(strings.Repeat("x", 4096)))
			}
			resp, err := c.Post(s.URL()+"/echo", "text/plain", body)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 413 {
				t.Fatalf("chunked=%v: status %d, want 413", chunked, resp.StatusCode)
			}
		}
	})
	t.Run("ErrPanicHidesValue", func(t *testing.T) {
		resp, err := c.Get(s.URL() + "/panic")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 500 || strings.Contains(string(body), "Smith") {
			t.Fatalf("status %d body %s", resp.StatusCode, body)
		}
	})
	t.Run("NoPHIInLogsOrMetrics", func(t *testing.T) {
		var m bytes.Buffer
		for _, mf := range must(s.Metrics.Registry.Gather()) {
			m.WriteString(mf.String())
		}
		for _, leak := range []string{"Smith", "4455667", "John"} {
			if strings.Contains(logs.String(), leak) || strings.Contains(m.String(), leak) {
				t.Fatalf("%q leaked into logs or metrics", leak)
			}
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestServerReady(t *testing.T) {
	fail := true
	s := MustOpenServer(t, http.NewServeMux(), nil, func(s *server.Server) {
		s.Ready = func(context.Context) error {
			if fail {
				return phigate.Errorf(phigate.EUNAVAILABLE, "test", "down")
			}
			return nil
		}
	})
	get := func() int {
		resp, err := insecureClient().Get(s.URL() + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(); code != 503 {
		t.Fatalf("not ready: status %d, want 503", code)
	}
	fail = false
	if code := get(); code != 200 {
		t.Fatalf("ready: status %d, want 200", code)
	}
}

// TestServerDrainsOnClose checks that Close waits for an in-flight request.
func TestServerDrainsOnClose(t *testing.T) {
	started := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(500 * time.Millisecond)
		io.WriteString(w, "finished")
	})
	s := MustOpenServer(t, mux, nil, nil)
	type result struct {
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := insecureClient().Get(s.URL() + "/slow")
		if err != nil {
			done <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{body: string(b)}
	}()
	<-started
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request not drained: %q %v", r.body, r.err)
	}
	if _, err := net.DialTimeout("tcp", s.ListenAddr().String(), time.Second); err == nil {
		t.Fatal("still accepting connections after Close")
	}
}

// TestServerSlowloris checks that a client that never finishes its headers
// is disconnected after ReadHeaderTimeout.
func TestServerSlowloris(t *testing.T) {
	s := MustOpenServer(t, http.NewServeMux(), nil, func(s *server.Server) { s.ReadHeaderTimeout = 300 * time.Millisecond })
	c, err := tls.Dial("tcp", s.ListenAddr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("server kept a connection with unfinished headers open")
	}
}

// writeCert writes a self-signed certificate for the loopback names.
func writeCert(cert, key string, now time.Time) error {
	_, err := keys.WriteSelfSignedCert(nil, cert, key, []string{"localhost", "127.0.0.1", "::1"}, now)
	return err
}
