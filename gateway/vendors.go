package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/phigate/phigate"
)

// DefaultBAAWarning is how long before a BAA expires doctor and the alert
// warn about it.
const DefaultBAAWarning = 30 * 24 * time.Hour

// VendorService is the vendor registry's business rules, shared by the CLI
// and the API: validation, sealing of credentials and BAA documents, and
// an audit event before every change.
type VendorService struct {
	Store  phigate.VendorStore
	Sealer phigate.Sealer   // required to store credentials and documents
	Audit  phigate.AuditLog // required for changes
	Now    func() time.Time
	// OnChange is called after a change (the gateway's Registry.Forget).
	OnChange func()
}

// List returns every vendor ordered by name.
func (s *VendorService) List(ctx context.Context) ([]*phigate.Vendor, error) {
	return s.Store.ListVendors(ctx)
}

// Get returns one vendor. Codes: ENOTFOUND.
func (s *VendorService) Get(ctx context.Context, name string) (*phigate.Vendor, error) {
	return s.Store.VendorByName(ctx, name)
}

// Add registers a vendor. Codes: EINVALID, ECONFLICT, ECRYPTO, EAUDIT.
func (s *VendorService) Add(ctx context.Context, actor, name string, ch phigate.VendorChange) (*phigate.Vendor, error) {
	const op = "gateway.VendorService.Add"
	if !validName(name) {
		return nil, phigate.Errorf(phigate.EINVALID, op, "name must be lower-case letters, digits and dashes")
	}
	v := &phigate.Vendor{Name: name, Format: phigate.FormatOpenAI, BAA: phigate.BAA{Status: phigate.BAANone}}
	if err := s.apply(ctx, v, ch); err != nil {
		return nil, err
	}
	if err := s.record(ctx, actor, "vendor.create", v); err != nil {
		return nil, err
	}
	if err := s.Store.CreateVendor(ctx, v); err != nil {
		return nil, err
	}
	s.changed()
	return v, nil
}

// Update changes a vendor. Codes: EINVALID, ENOTFOUND, ECRYPTO, EAUDIT.
func (s *VendorService) Update(ctx context.Context, actor, name string, ch phigate.VendorChange) (*phigate.Vendor, error) {
	v, err := s.Store.VendorByName(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := s.apply(ctx, v, ch); err != nil {
		return nil, err
	}
	action := "vendor.update"
	if ch.Disabled != nil && *ch.Disabled {
		action = "vendor.disable"
	}
	if err := s.record(ctx, actor, action, v); err != nil {
		return nil, err
	}
	if err := s.Store.UpdateVendor(ctx, v); err != nil {
		return nil, err
	}
	s.changed()
	return v, nil
}

// Disable stops all traffic to a vendor. Codes: ENOTFOUND, EAUDIT.
func (s *VendorService) Disable(ctx context.Context, actor, name string) (*phigate.Vendor, error) {
	yes := true
	return s.Update(ctx, actor, name, phigate.VendorChange{Disabled: &yes})
}

// BAADocument opens a vendor's stored BAA document. Codes: ENOTFOUND
// (no document), ECRYPTO.
func (s *VendorService) BAADocument(ctx context.Context, name string) ([]byte, error) {
	v, err := s.Store.VendorByName(ctx, name)
	if err != nil {
		return nil, err
	}
	if len(v.SealedBAADocument) == 0 {
		return nil, phigate.Errorf(phigate.ENOTFOUND, "gateway.BAADocument", "no BAA document stored")
	}
	if s.Sealer == nil {
		return nil, phigate.Errorf(phigate.ECRYPTO, "gateway.BAADocument", "no sealer configured")
	}
	return s.Sealer.Open(ctx, vendorSubject(name), baaDocumentPlace(name), v.SealedBAADocument)
}

func (s *VendorService) changed() {
	if s.OnChange != nil {
		s.OnChange()
	}
}

// record writes the audit event of a registry change before it happens.
func (s *VendorService) record(ctx context.Context, actor, action string, v *phigate.Vendor) error {
	if s.Audit == nil {
		return phigate.Errorf(phigate.EAUDIT, "gateway.VendorService", "no audit log configured")
	}
	e := &phigate.Event{Time: s.now(), Actor: actor, Source: phigate.SourceFromContext(ctx), Action: action,
		Resource: "vendor:" + v.Name, Outcome: phigate.OutcomeSuccess, RequestID: phigate.RequestIDFromContext(ctx),
		Fields: map[string]string{"baa": string(v.BAA.Status), "format": string(v.Format)}}
	if !v.BAA.Expires.IsZero() {
		e.Fields["baa_expires"] = v.BAA.Expires.UTC().Format(time.RFC3339)
	}
	if err := s.Audit.Record(ctx, e); err != nil {
		return phigate.E(phigate.EAUDIT, "gateway.VendorService", err)
	}
	return nil
}

// apply copies ch into v, seals secrets and validates the result.
func (s *VendorService) apply(ctx context.Context, v *phigate.Vendor, ch phigate.VendorChange) error {
	setStr(&v.BaseURL, ch.BaseURL)
	if ch.CredentialEnv != nil && *ch.CredentialEnv != "" {
		v.CredentialFile, v.SealedCredential = "", nil
	}
	if ch.CredentialFile != nil && *ch.CredentialFile != "" {
		v.CredentialEnv, v.SealedCredential = "", nil
	}
	setStr(&v.CredentialEnv, ch.CredentialEnv)
	setStr(&v.CredentialFile, ch.CredentialFile)
	setStr(&v.Region, ch.Region)
	setStr(&v.Retention, ch.Retention)
	setStr(&v.Note, ch.Note)
	if ch.Format != nil {
		v.Format = *ch.Format
	}
	if ch.BAAStatus != nil {
		v.BAA.Status = *ch.BAAStatus
	}
	if ch.BAAEffective != nil {
		v.BAA.Effective = ch.BAAEffective.UTC().Truncate(time.Minute)
	}
	if ch.BAAExpires != nil {
		v.BAA.Expires = ch.BAAExpires.UTC().Truncate(time.Minute)
	}
	if ch.BAACategories != nil {
		v.BAA.Categories = slices.Clone(*ch.BAACategories)
	}
	if ch.Training != nil {
		v.Training = *ch.Training
	}
	if ch.Models != nil {
		v.Models = slices.Clone(*ch.Models)
	}
	if ch.Disabled != nil {
		v.Disabled = *ch.Disabled
	}
	if v.BAA.Status == phigate.BAANone {
		v.BAA = phigate.BAA{Status: phigate.BAANone}
	}
	if err := s.seal(ctx, v, ch); err != nil {
		return err
	}
	return CheckVendor(v)
}

func setStr(dst *string, src *string) {
	if src != nil {
		*dst = *src
	}
}

// seal seals a new credential or BAA document.
func (s *VendorService) seal(ctx context.Context, v *phigate.Vendor, ch phigate.VendorChange) error {
	const op = "gateway.VendorService.seal"
	if ch.Credential != nil && len(*ch.Credential) == 0 {
		v.SealedCredential = nil
	}
	if (ch.Credential != nil && len(*ch.Credential) > 0 || ch.BAADocument != nil) && s.Sealer == nil {
		return phigate.Errorf(phigate.ECRYPTO, op, "no key configured to seal secrets")
	}
	if ch.Credential != nil && len(*ch.Credential) > 0 {
		b, err := s.Sealer.Seal(ctx, vendorSubject(v.Name), credentialPlace(v.Name), *ch.Credential)
		if err != nil {
			return phigate.E(phigate.ECRYPTO, op, err)
		}
		v.SealedCredential = b
		v.CredentialEnv, v.CredentialFile = "", ""
	}
	if ch.BAADocument != nil {
		b, err := s.Sealer.Seal(ctx, vendorSubject(v.Name), baaDocumentPlace(v.Name), *ch.BAADocument)
		if err != nil {
			return phigate.E(phigate.ECRYPTO, op, err)
		}
		sum := sha256.Sum256(*ch.BAADocument)
		v.SealedBAADocument, v.BAADocumentSHA256 = b, hex.EncodeToString(sum[:])
		if ch.BAADocumentName != nil {
			v.BAADocumentName = *ch.BAADocumentName
		}
	}
	return nil
}

// CheckVendor validates a vendor's fields. Codes: EINVALID.
func CheckVendor(v *phigate.Vendor) error {
	const op = "gateway.CheckVendor"
	if !validName(v.Name) {
		return phigate.Errorf(phigate.EINVALID, op, "name must be lower-case letters, digits and dashes")
	}
	if !v.Format.Valid() {
		return phigate.Errorf(phigate.EINVALID, op, "format must be openai or anthropic")
	}
	if err := checkBaseURL(v.BaseURL); err != nil {
		return err
	}
	n := 0
	for _, set := range []bool{v.CredentialEnv != "", v.CredentialFile != "", len(v.SealedCredential) > 0} {
		if set {
			n++
		}
	}
	if n > 1 {
		return phigate.Errorf(phigate.EINVALID, op, "give one credential: an environment variable, a file or a stored key")
	}
	return checkBAA(v.BAA)
}

func checkBAA(b phigate.BAA) error {
	const op = "gateway.CheckVendor"
	switch b.Status {
	case phigate.BAANone:
		return nil
	case phigate.BAASigned:
	default:
		return phigate.Errorf(phigate.EINVALID, op, "baa must be signed or none")
	}
	if b.Effective.IsZero() || b.Expires.IsZero() {
		return phigate.Errorf(phigate.EINVALID, op, "a signed BAA needs its effective and expiry dates")
	}
	if !b.Expires.After(b.Effective) {
		return phigate.Errorf(phigate.EINVALID, op, "the BAA must expire after it takes effect")
	}
	if len(b.Categories) == 0 {
		return phigate.Errorf(phigate.EINVALID, op, "a signed BAA needs the PHI categories it covers")
	}
	for _, c := range b.Categories {
		if !c.Valid() {
			return phigate.Errorf(phigate.EINVALID, op, "unknown category %q", string(c))
		}
	}
	return nil
}

// checkBaseURL requires https, or http to a loopback address only.
func checkBaseURL(raw string) error {
	const op = "gateway.CheckVendor"
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return phigate.Errorf(phigate.EINVALID, op, "base URL must be an absolute https URL without credentials or query")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return phigate.Errorf(phigate.EINVALID, op, "base URL must use https (plain http only to a loopback address)")
}

// ExpiringBAAs returns the enabled vendors whose signed BAA expires within
// warn of now (or has expired), soonest first.
func ExpiringBAAs(vendors []*phigate.Vendor, now time.Time, warn time.Duration) []*phigate.Vendor {
	var out []*phigate.Vendor
	for _, v := range vendors {
		if !v.Disabled && v.BAA.Status == phigate.BAASigned && v.BAA.Expires.Sub(now) <= warn {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b *phigate.Vendor) int { return a.BAA.Expires.Compare(b.BAA.Expires) })
	return out
}

func (s *VendorService) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// AlertBAAs records an audit event "vendor.baa_expiring" (and calls warn)
// for each enabled vendor whose BAA expires within DefaultBAAWarning or
// has expired; it returns those vendors.
func (s *VendorService) AlertBAAs(ctx context.Context, warn func(v *phigate.Vendor, left time.Duration)) ([]*phigate.Vendor, error) {
	list, err := s.Store.ListVendors(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	exp := ExpiringBAAs(list, now, DefaultBAAWarning)
	for _, v := range exp {
		left := v.BAA.Expires.Sub(now)
		if warn != nil {
			warn(v, left)
		}
		if s.Audit != nil {
			e := &phigate.Event{Time: now, Actor: "phigate", Action: "vendor.baa_expiring", Resource: "vendor:" + v.Name,
				Outcome: phigate.OutcomeSuccess, Fields: map[string]string{"baa_expires": v.BAA.Expires.UTC().Format(time.RFC3339),
					"days_left": strconv.Itoa(int(left.Hours() / 24))}}
			if err := s.Audit.Record(ctx, e); err != nil {
				return exp, err
			}
		}
	}
	return exp, nil
}

// RunBAAAlerts calls AlertBAAs at once and then every interval until ctx
// ends.
func (s *VendorService) RunBAAAlerts(ctx context.Context, interval time.Duration, warn func(v *phigate.Vendor, left time.Duration)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.AlertBAAs(ctx, warn)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
