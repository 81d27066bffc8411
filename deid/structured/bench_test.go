package structured_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/deid/structured"
)

// ndjsonSample returns n Observation lines of Bulk Data.
func ndjsonSample(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"resourceType":"Observation","id":"o%d","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"15074-8","display":"Glucose"}]},"subject":{"reference":"Patient/p%d"},"effectiveDateTime":"2020-01-%02dT10:00:00Z","valueQuantity":{"value":%d.5,"unit":"mmol/L"},"note":[{"text":"fasting sample, taken by John at 08:00"}]}`+"\n", i, i%1000, 1+i%28, i%100)
	}
	return b.Bytes()
}

// BenchmarkNDJSON de-identifies FHIR Bulk Data with the safe-harbor
// profile on all cores. Run: go test -run x -bench NDJSON ./deid/structured/
func BenchmarkNDJSON(b *testing.B) {
	in := ndjsonSample(20_000)
	d := MustDeidentifier(b, nil)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		st, err := d.Run(context.Background(), bytes.NewReader(in), "bench.ndjson", structured.NDJSON, io.Discard)
		if err != nil || st.Written != 20_000 {
			b.Fatal(err, st.Written)
		}
	}
}

// quietDetector finds nothing: it measures the structured machinery alone.
type quietDetector struct{}

func (quietDetector) Detect(dst []phigate.Finding, _ []byte) ([]phigate.Finding, error) {
	return dst, nil
}

// BenchmarkNDJSONPipeline is BenchmarkNDJSON without free-text findings:
// parsing, rules, pseudonyms, encoding and the ordered pipeline.
func BenchmarkNDJSONPipeline(b *testing.B) {
	in := ndjsonSample(20_000)
	d := MustDeidentifier(b, nil)
	d.Detector = quietDetector{}
	if err := d.Open(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := d.Run(context.Background(), bytes.NewReader(in), "bench.ndjson", structured.NDJSON, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
