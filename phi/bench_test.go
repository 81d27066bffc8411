package phi_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/phi"
)

// syntheticNote is a made-up ICU note (no real PHI) used when no corpus
// is available.
const syntheticNote = `CCU NURSING PROGRESS NOTE 7P-7A
Pt is a 78 yo female admitted 7/22 from Holy Cross Hospital with CHF. Seen by Dr. Rakusin; plan discussed
with daughter Suzette (cell 410-555-1212). PMH: MI '92, CABG 1995, DM, HTN.
NEURO: ALERT AND ORIENTED X3, MAE. CV: NSR 80-90S, BP 110-130/60-70. Heparin at 900 u/hr, PTT 62.
RESP: LS CLEAR, SATS 96-98% ON 2L NC. GI: ABD SOFT, +BS. GU: FOLEY DRAINING CLEAR YELLOW URINE 40-60 CC/HR.
SOCIAL: HUSBAND IN TO VISIT, UPDATED BY DR VASQUEZ. PLAN: TRANSFER TO FLOOR IN AM IF STABLE.
Marie Munroe, RN
`

func benchmarkText(b *testing.B, text []byte) {
	sc := phi.NewScanner()
	if err := sc.Open(); err != nil {
		b.Fatal(err)
	}
	var fs []phigate.Finding
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		var err error
		fs, err = sc.Detect(fs[:0], text)
		if err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, c0, int64(len(text))*int64(b.N))
}

// reportCPU adds the throughput per CPU second: on a shared machine wall
// time understates what one core does.
func reportCPU(b *testing.B, c0 time.Duration, n int64) {
	if c := cpuTime() - c0; c > 0 {
		b.ReportMetric(float64(n)/c.Seconds()/1e6, "MB/cpu-s")
	}
}

// BenchmarkScanSynthetic runs without any corpus.
func BenchmarkScanSynthetic(b *testing.B) {
	benchmarkText(b, bytes.Repeat([]byte(syntheticNote), 64))
}

// BenchmarkScanPhysioNet scans the dev notes of the PhysioNet corpus one
// note at a time (PHIGATE_TEST_DATA must name the data folder).
func BenchmarkScanPhysioNet(b *testing.B) { benchmarkPhysioNet(b, phi.DefaultSensitivity) }

// BenchmarkScanPhysioNetHigh is BenchmarkScanPhysioNet at HighSensitivity.
func BenchmarkScanPhysioNetHigh(b *testing.B) { benchmarkPhysioNet(b, phi.HighSensitivity) }

func benchmarkPhysioNet(b *testing.B, sens phi.Sensitivity) {
	dir := os.Getenv("PHIGATE_TEST_DATA")
	if dir == "" {
		b.Skip("PHIGATE_TEST_DATA not set")
	}
	text, err := os.ReadFile(filepath.Join(dir, "physionet-deid", "dev.text"))
	if err != nil {
		b.Skipf("corpus absent: %v", err)
	}
	notes := bytes.Split(text, []byte("||||END_OF_RECORD"))
	sc := phi.NewScanner()
	sc.Sensitivity = sens
	if err := sc.Open(); err != nil {
		b.Fatal(err)
	}
	var fs []phigate.Finding
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		for _, n := range notes {
			fs, _ = sc.Detect(fs[:0], n)
		}
	}
	reportCPU(b, c0, int64(len(text))*int64(b.N))
}
