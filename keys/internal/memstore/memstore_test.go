package memstore_test

import (
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/internal/storetest"
	"github.com/phigate/phigate/keys/internal/memstore"
)

// TestContract holds the in-memory store to the contract of the real ones,
// so that the keys tests that use it mean what they say.
func TestContract(t *testing.T) {
	storetest.RunKeyStore(t, func(testing.TB) phigate.KeyStore { return memstore.New() })
}
