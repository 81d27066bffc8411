package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
)

// bootstrapAdmin creates the first administrator when the store has no
// user, and prints its name and one-time password once. The password is
// stored only as an argon2id hash and must be changed at first sign-in.
func bootstrapAdmin(ctx context.Context, d *deployment, out io.Writer, url string) error {
	n, err := d.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw, err := oneTimePassword()
	if err != nil {
		return err
	}
	id, err := randomID()
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(d.cfg.Auth.argon2(), rand.Reader, pw)
	if err != nil {
		return fmt.Errorf("hash the first administrator's password: %w", err)
	}
	u := &phigate.User{ID: id, Name: d.cfg.BootstrapAdmin, PasswordHash: hash,
		Roles: []phigate.Role{phigate.RoleAdministrator}, MustChangePassword: true}
	ev := &phigate.Event{Time: time.Now().UTC(), Actor: "system:bootstrap", Source: "local", Action: "user.create",
		Resource: "user:" + id, Outcome: phigate.OutcomeSuccess, Fields: map[string]string{"roles": string(phigate.RoleAdministrator)}}
	if err := d.audit.Record(ctx, ev); err != nil {
		return fmt.Errorf("create first administrator: %w", err)
	}
	if err := d.store.CreateUser(ctx, u); err != nil {
		if phigate.ErrorCode(err) == phigate.ECONFLICT {
			return nil // another node bootstrapped first
		}
		return fmt.Errorf("create first administrator: %w", err)
	}
	fmt.Fprintf(out, `
phigate: first start. An administrator account was created; this password is shown only now.

    user:     %s
    password: %s

Sign in (POST %s/api/v1/auth/login; README "Quick start"), change this one-time
password, then enrol a second factor (an authenticator app or a passkey): until MFA
is set up the account can do nothing but enrol.

`, u.Name, pw, url)
	return nil
}

// oneTimePassword returns 100 random bits as four groups of five base32
// characters.
func oneTimePassword() (string, error) {
	var b [15]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	s := strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
	return s[:5] + "-" + s[5:10] + "-" + s[10:15] + "-" + s[15:20], nil
}

func randomID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
