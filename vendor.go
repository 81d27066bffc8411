package phigate

import (
	"context"
	"slices"
	"time"
)

// APIFormat is the wire format an AI vendor speaks.
type APIFormat string

// The API formats.
const (
	FormatOpenAI    APIFormat = "openai"    // OpenAI chat completions (and embeddings)
	FormatAnthropic APIFormat = "anthropic" // Anthropic messages
)

// Valid reports whether f is a known format.
func (f APIFormat) Valid() bool { return f == FormatOpenAI || f == FormatAnthropic }

// BAAStatus says whether a vendor signed a Business Associate Agreement.
type BAAStatus string

// The BAA statuses.
const (
	BAASigned BAAStatus = "signed"
	BAANone   BAAStatus = "none"
)

// BAA is a vendor's Business Associate Agreement as the registry knows it.
// A BAA covers PHI only from Effective (inclusive) to Expires (exclusive),
// both kept to the minute, and only in the listed categories.
type BAA struct {
	Status     BAAStatus  `json:"status"`
	Effective  time.Time  `json:"effective,omitzero"`
	Expires    time.Time  `json:"expires,omitzero"`
	Categories []Category `json:"categories,omitempty"`
}

// InForce reports whether the BAA is signed and in force at t.
func (b BAA) InForce(t time.Time) bool {
	return b.Status == BAASigned && !t.Before(b.Effective) && t.Before(b.Expires)
}

// Covers reports whether the BAA lists category c.
func (b BAA) Covers(c Category) bool { return slices.Contains(b.Categories, c) }

// Vendor is an AI vendor in the registry. The registry denies by default:
// a model that maps to no enabled vendor is refused, and PHI goes as is
// only to a vendor whose BAA is in force, covers its category, and that
// does not train on what it is sent.
type Vendor struct {
	// Name is the registry key and the prefix of its models ("openai" in
	// "openai/gpt-4o"): lower-case letters, digits and dashes.
	Name string `json:"name"`
	// BaseURL is the vendor's API root, "https://api.openai.com/v1". Only
	// loopback addresses may use plain http.
	BaseURL string    `json:"base_url"`
	Format  APIFormat `json:"format"`
	// CredentialEnv names an environment variable holding the API key;
	// CredentialFile names a file holding it (the _FILE form).
	CredentialEnv  string `json:"credential_env,omitempty"`
	CredentialFile string `json:"credential_file,omitempty"`
	// SealedCredential is a stored API key, sealed for subject
	// "vendor:<name>". Never shown.
	SealedCredential []byte `json:"-"`
	BAA              BAA    `json:"baa"`
	// SealedBAADocument is the signed agreement (a PDF, say), sealed.
	SealedBAADocument []byte `json:"-"`
	// BAADocumentName and BAADocumentSHA256 describe the stored document.
	BAADocumentName   string `json:"baa_document,omitempty"`
	BAADocumentSHA256 string `json:"baa_document_sha256,omitempty"`
	// Region is where the vendor processes data ("us", "eu-west-1").
	Region string `json:"region,omitempty"`
	// Retention is the vendor's data retention ("none", "30d").
	Retention string `json:"retention,omitempty"`
	// Training reports that the vendor may train on what it is sent: such
	// a vendor is never covered, whatever its BAA says.
	Training bool   `json:"training"`
	Note     string `json:"note,omitempty"`
	// Models lists the models offered through phigate; empty means any.
	Models    []string  `json:"models,omitempty"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// HasCredential reports whether a credential is configured.
func (v *Vendor) HasCredential() bool {
	return v.CredentialEnv != "" || v.CredentialFile != "" || len(v.SealedCredential) > 0
}

// CoveredAt reports whether PHI may go to v as is at t in some category:
// enabled, not training, BAA in force.
func (v *Vendor) CoveredAt(t time.Time) bool {
	return !v.Disabled && !v.Training && v.BAA.InForce(t)
}

// Covers reports whether PHI of category c may go to v as is at t.
func (v *Vendor) Covers(c Category, t time.Time) bool {
	return v.CoveredAt(t) && v.BAA.Covers(c)
}

// CoverageAtLeast reports whether v covers at t everything o covers, so
// that a request prepared for o may go to v instead.
func (v *Vendor) CoverageAtLeast(o *Vendor, t time.Time) bool {
	if !o.CoveredAt(t) {
		return true
	}
	if !v.CoveredAt(t) {
		return false
	}
	for _, c := range o.BAA.Categories {
		if !v.BAA.Covers(c) {
			return false
		}
	}
	return true
}

// VendorChange describes a vendor to add or the fields of one to change;
// nil fields are left as they are. The API and the CLI fill it.
type VendorChange struct {
	BaseURL        *string
	Format         *APIFormat
	CredentialEnv  *string
	CredentialFile *string
	// Credential is an API key to store sealed; an empty one removes it.
	Credential    *[]byte
	BAAStatus     *BAAStatus
	BAAEffective  *time.Time
	BAAExpires    *time.Time
	BAACategories *[]Category
	// BAADocument is the signed agreement to store sealed, with its name.
	BAADocument     *[]byte
	BAADocumentName *string
	Region          *string
	Retention       *string
	Training        *bool
	Note            *string
	Models          *[]string
	Disabled        *bool
}

// VendorStore persists the vendor registry. It holds no rules: validation,
// sealing and coverage live in the gateway package.
type VendorStore interface {
	// CreateVendor inserts v. Codes: ECONFLICT (name taken).
	CreateVendor(ctx context.Context, v *Vendor) error
	// VendorByName returns a vendor. Codes: ENOTFOUND.
	VendorByName(ctx context.Context, name string) (*Vendor, error)
	// UpdateVendor replaces every field of v but Name and CreatedAt.
	// Codes: ENOTFOUND.
	UpdateVendor(ctx context.Context, v *Vendor) error
	// ListVendors returns every vendor ordered by name.
	ListVendors(ctx context.Context) ([]*Vendor, error)
}
