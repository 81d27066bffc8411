package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/phigate/phigate"
)

// RoutesConfig is the gateway's routing file: the default policy, routes
// and per-key settings. It lives on the server; no client can change it.
//
//	[policy]
//	mode = "allow"            # allow | deidentify | block
//	method = "placeholder"    # placeholder | surrogate
//	strip = ["SSN"]
//	output_scan = "redact"    # redact | flag | off
//
//	[[route]]
//	name = "notes-summary"
//	targets = ["azure/gpt-4o", "openai/gpt-4o"]
//	policy = { mode = "deidentify" }
//
//	[[key]]
//	key = "k_123"
//	policy = { mode = "block" }
//	limits = { requests_per_minute = 60, tokens_per_day = 200000 }
type RoutesConfig struct {
	Policy *Policy     `toml:"policy"`
	Routes []Route     `toml:"route"`
	Keys   []KeyConfig `toml:"key"`
}

// LoadRoutesConfig reads and checks a routing file. Codes: EINVALID.
func LoadRoutesConfig(r io.Reader) (*RoutesConfig, error) {
	const op = "gateway.LoadRoutesConfig"
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	var c RoutesConfig
	dec := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var de *toml.DecodeError
		var sme *toml.StrictMissingError
		switch {
		case errors.As(err, &sme) && len(sme.Errors) > 0:
			row, _ := sme.Errors[0].Position()
			return nil, phigate.Errorf(phigate.EINVALID, op, "line %d: unknown key %q", row, strings.Join(sme.Errors[0].Key(), "."))
		case errors.As(err, &de):
			row, col := de.Position()
			return nil, phigate.Errorf(phigate.EINVALID, op, "line %d column %d: %s", row, col, de.Error())
		}
		return nil, phigate.E(phigate.EINVALID, op, err)
	}
	if c.Policy != nil {
		if err := c.Policy.Validate(); err != nil {
			return nil, err
		}
	}
	if err := ValidateRoutes(c.Routes); err != nil {
		return nil, err
	}
	for i, k := range c.Keys {
		if k.Key == "" {
			return nil, phigate.Errorf(phigate.EINVALID, op, "key %d: id missing", i)
		}
		if k.Policy != nil {
			if err := k.Policy.Validate(); err != nil {
				return nil, fmt.Errorf("key %s: %w", k.Key, err)
			}
		}
	}
	return &c, nil
}
