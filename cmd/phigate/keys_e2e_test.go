package main_test

import (
	"path/filepath"
	"testing"

	"github.com/phigate/phigate/keys"
)

// TestServeSealedKeyFile starts the real binary with a passphrase: the
// first start writes a sealed key file, a restart with the passphrase
// serves with the same keys.
func TestServeSealedKeyFile(t *testing.T) {
	dir := t.TempDir()
	p := startServe(t, dir, "--key-passphrase", "first start words")
	p.stop(t)
	path := filepath.Join(dir, "phigate-data", "phigate.key")
	sealed, err := keys.KeyFileSealed(path)
	if err != nil || !sealed {
		t.Fatalf("key file sealed = %v, %v", sealed, err)
	}
	before, err := keys.LoadKeyFile(path, []byte("first start words"))
	if err != nil {
		t.Fatal(err)
	}
	p = startServe(t, dir, "--key-passphrase", "first start words")
	p.stop(t)
	after, err := keys.LoadKeyFile(path, []byte("first start words"))
	if err != nil || after.HMAC("d", []byte("v")) != before.HMAC("d", []byte("v")) {
		t.Fatalf("keys changed across a restart: %v", err)
	}
}
