package auth

import (
	"time"

	phigate "github.com/phigate/phigate"
)

// Lockout slows down and then locks repeated failed logins for one key (an
// account or a source address).
type Lockout struct {
	// SlowAfter failures in a row, each further attempt must wait
	// BaseDelay doubled per extra failure, at most MaxDelay.
	SlowAfter int
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// LockAfter failures lock the key for LockFor.
	LockAfter int
	LockFor   time.Duration
	// Window forgets failures older than this.
	Window time.Duration
}

// Defaults for accounts and for source addresses (shared by many users
// behind one NAT, so looser).
var (
	DefaultAccountLockout = Lockout{SlowAfter: 3, BaseDelay: time.Second, MaxDelay: 30 * time.Second,
		LockAfter: 5, LockFor: 15 * time.Minute, Window: 15 * time.Minute}
	DefaultSourceLockout = Lockout{SlowAfter: 10, BaseDelay: time.Second, MaxDelay: 30 * time.Second,
		LockAfter: 30, LockFor: 15 * time.Minute, Window: 15 * time.Minute}
)

// Check reports whether an attempt for the key in state f may be made now.
// Codes: ELOCKED (locked), ERATELIMIT (too soon after the last failure).
func (l Lockout) Check(f *phigate.LoginFailure, now time.Time) error {
	if f == nil || f.Failures == 0 {
		return nil
	}
	if now.Before(f.LockedUntil) {
		return phigate.Errorf(phigate.ELOCKED, "auth.Lockout", "locked after %d failures", f.Failures)
	}
	if now.Sub(f.LastFailure) > l.Window {
		return nil
	}
	if wait := l.delay(f.Failures); now.Before(f.LastFailure.Add(wait)) {
		return phigate.Errorf(phigate.ERATELIMIT, "auth.Lockout", "%d failures: retry after delay", f.Failures)
	}
	return nil
}

func (l Lockout) delay(failures int) time.Duration {
	if failures < l.SlowAfter {
		return 0
	}
	d := l.BaseDelay
	for i := l.SlowAfter; i < failures && d < l.MaxDelay; i++ {
		d *= 2
	}
	return min(d, l.MaxDelay)
}

// Fail returns the state after one more failure at now, and whether that
// failure locked the key.
func (l Lockout) Fail(f *phigate.LoginFailure, key string, now time.Time) (*phigate.LoginFailure, bool) {
	next := phigate.LoginFailure{Key: key}
	if f != nil {
		next = *f
	}
	if !next.LastFailure.IsZero() && now.Sub(next.LastFailure) > l.Window && !now.Before(next.LockedUntil) {
		next.Failures = 0
	}
	next.Failures++
	next.LastFailure = now
	locked := false
	if l.LockAfter > 0 && next.Failures >= l.LockAfter && !now.Before(next.LockedUntil) {
		next.LockedUntil = now.Add(l.LockFor)
		locked = true
	}
	return &next, locked
}
