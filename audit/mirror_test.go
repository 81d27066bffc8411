package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/audit/audittest"
)

func TestFileMirror(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkpoints.jsonl")
	s := audittest.NewStore()
	l := MustLog(t, s, 10)
	l.Mirror = &audit.FileMirror{Path: path}
	MustRecord(t, l, 25)
	l.Close()
	notes, err := audit.ReadMirror(path)
	if err != nil || len(notes) != 3 {
		t.Fatalf("%d notes, %v", len(notes), err)
	}
	for i, n := range notes {
		if string(n) != string(s.Checkpoints[i].Note) {
			t.Fatalf("note %d differs from the stored checkpoint", i)
		}
	}
	v := verifier(t, s)
	v.Trusted = notes
	if rep, err := v.Verify(context.Background()); err != nil || !rep.OK() {
		t.Fatalf("%v %v", rep.Problem, err)
	}
	t.Run("ErrMalformed", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad")
		os.WriteFile(bad, []byte("{}\n"), 0o600)
		if _, err := audit.ReadMirror(bad); phigate.ErrorCode(err) != phigate.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
}
