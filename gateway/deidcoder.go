package gateway

import (
	"io"
	"sync"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid"
)

// DeidCoder draws codes with the deid package: placeholders from
// deid.PlaceholderMap (random, never derived from the value) and
// surrogates from deid.Surrogater keyed by the conversation's own key, so
// all dates of a conversation move by one offset.
type DeidCoder struct {
	// Rand is the randomness of placeholders; nil means crypto/rand.
	Rand io.Reader

	mu          sync.Mutex
	surrogaters map[string]*deid.Surrogater
}

var _ Coder = (*DeidCoder)(nil)

// Placeholder returns a fresh random placeholder of category c.
func (d *DeidCoder) Placeholder(c phigate.Category) (string, error) {
	return deid.NewPlaceholderMap().Add(c, "", d.Rand)
}

// Surrogate returns deid's surrogate of value under the conversation key.
func (d *DeidCoder) Surrogate(f phigate.Finding, value string, key []byte) (string, error) {
	s, err := d.surrogater(key)
	if err != nil {
		return "", err
	}
	return s.Replace(f, value, "conversation"), nil
}

// surrogater returns the Surrogater of a key, keeping a few hundred.
func (d *DeidCoder) surrogater(key []byte) (*deid.Surrogater, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.surrogaters[string(key)]; s != nil {
		return s, nil
	}
	s, err := deid.NewSurrogater(key, nil)
	if err != nil {
		return nil, err
	}
	if d.surrogaters == nil || len(d.surrogaters) > 512 {
		d.surrogaters = map[string]*deid.Surrogater{}
	}
	d.surrogaters[string(key)] = s
	return s, nil
}
