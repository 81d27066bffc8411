package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/api"
	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/audit/audittest"
	"github.com/phigate/phigate/internal/storetest"
)

// tokens authenticates "Bearer <role>" as a user with that role.
type tokens struct{}

func (tokens) Authenticate(ctx context.Context, c phigate.Credential) (*phigate.Principal, error) {
	if c.APIKey == "" {
		return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, "test", "no key")
	}
	return &phigate.Principal{UserID: "u-" + c.APIKey, Roles: []phigate.Role{phigate.Role(c.APIKey)}}, nil
}

// idHasher is a stand-in for the key ring's HMAC: "h(" + id + ")".
type idHasher struct{}

func (idHasher) HMAC(domain string, v []byte) string { return "h(" + string(v) + ")" }

func MustAuditServer(t *testing.T) (*httptest.Server, *audit.Log) {
	t.Helper()
	s := audittest.NewStore()
	l := storetest.MustAuditLog(t, s, 1, 100, time.Now)
	ctx := context.Background()
	for i := range 30 {
		e := storetest.AuditEvent(i)
		if i%10 == 0 {
			e.Patients = []string{"h(MRN-1)"}
			e.Action, e.Outcome = "ai.chat", phigate.OutcomeSuccess
			e.Fields = map[string]string{phigate.FieldRecipient: "vendor:acme", phigate.FieldDisclosed: "NAME:1"}
		}
		storetest.NoErr(t, l.Record(ctx, e))
	}
	h := api.NewHandler()
	h.Authenticator = tokens{}
	h.Audit = &audit.Reader{Store: s, Log: l, Hasher: idHasher{}}
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, l
}

func call(t *testing.T, srv *httptest.Server, method, path, role, body string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+role)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		json.NewDecoder(resp.Body).Decode(v)
	}
	return resp.StatusCode
}

func TestAuditSearch(t *testing.T) {
	srv, _ := MustAuditServer(t)
	t.Run("OK", func(t *testing.T) {
		var p audit.Page
		code := call(t, srv, "GET", "/api/v1/audit?actor=user-2&limit=2", "auditor", "", &p)
		if code != 200 || len(p.Events) != 2 || p.Events[0].Actor != "user-2" || p.Next == 0 {
			t.Fatalf("status %d page %+v", code, p)
		}
		var next audit.Page
		call(t, srv, "GET", "/api/v1/audit?actor=user-2&limit=2&after="+itoa(p.Next), "security_officer", "", &next)
		if len(next.Events) == 0 || next.Events[0].Seq <= p.Next {
			t.Fatalf("next page %+v", next)
		}
	})
	tests := []struct {
		name, path, role string
		status           int
	}{
		{"ErrUnauthenticated", "/api/v1/audit", "", 401},
		{"ErrForbidden", "/api/v1/audit", "clinician", 403},
		{"ErrInvalidTime", "/api/v1/audit?since=yesterday", "auditor", 400},
		{"ErrInvalidLimit", "/api/v1/audit?limit=100000", "auditor", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b api.ErrorBody
			if code := call(t, srv, "GET", tt.path, tt.role, "", &b); code != tt.status {
				t.Fatalf("status %d, want %d (%+v)", code, tt.status, b)
			}
		})
	}
	t.Run("ReadsAreAudited", func(t *testing.T) {
		var p audit.Page
		call(t, srv, "GET", "/api/v1/audit?action=audit.search&outcome=denied", "auditor", "", &p)
		if len(p.Events) != 1 || p.Events[0].Actor != "u-clinician" {
			t.Fatalf("denied read not recorded: %+v", p.Events)
		}
	})
}

func TestAuditDisclosures(t *testing.T) {
	srv, _ := MustAuditServer(t)
	var got struct {
		Patient     string             `json:"patient_hmac"`
		Disclosures []audit.Disclosure `json:"disclosures"`
	}
	code := call(t, srv, "POST", "/api/v1/audit/disclosures", "security_officer", `{"patient":"MRN-1"}`, &got)
	if code != 200 || got.Patient != "h(MRN-1)" || len(got.Disclosures) != 3 || got.Disclosures[0].Recipient != "vendor:acme" {
		t.Fatalf("status %d: %+v", code, got)
	}
	code = call(t, srv, "GET", "/api/v1/audit/disclosures?patient_hmac=h(MRN-1)", "auditor", "", &got)
	if code != 200 || len(got.Disclosures) != 3 {
		t.Fatalf("GET: status %d: %+v", code, got)
	}
	t.Run("ErrForbidden", func(t *testing.T) {
		if code := call(t, srv, "POST", "/api/v1/audit/disclosures", "nurse", `{"patient":"MRN-1"}`, nil); code != 403 {
			t.Fatalf("status %d", code)
		}
	})
	t.Run("ErrNoPatient", func(t *testing.T) {
		if code := call(t, srv, "GET", "/api/v1/audit/disclosures", "auditor", "", nil); code != 400 {
			t.Fatalf("status %d", code)
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
