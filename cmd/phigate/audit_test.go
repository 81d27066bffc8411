package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/internal/storetest"
	"github.com/phigate/phigate/sqlite"
)

// MustAuditDeployment makes a data folder whose log holds n events written
// with the node's own key, as serve would, and returns the folder.
func MustAuditDeployment(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"PHIGATE_DATA_DIR": dir}
	if code, _, errs := run(t, env, "audit", "search"); code != 0 {
		t.Fatalf("first search: %s", errs)
	}
	d := mustDeployment(t, dir)
	defer d.Close()
	l, err := openAuditLog(d, func(l *audit.Log) { l.CheckpointEvery = 10 })
	storetest.NoErr(t, err)
	for i := range n {
		e := storetest.AuditEvent(i)
		if i%5 == 0 {
			e.Action, e.Outcome = "ai.chat", phigate.OutcomeSuccess
			e.Fields = map[string]string{phigate.FieldRecipient: "vendor:openai", phigate.FieldDisclosed: "NAME:1"}
		}
		storetest.NoErr(t, l.Record(context.Background(), e))
	}
	storetest.NoErr(t, l.Close())
	return dir
}

func TestAuditCommand(t *testing.T) {
	dir := MustAuditDeployment(t, 40)
	env := map[string]string{"PHIGATE_DATA_DIR": dir}
	t.Run("Verify", func(t *testing.T) {
		code, out, errs := run(t, env, "audit", "verify")
		if code != 0 || !strings.HasPrefix(out, "OK") || !strings.Contains(out, "checkpoints verified (signed by ") {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
	})
	t.Run("VerifyBeforeFirstCheckpoint", func(t *testing.T) {
		var b strings.Builder
		printReport(&b, &audit.Report{First: 1, Size: 3})
		if b.String() != "OK    events 1..3 chained; no signed checkpoint yet: 3 events await the first\n" {
			t.Errorf("report %q", b.String())
		}
	})
	t.Run("ProveAndCheck", func(t *testing.T) {
		code, out, errs := run(t, env, "audit", "prove", "7")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		proof := filepath.Join(t.TempDir(), "proof.json")
		os.WriteFile(proof, []byte(out), 0o600)
		d := mustDeployment(t, dir)
		vk, err := d.auditlog.Verifier()
		d.Close()
		storetest.NoErr(t, err)
		code, out, errs = run(t, nil, "audit", "prove", "--check", proof, "--trusted-key", vk.String())
		if code != 0 || !strings.Contains(out, "event 7") {
			t.Fatalf("check: exit %d: %s %s", code, out, errs)
		}
		code, _, _ = run(t, nil, "audit", "prove", "--check", proof, "--trusted-key", strings.Replace(vk.String(), nodeName(), "other", 1))
		if code == 0 {
			t.Fatal("a proof checked with the wrong key passed")
		}
	})
	t.Run("Search", func(t *testing.T) {
		code, out, errs := run(t, env, "audit", "search", "--actor", "user-1", "--json")
		var p audit.Page
		if code != 0 || json.Unmarshal([]byte(out), &p) != nil || len(p.Events) == 0 {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
		for _, e := range p.Events {
			if e.Actor != "user-1" {
				t.Fatalf("event by %s", e.Actor)
			}
		}
	})
	t.Run("Export", func(t *testing.T) {
		want := 0
		for i := range 40 {
			if i%5 == 0 || i%3 == 1 {
				want++
			}
		}
		code, out, errs := run(t, env, "audit", "export", "--format", "cef", "--action", "ai.chat")
		if code != 0 || strings.Count(out, "CEF:0|phigate") != want || strings.Contains(out, "cs2Label") {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
	})
	t.Run("Disclosures", func(t *testing.T) {
		code, out, errs := run(t, env, "audit", "disclosures", "--patient-hmac", "p5", "--json")
		var ds []audit.Disclosure
		if code != 0 || json.Unmarshal([]byte(out), &ds) != nil || len(ds) == 0 || ds[0].Recipient != "vendor:openai" {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
	})
	t.Run("ReadsAreAudited", func(t *testing.T) {
		_, out, _ := run(t, env, "audit", "search", "--action", "audit.*", "--limit", "1000")
		if strings.Count(out, "audit.search") < 2 || !strings.Contains(out, "audit.export") {
			t.Fatalf("reads not recorded:\n%s", out)
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		db := sqlite.NewDB(filepath.Join(dir, "phigate.db"))
		storetest.NoErr(t, db.Open())
		db.SQL().Exec(`DROP TRIGGER audit_blocks_append_only`)
		var first int64
		var data []byte
		db.SQL().QueryRow(`SELECT first, data FROM audit_blocks WHERE first <= 12 ORDER BY first DESC LIMIT 1`).Scan(&first, &data)
		leaves, _ := audit.DecodeBlock(data)
		leaves[12-first].Entry[20] ^= 1
		_, err := db.SQL().Exec(`UPDATE audit_blocks SET data = ? WHERE first = ?`, audit.EncodeBlock(leaves), first)
		storetest.NoErr(t, err)
		db.Close()
		code, out, _ := run(t, env, "audit", "verify")
		if code != 1 || !strings.Contains(out, "FAIL  changed at event 12") {
			t.Fatalf("exit %d: %s", code, out)
		}
	})
}

func TestAuditCommandErrUsage(t *testing.T) {
	for _, args := range [][]string{{"audit"}, {"audit", "frobnicate"}, {"audit", "prove"}, {"audit", "verify", "extra"}} {
		if code, _, _ := run(t, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	_ = time.Now
}

// mustDeployment opens the deployment in dir as a command-line tool does.
func mustDeployment(t *testing.T, dir string) *deployment {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DataDir = dir
	storetest.NoErr(t, cfg.Validate())
	m := &Main{Stderr: os.Stderr, Getenv: func(string) string { return "" }}
	d, err := m.openDeployment(context.Background(), cfg, m.newLogger("error"))
	storetest.NoErr(t, err)
	return d
}

func TestOpenServingAudit(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.DataDir = dir
	storetest.NoErr(t, cfg.Validate())
	m := &Main{Stderr: os.Stderr, Getenv: func(string) string { return "" }}
	d, err := m.openDeploymentMode(context.Background(), cfg, m.newLogger("error"), true)
	storetest.NoErr(t, err)
	storetest.NoErr(t, d.audit.Record(context.Background(), storetest.AuditEvent(1)))
	storetest.NoErr(t, d.Close())
	notes, err := audit.ReadMirror(filepath.Join(dir, auditMirrorName))
	if err != nil || len(notes) != 1 {
		t.Fatalf("mirror: %d notes, %v", len(notes), err)
	}
	env := map[string]string{"PHIGATE_DATA_DIR": dir}
	code, out, errs := run(t, env, "audit", "verify", "--checkpoints", filepath.Join(dir, auditMirrorName))
	if code != 0 || !strings.Contains(out, "covered through 1") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
}

func TestAuditArchive(t *testing.T) {
	dir := MustAuditDeployment(t, 25)
	env := map[string]string{"PHIGATE_DATA_DIR": dir}
	seg := filepath.Join(t.TempDir(), "seg.jsonl")
	code, out, errs := run(t, env, "audit", "archive", "--out", seg)
	if code != 0 || !strings.Contains(out, "archived events 1..") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	code, out, _ = run(t, env, "audit", "verify", "--segment", seg)
	if code != 0 || strings.Count(out, "OK") != 2 {
		t.Fatalf("verify with segment: exit %d: %s", code, out)
	}
	t.Run("ErrInsideRetention", func(t *testing.T) {
		code, _, errs := run(t, env, "audit", "archive", "--prune", seg)
		if code != 1 || !strings.Contains(errs, "forbidden") {
			t.Fatalf("exit %d: %s", code, errs)
		}
		code, _, errs = run(t, env, "audit", "archive", "--prune", seg, "--retention-years", "1")
		if code != 1 || !strings.Contains(errs, "invalid") {
			t.Fatalf("short retention: exit %d: %s", code, errs)
		}
	})
}
