package structured

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid"
	"github.com/phigate/phigate/deid/risk"
)

// Format is a structured input format.
type Format string

// The formats.
const (
	CSV       Format = "csv"    // delimited text with a header line
	JSONLines Format = "jsonl"  // one JSON value a line; FHIR resources are recognised by resourceType
	NDJSON    Format = "ndjson" // FHIR Bulk Data: one resource a line
	JSON      Format = "json"   // one JSON document: a FHIR resource or Bundle, or other JSON
)

// DetectFormat returns the structured format of a file by its extension
// (.csv, .tsv, .jsonl, .ndjson, .json), and false for anything else, which
// the text de-identifier handles.
func DetectFormat(name string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv":
		return CSV, true
	case ".jsonl":
		return JSONLines, true
	case ".ndjson":
		return NDJSON, true
	case ".json":
		return JSON, true
	}
	return "", false
}

// DefaultMaxDocument bounds a single JSON document (a Bundle), which is
// parsed whole; JSON lines and CSV stream whatever their size.
const DefaultMaxDocument = 1 << 30

// DefaultMaxLine bounds one JSON line.
const DefaultMaxLine = 64 << 20

// Deidentifier de-identifies structured inputs by a Config. Create it with
// NewDeidentifier, set the fields, call Open, then Run or File as often as
// needed, from one goroutine at a time.
type Deidentifier struct {
	// Config says what to do; nil means the safe-harbor profile.
	Config *Config
	// Scrubber de-identifies free text (Scan rules). If nil, a
	// TransformScrubber over Detector that tags findings ("[NAME]").
	Scrubber Scrubber
	// Detector finds PHI in free text when Scrubber is nil.
	Detector phigate.Detector
	// Shifter gives each patient a date offset (DateShift rules).
	Shifter DateShifter
	// Pseudonyms codes ids and identifiers; nil means a new one drawing
	// from Rand. Share one across runs to keep codes consistent.
	Pseudonyms *Pseudonymizer
	// Rand is the randomness of new codes; nil means crypto/rand.
	Rand io.Reader
	// Now dates the run (birth years that show an age over 89); nil
	// means time.Now.
	Now func() time.Time
	// Workers is how many records are processed at once; zero means
	// one per core.
	Workers int
	// Indent indents JSON documents (not lines) on output; "" keeps them
	// compact.
	Indent string

	e    *engine
	fhir *fhirRules
	json *jsonRules
}

// NewDeidentifier returns a Deidentifier with the defaults.
func NewDeidentifier() *Deidentifier { return &Deidentifier{Indent: "  "} }

// Open checks the configuration against what is set. Codes: EINVALID.
func (d *Deidentifier) Open() error {
	if d.Config == nil {
		d.Config = &Config{Profile: SafeHarbor}
	}
	if err := d.Config.Validate(); err != nil {
		return err
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	if d.Pseudonyms == nil {
		d.Pseudonyms = NewPseudonymizer(d.Rand)
	}
	if d.Workers <= 0 {
		d.Workers = runtime.GOMAXPROCS(0)
	}
	scrub := d.Scrubber
	if scrub == nil && d.Detector != nil {
		scrub = TransformScrubber{Detector: d.Detector, Transformer: &deid.Transformer{Method: deid.Tag}}
	}
	d.e = &engine{scrub: scrub, shift: d.Shifter, pseudo: d.Pseudonyms, now: now()}
	d.fhir = newFHIRRules(append(append([]Rule(nil), d.Config.Rules...), profileFHIR(d.Config)...))
	d.json = newJSONRules(d.Config)
	// The profile's rules are checked when they meet a value: a CSV whose
	// columns all have a kind needs no detector.
	return d.e.check(d.Config.Rules)
}

// Run de-identifies the input named name, in format f, from r to w. Bad
// records are left out and listed in the returned Stats; an error means
// the output is incomplete and must be thrown away. Codes: EINVALID (no
// header, a rule for a column the input lacks, a document too large),
// EINTERNAL (I/O).
func (d *Deidentifier) Run(ctx context.Context, r io.Reader, name string, f Format, w io.Writer) (*Stats, error) {
	if d.e == nil {
		return nil, phigate.Errorf(phigate.EINTERNAL, "structured.Run", "Open was not called")
	}
	st := newStats()
	st.File, st.Format = name, f
	var err error
	switch f {
	case CSV:
		err = d.runCSV(ctx, r, name, w, st)
	case JSONLines, NDJSON:
		err = d.runLines(ctx, r, name, w, st)
	case JSON:
		err = d.runDocument(ctx, r, name, w, st)
	default:
		err = phigate.Errorf(phigate.EINVALID, "structured.Run", "unknown format %q", f)
	}
	return st, err
}

// File de-identifies the file in to out, which appears whole or not at
// all. The format comes from in's extension. Codes: as Run, and EINVALID
// for a file that is not structured or cannot be opened.
func (d *Deidentifier) File(ctx context.Context, in, out string) (*Stats, error) {
	const op = "structured.File"
	f, ok := DetectFormat(in)
	if !ok {
		return nil, phigate.Errorf(phigate.EINVALID, op, "%s is not CSV, JSON lines or JSON", filepath.Base(in))
	}
	src, err := os.Open(in)
	if err != nil {
		return nil, phigate.E(phigate.EINVALID, op, fmt.Errorf("open input: %w", err))
	}
	defer src.Close()
	dst, err := risk.CreateAtomic(out)
	if err != nil {
		return nil, err
	}
	defer dst.Abort()
	st, err := d.Run(ctx, src, filepath.Base(in), f, dst)
	if err != nil {
		return st, err
	}
	return st, dst.Commit()
}
