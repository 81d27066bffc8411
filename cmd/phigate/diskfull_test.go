package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// mustTinyFS mounts a small tmpfs at a temporary folder, or skips the test
// where that cannot be done (not Linux, not root).
func mustTinyFS(t *testing.T, size string) string {
	t.Helper()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("a full disk is simulated with a tmpfs mount: needs Linux and root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// TestDiskFull fills the data folder's file system while users are added:
// the command that cannot write fails with a clear message and a non-zero
// exit, nothing already stored is lost, no change happens unaudited, and
// the audit log still verifies once space is freed.
func TestDiskFull(t *testing.T) {
	dir := mustTinyFS(t, "6m")
	env := map[string]string{"PHIGATE_DATA_DIR": filepath.Join(dir, "data"), "USER": "ops"}
	if code, _, errs := run(t, env, "user", "add", "first", "--role", "clinician"); code != 0 {
		t.Fatalf("first user: %s", errs)
	}
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := filler.Write(chunk); err != nil {
			break
		}
	}
	filler.Close()
	failed, added := "", []string{}
	for i := range 200 {
		name := fmt.Sprintf("user%03d", i)
		code, _, errs := run(t, env, "user", "add", name, "--role", "nurse")
		if code != 0 {
			failed = errs
			break
		}
		added = append(added, name)
	}
	if failed == "" {
		t.Fatal("200 users added on a full file system: the test did not fill it")
	}
	if strings.Count(strings.TrimSpace(failed), "\n") > 0 || !(strings.Contains(failed, "full") || strings.Contains(failed, "space") || strings.Contains(failed, "audit")) {
		t.Fatalf("unclear message on a full disk: %q", failed)
	}
	os.Remove(filepath.Join(dir, "filler"))
	code, out, errs := run(t, env, "user", "list")
	if code != 0 || !strings.Contains(out, "first") {
		t.Fatalf("after freeing space: exit %d %s %s", code, out, errs)
	}
	for _, name := range added {
		if !strings.Contains(out, name) {
			t.Fatalf("user %s added before the disk filled is lost", name)
		}
	}
	code, out, errs = run(t, env, "audit", "search", "--action", "user.create", "--limit", "1000")
	if code != 0 || strings.Count(out, "user.create") < len(added)+1 {
		t.Fatalf("users added without their audit events: %d events for %d users: %s", strings.Count(out, "user.create"), len(added)+1, errs)
	}
	if code, out, errs := run(t, env, "audit", "verify"); code != 0 {
		t.Fatalf("audit verify after a full disk: %s %s", out, errs)
	}
}
