package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/phigate/phigate"
)

const vendorColumns = `name, base_url, format, credential_env, credential_file, sealed_credential,
	baa_status, baa_effective, baa_expires, baa_categories, sealed_baa_document, baa_document_name,
	baa_document_sha256, region, retention, training, note, models, disabled, created_at, updated_at`

// CreateVendor inserts v. Codes: ECONFLICT (name taken).
func (s *Store) CreateVendor(ctx context.Context, v *phigate.Vendor) error {
	const op = "CreateVendor"
	now := s.now().UTC()
	if v.CreatedAt.IsZero() {
		v.CreatedAt = now
	}
	v.UpdatedAt = now
	args, err := vendorArgs(v)
	if err != nil {
		return s.e(phigate.EINTERNAL, op, err)
	}
	return s.execRow(ctx, op, "vendor", false, `INSERT INTO vendors (`+vendorColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
}

// VendorByName returns a vendor. Codes: ENOTFOUND.
func (s *Store) VendorByName(ctx context.Context, name string) (*phigate.Vendor, error) {
	row := s.queryRow(ctx, `SELECT `+vendorColumns+` FROM vendors WHERE name = ?`, name)
	return s.scanVendor(row, "VendorByName")
}

// UpdateVendor replaces every field of v but Name and CreatedAt. Codes: ENOTFOUND.
func (s *Store) UpdateVendor(ctx context.Context, v *phigate.Vendor) error {
	const op = "UpdateVendor"
	v.UpdatedAt = s.now().UTC()
	args, err := vendorArgs(v)
	if err != nil {
		return s.e(phigate.EINTERNAL, op, err)
	}
	return s.execRow(ctx, op, "vendor", true, `UPDATE vendors SET base_url = ?, format = ?, credential_env = ?,
		credential_file = ?, sealed_credential = ?, baa_status = ?, baa_effective = ?, baa_expires = ?,
		baa_categories = ?, sealed_baa_document = ?, baa_document_name = ?, baa_document_sha256 = ?,
		region = ?, retention = ?, training = ?, note = ?, models = ?, disabled = ?, updated_at = ?
		WHERE name = ?`, updateArgs(args)...)
}

// ListVendors returns every vendor ordered by name.
func (s *Store) ListVendors(ctx context.Context) ([]*phigate.Vendor, error) {
	return list(ctx, s, "ListVendors", s.scanVendor, `SELECT `+vendorColumns+` FROM vendors ORDER BY name`)
}

// updateArgs reorders vendorArgs for UPDATE: every column but name and
// created_at, then name for the WHERE clause.
func updateArgs(args []any) []any {
	n := len(args)
	out := make([]any, 0, n-1)
	out = append(out, args[1:n-2]...)
	return append(out, args[n-1], args[0])
}

// vendorArgs returns the column values of v in vendorColumns order.
func vendorArgs(v *phigate.Vendor) ([]any, error) {
	cats, err := json.Marshal(v.BAA.Categories)
	if err != nil {
		return nil, fmt.Errorf("encode categories: %w", err)
	}
	models, err := json.Marshal(v.Models)
	if err != nil {
		return nil, fmt.Errorf("encode models: %w", err)
	}
	return []any{v.Name, v.BaseURL, string(v.Format), v.CredentialEnv, v.CredentialFile, v.SealedCredential,
		string(v.BAA.Status), OptUnix(v.BAA.Effective), OptUnix(v.BAA.Expires), string(cats),
		v.SealedBAADocument, v.BAADocumentName, v.BAADocumentSHA256, v.Region, v.Retention, v.Training,
		v.Note, string(models), v.Disabled, UnixOf(v.CreatedAt), UnixOf(v.UpdatedAt)}, nil
}

func (s *Store) scanVendor(r scanner, op string) (*phigate.Vendor, error) {
	var v phigate.Vendor
	var format, status, cats, models string
	var eff, exp, created, updated int64
	err := r.Scan(&v.Name, &v.BaseURL, &format, &v.CredentialEnv, &v.CredentialFile, &v.SealedCredential,
		&status, &eff, &exp, &cats, &v.SealedBAADocument, &v.BAADocumentName, &v.BAADocumentSHA256,
		&v.Region, &v.Retention, &v.Training, &v.Note, &models, &v.Disabled, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.errorf(phigate.ENOTFOUND, op, "vendor not found")
	}
	if err != nil {
		return nil, s.fail(op, err)
	}
	if err := json.Unmarshal([]byte(cats), &v.BAA.Categories); err != nil {
		return nil, s.e(phigate.EINTERNAL, op, fmt.Errorf("decode categories: %w", err))
	}
	if err := json.Unmarshal([]byte(models), &v.Models); err != nil {
		return nil, s.e(phigate.EINTERNAL, op, fmt.Errorf("decode models: %w", err))
	}
	v.Format, v.BAA.Status = phigate.APIFormat(format), phigate.BAAStatus(status)
	v.BAA.Effective, v.BAA.Expires = OptTime(eff), OptTime(exp)
	v.CreatedAt, v.UpdatedAt = TimeOf(created), TimeOf(updated)
	return &v, nil
}
