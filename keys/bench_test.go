package keys_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/keys"
	"github.com/phigate/phigate/keys/internal/memstore"
)

const recordSize = 4096

func benchRecord() []byte {
	b := make([]byte, recordSize)
	_, _ = rand.Read(b)
	return b
}

// BenchmarkSeal4K seals a 4 KB record for a subject whose data key is
// cached: the steady state of a busy server.
func BenchmarkSeal4K(b *testing.B) {
	e := keys.NewEnvelope(MustRing(b), memstore.New())
	rec := benchRecord()
	ctx := context.Background()
	MustSeal(b, e, "patient:p-1", placeName, "warm")
	b.SetBytes(recordSize)
	for b.Loop() {
		if _, err := e.Seal(ctx, "patient:p-1", placeName, rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen4K opens a sealed 4 KB record.
func BenchmarkOpen4K(b *testing.B) {
	e := keys.NewEnvelope(MustRing(b), memstore.New())
	ctx := context.Background()
	ct, _ := e.Seal(ctx, "patient:p-1", placeName, benchRecord())
	b.SetBytes(recordSize)
	for b.Loop() {
		if _, err := e.Open(ctx, "patient:p-1", placeName, ct); err != nil {
			b.Fatal(err)
		}
	}
}

func rawGCM(b *testing.B) cipher.AEAD {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	block, _ := aes.NewCipher(k)
	g, err := cipher.NewGCM(block)
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// BenchmarkRawGCMSeal4K is the baseline: AES-256-GCM of 4 KB with a fresh
// random nonce, into a fresh buffer, as a caller of crypto/cipher would.
func BenchmarkRawGCMSeal4K(b *testing.B) {
	g, rec := rawGCM(b), benchRecord()
	b.SetBytes(recordSize)
	for b.Loop() {
		out := make([]byte, 12, 12+recordSize+16)
		_, _ = rand.Read(out)
		_ = g.Seal(out, out, rec, nil)
	}
}

// BenchmarkRawGCMOpen4K is the baseline of Open.
func BenchmarkRawGCMOpen4K(b *testing.B) {
	g, rec := rawGCM(b), benchRecord()
	nonce := make([]byte, 12)
	ct := g.Seal(nil, nonce, rec, nil)
	b.SetBytes(recordSize)
	for b.Loop() {
		if _, err := g.Open(nil, nonce, ct, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealColdSubject seals for a new subject each time: data key
// creation, wrapping and storing included.
func BenchmarkSealColdSubject(b *testing.B) {
	e := keys.NewEnvelope(MustRing(b), memstore.New())
	ctx := context.Background()
	rec := benchRecord()
	i := 0
	for b.Loop() {
		i++
		if _, err := e.Seal(ctx, fmt.Sprintf("patient:%d", i), placeName, rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRewrap100k re-wraps 100,000 data keys in an in-memory store
// (the KMS work and the batching; see the sqlite package for the database
// figure).
func BenchmarkRewrap100k(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		r := MustRing(b)
		st := memstore.New()
		fillKeys(b, r, st, 100_000)
		if _, err := r.Rotate(ctx); err != nil {
			b.Fatal(err)
		}
		e := keys.NewEnvelope(r, st)
		b.StartTimer()
		job, err := e.Rewrap(ctx, nil)
		if err != nil || job.Done != 100_000 {
			b.Fatalf("rewrap = %+v, %v", job, err)
		}
	}
}

// fillKeys stores n wrapped data keys directly, as n first seals would.
func fillKeys(b *testing.B, r *keys.Ring, st phigate.KeyStore, n int) {
	ctx := context.Background()
	e := keys.NewEnvelope(r, st)
	for i := range n {
		if _, err := e.Seal(ctx, fmt.Sprintf("patient:%06d", i), placeName, nil); err != nil {
			b.Fatal(err)
		}
	}
}
