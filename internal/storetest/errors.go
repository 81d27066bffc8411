package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/phigate/phigate"
)

// RunErrorOps checks that the errors of s name the failed operation as
// "<name>.<Method>" (name is "sqlite" or "postgres"), for methods of the
// shared code and of the store's own, and carry the right codes.
func RunErrorOps(t *testing.T, s phigate.Store, name string) {
	ctx := context.Background()
	NoErr(t, s.CreateUser(ctx, &phigate.User{ID: "op1", Name: "op-user", PasswordHash: "h"}))
	_, errNotFound := s.UserByID(ctx, "nobody")
	_, errKey := s.DataKey(ctx, "patient:nobody", 1)
	_, errRewrap := s.RewrapDataKeys(ctx, nil, []uint32{1})
	cases := []struct {
		name, op, code string
		err            error
	}{
		{"ErrConflict", "CreateUser", phigate.ECONFLICT, s.CreateUser(ctx, &phigate.User{ID: "op2", Name: "op-user", PasswordHash: "h"})},
		{"ErrNotFound", "UserByID", phigate.ENOTFOUND, errNotFound},
		{"ErrForeignKey", "AddCareTeam", phigate.EINVALID, s.AddCareTeam(ctx, "p-nobody", "op1", NewClock().T)},
		{"ErrNoDataKey", "DataKey", phigate.ENOTFOUND, errKey},
		{"ErrRewrapArgs", "RewrapDataKeys", phigate.EINVALID, errRewrap},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ErrCode(t, c.err, c.code)
			var e *phigate.Error
			if !errors.As(c.err, &e) || e.Op != name+"."+c.op {
				t.Fatalf("op of %v, want %s.%s", c.err, name, c.op)
			}
		})
	}
}
