package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/sqlite"
)

func TestVendorCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PHIGATE_DATA_DIR": dir, "USER": "ops"}
	t.Run("OKList", func(t *testing.T) {
		db := sqlite.NewDB(filepath.Join(dir, "phigate.db"))
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		db.CreateVendor(context.Background(), &phigate.Vendor{Name: "openai", BaseURL: "https://api.openai.com/v1",
			Format: phigate.FormatOpenAI, CredentialEnv: "OPENAI_API_KEY", BAA: phigate.BAA{Status: phigate.BAASigned,
				Effective: now.AddDate(-1, 0, 0), Expires: now.AddDate(0, 0, 10), Categories: []phigate.Category{phigate.NAME}}})
		db.Close()
		code, out, errs := run(t, env, "vendor", "list")
		if code != 0 || !strings.Contains(out, "openai") || !strings.Contains(out, "signed") {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
		code, out, _ = run(t, env, "vendor", "show", "openai")
		if code != 0 || !strings.Contains(out, "environment OPENAI_API_KEY") || !strings.Contains(out, "covered now:  yes") {
			t.Fatalf("show: %s", out)
		}
		_, out, _ = run(t, env, "doctor")
		if !strings.Contains(out, "WARN  vendor BAAs") || !strings.Contains(out, "openai") {
			t.Fatalf("doctor does not warn of the BAA expiring in 10 days:\n%s", out)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if code, _, errs := run(t, env, "vendor", "show", "nobody"); code != 1 || !strings.Contains(errs, "not_found") {
			t.Fatalf("exit %d %s", code, errs)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		for _, args := range [][]string{{"vendor"}, {"vendor", "add", "x"}, {"vendor", "frob"}, {"vendor", "show"}} {
			if code, _, _ := run(t, env, args...); code != 2 {
				t.Fatalf("%v: exit %d", args, code)
			}
		}
	})
	t.Run("ErrBadDate", func(t *testing.T) {
		code, _, errs := run(t, env, "vendor", "add", "v2", "--base-url", "https://x.example", "--baa", "signed",
			"--baa-effective", "yesterday", "--baa-expires", "2030-01-01")
		if code != 1 || !strings.Contains(errs, "--baa-effective") {
			t.Fatalf("exit %d %s", code, errs)
		}
	})
	t.Run("Audited", func(t *testing.T) {
		if code, _, errs := run(t, env, "vendor", "add", "v3", "--base-url", "https://x.example"); code != 0 {
			t.Fatalf("vendor add: %s", errs)
		}
		code, out, errs := run(t, env, "audit", "search", "--action", "vendor.create")
		if code != 0 || !strings.Contains(out, "vendor.create") {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
	})
}
