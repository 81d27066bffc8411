package keys_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/keys/internal/memstore"
)

// transitServer starts a real Vault or OpenBao dev server on loopback with
// the transit engine mounted, and returns a client for key name. The binary
// comes from PHIGATE_TEST_VAULT, else "bao" or "vault" on PATH; the test
// skips when there is none. testdata/transitdev/build.sh builds one from
// Vault's module (its core, HTTP API and transit engine).
func transitServer(t *testing.T, name string) *keys.Transit {
	t.Helper()
	bin := os.Getenv("PHIGATE_TEST_VAULT")
	for _, b := range []string{"bao", "vault"} {
		if bin == "" {
			bin, _ = exec.LookPath(b)
		}
	}
	if bin == "" {
		t.Skip("no Vault or OpenBao binary: set PHIGATE_TEST_VAULT to one (keys/testdata/transitdev/build.sh makes one) or put bao or vault on PATH, to test the transit KMS")
	}
	addr := freeAddr(t)
	token := hex.EncodeToString(randBytes(16))
	cmd := exec.Command(bin, "server", "-dev", "-dev-root-token-id="+token, "-dev-listen-address="+addr)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "VAULT_DISABLE_MLOCK=true", "BAO_DISABLE_MLOCK=true")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://" + addr
	waitHealthy(t, base, &logs)
	tr := keys.NewTransit(base, token)
	tr.Key = name
	mountTransit(t, base, token)
	return tr
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func waitHealthy(t *testing.T, base string, logs *bytes.Buffer) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/v1/sys/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("transit server did not become healthy:\n%s", logs.String())
}

func mountTransit(t *testing.T, base, token string) {
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/sys/mounts/transit", strings.NewReader(`{"type":"transit"}`))
	req.Header.Set("X-Vault-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("mount transit: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestTransit runs the envelope on a real transit engine: first use,
// rotation, rewrap on the server (batch), retirement, and the failures.
func TestTransit(t *testing.T) {
	ctx := context.Background()
	tr := transitServer(t, "phigate-test")
	if err := tr.EnsureKey(ctx); err != nil {
		t.Fatal(err)
	}
	st := memstore.New()
	e := keys.NewEnvelope(MustRing(t), st)
	e.KMS = tr
	cts := map[string][]byte{}
	for i := range 7 {
		s := fmt.Sprintf("patient:%d", i)
		cts[s] = MustSeal(t, e, s, placeName, "value of "+s)
	}
	t.Run("OKOpenFresh", func(t *testing.T) {
		fresh := keys.NewEnvelope(MustRing(t), st)
		fresh.KMS = tr
		for s, ct := range cts {
			MustOpen(t, fresh, s, placeName, ct, "value of "+s)
		}
	})
	t.Run("ErrCryptoWrappedKeyMoved", func(t *testing.T) {
		w, _ := st.DataKey(ctx, "patient:1", 1)
		_, err := tr.Unwrap(ctx, w.KEKVersion, w.Wrapped, []byte("another subject"))
		wantCode(t, err, phigate.ECRYPTO)
	})
	old, _ := st.DataKey(ctx, "patient:1", 1)
	t.Run("OKRotateRewrapRetire", func(t *testing.T) {
		v, err := e.Rotate(ctx)
		if err != nil || v != 2 {
			t.Fatalf("Rotate = %d, %v", v, err)
		}
		job, err := e.Rewrap(ctx, nil)
		if err != nil || job.Done != 7 || job.Failed != 0 {
			t.Fatalf("Rewrap = %+v, %v", job, err)
		}
		if err := e.Retire(ctx, 2, false); err != nil {
			t.Fatal(err)
		}
		s, err := e.Status(ctx)
		if err != nil || s.KEK.Source != "transit" || s.KEK.Active != 2 || s.KEK.Min != 2 || s.DataKeys[2] != 7 {
			t.Fatalf("Status = %+v, %v", s, err)
		}
		fresh := keys.NewEnvelope(MustRing(t), st)
		fresh.KMS = tr
		for s, ct := range cts {
			MustOpen(t, fresh, s, placeName, ct, "value of "+s)
		}
	})
	t.Run("ErrCryptoRetiredVersion", func(t *testing.T) {
		_, err := tr.Unwrap(ctx, old.KEKVersion, old.Wrapped, []byte("x"))
		wantCode(t, err, phigate.ECRYPTO)
	})
	t.Run("ErrForbiddenBadToken", func(t *testing.T) {
		bad := *tr
		bad.Token = "not-a-token"
		_, _, err := bad.Wrap(ctx, make([]byte, 32), nil)
		wantCode(t, err, phigate.EFORBIDDEN)
	})
}

func TestTransitNotDerived(t *testing.T) {
	ctx := context.Background()
	tr := transitServer(t, "plain")
	req, _ := http.NewRequest(http.MethodPost, tr.Address+"/v1/transit/keys/plain", strings.NewReader(`{"type":"aes256-gcm96"}`))
	req.Header.Set("X-Vault-Token", tr.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantCode(t, tr.EnsureKey(ctx), phigate.EINVALID)
}

// TestTransitOffline needs no server: what fails before or without one.
func TestTransitOffline(t *testing.T) {
	ctx := context.Background()
	tr := keys.NewTransit("http://"+freeAddr(t), "token") // nothing listens
	t.Run("ErrUnavailable", func(t *testing.T) {
		_, _, err := tr.Wrap(ctx, make([]byte, 32), nil)
		wantCode(t, err, phigate.EUNAVAILABLE)
		if strings.Contains(err.Error(), "token") {
			t.Fatalf("error shows the token: %v", err)
		}
	})
	for name, w := range map[string]string{
		"ErrCryptoNotTransit":    "phigate:v1:abc",
		"ErrCryptoNoVersion":     "vault:vx:abc",
		"ErrCryptoOtherVersion":  "vault:v3:abc",
		"ErrCryptoZeroVersion":   "vault:v0:abc",
		"ErrCryptoVersionNoBody": "vault:v1",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := tr.Unwrap(ctx, 1, []byte(w), nil)
			wantCode(t, err, phigate.ECRYPTO)
		})
	}
}
