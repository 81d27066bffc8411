package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
)

// BenchAuditRecord measures durable events per second through the audit
// log's group commit on s, with many concurrent callers as a busy gateway
// has. Each Record returns only once its event is committed.
func BenchAuditRecord(b *testing.B, s phigate.AuditStore) {
	l := MustAuditLog(b, s, 1, audit.DefaultCheckpointEvery, time.Now)
	ctx := context.Background()
	b.SetParallelism(256)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if err := l.Record(ctx, benchEvent(i)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchAuditRecordSerial records one event at a time: the latency of one
// durable event when no other caller shares its commit.
func BenchAuditRecordSerial(b *testing.B, s phigate.AuditStore) {
	l := MustAuditLog(b, s, 1, audit.DefaultCheckpointEvery, time.Now)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := l.Record(ctx, benchEvent(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// benchEvent is an AI call by one of 100 callers about one of 100,000
// patients: most keys of a block are distinct, as in a busy hospital.
func benchEvent(i int) *phigate.Event {
	n := rand.IntN(100000)
	return &phigate.Event{Actor: fmt.Sprintf("key-%d", i%100), Source: "10.0.0.1", Action: "ai.chat",
		Resource: "vendor:openai", Outcome: phigate.OutcomeSuccess, RequestID: fmt.Sprint("req-", n),
		Purpose: phigate.PurposeTreatment, Patients: []string{fmt.Sprintf("%032x", n)},
		Fields: map[string]string{phigate.FieldRecipient: "vendor:openai", phigate.FieldModel: "gpt-4o",
			phigate.FieldDisclosed: "NAME:2,DATE:1"}}
}

// FillAudit appends n events to s through the log, many callers at once.
func FillAudit(tb testing.TB, s phigate.AuditStore, n int) {
	l := MustAuditLog(tb, s, 1, audit.DefaultCheckpointEvery, time.Now)
	RecordAudit(tb, l, 0, n, 512)
	NoErr(tb, l.Close())
}

// BenchAuditVerify measures `audit verify` over the n events of s.
func BenchAuditVerify(b *testing.B, s phigate.AuditStore, n int) {
	v := &audit.Verifier{Store: s, Keys: []audit.VerifierKey{AuditVerifier(b, 1)}}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		rep, err := v.Verify(ctx)
		if err != nil || !rep.OK() || rep.Size != int64(n) {
			b.Fatalf("report %+v %v", rep, err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/verify")
}
