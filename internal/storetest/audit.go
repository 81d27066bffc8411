package storetest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
)

// AuditKey returns the deterministic checkpoint key of test node n.
func AuditKey(n byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{n}, ed25519.SeedSize))
}

// AuditVerifier returns the verifier key of test node n.
func AuditVerifier(tb testing.TB, n byte) audit.VerifierKey {
	v, err := audit.NoteSigner{Name: fmt.Sprintf("node%d", n), Key: AuditKey(n)}.Verifier()
	NoErr(tb, err)
	return v
}

// MustAuditLog opens an audit log over s as test node n, closed at the end
// of the test.
func MustAuditLog(tb testing.TB, s phigate.AuditStore, n byte, every int64, now func() time.Time) *audit.Log {
	tb.Helper()
	l := audit.NewLog()
	l.Store, l.Signer, l.KeyName = s, AuditKey(n), fmt.Sprintf("node%d", n)
	l.CheckpointEvery, l.CheckpointInterval, l.Now = every, -1, now
	for _, other := range []byte{1, 2} { // the test nodes trust each other
		if other != n {
			l.Trusted = append(l.Trusted, AuditVerifier(tb, other))
		}
	}
	NoErr(tb, l.Open())
	tb.Cleanup(func() { l.Close() })
	return l
}

// AuditEvent returns the i-th event of a test stream.
func AuditEvent(i int) *phigate.Event {
	return &phigate.Event{Actor: fmt.Sprintf("user-%d", i%7), Source: "10.0.0.1",
		Action: []string{"patient.read", "ai.chat", "auth.login"}[i%3], Resource: fmt.Sprintf("patient:p%d", i%11),
		Outcome: []phigate.Outcome{phigate.OutcomeSuccess, phigate.OutcomeDenied}[i%2], RequestID: fmt.Sprint("r", i),
		Patients: []string{fmt.Sprintf("p%d", i%11)}}
}

// RecordAudit records events from..to-1 from g goroutines.
func RecordAudit(tb testing.TB, l *audit.Log, from, to, g int) {
	tb.Helper()
	var wg sync.WaitGroup
	for w := range g {
		wg.Go(func() {
			for i := from + w; i < to; i += g {
				if err := l.Record(context.Background(), AuditEvent(i)); err != nil {
					tb.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// VerifyAudit verifies s with the keys of nodes and returns the report.
func VerifyAudit(tb testing.TB, s phigate.AuditStore, nodes ...byte) *audit.Report {
	tb.Helper()
	v := &audit.Verifier{Store: s}
	for _, n := range nodes {
		v.Keys = append(v.Keys, AuditVerifier(tb, n))
	}
	rep, err := v.Verify(context.Background())
	NoErr(tb, err)
	return rep
}

func testAudit(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		s, clock := MustOpen(t, open)
		h, err := s.AuditHead(ctx)
		NoErr(t, err)
		if h.Size != 0 || h.Hash != nil || h.BaseSize != 0 {
			t.Fatalf("empty head %+v", h)
		}
		l := MustAuditLog(t, s, 1, 100, clock.Now)
		RecordAudit(t, l, 0, 700, 8)
		NoErr(t, l.Close())
		rep := VerifyAudit(t, s, 1)
		if !rep.OK() || rep.Size != 700 || rep.Covered != 700 || rep.Checkpoints < 7 {
			t.Fatalf("report %+v, problem %v", rep, rep.Problem)
		}
		p, err := audit.Prove(ctx, s, 345, 0)
		NoErr(t, err)
		_, err = p.Verify([]audit.VerifierKey{AuditVerifier(t, 1)})
		NoErr(t, err)
		c, err := audit.ProveConsistency(ctx, s, 100, 700)
		NoErr(t, err)
		NoErr(t, c.Verify([]audit.VerifierKey{AuditVerifier(t, 1)}))
	})
	t.Run("ErrAppendRollsBack", func(t *testing.T) {
		s, _ := MustOpen(t, open)
		boom := phigate.Errorf(phigate.EINVALID, "test", "refused")
		err := s.AppendAudit(ctx, func(h phigate.AuditHead) (*phigate.AuditAppend, error) { return nil, boom })
		ErrCode(t, err, phigate.EINVALID)
		h, _ := s.AuditHead(ctx)
		if h.Size != 0 {
			t.Fatalf("head moved: %+v", h)
		}
	})
	t.Run("Search", func(t *testing.T) { testAuditSearch(t, open) })
	t.Run("Prune", func(t *testing.T) { testAuditPrune(t, open) })
}

func testAuditSearch(t *testing.T, open Opener) {
	s, clock := MustOpen(t, open)
	var mu sync.Mutex
	now := func() time.Time { // one second per event
		mu.Lock()
		defer mu.Unlock()
		clock.T = clock.T.Add(time.Second)
		return clock.T
	}
	start := clock.T
	l := MustAuditLog(t, s, 1, 50, now)
	RecordAudit(t, l, 0, 600, 1)
	r := &audit.Reader{Store: s, Log: l, Now: now}
	who := audit.Caller{Principal: &phigate.Principal{UserID: "aud", Roles: []phigate.Role{phigate.RoleAuditor}}}
	tests := []struct {
		name string
		q    phigate.AuditQuery
		want func(i int, at time.Time) bool
	}{
		{"Actor", phigate.AuditQuery{Actor: "user-3"}, func(i int, _ time.Time) bool { return i%7 == 3 }},
		{"PatientAction", phigate.AuditQuery{Patient: "p4", Action: "ai.chat"}, func(i int, _ time.Time) bool { return i%11 == 4 && i%3 == 1 }},
		{"ActionPrefixOutcome", phigate.AuditQuery{Action: "auth.", Outcome: phigate.OutcomeDenied}, func(i int, _ time.Time) bool { return i%3 == 2 && i%2 == 1 }},
		{"Resource", phigate.AuditQuery{Resource: "patient:p10"}, func(i int, _ time.Time) bool { return i%11 == 10 }},
		{"Time", phigate.AuditQuery{Since: start.Add(100 * time.Second), Until: start.Add(200 * time.Second)},
			func(_ int, at time.Time) bool {
				return !at.Before(start.Add(100*time.Second)) && at.Before(start.Add(200*time.Second))
			}},
		{"TimeActor", phigate.AuditQuery{Actor: "user-1", Since: start.Add(500 * time.Second)},
			func(i int, at time.Time) bool { return i%7 == 1 && !at.Before(start.Add(500*time.Second)) }},
	}
	all := searchAll(t, r, who, phigate.AuditQuery{Action: "patient.*"})
	all = append(all, searchAll(t, r, who, phigate.AuditQuery{Action: "ai.*"})...)
	all = append(all, searchAll(t, r, who, phigate.AuditQuery{Action: "auth.*"})...)
	slices.SortFunc(all, func(a, b *phigate.Event) int { return int(a.Seq - b.Seq) })
	if len(all) != 600 {
		t.Fatalf("%d events in all", len(all))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Limit = 37
			var got, want []int64
			for _, e := range searchAll(t, r, who, q) {
				got = append(got, e.Seq)
			}
			for i, e := range all {
				if tt.want(i, e.Time) {
					want = append(want, e.Seq)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("got %d events %v\nwant %d %v", len(got), got, len(want), want)
			}
		})
	}
}

// searchAll pages through every event matching q.
func searchAll(t *testing.T, r *audit.Reader, who audit.Caller, q phigate.AuditQuery) []*phigate.Event {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 37
	}
	var out []*phigate.Event
	for {
		p, err := r.Search(context.Background(), who, q)
		NoErr(t, err)
		out = append(out, p.Events...)
		if p.Next == 0 {
			return out
		}
		q.After = p.Next
	}
}

func testAuditPrune(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := MustOpen(t, open)
	l := MustAuditLog(t, s, 1, 100, clock.Now)
	RecordAudit(t, l, 0, 250, 1)
	NoErr(t, l.Close())
	var seg bytes.Buffer
	NoErr(t, audit.WriteSegment(ctx, s, audit.DefaultOrigin, &seg, 0, 200))
	got, err := audit.VerifySegment(&seg, []audit.VerifierKey{AuditVerifier(t, 1)}, audit.DefaultOrigin)
	NoErr(t, err)
	if !got.OK() || got.Last != 200 {
		t.Fatalf("segment %+v %v", got.Report, got.Problem)
	}
	ErrCode(t, audit.Prune(ctx, s, got, audit.DefaultRetention, clock.T), phigate.EFORBIDDEN)
	ErrCode(t, s.PruneAudit(ctx, 150, got.Base), phigate.ECONFLICT)
	NoErr(t, audit.Prune(ctx, s, got, audit.DefaultRetention, clock.T.Add(7*366*24*time.Hour)))
	rep := VerifyAudit(t, s, 1)
	if !rep.OK() || rep.First != 201 || rep.Size != 250 {
		t.Fatalf("after pruning: %+v %v", rep, rep.Problem)
	}
	// The log goes on from its base.
	l2 := MustAuditLog(t, s, 1, 100, clock.Now)
	RecordAudit(t, l2, 250, 300, 2)
	NoErr(t, l2.Close())
	if rep := VerifyAudit(t, s, 1); !rep.OK() || rep.Size != 300 {
		t.Fatalf("after more events: %+v %v", rep, rep.Problem)
	}
}

// RunAuditTwoNodes appends from two nodes, each with its own store handle
// on one database and its own key, at once: the chain must stay one and
// verify with both keys.
func RunAuditTwoNodes(t *testing.T, a, b phigate.AuditStore) {
	la := MustAuditLog(t, a, 1, 64, time.Now)
	lb := MustAuditLog(t, b, 2, 64, time.Now)
	var wg sync.WaitGroup
	wg.Go(func() { RecordAudit(t, la, 0, 1000, 8) })
	wg.Go(func() { RecordAudit(t, lb, 1000, 2000, 8) })
	wg.Wait()
	NoErr(t, la.Close())
	NoErr(t, lb.Close())
	rep := VerifyAudit(t, a, 1, 2)
	if !rep.OK() || rep.Size != 2000 || rep.Covered != 2000 || len(rep.Signers) != 2 {
		t.Fatalf("report %+v, problem %v", rep, rep.Problem)
	}
}

// RunAuditAppendOnly records 30 events on s, then runs each statement in
// attacks on its raw handle: the database itself must refuse every one.
func RunAuditAppendOnly(t *testing.T, s phigate.AuditStore, raw *sql.DB, attacks []string) {
	l := MustAuditLog(t, s, 1, 10, time.Now)
	RecordAudit(t, l, 0, 30, 1)
	NoErr(t, l.Close())
	for _, q := range attacks {
		if _, err := raw.Exec(q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
}
