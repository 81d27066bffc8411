package keys

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/phigate/phigate"
	"golang.org/x/crypto/argon2"
)

// keyFileFormat names the key file format; keyFileVersion is its version.
// Files of version 1 load forever (testdata/keyfile holds frozen ones).
const (
	keyFileFormat  = "phigate-keyfile"
	keyFileVersion = 1
)

// KeyFileMode is the permission of key files. Load refuses a key file that
// group or others may read or write.
const KeyFileMode fs.FileMode = 0o600

// KDFParams are the argon2id parameters that turn a passphrase into the key
// that seals a key file. They are stored in the file.
type KDFParams struct {
	Time      uint32 `json:"time"`       // passes
	MemoryKiB uint32 `json:"memory_kib"` // memory in KiB
	Threads   uint8  `json:"threads"`
}

// DefaultKDF follows RFC 9106's second recommended option: 3 passes over
// 64 MiB with 4 lanes, about a tenth of a second here.
var DefaultKDF = KDFParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// KeyFile reads and writes the local key file. Set the exported fields,
// then call Create, Load or Save.
type KeyFile struct {
	// Path is the file, e.g. "phigate-data/keys.json".
	Path string
	// Passphrase, when not empty, seals the file with argon2id and
	// AES-256-GCM. Loading a sealed file needs it. Security-sensitive.
	Passphrase []byte
	// KDF are the argon2id parameters for sealing. Zero means DefaultKDF.
	KDF KDFParams
	// Rand is the source of keys, salts and nonces. Nil means crypto/rand.
	Rand io.Reader
	// Now is the clock. Nil means time.Now.
	Now func() time.Time

	loaded time.Time // modification time of the file last read or written
}

// CreateKeyFile makes a new unsealed key file at path (mode 0600, parent
// directories created 0700) holding fresh keys from rnd (nil: crypto/rand),
// and returns its ring. Rotate and Retire on the ring save the file.
// Codes: ECONFLICT (the file exists), EINTERNAL (I/O).
func CreateKeyFile(path string, rnd io.Reader) (*Ring, error) {
	f := &KeyFile{Path: path, Rand: rnd}
	return f.Create()
}

// LoadKeyFile loads the key file at path; passphrase is needed when the
// file is sealed and ignored otherwise. Rotate and Retire on the ring save
// the file, keeping it sealed with the same passphrase. Codes: ENOTFOUND
// (no file), ECRYPTO (wrong or missing passphrase, damaged file), EINVALID
// (not a key file, or readable by others), EVERSION (newer format).
func LoadKeyFile(path string, passphrase []byte) (*Ring, error) {
	f := &KeyFile{Path: path, Passphrase: passphrase}
	return f.Load()
}

// KeyFileSealed reports whether the key file at path is sealed with a
// passphrase, so that a caller knows whether to ask for one.
func KeyFileSealed(path string) (bool, error) {
	d, err := readKeyFile("keys.KeyFileSealed", path)
	if err != nil {
		return false, err
	}
	return d.Sealed != nil, nil
}

// Create makes the key file with fresh keys. Codes: ECONFLICT (exists).
func (f *KeyFile) Create() (*Ring, error) {
	r, err := NewRing(f.Rand, f.now())
	if err != nil {
		return nil, err
	}
	r.Now = f.Now
	b, err := f.encode(r, false)
	if err != nil {
		return nil, err
	}
	if err := writeFile(f.Path, b, true); err != nil {
		return nil, err
	}
	f.stat()
	r.persist, r.file = f.saveLocked, f
	return r, nil
}

// Load reads the key file. Codes: as LoadKeyFile.
func (f *KeyFile) Load() (*Ring, error) {
	r, err := f.read("keys.KeyFile.Load")
	if err != nil {
		return nil, err
	}
	r.persist, r.file = f.saveLocked, f
	return r, nil
}

// Save writes r to the file atomically (write, sync, rename), sealed when
// Passphrase is set: also the way to seal, unseal or change the passphrase.
func (f *KeyFile) Save(r *Ring) error { return f.save(r, false) }

// saveLocked saves r while the caller holds r.mu.
func (f *KeyFile) saveLocked(r *Ring) error { return f.save(r, true) }

func (f *KeyFile) save(r *Ring, locked bool) error {
	b, err := f.encode(r, locked)
	if err != nil {
		return err
	}
	if err := writeFile(f.Path, b, false); err != nil {
		return err
	}
	f.stat()
	return nil
}

// Reload re-reads the key file the ring was created or loaded from, when it
// changed (see KeyFile.Reload): call it on SIGHUP or periodically so that
// a running server uses a version added by `phigate keys rotate`. A ring
// made by NewRing has no file and never changes.
func (r *Ring) Reload() (bool, error) {
	if r.file == nil {
		return false, nil
	}
	return r.file.Reload(r)
}

// Reload re-reads the file into r when it changed since it was last read or
// written, so that a running server picks up a rotation made by
// `phigate keys rotate`. It reports whether r changed.
func (f *KeyFile) Reload(r *Ring) (bool, error) {
	fi, err := os.Stat(f.Path)
	if err != nil {
		return false, phigate.E(phigate.EUNAVAILABLE, "keys.KeyFile.Reload", fmt.Errorf("stat key file: %w", err))
	}
	if fi.ModTime().Equal(f.loaded) {
		return false, nil
	}
	n, err := f.read("keys.KeyFile.Reload")
	if err != nil {
		return false, err
	}
	r.replace(n)
	return true, nil
}

func (f *KeyFile) read(op string) (*Ring, error) {
	d, err := readKeyFile(op, f.Path)
	if err != nil {
		return nil, err
	}
	f.stat()
	body := d.Keys
	if d.Sealed != nil {
		if f.KDF == (KDFParams{}) {
			f.KDF = d.Sealed.Params // saving keeps the file's parameters
		}
		if body, err = d.Sealed.open(op, f.Passphrase); err != nil {
			return nil, err
		}
	}
	r, err := decodeRing(op, body)
	if err != nil {
		return nil, err
	}
	r.Rand, r.Now = f.Rand, f.Now
	return r, nil
}

func (f *KeyFile) stat() {
	if fi, err := os.Stat(f.Path); err == nil {
		f.loaded = fi.ModTime()
	}
}

func (f *KeyFile) now() time.Time {
	if f.Now != nil {
		return f.Now().UTC()
	}
	return time.Now().UTC()
}

func (f *KeyFile) rand() io.Reader {
	if f.Rand != nil {
		return f.Rand
	}
	return rand.Reader
}

// encode returns the file's bytes for r, sealed when a passphrase is set;
// locked tells that the caller holds r.mu.
func (f *KeyFile) encode(r *Ring, locked bool) ([]byte, error) {
	if !locked {
		r.mu.RLock()
		defer r.mu.RUnlock()
	}
	body, err := encodeRing(r)
	if err != nil {
		return nil, err
	}
	d := keyFileDoc{Format: keyFileFormat, Version: keyFileVersion, Keys: body}
	if len(f.Passphrase) > 0 {
		kdf := f.KDF
		if kdf == (KDFParams{}) {
			kdf = DefaultKDF
		}
		if d.Sealed, err = sealBody(f.rand(), f.Passphrase, kdf, body); err != nil {
			return nil, err
		}
		d.Keys = nil
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, phigate.E(phigate.EINTERNAL, "keys.KeyFile", fmt.Errorf("encode key file: %w", err))
	}
	return append(b, '\n'), nil
}

// keyFileDoc is the outer JSON of a key file.
type keyFileDoc struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Sealed  *sealedBody     `json:"sealed,omitempty"`
	Keys    json.RawMessage `json:"keys,omitempty"`
}

// readKeyFile reads and checks the outer document.
func readKeyFile(op, path string) (*keyFileDoc, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, phigate.Errorf(phigate.ENOTFOUND, op, "no key file at %s", path)
	}
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("stat key file: %w", err))
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, phigate.Errorf(phigate.EINVALID, op,
			"key file %s has mode %04o: group and others must have no access (chmod 600)", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("read key file: %w", err))
	}
	return parseKeyFile(op, b)
}

// parseKeyFile checks the outer document of a key file.
func parseKeyFile(op string, b []byte) (*keyFileDoc, error) {
	var d keyFileDoc
	if err := json.Unmarshal(b, &d); err != nil || d.Format != keyFileFormat {
		return nil, phigate.Errorf(phigate.EINVALID, op, "not a phigate key file")
	}
	if d.Version > keyFileVersion {
		return nil, phigate.Errorf(phigate.EVERSION, op, "key file version %d is newer than this phigate reads (%d)", d.Version, keyFileVersion)
	}
	if d.Version < 1 || (d.Sealed == nil) == (d.Keys == nil) {
		return nil, phigate.Errorf(phigate.EINVALID, op, "key file has neither keys nor sealed keys")
	}
	return &d, nil
}

// writeFile writes b to path through a temporary file in the same
// directory, synced and renamed into place. With exclusive, an existing
// file is never replaced.
func writeFile(path string, b []byte, exclusive bool) error {
	const op = "keys.KeyFile.write"
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("create key directory: %w", err))
	}
	tmp, err := os.CreateTemp(dir, ".keys-*.tmp")
	if err != nil {
		return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("create temporary key file: %w", err))
	}
	defer os.Remove(tmp.Name())
	if err := writeSync(tmp, b); err != nil {
		return phigate.E(phigate.EINTERNAL, op, err)
	}
	if err := place(tmp.Name(), path, exclusive); err != nil {
		return err
	}
	return syncDir(dir)
}

// writeSync writes, syncs and closes f with mode 0600.
func writeSync(f *os.File, b []byte) error {
	defer f.Close()
	if err := f.Chmod(KeyFileMode); err != nil {
		return fmt.Errorf("chmod key file: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync key file: %w", err)
	}
	return f.Close()
}

// place moves tmp to path: a hard link when exclusive (fails if path
// exists), else an atomic rename.
func place(tmp, path string, exclusive bool) error {
	const op = "keys.KeyFile.write"
	if !exclusive {
		if err := os.Rename(tmp, path); err != nil {
			return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("rename key file: %w", err))
		}
		return nil
	}
	err := os.Link(tmp, path)
	if errors.Is(err, fs.ErrExist) {
		return phigate.Errorf(phigate.ECONFLICT, op, "key file %s already exists", path)
	}
	if err != nil {
		return phigate.E(phigate.EINTERNAL, op, fmt.Errorf("link key file: %w", err))
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return phigate.E(phigate.EINTERNAL, "keys.KeyFile.write", fmt.Errorf("open key directory: %w", err))
	}
	defer d.Close()
	_ = d.Sync() // not every file system syncs directories
	return nil
}

// argon2Key derives the sealing key from a passphrase.
func argon2Key(pass, salt []byte, p KDFParams) *secret {
	var s secret
	k := argon2.IDKey(pass, salt, p.Time, p.MemoryKiB, p.Threads, keySize)
	copy(s.key(), k)
	wipe(k)
	return &s
}
