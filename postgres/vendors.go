package postgres

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
func (db *DB) CreateVendor(ctx context.Context, v *phigate.Vendor) error {
	const op = "postgres.CreateVendor"
	now := db.Now().UTC()
	if v.CreatedAt.IsZero() {
		v.CreatedAt = now
	}
	v.UpdatedAt = now
	args, err := vendorArgs(v)
	if err != nil {
		return phigate.E(phigate.EINTERNAL, op, err)
	}
	_, err = db.db.ExecContext(ctx, `INSERT INTO vendors (`+vendorColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`, args...)
	if isUnique(err) {
		return phigate.Errorf(phigate.ECONFLICT, op, "vendor already exists")
	}
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	return nil
}

// VendorByName returns a vendor. Codes: ENOTFOUND.
func (db *DB) VendorByName(ctx context.Context, name string) (*phigate.Vendor, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+vendorColumns+` FROM vendors WHERE name = $1`, name)
	return scanVendor(row, "postgres.VendorByName")
}

// UpdateVendor replaces every field of v but Name and CreatedAt. Codes: ENOTFOUND.
func (db *DB) UpdateVendor(ctx context.Context, v *phigate.Vendor) error {
	const op = "postgres.UpdateVendor"
	v.UpdatedAt = db.Now().UTC()
	args, err := vendorArgs(v)
	if err != nil {
		return phigate.E(phigate.EINTERNAL, op, err)
	}
	res, err := db.db.ExecContext(ctx, `UPDATE vendors SET base_url = $1, format = $2, credential_env = $3,
		credential_file = $4, sealed_credential = $5, baa_status = $6, baa_effective = $7, baa_expires = $8,
		baa_categories = $9, sealed_baa_document = $10, baa_document_name = $11, baa_document_sha256 = $12,
		region = $13, retention = $14, training = $15, note = $16, models = $17, disabled = $18, updated_at = $19
		WHERE name = $20`, updateArgs(args)...)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return phigate.Errorf(phigate.ENOTFOUND, op, "vendor not found")
	}
	return nil
}

// ListVendors returns every vendor ordered by name.
func (db *DB) ListVendors(ctx context.Context) ([]*phigate.Vendor, error) {
	const op = "postgres.ListVendors"
	rows, err := db.db.QueryContext(ctx, `SELECT `+vendorColumns+` FROM vendors ORDER BY name`)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	defer rows.Close()
	var out []*phigate.Vendor
	for rows.Next() {
		v, err := scanVendor(rows, op)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, err)
	}
	return out, nil
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
		string(v.BAA.Status), optUnix(v.BAA.Effective), optUnix(v.BAA.Expires), string(cats),
		v.SealedBAADocument, v.BAADocumentName, v.BAADocumentSHA256, v.Region, v.Retention, v.Training,
		v.Note, string(models), v.Disabled, unixOf(v.CreatedAt), unixOf(v.UpdatedAt)}, nil
}

func scanVendor(s scanner, op string) (*phigate.Vendor, error) {
	var v phigate.Vendor
	var format, status, cats, models string
	var eff, exp, created, updated int64
	err := s.Scan(&v.Name, &v.BaseURL, &format, &v.CredentialEnv, &v.CredentialFile, &v.SealedCredential,
		&status, &eff, &exp, &cats, &v.SealedBAADocument, &v.BAADocumentName, &v.BAADocumentSHA256,
		&v.Region, &v.Retention, &v.Training, &v.Note, &models, &v.Disabled, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, phigate.Errorf(phigate.ENOTFOUND, op, "vendor not found")
	}
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, safeErr(err))
	}
	if err := json.Unmarshal([]byte(cats), &v.BAA.Categories); err != nil {
		return nil, phigate.E(phigate.EINTERNAL, op, fmt.Errorf("decode categories: %w", err))
	}
	if err := json.Unmarshal([]byte(models), &v.Models); err != nil {
		return nil, phigate.E(phigate.EINTERNAL, op, fmt.Errorf("decode models: %w", err))
	}
	v.Format, v.BAA.Status = phigate.APIFormat(format), phigate.BAAStatus(status)
	v.BAA.Effective, v.BAA.Expires = optTime(eff), optTime(exp)
	v.CreatedAt, v.UpdatedAt = timeOf(created), timeOf(updated)
	return &v, nil
}
