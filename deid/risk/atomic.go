package risk

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/phigate/phigate"
)

// AtomicFile is an output file that appears whole or not at all: it is
// written to a temporary file beside its path and renamed on Commit.
type AtomicFile struct {
	*os.File
	path string
	done bool
}

// CreateAtomic starts writing path. Codes: EINVALID (the folder cannot be
// written).
func CreateAtomic(path string) (*AtomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, "risk.CreateAtomic", fmt.Errorf("create output: %w", err))
	}
	return &AtomicFile{File: f, path: path}, nil
}

// Commit syncs the file and renames it to its path.
func (a *AtomicFile) Commit() error {
	const op = "risk.AtomicFile.Commit"
	if a.done {
		return nil
	}
	a.done = true
	err := a.Sync()
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.Name(), a.path)
	}
	if err != nil {
		_ = os.Remove(a.Name())
		return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("write output: %w", err))
	}
	return nil
}

// Abort removes the temporary file; after Commit it does nothing. It is
// safe to defer.
func (a *AtomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	_ = a.Close()
	_ = os.Remove(a.Name())
}
