package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/api"
)

type roleAuth struct{}

func (roleAuth) Authenticate(ctx context.Context, c phigate.Credential) (*phigate.Principal, error) {
	switch c.APIKey {
	case "admin":
		return &phigate.Principal{UserID: "u-admin", Roles: []phigate.Role{phigate.RoleAdministrator}}, nil
	case "auditor":
		return &phigate.Principal{UserID: "u-aud", Roles: []phigate.Role{phigate.RoleAuditor}}, nil
	case "clinician":
		return &phigate.Principal{UserID: "u-doc", Roles: []phigate.Role{phigate.RoleClinician}}, nil
	}
	return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, "test", "no")
}

type fakeRegistry struct {
	vendors map[string]*phigate.Vendor
	actor   string
	last    phigate.VendorChange
}

func (f *fakeRegistry) List(ctx context.Context) ([]*phigate.Vendor, error) {
	var out []*phigate.Vendor
	for _, v := range f.vendors {
		out = append(out, v)
	}
	return out, nil
}

func (f *fakeRegistry) Get(ctx context.Context, name string) (*phigate.Vendor, error) {
	if v := f.vendors[name]; v != nil {
		return v, nil
	}
	return nil, phigate.Errorf(phigate.ENOTFOUND, "test", "no vendor")
}

func (f *fakeRegistry) Add(ctx context.Context, actor, name string, ch phigate.VendorChange) (*phigate.Vendor, error) {
	f.actor, f.last = actor, ch
	v := &phigate.Vendor{Name: name, BaseURL: *ch.BaseURL, SealedCredential: []byte("sealed-secret")}
	if ch.BAAStatus != nil {
		v.BAA = phigate.BAA{Status: *ch.BAAStatus, Effective: *ch.BAAEffective, Expires: *ch.BAAExpires, Categories: *ch.BAACategories}
	}
	f.vendors[name] = v
	return v, nil
}

func (f *fakeRegistry) Update(ctx context.Context, actor, name string, ch phigate.VendorChange) (*phigate.Vendor, error) {
	f.actor, f.last = actor, ch
	return f.Get(ctx, name)
}

func (f *fakeRegistry) Disable(ctx context.Context, actor, name string) (*phigate.Vendor, error) {
	v, err := f.Get(ctx, name)
	if err == nil {
		v.Disabled = true
	}
	return v, err
}

func (f *fakeRegistry) BAADocument(ctx context.Context, name string) ([]byte, error) {
	return []byte("%PDF"), nil
}

func TestVendors(t *testing.T) {
	reg := &fakeRegistry{vendors: map[string]*phigate.Vendor{}}
	h := &api.VendorHandler{Handler: api.NewHandler(), Vendors: reg}
	h.Authenticator = roleAuth{}
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	do := func(method, path, key, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	add := `{"name":"openai","base_url":"https://api.openai.com/v1","credential":"sk-1",
		"baa":{"status":"signed","effective":"2026-01-01T00:00:00Z","expires":"2027-01-01T00:00:00Z","categories":["NAME","DATE"]}}`
	t.Run("OK", func(t *testing.T) {
		status, body := do("POST", "/api/v1/vendors", "admin", add)
		if status != 201 || strings.Contains(body, "sealed-secret") || strings.Contains(body, "sk-1") ||
			!strings.Contains(body, `"has_stored_credential": true`) || reg.actor != "u-admin" || string(*reg.last.Credential) != "sk-1" {
			t.Fatalf("%d %s", status, body)
		}
		if !reg.last.BAAExpires.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatal("expiry not passed on")
		}
		status, body = do("GET", "/api/v1/vendors", "auditor", "")
		var list struct{ Vendors []map[string]any }
		json.Unmarshal([]byte(body), &list)
		if status != 200 || len(list.Vendors) != 1 || list.Vendors[0]["name"] != "openai" {
			t.Fatalf("%d %s", status, body)
		}
		if status, _ := do("POST", "/api/v1/vendors/openai/disable", "admin", ""); status != 200 || !reg.vendors["openai"].Disabled {
			t.Fatal("disable failed")
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		for _, c := range []struct{ method, path, key, body string }{
			{"POST", "/api/v1/vendors", "auditor", add},
			{"GET", "/api/v1/vendors", "clinician", ""},
			{"GET", "/api/v1/vendors/openai/baa-document", "auditor", ""},
			{"PATCH", "/api/v1/vendors/openai", "clinician", `{"note":"x"}`},
		} {
			if status, _ := do(c.method, c.path, c.key, c.body); status != 403 {
				t.Fatalf("%s %s as %s: %d", c.method, c.path, c.key, status)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if status, _ := do("GET", "/api/v1/vendors/nobody", "admin", ""); status != 404 {
			t.Fatal(status)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if status, _ := do("POST", "/api/v1/vendors", "admin", `{"name":"x","bogus":1}`); status != 400 {
			t.Fatal(status)
		}
	})
}
