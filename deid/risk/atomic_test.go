package risk_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/phigate/phigate/deid/risk"
)

func TestAtomicFile(t *testing.T) {
	dir := t.TempDir()
	t.Run("OKCommit", func(t *testing.T) {
		path := filepath.Join(dir, "out.csv")
		f, err := risk.CreateAtomic(path)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("a,b\n")
		if _, err := os.Stat(path); err == nil {
			t.Fatal("the output is visible before Commit")
		}
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
		f.Abort() // after Commit: nothing
		if b, err := os.ReadFile(path); err != nil || string(b) != "a,b\n" {
			t.Fatalf("%q %v", b, err)
		}
	})
	t.Run("OKAbort", func(t *testing.T) {
		f, err := risk.CreateAtomic(filepath.Join(dir, "gone.csv"))
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("half")
		f.Abort()
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != "out.csv" {
				t.Errorf("left behind %s", e.Name())
			}
		}
	})
	t.Run("ErrNoFolder", func(t *testing.T) {
		if _, err := risk.CreateAtomic(filepath.Join(dir, "none", "x.csv")); err == nil {
			t.Error("created a file in a missing folder")
		}
	})
}
