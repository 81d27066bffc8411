package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/phigate/phigate"
)

// testGateway checks the vendor registry and conversation stores.
func testGateway(t *testing.T, open Opener) {
	t.Run("Vendors", func(t *testing.T) { testVendors(t, open) })
	t.Run("Conversations", func(t *testing.T) { testConversations(t, open) })
}

func testVendors(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		s, clock := MustOpen(t, open)
		v := newVendor("openai", clock.T)
		NoErr(t, s.CreateVendor(ctx, v))
		got, err := s.VendorByName(ctx, "openai")
		NoErr(t, err)
		checkVendor(t, got, v)
		if !got.CreatedAt.Equal(clock.T) || !got.UpdatedAt.Equal(clock.T) {
			t.Fatalf("times = %v %v, want %v", got.CreatedAt, got.UpdatedAt, clock.T)
		}
		clock.T = clock.T.Add(time.Hour)
		got.Disabled, got.BAA = true, phigate.BAA{Status: phigate.BAANone}
		got.SealedCredential, got.Models = nil, nil
		NoErr(t, s.UpdateVendor(ctx, got))
		again, err := s.VendorByName(ctx, "openai")
		NoErr(t, err)
		checkVendor(t, again, got)
		if !again.UpdatedAt.Equal(clock.T) || !again.CreatedAt.Equal(v.CreatedAt) {
			t.Fatalf("after update: created %v updated %v", again.CreatedAt, again.UpdatedAt)
		}
		NoErr(t, s.CreateVendor(ctx, &phigate.Vendor{Name: "anthropic", BaseURL: "https://a", Format: phigate.FormatAnthropic,
			BAA: phigate.BAA{Status: phigate.BAANone}}))
		list, err := s.ListVendors(ctx)
		NoErr(t, err)
		if len(list) != 2 || list[0].Name != "anthropic" || list[1].Name != "openai" {
			t.Fatalf("ListVendors returned %d vendors in the wrong order", len(list))
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		s, clock := MustOpen(t, open)
		NoErr(t, s.CreateVendor(ctx, newVendor("openai", clock.T)))
		ErrCode(t, s.CreateVendor(ctx, newVendor("openai", clock.T)), phigate.ECONFLICT)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s, clock := MustOpen(t, open)
		_, err := s.VendorByName(ctx, "nobody")
		ErrCode(t, err, phigate.ENOTFOUND)
		ErrCode(t, s.UpdateVendor(ctx, newVendor("nobody", clock.T)), phigate.ENOTFOUND)
	})
}

func newVendor(name string, now time.Time) *phigate.Vendor {
	return &phigate.Vendor{Name: name, BaseURL: "https://api.example.com/v1", Format: phigate.FormatOpenAI,
		CredentialEnv: "OPENAI_API_KEY", CredentialFile: "/run/secrets/openai", SealedCredential: []byte{1, 2, 3},
		BAA: phigate.BAA{Status: phigate.BAASigned, Effective: now.Add(-time.Hour), Expires: now.AddDate(1, 0, 0),
			Categories: []phigate.Category{phigate.NAME, phigate.DATE}},
		SealedBAADocument: []byte("sealed pdf"), BAADocumentName: "baa.pdf", BAADocumentSHA256: "abc",
		Region: "us", Retention: "none", Training: true, Note: "zero retention", Models: []string{"gpt-4o", "gpt-4o-mini"}}
}

func checkVendor(t *testing.T, got, want *phigate.Vendor) {
	t.Helper()
	ok := got.Name == want.Name && got.BaseURL == want.BaseURL && got.Format == want.Format &&
		got.CredentialEnv == want.CredentialEnv && got.CredentialFile == want.CredentialFile &&
		bytes.Equal(got.SealedCredential, want.SealedCredential) && got.BAA.Status == want.BAA.Status &&
		got.BAA.Effective.Equal(want.BAA.Effective) && got.BAA.Expires.Equal(want.BAA.Expires) &&
		len(got.BAA.Categories) == len(want.BAA.Categories) &&
		bytes.Equal(got.SealedBAADocument, want.SealedBAADocument) && got.BAADocumentName == want.BAADocumentName &&
		got.BAADocumentSHA256 == want.BAADocumentSHA256 && got.Region == want.Region &&
		got.Retention == want.Retention && got.Training == want.Training && got.Note == want.Note &&
		len(got.Models) == len(want.Models) && got.Disabled == want.Disabled
	if !ok {
		t.Fatalf("vendor round trip:\n got %+v\nwant %+v", got, want)
	}
	for i := range got.BAA.Categories {
		if got.BAA.Categories[i] != want.BAA.Categories[i] {
			t.Fatalf("categories = %v, want %v", got.BAA.Categories, want.BAA.Categories)
		}
	}
	if want.BAA.Effective.IsZero() != got.BAA.Effective.IsZero() {
		t.Fatal("zero effective time not kept")
	}
}

func testConversations(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		s, clock := MustOpen(t, open)
		c := &phigate.Conversation{ID: "c1", Owner: "k1", Sealed: []byte("sealed-1"), ExpiresAt: clock.T.Add(time.Hour)}
		NoErr(t, s.PutConversation(ctx, c))
		if c.Version != 1 {
			t.Fatalf("version after insert = %d", c.Version)
		}
		got, err := s.ConversationByID(ctx, "c1")
		NoErr(t, err)
		if got.Owner != "k1" || string(got.Sealed) != "sealed-1" || got.Version != 1 ||
			!got.ExpiresAt.Equal(c.ExpiresAt) || !got.CreatedAt.Equal(clock.T) {
			t.Fatalf("ConversationByID = %+v", got)
		}
		clock.T = clock.T.Add(time.Minute)
		got.Sealed, got.ExpiresAt = []byte("sealed-2"), clock.T.Add(2*time.Hour)
		NoErr(t, s.PutConversation(ctx, got))
		again, err := s.ConversationByID(ctx, "c1")
		NoErr(t, err)
		if again.Version != 2 || string(again.Sealed) != "sealed-2" || !again.UpdatedAt.Equal(clock.T) {
			t.Fatalf("after update = %+v", again)
		}
		NoErr(t, s.DeleteConversation(ctx, "c1"))
		_, err = s.ConversationByID(ctx, "c1")
		ErrCode(t, err, phigate.ENOTFOUND)
		NoErr(t, s.DeleteConversation(ctx, "c1"))
	})
	t.Run("ErrConflict", func(t *testing.T) {
		s, clock := MustOpen(t, open)
		a := &phigate.Conversation{ID: "c1", Owner: "k1", Sealed: []byte("a"), ExpiresAt: clock.T.Add(time.Hour)}
		NoErr(t, s.PutConversation(ctx, a))
		ErrCode(t, s.PutConversation(ctx, &phigate.Conversation{ID: "c1", Owner: "k1", Sealed: []byte("b")}), phigate.ECONFLICT)
		stale := *a
		NoErr(t, s.PutConversation(ctx, a))
		ErrCode(t, s.PutConversation(ctx, &stale), phigate.ECONFLICT)
	})
	t.Run("Expired", func(t *testing.T) {
		s, clock := MustOpen(t, open)
		for i, d := range []time.Duration{-time.Hour, -time.Minute, 0, time.Minute} {
			id := string(rune('a' + i))
			NoErr(t, s.PutConversation(ctx, &phigate.Conversation{ID: id, Owner: "k", Sealed: []byte("x"), ExpiresAt: clock.T.Add(d)}))
		}
		ids, err := s.ExpiredConversations(ctx, clock.T, 10)
		NoErr(t, err)
		if len(ids) != 3 || ids[0] != "a" || ids[2] != "c" {
			t.Fatalf("expired = %v, want [a b c]", ids)
		}
		ids, err = s.ExpiredConversations(ctx, clock.T, 1)
		NoErr(t, err)
		if len(ids) != 1 {
			t.Fatalf("limit not applied: %v", ids)
		}
	})
}
