package gateway

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/phigate/phigate"
)

// DefaultVendorCacheTTL is how long the registry keeps a vendor read from
// the store before reading it again.
const DefaultVendorCacheTTL = 2 * time.Second

// Route maps what a client sends as "model" to vendors. Name is an alias
// ("notes-summary"), a "vendor/model" to give that model a policy or
// fallbacks, or "vendor/*" for every model of a vendor. Targets are
// "vendor/model", tried in order: the first is the primary, the others
// fallbacks, used only when they cover at least what the primary covers,
// so that an outage never sends PHI to a weaker vendor.
type Route struct {
	Name    string   `toml:"name"`
	Targets []string `toml:"targets"`
	// Policy is the route's policy; nil means DefaultPolicy.
	Policy *Policy `toml:"policy"`
}

// target is one vendor and model a request may go to.
type target struct {
	vendor *phigate.Vendor
	model  string
	cred   string
}

// Registry is the vendor registry seen by the gateway: vendors from the
// store (cached briefly), routes, and credentials. Deny by default: a
// model that maps to no enabled vendor is refused.
type Registry struct {
	Store  phigate.VendorStore
	Sealer phigate.Sealer // opens stored credentials; nil: only env and file credentials
	Routes []Route
	// Getenv reads credential variables; nil means os.Getenv.
	Getenv   func(string) string
	CacheTTL time.Duration
	Now      func() time.Time

	mu    sync.Mutex
	cache map[string]*cachedVendor
}

type cachedVendor struct {
	v    *phigate.Vendor
	cred string
	err  error
	at   time.Time
}

// ValidateRoutes checks the routes' shape: names, targets, policies.
func ValidateRoutes(routes []Route) error {
	const op = "gateway.ValidateRoutes"
	seen := map[string]bool{}
	for i := range routes {
		r := &routes[i]
		if r.Name == "" || seen[r.Name] {
			return phigate.Errorf(phigate.EINVALID, op, "route %d: name empty or repeated", i)
		}
		seen[r.Name] = true
		if len(r.Targets) == 0 && !strings.HasSuffix(r.Name, "/*") && !strings.Contains(r.Name, "/") {
			return phigate.Errorf(phigate.EINVALID, op, "route %q: an alias needs targets", r.Name)
		}
		for _, t := range r.Targets {
			if v, m, ok := strings.Cut(t, "/"); !ok || !validName(v) || m == "" {
				return phigate.Errorf(phigate.EINVALID, op, "route %q: target %q is not vendor/model", r.Name, t)
			}
		}
		if r.Policy != nil {
			if err := r.Policy.Validate(); err != nil {
				return phigate.Errorf(phigate.EINVALID, op, "route %q: %w", r.Name, err)
			}
		}
	}
	return nil
}

// validName reports whether s is a valid vendor name.
func validName(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// route returns the route of model and the targets it names, in order.
func (r *Registry) route(model string) (*Route, []string) {
	for i := range r.Routes {
		if r.Routes[i].Name == model {
			rt := &r.Routes[i]
			if len(rt.Targets) == 0 {
				return rt, []string{model}
			}
			return rt, rt.Targets
		}
	}
	if v, _, ok := strings.Cut(model, "/"); ok {
		for i := range r.Routes {
			if r.Routes[i].Name == v+"/*" {
				rt := &r.Routes[i]
				return rt, append([]string{model}, rt.Targets...)
			}
		}
		return nil, []string{model}
	}
	return nil, nil
}

// resolve returns the usable targets of model at now: the primary first,
// then the fallbacks that cover at least what the primary covers. Codes:
// ENOTFOUND (no route, unknown or disabled vendor, model not offered),
// EUNAVAILABLE (store down).
func (r *Registry) resolve(ctx context.Context, model string, now time.Time) (*Route, []target, error) {
	const op = "gateway.resolve"
	rt, names := r.route(model)
	if len(names) == 0 {
		return nil, nil, phigate.Errorf(phigate.ENOTFOUND, op, "model is no route and not vendor/model")
	}
	var out []target
	for i, n := range names {
		t, err := r.target(ctx, n)
		if err != nil {
			if i == 0 {
				return nil, nil, err
			}
			continue
		}
		if i > 0 && !t.vendor.CoverageAtLeast(out[0].vendor, now) {
			continue
		}
		out = append(out, t)
	}
	return rt, out, nil
}

// target looks up one "vendor/model".
func (r *Registry) target(ctx context.Context, name string) (target, error) {
	const op = "gateway.target"
	vn, model, ok := strings.Cut(name, "/")
	if !ok || model == "" {
		return target{}, phigate.Errorf(phigate.ENOTFOUND, op, "model is not vendor/model")
	}
	v, cred, err := r.vendor(ctx, vn)
	if err != nil {
		return target{}, err
	}
	if v.Disabled {
		return target{}, phigate.Errorf(phigate.ENOTFOUND, op, "vendor is disabled")
	}
	if len(v.Models) > 0 && !slices.Contains(v.Models, model) {
		return target{}, phigate.Errorf(phigate.ENOTFOUND, op, "model not offered by the vendor")
	}
	return target{vendor: v, model: model, cred: cred}, nil
}

// vendor returns a vendor and its credential, from the cache when fresh.
func (r *Registry) vendor(ctx context.Context, name string) (*phigate.Vendor, string, error) {
	now := r.now()
	ttl := r.CacheTTL
	if ttl == 0 {
		ttl = DefaultVendorCacheTTL
	}
	r.mu.Lock()
	c := r.cache[name]
	r.mu.Unlock()
	if c != nil && now.Sub(c.at) < ttl && now.Sub(c.at) >= 0 {
		return c.v, c.cred, c.err
	}
	c = &cachedVendor{at: now}
	c.v, c.err = r.Store.VendorByName(ctx, name)
	if c.err == nil {
		c.cred, c.err = r.credential(ctx, c.v)
	}
	if c.err != nil && phigate.ErrorCode(c.err) != phigate.ENOTFOUND {
		return nil, "", c.err // do not cache outages
	}
	r.mu.Lock()
	if r.cache == nil {
		r.cache = map[string]*cachedVendor{}
	}
	r.cache[name] = c
	r.mu.Unlock()
	return c.v, c.cred, c.err
}

// Forget drops cached vendors, so that a change is seen at once.
func (r *Registry) Forget() {
	r.mu.Lock()
	r.cache = nil
	r.mu.Unlock()
}

// credential returns the vendor's API key from its sealed copy, its file
// or its environment variable; "" when none is configured. Codes: ECRYPTO,
// EUNAVAILABLE (file unreadable).
func (r *Registry) credential(ctx context.Context, v *phigate.Vendor) (string, error) {
	const op = "gateway.credential"
	switch {
	case len(v.SealedCredential) > 0:
		if r.Sealer == nil {
			return "", phigate.Errorf(phigate.ECRYPTO, op, "stored credential but no sealer")
		}
		b, err := r.Sealer.Open(ctx, vendorSubject(v.Name), credentialPlace(v.Name), v.SealedCredential)
		if err != nil {
			return "", phigate.E(phigate.ECRYPTO, op, err)
		}
		return string(b), nil
	case v.CredentialFile != "":
		b, err := os.ReadFile(v.CredentialFile)
		if err != nil {
			return "", phigate.Errorf(phigate.EUNAVAILABLE, op, "credential file of vendor %s unreadable", v.Name)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	case v.CredentialEnv != "":
		getenv := r.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		return getenv(v.CredentialEnv), nil
	}
	return "", nil
}

func (r *Registry) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// vendorSubject is the sealing subject of a vendor's secrets.
func vendorSubject(name string) string { return "vendor:" + name }

func credentialPlace(name string) phigate.Place {
	return phigate.Place{Table: "vendors", Row: name, Field: "credential"}
}

func baaDocumentPlace(name string) phigate.Place {
	return phigate.Place{Table: "vendors", Row: name, Field: "baa_document"}
}
