package gateway_test

import (
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/gateway"
)

func TestLoadRoutesConfig(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c, err := gateway.LoadRoutesConfig(strings.NewReader(`
[policy]
mode = "deidentify"
method = "surrogate"

[[route]]
name = "notes"
targets = ["covered/gpt-4o", "covered2/gpt-4o"]
policy = { mode = "allow", strip = ["SSN", "MRN"] }

[[key]]
key = "k_1"
policy = { mode = "block" }
limits = { requests_per_minute = 60, tokens_per_day = 1000 }
`))
		if err != nil {
			t.Fatal(err)
		}
		if c.Policy.Mode != gateway.ModeDeidentify || len(c.Routes) != 1 || c.Routes[0].Policy.Strip[1] != phigate.MRN ||
			c.Keys[0].Limits.TokensPerDay != 1000 || c.Routes[0].Policy.OutputScan != gateway.OutputRedact {
			t.Fatalf("%+v", c)
		}
	})
	for name, body := range map[string]string{
		"ErrUnknownKey":   "[policy]\nmode = \"allow\"\nmodee = 1\n",
		"ErrMode":         "[policy]\nmode = \"maybe\"\n",
		"ErrTarget":       "[[route]]\nname = \"x\"\ntargets = [\"gpt-4o\"]\n",
		"ErrAliasTargets": "[[route]]\nname = \"x\"\n",
		"ErrCategory":     "[policy]\nstrip = [\"SOCIAL\"]\n",
		"ErrKeyID":        "[[key]]\npolicy = { mode = \"block\" }\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := gateway.LoadRoutesConfig(strings.NewReader(body)); phigate.ErrorCode(err) != phigate.EINVALID {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
