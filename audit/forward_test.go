package audit_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
)

// testPKI is a CA and a server certificate for 127.0.0.1, made per test.
type testPKI struct {
	pool              *x509.CertPool
	caPEM, crt, keyPM []byte
	cert              tls.Certificate
}

func MustPKI(tb testing.TB) *testPKI {
	tb.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	p := &testPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(caCert)
	p.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	p.crt = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	p.keyPM = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	p.cert, err = tls.X509KeyPair(p.crt, p.keyPM)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func MustForwarder(tb testing.TB, pki *testPKI, addr, dir string) *audit.Forwarder {
	tb.Helper()
	f := audit.NewForwarder()
	f.Addr, f.Dir, f.Hostname = addr, dir, "node1"
	f.TLS = &tls.Config{RootCAs: pki.pool, ServerName: "127.0.0.1"}
	f.MinBackoff, f.MaxBackoff, f.ConfirmAfter = 20*time.Millisecond, 200*time.Millisecond, 300*time.Millisecond
	if err := f.Open(); err != nil {
		tb.Fatal(err)
	}
	return f
}

var seqRE = regexp.MustCompile(`\[phigate@32473 seq="(\d+)"`)

// seqs tracks which events a receiver got.
type seqs struct {
	mu  sync.Mutex
	got map[int64]int
}

func (s *seqs) add(line string) {
	if m := seqRE.FindStringSubmatch(line); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		s.mu.Lock()
		s.got[n]++
		s.mu.Unlock()
	}
}

func (s *seqs) missing(n int64) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int64
	for i := int64(1); i <= n; i++ {
		if s.got[i] == 0 {
			out = append(out, i)
		}
	}
	return out
}

func waitAll(tb testing.TB, s *seqs, n int64, poll func()) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if poll != nil {
			poll()
		}
		if len(s.missing(n)) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	m := s.missing(n)
	tb.Fatalf("%d of %d events never arrived (first %d)", len(m), n, m[0])
}

// goReceiver is a minimal RFC 5425 receiver that parses octet-counted frames.
func goReceiver(tb testing.TB, pki *testPKI, addr string, s *seqs) net.Listener {
	tb.Helper()
	ln, err := tls.Listen("tcp", addr, &tls.Config{Certificates: []tls.Certificate{pki.cert}})
	if err != nil {
		tb.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					lenStr, err := r.ReadString(' ')
					if err != nil {
						return
					}
					n, _ := strconv.Atoi(lenStr[:len(lenStr)-1])
					msg := make([]byte, n)
					if _, err := io.ReadFull(r, msg); err != nil {
						return
					}
					s.add(string(msg))
				}
			}()
		}
	}()
	return ln
}

func recordTo(f audit.Follower, from, to int) {
	for i := from; i <= to; i++ {
		e := event(i)
		e.Seq, e.Time = int64(i), t0
		f.Follow([]*phigate.Event{e})
	}
}

func TestForwarderQueuesWhileDown(t *testing.T) {
	pki := MustPKI(t)
	dir := t.TempDir()
	ln := goReceiver(t, pki, "127.0.0.1:0", &seqs{got: map[int64]int{}})
	addr := ln.Addr().String()
	ln.Close() // the receiver is down
	f := MustForwarder(t, pki, addr, dir)
	recordTo(f, 1, 50)
	time.Sleep(100 * time.Millisecond)
	f.Close() // phigate restarts too: the queue is on disk
	got := &seqs{got: map[int64]int{}}
	ln = goReceiver(t, pki, addr, got)
	defer ln.Close()
	f = MustForwarder(t, pki, addr, dir)
	defer f.Close()
	recordTo(f, 51, 60)
	waitAll(t, got, 60, nil)
	deadline := time.Now().Add(10 * time.Second)
	for f.Pending() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if f.Pending() {
		t.Fatal("queue never confirmed")
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.q"))
	if len(segs) != 1 {
		t.Errorf("%d queue segments left", len(segs))
	}
}

func TestForwarderErrInvalid(t *testing.T) {
	f := audit.NewForwarder()
	if err := f.Open(); phigate.ErrorCode(err) != phigate.EINVALID {
		t.Fatalf("err = %v", err)
	}
}
