package gateway_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/phigate/phigate/gateway"
	"github.com/phigate/phigate/phi"
	"github.com/phigate/phigate/phi/eval"
)

// TestPhysioNetNoPHIReachesUncoveredVendor sends every note of the
// PhysioNet deid development corpus through a route to an uncovered vendor
// (the recording stand-in echoes the prompt) with the real phi scanner,
// plain and streamed. It checks that no gold PHI string reached the
// vendor and that each answer comes back byte for byte.
func TestPhysioNetNoPHIReachesUncoveredVendor(t *testing.T) {
	dir := os.Getenv("PHIGATE_TEST_DATA")
	if dir == "" {
		t.Skip("PHIGATE_TEST_DATA is not set: skipping the PhysioNet corpus test")
	}
	recs, gold := loadCorpus(t, filepath.Join(dir, "physionet-deid"))
	// Requests to uncovered vendors are scanned at high sensitivity, as
	// serve wires it (Gateway.UncoveredDetector).
	sc := phi.NewScanner()
	sc.Sensitivity = phi.HighSensitivity
	if err := sc.Open(); err != nil {
		t.Fatal(err)
	}
	t.Run("Dev", func(t *testing.T) {
		leaks, total, types := sendCorpus(t, sc, recs, gold, true)
		t.Logf("%d notes, %d gold PHI spans; %d reached the vendor (by type %v)", len(recs), total, leaks, types)
		if leaks > 0 {
			t.Errorf("%d of %d gold PHI strings reached the uncovered vendor (by type %v)", leaks, total, types)
		}
	})
	// The same notes with every gold value replaced by one the detector
	// was not tuned on (phi/eval's swap), as a stand-in for unseen notes:
	// the leak rate there is held to the detector's recall bar (1%).
	for _, c := range []struct {
		name string
		seed uint64
		pool eval.Pool
	}{{"SwapDict", 1, eval.PoolDict}, {"SwapMadeUp", 1, eval.PoolMadeUp}} {
		t.Run(c.name, func(t *testing.T) {
			srecs, sgold, err := eval.SwapFrom(recs, gold, c.seed, c.pool)
			if err != nil {
				t.Fatal(err)
			}
			leaks, total, types := sendCorpus(t, sc, srecs, sgold, false)
			t.Logf("%d gold PHI spans; %d reached the vendor (by type %v)", total, leaks, types)
			if float64(leaks) > 0.01*float64(total) {
				t.Errorf("%d of %d swapped gold PHI strings reached the uncovered vendor (over 1%%)", leaks, total)
			}
		})
	}
}

// sendCorpus sends each note through a gateway scanning with sc to the
// uncovered vendor (plain, and streamed too when stream is set), checks
// that every answer comes back byte for byte, and counts the gold spans
// that reached the vendor.
func sendCorpus(t *testing.T, sc *phi.Scanner, recs []eval.Record, gold []eval.Span, stream bool) (leaks, total int, types map[string]int) {
	e := newEnv(t, func(g *gateway.Gateway) {
		g.Detector, g.Coder = sc, &gateway.DeidCoder{}
		g.Policy = gateway.Policy{Mode: gateway.ModeAllow, OutputScan: gateway.OutputRedact}
	})
	e.vendor.Chunk = 16
	spans := map[string][]eval.Span{}
	for _, s := range gold {
		spans[s.Patient+"/"+s.Note] = append(spans[s.Patient+"/"+s.Note], s)
	}
	types = map[string]int{}
	modes := []bool{false}
	if stream {
		modes = append(modes, true)
	}
	var mismatch int
	for i, r := range recs {
		text := string(r.Text)
		for _, stream := range modes {
			status, body := e.post("/v1/chat/completions", "key-1", chatBody("open/m", stream, "user", text),
				gateway.ConversationHeader, r.Patient+"/"+r.Note)
			if status != 200 {
				t.Fatalf("note %d: status %d %.200s", i, status, body)
			}
			if got := content(t, body); got != text {
				mismatch++
				if mismatch <= 3 {
					t.Errorf("note %s/%s (stream %v) not restored byte for byte", r.Patient, r.Note, stream)
				}
			}
			if stream {
				continue // the same request as the plain one
			}
			var req struct {
				Messages []struct{ Content string } `json:"messages"`
			}
			json.Unmarshal([]byte(e.vendor.last()), &req)
			sent := req.Messages[0].Content
			for _, s := range spans[r.Patient+"/"+r.Note] {
				total++
				if reached(text, sent, s, spans[r.Patient+"/"+r.Note]) {
					leaks++
					types[s.Type]++
				}
			}
		}
	}
	if mismatch > 0 {
		t.Errorf("%d answers not restored byte for byte", mismatch)
	}
	return leaks, total, types
}

// reached reports whether gold span s of text appears in what the vendor
// got: its string, as a whole word, more often than text holds it outside
// gold spans (a number like "3" also occurs as a dose).
func reached(text, sent string, s eval.Span, all []eval.Span) bool {
	v := text[s.Start:s.End]
	re := regexp.MustCompile(`(^|[^A-Za-z0-9])` + regexp.QuoteMeta(v) + `($|[^A-Za-z0-9])`)
	in := len(re.FindAllStringIndex(sent, -1))
	if in == 0 {
		return false
	}
	masked := []byte(text)
	for _, o := range all {
		for k := o.Start; k < o.End; k++ {
			masked[k] = ' '
		}
	}
	return in > len(re.FindAllStringIndex(string(masked), -1))
}

func loadCorpus(t *testing.T, dir string) ([]eval.Record, []eval.Span) {
	t.Helper()
	tf, err := os.Open(filepath.Join(dir, "dev.text"))
	if err != nil {
		t.Skipf("corpus not found: %v", err)
	}
	defer tf.Close()
	recs, err := eval.ParseText(tf)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := os.Open(filepath.Join(dir, "dev-phi.phrase"))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	gold, err := eval.ParsePhrases(pf)
	if err != nil {
		t.Fatal(err)
	}
	return recs, gold
}
