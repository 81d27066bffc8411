package sqlite_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
)

// TestSealedAtRest seals known PHI into a real database file and reads the
// raw files (database and WAL): the values and the keys never appear in
// clear, while the same scan finds a control value stored unsealed.
func TestSealedAtRest(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t, time.Now)
	defer db.Close()
	ring, err := keys.NewRing(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e := keys.NewEnvelope(ring, db)
	phi := []string{"Jane Quinn Doe", "MRN-00482913", "1961-04-12", "jane.doe@example.org"}
	if _, err := db.SQL().Exec(`CREATE TABLE t_notes (id TEXT, body BLOB)`); err != nil {
		t.Fatal(err)
	}
	for i, v := range phi {
		row := string(rune('a' + i))
		ct, err := e.Seal(ctx, "patient:"+row, phigate.Place{Table: "t_notes", Row: row, Field: "body"}, []byte(v))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`INSERT INTO t_notes VALUES (?, ?)`, row, ct); err != nil {
			t.Fatal(err)
		}
	}
	db.SQL().Exec(`INSERT INTO t_notes VALUES ('control', 'CONTROL-PLAINTEXT-VALUE')`)
	raw := rawFiles(t, db.Path)
	if !bytes.Contains(raw, []byte("CONTROL-PLAINTEXT-VALUE")) {
		t.Fatal("the scan does not see unsealed values: the test proves nothing")
	}
	for _, v := range phi {
		if bytes.Contains(raw, []byte(v)) {
			t.Fatalf("%q appears in clear in the database files", v)
		}
	}
	keyFile := filepath.Join(t.TempDir(), "k.json")
	(&keys.KeyFile{Path: keyFile}).Save(ring)
	kf, _ := os.ReadFile(keyFile)
	if i := bytes.Index(kf, []byte("phigate-kek:")); i < 0 || bytes.Contains(raw, kf[i+12:i+40]) {
		t.Fatal("the key-encryption key appears in the database files")
	}
}

// rawFiles returns the bytes of the database file and its WAL.
func rawFiles(t *testing.T, path string) []byte {
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}
