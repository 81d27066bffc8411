package audit_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/audit/audittest"
)

var update = flag.Bool("update", false, "rewrite testdata/v1 (never after v1 shipped)")

// frozenEvents are the events of testdata/v1: every field, empty and
// non-ASCII values, all outcomes, break glass.
func frozenEvents() []*phigate.Event {
	base := time.Date(2025, 1, 2, 3, 4, 5, 678901000, time.UTC)
	var out []*phigate.Event
	for i := range 40 {
		e := &phigate.Event{
			Time: base.Add(time.Duration(i) * time.Minute), Actor: "usr_" + string(rune('a'+i%26)),
			Source: "192.0.2.7", Action: []string{"auth.login", "patient.read", "ai.chat", "audit.read"}[i%4],
			Outcome:   []phigate.Outcome{phigate.OutcomeSuccess, phigate.OutcomeDenied, phigate.OutcomeFailure}[i%3],
			RequestID: "req-" + strings.Repeat("7", i%5),
		}
		if i%4 != 0 {
			e.Resource, e.Purpose = "patient:hm_"+string(rune('A'+i%7)), phigate.PurposeTreatment
			e.Patients = []string{"hm_" + string(rune('A'+i%7))}
		}
		if i%4 == 2 {
			e.Fields = map[string]string{phigate.FieldVendor: "openai", phigate.FieldModel: "gpt-x",
				phigate.FieldRecipient: "vendor:openai", phigate.FieldDisclosed: "NAME:1,DATE:2", "note": "Zoë ✓"}
		}
		e.BreakGlass = i == 13
		if e.Outcome == phigate.OutcomeDenied {
			e.Reason = phigate.EFORBIDDEN
		}
		out = append(out, e)
	}
	return out
}

const frozenDir = "testdata/v1"

func writeFrozen(t *testing.T) {
	store := audittest.NewStore()
	l := MustNodeLog(t, store, 8, 42)
	l.Origin = "phigate.test/audit"
	for _, e := range frozenEvents() {
		if err := l.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	var seg bytes.Buffer
	if err := audit.WriteSegment(context.Background(), store, l.Origin, &seg, 0, 40); err != nil {
		t.Fatal(err)
	}
	vk, _ := l.Verifier()
	os.MkdirAll(frozenDir, 0o755)
	os.WriteFile(filepath.Join(frozenDir, "segment.jsonl"), seg.Bytes(), 0o644)
	os.WriteFile(filepath.Join(frozenDir, "key.vkey"), []byte(vk.String()+"\n"), 0o644)
}

// TestFrozenV1 replays the v1 chain written when v1 shipped: it must verify
// forever, and the encoding of its events must never change.
func TestFrozenV1(t *testing.T) {
	if *update {
		writeFrozen(t)
	}
	vkey, err := os.ReadFile(filepath.Join(frozenDir, "key.vkey"))
	if err != nil {
		t.Fatal(err)
	}
	vk, err := audit.ParseVerifierKey(string(vkey))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(frozenDir, "segment.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seg, err := audit.VerifySegment(f, []audit.VerifierKey{vk}, "phigate.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	if !seg.OK() || seg.Size != 40 || seg.Last != 40 || seg.Checkpoints != 5 {
		t.Fatalf("segment %+v problem %v", seg.Report, seg.Problem)
	}
	f.Seek(0, 0)
	data, _ := os.ReadFile(f.Name())
	want := frozenEvents()
	i := 0
	for _, line := range strings.Split(string(data), "\n")[1:] {
		var rec struct{ Entry []byte }
		if !strings.HasPrefix(line, `{"seq"`) {
			continue
		}
		if err := jsonUnmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		got, err := audit.Decode(rec.Entry)
		if err != nil {
			t.Fatal(err)
		}
		want[i].Seq = int64(i + 1)
		again, _ := audit.Encode(want[i])
		if !bytes.Equal(again, rec.Entry) {
			t.Fatalf("event %d: the v1 encoding changed", i+1)
		}
		if got.Actor != want[i].Actor || !got.Time.Equal(want[i].Time) || got.BreakGlass != want[i].BreakGlass {
			t.Fatalf("event %d decoded as %+v", i+1, got)
		}
		i++
	}
	if i != 40 {
		t.Fatalf("%d events", i)
	}
}

func TestArchiveAndPrune(t *testing.T) {
	ctx := context.Background()
	s := MustChain(t, 25)
	var seg bytes.Buffer
	if err := audit.WriteSegment(ctx, s, audit.DefaultOrigin, &seg, 0, 20); err != nil {
		t.Fatal(err)
	}
	got, err := audit.VerifySegment(bytes.NewReader(seg.Bytes()), keys(t), audit.DefaultOrigin)
	if err != nil || !got.OK() || got.Last != 20 || got.Size != 20 {
		t.Fatalf("segment %+v %v", got, err)
	}
	t.Run("ErrInsideRetention", func(t *testing.T) {
		err := audit.Prune(ctx, s, got, audit.DefaultRetention, t0.Add(24*time.Hour))
		if phigate.ErrorCode(err) != phigate.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
		if err := audit.Prune(ctx, s, got, time.Hour, t0.Add(7*366*24*time.Hour)); phigate.ErrorCode(err) != phigate.EINVALID {
			t.Fatalf("short retention: %v", err)
		}
	})
	if err := audit.Prune(ctx, s, got, audit.DefaultRetention, t0.Add(7*366*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rep := MustVerify(t, s)
	if !rep.OK() || rep.First != 21 || rep.Size != 25 {
		t.Fatalf("after pruning: %+v %v", rep, rep.Problem)
	}
	// The rest archives as a second segment that starts from the first.
	var seg2 bytes.Buffer
	if err := audit.WriteSegment(ctx, s, audit.DefaultOrigin, &seg2, 20, 25); err != nil {
		t.Fatal(err)
	}
	got2, err := audit.VerifySegment(&seg2, keys(t), audit.DefaultOrigin)
	if err != nil || !got2.OK() || got2.First != 21 || got2.Last != 25 {
		t.Fatalf("second segment %+v %v %v", got2, got2.Problem, err)
	}
	t.Run("ErrTampered", func(t *testing.T) {
		lines := strings.Split(seg.String(), "\n")
		orig := slices.Clone(lines)
		lines[5] = strings.Replace(lines[5], `"seq":5`, `"seq":6`, 1)
		bad, err := audit.VerifySegment(strings.NewReader(strings.Join(lines, "\n")), keys(t), audit.DefaultOrigin)
		if err != nil || bad.OK() || bad.Problem.Seq != 5 {
			t.Fatalf("tampered segment: %+v %v", bad, err)
		}
		trunc, err := audit.VerifySegment(strings.NewReader(strings.Join(orig[:8], "\n")), keys(t), audit.DefaultOrigin)
		if err != nil || trunc.OK() || trunc.Problem.Kind != audit.KindTruncated {
			t.Fatalf("truncated segment: %+v %v", trunc, err)
		}
	})
}
