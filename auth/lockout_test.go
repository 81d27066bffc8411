package auth_test

import (
	"testing"
	"time"

	phigate "github.com/phigate/phigate"
	"github.com/phigate/phigate/auth"
)

func TestLockout(t *testing.T) {
	l := auth.DefaultAccountLockout
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	var f *phigate.LoginFailure
	fail := func() bool {
		var locked bool
		f, locked = l.Fail(f, "user:u1", now)
		return locked
	}
	for i := 1; i < l.SlowAfter; i++ {
		if fail() || l.Check(f, now) != nil {
			t.Fatalf("failure %d already slowed", i)
		}
	}
	fail() // SlowAfter failures: a delay starts
	if code := phigate.ErrorCode(l.Check(f, now)); code != phigate.ERATELIMIT {
		t.Fatalf("after %d failures: %q, want rate_limited", l.SlowAfter, code)
	}
	now = now.Add(l.BaseDelay)
	if err := l.Check(f, now); err != nil {
		t.Fatalf("after the delay: %v", err)
	}
	for f.Failures < l.LockAfter-1 {
		if fail() {
			t.Fatalf("locked after %d", f.Failures)
		}
		now = now.Add(l.MaxDelay)
	}
	if !fail() {
		t.Fatal("not locked")
	}
	if code := phigate.ErrorCode(l.Check(f, now.Add(l.LockFor-time.Second))); code != phigate.ELOCKED {
		t.Fatalf("during lock: %q", code)
	}
	now = now.Add(l.LockFor + l.Window)
	if err := l.Check(f, now); err != nil {
		t.Fatalf("after lock and window: %v", err)
	}
	if fail(); f.Failures != 1 {
		t.Fatalf("failures not forgotten after the window: %d", f.Failures)
	}
}
