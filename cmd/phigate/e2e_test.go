package main_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/phigate/phigate/keys"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// mustBuild builds the real phigate binary once per test run.
func mustBuild(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "phigate-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "phigate")
		if runtime.GOOS == "windows" {
			binPath += ".exe"
		}
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// proc is a running phigate serve.
type proc struct {
	cmd     *exec.Cmd
	stdout  lockedBuffer
	url     string
	metrics string
	mu      sync.Mutex
	logs    []string
	done    chan struct{}
}

// startServe starts `phigate serve` in dir with args and waits for its
// "listening" log line.
func startServe(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	bin := mustBuild(t)
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"}, args...)...)
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), "PHIGATE_CONFIG=")
	p.cmd.Stdout = &p.stdout
	stderr, _ := p.cmd.StderrPipe()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs = append(p.logs, line)
			p.mu.Unlock()
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "listening" {
				p.metrics, _ = m["metrics"].(string)
				urls <- m["url"].(string)
			}
		}
		close(p.done)
	}()
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	select {
	case p.url = <-urls:
	case <-p.done:
		t.Fatalf("phigate serve exited before listening: %s", p.allLogs())
	case <-time.After(60 * time.Second):
		t.Fatalf("phigate serve did not start: %s", p.allLogs())
	}
	return p
}

func (p *proc) allLogs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.logs, "\n")
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- p.cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("phigate serve exited with %v: %s", err, p.allLogs())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("phigate serve did not stop on SIGTERM")
	}
}

func pool(t *testing.T, certFile string) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(pem)
	return p
}

func client(roots *x509.CertPool) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true}}
}

func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	p := startServe(t, dir, "--max-body-bytes", "65536")
	data := filepath.Join(dir, "phigate-data")
	host := strings.TrimPrefix(p.url, "https://")

	t.Run("FirstStartPrintsPasswordOnce", func(t *testing.T) {
		// stdout is copied by another goroutine than stderr: wait for it.
		out := p.stdout.String()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out, "MFA") && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
			out = p.stdout.String()
		}
		if !strings.Contains(out, "user:     admin") || !strings.Contains(out, "password: ") || !strings.Contains(out, "MFA") {
			t.Fatalf("first start output lacks the administrator: %q", out)
		}
	})
	t.Run("Modes", func(t *testing.T) {
		for path, want := range map[string]os.FileMode{data: 0o700, filepath.Join(data, "phigate.key"): 0o600,
			filepath.Join(data, "tls-key.pem"): 0o600, filepath.Join(data, "phigate.db"): 0o600} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != want {
				t.Errorf("%s mode %04o, want %04o", path, fi.Mode().Perm(), want)
			}
		}
	})
	roots := pool(t, filepath.Join(data, "tls-cert.pem"))
	t.Run("Readyz", func(t *testing.T) {
		resp, err := client(roots).Get(p.url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "ready") {
			t.Fatalf("readyz %d %s", resp.StatusCode, body)
		}
		if resp.TLS.Version != tls.VersionTLS13 {
			t.Errorf("negotiated %s, want TLS 1.3", tls.VersionName(resp.TLS.Version))
		}
		if !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
			t.Error("no HSTS header")
		}
	})
	t.Run("Metrics", func(t *testing.T) {
		resp, err := client(roots).Get(p.metrics)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{`phigate_http_requests_total{method="GET",route="GET /readyz",status="200"} 1`,
			"phigate_gateway_result_audit_failures_total 0"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("metrics lack %q:\n%.2000s", want, body)
			}
		}
	})
	t.Run("ErrTLS11Refused", func(t *testing.T) {
		c, err := tls.Dial("tcp", host, &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS11})
		if err == nil {
			c.Close()
			t.Fatal("TLS 1.1 handshake succeeded")
		}
	})
	t.Run("ErrCBCSuiteRefused", func(t *testing.T) {
		c, err := tls.Dial("tcp", host, &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}})
		if err == nil {
			c.Close()
			t.Fatal("TLS 1.2 CBC suite accepted")
		}
	})
	t.Run("ErrPlainHTTP", func(t *testing.T) {
		resp, err := http.Get("http://" + host + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 400 || strings.Contains(string(body), "ready") {
				t.Fatalf("plain HTTP served: %d %s", resp.StatusCode, body)
			}
		}
	})
	t.Run("ErrBodyTooLarge", func(t *testing.T) {
		// With "Expect: 100-continue" the server answers from the headers
		// and the client never sends the body, as a real client should.
		req, _ := http.NewRequest("POST", p.url+"/api/v1/whoami", bytes.NewReader(make([]byte, 1<<20)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Expect", "100-continue")
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots}, ExpectContinueTimeout: 5 * time.Second}}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", resp.StatusCode)
		}
	})
	p.stop(t)
	if logs := p.allLogs(); strings.Contains(logs, "password") {
		t.Fatal("the logs mention the password")
	}

	t.Run("SecondStartPrintsNoSecret", func(t *testing.T) {
		p2 := startServe(t, dir)
		p2.stop(t)
		if out := p2.stdout.String(); strings.Contains(out, "password") {
			t.Fatalf("second start printed: %q", out)
		}
	})
}

func TestServeReloadsCertificateOnSIGHUP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := writeCert(cert, key, time.Now()); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, dir, "--tls-cert", cert, "--tls-key", key)
	host := strings.TrimPrefix(p.url, "https://")
	serial := func() string {
		c, err := tls.Dial("tcp", host, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].SerialNumber.String()
	}
	// A connection opened before the reload must survive it.
	old, err := tls.Dial("tcp", host, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	first := serial()
	os.Remove(cert)
	os.Remove(key)
	if err := writeCert(cert, key, time.Now()); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(10 * time.Second)
	for serial() == first {
		if time.Now().After(deadline) {
			t.Fatal("certificate not reloaded after SIGHUP")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := io.WriteString(old, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatalf("old connection dropped: %v", err)
	}
	buf := make([]byte, 12)
	if _, err := io.ReadFull(old, buf); err != nil || string(buf) != "HTTP/1.1 200" {
		t.Fatalf("old connection after reload: %q %v", buf, err)
	}
	p.stop(t)
}

// writeCert writes a self-signed certificate for the loopback names.
func writeCert(cert, key string, now time.Time) error {
	_, err := keys.WriteSelfSignedCert(nil, cert, key, []string{"localhost", "127.0.0.1", "::1"}, now)
	return err
}
