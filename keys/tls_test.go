package keys_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/phigate/phigate/keys"
)

func TestSelfSignedCert(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	cert, err := keys.WriteSelfSignedCert(nil, certPath, keyPath, []string{"localhost", "127.0.0.1"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OKHosts", func(t *testing.T) {
		if leaf.VerifyHostname("localhost") != nil || leaf.VerifyHostname("127.0.0.1") != nil {
			t.Fatalf("certificate does not cover its hosts: %v %v", leaf.DNSNames, leaf.IPAddresses)
		}
		if leaf.VerifyHostname("example.com") == nil {
			t.Fatal("certificate covers a host it was not made for")
		}
	})
	t.Run("OKValidity", func(t *testing.T) {
		if !leaf.NotAfter.Equal(t0.Add(keys.DefaultCertValidity).Truncate(1e9)) || leaf.NotBefore.After(t0) {
			t.Fatalf("valid %v to %v", leaf.NotBefore, leaf.NotAfter)
		}
	})
	t.Run("OKKeyPrivate", func(t *testing.T) {
		fi, err := os.Stat(keyPath)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key mode %v, %v", fi.Mode().Perm(), err)
		}
	})
	t.Run("ErrOtherKey", func(t *testing.T) {
		other, _, _ := keys.SelfSignedCert(nil, []string{"localhost"}, t0)
		_, k, _ := keys.SelfSignedCert(nil, []string{"localhost"}, t0)
		if _, err := tlsPair(other, k); err == nil {
			t.Fatal("a certificate loads with another key")
		}
	})
}
