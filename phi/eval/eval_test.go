package eval_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/phi"
	"github.com/phigate/phigate/phi/eval"
)

const sample = "START_OF_RECORD=1||||1||||\nSeen by Dr. Rakusin on 7/22.\n||||END_OF_RECORD\n" +
	"START_OF_RECORD=1||||2||||\nNo PHI here.\n||||END_OF_RECORD\n"

const samplePhrases = "1 1 12 19 HCPName Rakusin\n1 1 23 27 Date 7/22\n"

func TestParse(t *testing.T) {
	recs, err := eval.ParseText(strings.NewReader(sample))
	if err != nil || len(recs) != 2 {
		t.Fatalf("ParseText: %d records, %v", len(recs), err)
	}
	if got := string(recs[0].Text[12:19]); got != "Rakusin" {
		t.Errorf("offsets: got %q", got)
	}
	spans, err := eval.ParsePhrases(strings.NewReader(samplePhrases))
	if err != nil || len(spans) != 2 || spans[1].Type != "Date" {
		t.Fatalf("ParsePhrases: %+v, %v", spans, err)
	}
	t.Run("ErrNoEnd", func(t *testing.T) {
		_, err := eval.ParseText(strings.NewReader("START_OF_RECORD=1||||1||||\ntext"))
		if phigate.ErrorCode(err) != phigate.EINVALID {
			t.Errorf("got %v", err)
		}
	})
	t.Run("ErrBadOffsets", func(t *testing.T) {
		_, err := eval.ParsePhrases(strings.NewReader("1 1 9 2 Date x\n"))
		if phigate.ErrorCode(err) != phigate.EINVALID {
			t.Errorf("got %v", err)
		}
	})
}

func TestScore(t *testing.T) {
	recs, _ := eval.ParseText(strings.NewReader(sample))
	gold, _ := eval.ParsePhrases(strings.NewReader(samplePhrases))
	res, err := eval.Score(phi.NewScanner(), recs, gold)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Views {
		if v.Total.RecallOverlap() != 1 || v.PrecisionOverlap() != 1 {
			t.Errorf("%s: recall %.2f precision %.2f", v.View, v.Total.RecallOverlap(), v.PrecisionOverlap())
		}
	}
}

func FuzzParseText(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("START_OF_RECORD=\n||||END_OF_RECORD")) // empty header
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := eval.ParseText(strings.NewReader(string(b)))
		if err == nil {
			for _, r := range recs {
				if len(r.Text) > len(b) {
					t.Fatal("record longer than input")
				}
			}
		}
	})
}

func FuzzParsePhrases(f *testing.F) {
	f.Add([]byte(samplePhrases))
	f.Fuzz(func(t *testing.T, b []byte) {
		spans, err := eval.ParsePhrases(strings.NewReader(string(b)))
		for _, s := range spans {
			if err == nil && (s.Start < 0 || s.End < s.Start) {
				t.Fatal("bad span accepted")
			}
		}
	})
}

// Floors on the PhysioNet dev corpus (Safe Harbor view, any-overlap): the
// issue's bars (recall 0.99 overall and 0.97 for every type with 20 or
// more spans, precision 0.85), raised to a little under what the scanner
// reaches where it reaches more.
const (
	floorRecallSH    = 0.99
	floorPrecisionSH = 0.95
)

var floorByType = map[string]float64{
	"HCPName": 0.99, "PTName": 0.97, "RelativeProxyName": 0.975, "Phone": 0.97, "Date": 0.99, "Location": 0.975,
}

func TestPhysioNetFloors(t *testing.T) {
	recs, gold := mustCorpus(t)
	res, err := eval.Score(phi.NewScanner(), recs, gold, eval.SafeHarbor)
	if err != nil {
		t.Fatal(err)
	}
	v := res.Views[0]
	if r := v.Total.RecallOverlap(); r < floorRecallSH {
		t.Errorf("Safe Harbor recall %.4f < %.2f", r, floorRecallSH)
	}
	if p := v.PrecisionOverlap(); p < floorPrecisionSH {
		t.Errorf("Safe Harbor precision %.4f < %.2f", p, floorPrecisionSH)
	}
	for typ, floor := range floorByType {
		if r := v.ByType[typ].RecallOverlap(); r < floor {
			t.Errorf("%s recall %.4f < %.2f", typ, r, floor)
		}
	}
}

// Floors on the swapped corpus, seeds 1 to 3, for both pools: made-up
// names and places the scanner cannot know (recall rests on context and
// shape alone), and real names and cities from its own lists that are not
// the corpus's. They keep a change that leans on the corpus's surrogates
// from passing unnoticed; each sits a little under what the scanner reaches.
var swapFloors = []struct {
	pool              eval.Pool
	sens              phi.Sensitivity
	recall, precision float64
}{
	{eval.PoolMadeUp, phi.DefaultSensitivity, 0.955, 0.95},
	{eval.PoolMadeUp, phi.HighSensitivity, 0.958, 0.91},
	{eval.PoolDict, phi.DefaultSensitivity, 0.97, 0.95},
	{eval.PoolDict, phi.HighSensitivity, 0.97, 0.91},
}

func TestPhysioNetSwapFloors(t *testing.T) {
	recs, gold := mustCorpus(t)
	for _, floor := range swapFloors {
		for seed := uint64(1); seed <= 3; seed++ {
			sr, sg, err := eval.SwapFrom(recs, gold, seed, floor.pool)
			if err != nil {
				t.Fatal(err)
			}
			sc := phi.NewScanner()
			sc.Sensitivity = floor.sens
			res, err := eval.Score(sc, sr, sg, eval.SafeHarbor)
			if err != nil {
				t.Fatal(err)
			}
			v := res.Views[0]
			if r, p := v.Total.RecallOverlap(), v.PrecisionOverlap(); r < floor.recall || p < floor.precision {
				t.Errorf("%s pool, %s, seed %d: recall %.4f precision %.4f, floors %.3f %.3f",
					floor.pool, floor.sens, seed, r, p, floor.recall, floor.precision)
			}
		}
	}
}

// Floors on the mixed-case notes rewritten in lower and in upper case,
// where capitals say nothing.
var caseFloors = map[phi.Sensitivity]struct{ recall, precision float64 }{
	phi.DefaultSensitivity: {0.95, 0.90},
	phi.HighSensitivity:    {0.95, 0.89},
}

func TestPhysioNetCaseFloors(t *testing.T) {
	recs, gold := mustCorpus(t)
	for sens, floor := range caseFloors {
		for _, c := range []eval.Case{eval.CaseLower, eval.CaseUpper} {
			cr, cg := eval.RecaseMixed(recs, gold, c)
			sc := phi.NewScanner()
			sc.Sensitivity = sens
			res, err := eval.Score(sc, cr, cg, eval.SafeHarbor)
			if err != nil {
				t.Fatal(err)
			}
			v := res.Views[0]
			if r, p := v.Total.RecallOverlap(), v.PrecisionOverlap(); r < floor.recall || p < floor.precision {
				t.Errorf("%s, %s: recall %.4f precision %.4f, floors %.2f %.2f", c, sens, r, p, floor.recall, floor.precision)
			}
		}
	}
}

// mustCorpus reads the PhysioNet dev corpus or skips.
func mustCorpus(t *testing.T) ([]eval.Record, []eval.Span) {
	t.Helper()
	dir := os.Getenv("PHIGATE_TEST_DATA")
	if dir == "" {
		t.Skip("PHIGATE_TEST_DATA not set")
	}
	tf, err := os.Open(filepath.Join(dir, "physionet-deid", "dev.text"))
	if err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	defer tf.Close()
	pf, err := os.Open(filepath.Join(dir, "physionet-deid", "dev-phi.phrase"))
	if err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	defer pf.Close()
	recs, err := eval.ParseText(tf)
	if err != nil {
		t.Fatal(err)
	}
	gold, err := eval.ParsePhrases(pf)
	if err != nil {
		t.Fatal(err)
	}
	return recs, gold
}

// none is a detector that finds nothing, to check how misses are scored.
type none struct{}

func (none) Detect(dst []phigate.Finding, _ []byte) ([]phigate.Finding, error) { return dst, nil }

func TestWriteErrors(t *testing.T) {
	recs, _ := eval.ParseText(strings.NewReader(sample))
	gold, _ := eval.ParsePhrases(strings.NewReader(samplePhrases))
	var b strings.Builder
	if err := eval.WriteErrors(&b, none{}, recs, gold, eval.SafeHarbor); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(b.String(), "MISSED"); got != 2 {
		t.Errorf("%d misses reported:\n%s", got, b.String())
	}
	res, _ := eval.Score(none{}, recs, gold)
	if r := res.Views[0].Total.RecallOverlap(); r != 0 {
		t.Errorf("recall %.2f with no findings", r)
	}
}
