package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/phigate/phigate"
)

func testHealth(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		s, _ := MustOpen(t, open)
		ctx := context.Background()
		NoErr(t, s.Ping(ctx))
		st, err := s.SchemaStatus(ctx)
		NoErr(t, err)
		if !st.Current() || len(st.Known) == 0 {
			t.Fatalf("schema not current after open: %+v", st)
		}
	})
}

func testUsers(t *testing.T, open Opener) {
	ctx := context.Background()
	newUser := func(id, name string) *phigate.User {
		return &phigate.User{ID: id, Name: name, PasswordHash: "$argon2id$x",
			Roles: []phigate.Role{phigate.RoleClinician, phigate.RoleNurse}}
	}
	t.Run("OK", func(t *testing.T) {
		s, clock := MustOpen(t, open)
		u := newUser("u1", "alice")
		NoErr(t, s.CreateUser(ctx, u))
		got, err := s.UserByName(ctx, "alice")
		NoErr(t, err)
		if got.ID != "u1" || len(got.Roles) != 2 || got.Roles[1] != phigate.RoleNurse || got.PasswordHash != "$argon2id$x" {
			t.Fatalf("UserByName = %+v", got)
		}
		if !got.CreatedAt.Equal(clock.T) {
			t.Fatalf("CreatedAt = %v, want %v", got.CreatedAt, clock.T)
		}
		clock.T = clock.T.Add(time.Hour)
		got.Disabled, got.MustChangePassword = true, true
		NoErr(t, s.UpdateUser(ctx, got))
		again, err := s.UserByID(ctx, "u1")
		NoErr(t, err)
		if !again.Disabled || !again.MustChangePassword || !again.UpdatedAt.Equal(clock.T) || !again.CreatedAt.Equal(got.CreatedAt) {
			t.Fatalf("after update = %+v", again)
		}
		NoErr(t, s.CreateUser(ctx, newUser("u0", "bob")))
		list, err := s.ListUsers(ctx)
		NoErr(t, err)
		if len(list) != 2 || list[0].Name != "alice" || list[1].Name != "bob" {
			t.Fatalf("ListUsers order wrong: %d users", len(list))
		}
		n, err := s.CountUsers(ctx)
		NoErr(t, err)
		if n != 2 {
			t.Fatalf("CountUsers = %d, want 2", n)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		s, _ := MustOpen(t, open)
		NoErr(t, s.CreateUser(ctx, newUser("u1", "alice")))
		ErrCode(t, s.CreateUser(ctx, newUser("u2", "alice")), phigate.ECONFLICT)
		ErrCode(t, s.CreateUser(ctx, newUser("u1", "carol")), phigate.ECONFLICT)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s, _ := MustOpen(t, open)
		_, err := s.UserByName(ctx, "nobody")
		ErrCode(t, err, phigate.ENOTFOUND)
		_, err = s.UserByID(ctx, "nobody")
		ErrCode(t, err, phigate.ENOTFOUND)
		ErrCode(t, s.UpdateUser(ctx, newUser("nobody", "x")), phigate.ENOTFOUND)
	})
}
