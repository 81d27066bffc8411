package deid_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/phigate/phigate/deid"
	"github.com/phigate/phigate/phi"
)

const benchNote = `Pt is a 78 yo female admitted 7/22 from Holy Cross Hospital with CHF. Seen by Dr. Rakusin; plan discussed
with daughter Suzette (cell 410-555-1212). PMH: MI '92, CABG 1995. NEURO: ALERT, MAE. CV: NSR 80S, BP 110/60.
RESP: LS CLEAR, SATS 96% ON 2L NC. GU: FOLEY DRAINING CLEAR URINE. PLAN: TRANSFER TO FLOOR IN AM.
`

// BenchmarkCopy de-identifies a 64 KB stream with surrogates: scan,
// transform and write.
func BenchmarkCopy(b *testing.B) {
	text := bytes.Repeat([]byte(benchNote), 200)
	sur, err := deid.NewSurrogater([]byte("bench"), nil)
	if err != nil {
		b.Fatal(err)
	}
	tr := &deid.Transformer{Method: deid.Surrogate, Surrogates: sur}
	sc := phi.NewScanner()
	if err := sc.Open(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Copy(io.Discard, bytes.NewReader(text), sc, "p"); err != nil {
			b.Fatal(err)
		}
	}
}
