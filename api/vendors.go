package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/phigate/phigate"
)

// VendorRegistry is the vendor registry's service (implemented by
// *gateway.VendorService). Changes are audited by it before they happen.
type VendorRegistry interface {
	List(ctx context.Context) ([]*phigate.Vendor, error)
	Get(ctx context.Context, name string) (*phigate.Vendor, error)
	Add(ctx context.Context, actor, name string, ch phigate.VendorChange) (*phigate.Vendor, error)
	Update(ctx context.Context, actor, name string, ch phigate.VendorChange) (*phigate.Vendor, error)
	Disable(ctx context.Context, actor, name string) (*phigate.Vendor, error)
	BAADocument(ctx context.Context, name string) ([]byte, error)
}

// VendorHandler serves the vendor registry under /api/v1/vendors.
// Administrators and security officers may change it; auditors may read it.
type VendorHandler struct {
	*Handler
	Vendors VendorRegistry
}

// Register adds the vendor routes to mux.
func (h *VendorHandler) Register(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.Authenticated(h.requireVendorRole(vendorReaders, f)) }
	write := func(f http.HandlerFunc) http.Handler { return h.Authenticated(h.requireVendorRole(vendorWriters, f)) }
	mux.Handle("GET /api/v1/vendors", read(h.listVendors))
	mux.Handle("GET /api/v1/vendors/{name}", read(h.showVendor))
	mux.Handle("GET /api/v1/vendors/{name}/baa-document", write(h.baaDocument))
	mux.Handle("POST /api/v1/vendors", write(h.addVendor))
	mux.Handle("PATCH /api/v1/vendors/{name}", write(h.updateVendor))
	mux.Handle("POST /api/v1/vendors/{name}/disable", write(h.disableVendor))
}

var (
	vendorWriters = []phigate.Role{phigate.RoleAdministrator, phigate.RoleSecurityOfficer}
	vendorReaders = []phigate.Role{phigate.RoleAdministrator, phigate.RoleSecurityOfficer, phigate.RoleAuditor}
)

// requireVendorRole runs next only for a principal holding one of roles.
func (h *Handler) requireVendorRole(roles []phigate.Role, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := phigate.PrincipalFromContext(r.Context())
		if p == nil || !slices.ContainsFunc(p.Roles, func(x phigate.Role) bool { return slices.Contains(roles, x) }) {
			h.Error(w, r, phigate.Errorf(phigate.EFORBIDDEN, "api.vendors", "role may not manage vendors"))
			return
		}
		next(w, r)
	}
}

// vendorView is a vendor as the API shows it: secrets only as flags.
type vendorView struct {
	*phigate.Vendor
	HasStoredCredential bool   `json:"has_stored_credential"`
	HasBAADocument      bool   `json:"has_baa_document"`
	CoveredNow          bool   `json:"covered_now"`
	BAAExpiresInDays    *int64 `json:"baa_expires_in_days,omitempty"`
}

func viewOf(v *phigate.Vendor, now time.Time) vendorView {
	vv := vendorView{Vendor: v, HasStoredCredential: len(v.SealedCredential) > 0,
		HasBAADocument: len(v.SealedBAADocument) > 0, CoveredNow: v.CoveredAt(now)}
	if v.BAA.Status == phigate.BAASigned {
		d := int64(v.BAA.Expires.Sub(now).Hours() / 24)
		vv.BAAExpiresInDays = &d
	}
	return vv
}

func (h *VendorHandler) listVendors(w http.ResponseWriter, r *http.Request) {
	list, err := h.Vendors.List(r.Context())
	if err != nil {
		h.Error(w, r, err)
		return
	}
	out := make([]vendorView, 0, len(list))
	for _, v := range list {
		out = append(out, viewOf(v, time.Now()))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"vendors": out})
}

func (h *VendorHandler) showVendor(w http.ResponseWriter, r *http.Request) {
	v, err := h.Vendors.Get(r.Context(), r.PathValue("name"))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, viewOf(v, time.Now()))
}

func (h *VendorHandler) baaDocument(w http.ResponseWriter, r *http.Request) {
	b, err := h.Vendors.BAADocument(r.Context(), r.PathValue("name"))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="baa"`)
	w.Write(b)
}

// vendorInput is the JSON body of add and update; absent fields are left
// as they are.
type vendorInput struct {
	Name            string             `json:"name"`
	BaseURL         *string            `json:"base_url"`
	Format          *phigate.APIFormat `json:"format"`
	CredentialEnv   *string            `json:"credential_env"`
	CredentialFile  *string            `json:"credential_file"`
	Credential      *string            `json:"credential"`
	BAA             *baaInput          `json:"baa"`
	BAADocument     *[]byte            `json:"baa_document"`
	BAADocumentName *string            `json:"baa_document_name"`
	Region          *string            `json:"region"`
	Retention       *string            `json:"retention"`
	Training        *bool              `json:"training"`
	Note            *string            `json:"note"`
	Models          *[]string          `json:"models"`
	Disabled        *bool              `json:"disabled"`
}

type baaInput struct {
	Status     *phigate.BAAStatus  `json:"status"`
	Effective  *time.Time          `json:"effective"`
	Expires    *time.Time          `json:"expires"`
	Categories *[]phigate.Category `json:"categories"`
}

func (in *vendorInput) change() phigate.VendorChange {
	ch := phigate.VendorChange{BaseURL: in.BaseURL, Format: in.Format, CredentialEnv: in.CredentialEnv,
		CredentialFile: in.CredentialFile, BAADocument: in.BAADocument, BAADocumentName: in.BAADocumentName,
		Region: in.Region, Retention: in.Retention, Training: in.Training, Note: in.Note, Models: in.Models,
		Disabled: in.Disabled}
	if in.Credential != nil {
		b := []byte(*in.Credential)
		ch.Credential = &b
	}
	if in.BAA != nil {
		ch.BAAStatus, ch.BAAEffective, ch.BAAExpires, ch.BAACategories = in.BAA.Status, in.BAA.Effective, in.BAA.Expires, in.BAA.Categories
	}
	return ch
}

func (h *VendorHandler) addVendor(w http.ResponseWriter, r *http.Request) {
	var in vendorInput
	if err := DecodeJSON(r, &in); err != nil {
		h.Error(w, r, err)
		return
	}
	v, err := h.Vendors.Add(r.Context(), actorOf(r), in.Name, in.change())
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, viewOf(v, time.Now()))
}

func (h *VendorHandler) updateVendor(w http.ResponseWriter, r *http.Request) {
	var in vendorInput
	if err := DecodeJSON(r, &in); err != nil {
		h.Error(w, r, err)
		return
	}
	v, err := h.Vendors.Update(r.Context(), actorOf(r), r.PathValue("name"), in.change())
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, viewOf(v, time.Now()))
}

func (h *VendorHandler) disableVendor(w http.ResponseWriter, r *http.Request) {
	v, err := h.Vendors.Disable(r.Context(), actorOf(r), r.PathValue("name"))
	if err != nil {
		h.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, viewOf(v, time.Now()))
}

// actorOf names the caller in audit events.
func actorOf(r *http.Request) string {
	p := phigate.PrincipalFromContext(r.Context())
	switch {
	case p == nil:
		return ""
	case p.APIKeyID != "":
		return p.APIKeyID
	}
	return p.UserID
}
