package audit_test

import (
	"context"
	"sync"
	"testing"

	"github.com/phigate/phigate/audit/audittest"
)

var (
	millionOnce  sync.Once
	millionStore *audittest.Store
)

// million returns a store holding 1,000,000 chained events with a
// checkpoint every 10,000, built once per test binary.
func million(b *testing.B) *audittest.Store {
	millionOnce.Do(func() {
		millionStore = audittest.NewStore()
		l := MustLog(b, millionStore, 10000)
		l.MaxBatch = 100000
		var wg sync.WaitGroup
		for g := range 64 {
			wg.Go(func() {
				for i := range 1000000 / 64 {
					l.Record(context.Background(), event(g*100000+i))
				}
			})
		}
		wg.Wait()
		MustRecord(b, l, 1000000-64*(1000000/64))
		l.Close()
	})
	return millionStore
}

// BenchmarkVerify1M verifies a chain of 1,000,000 events held in memory:
// the cost of the hashing and checkpoint checks without a database.
func BenchmarkVerify1M(b *testing.B) {
	s := million(b)
	v := verifier(b, s)
	b.ResetTimer()
	for b.Loop() {
		rep, err := v.Verify(context.Background())
		if err != nil || !rep.OK() || rep.Size != 1000000 {
			b.Fatalf("%+v %v", rep, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/verify")
}
