package auth

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	phigate "github.com/phigate/phigate"
)

// Break-glass reason limits.
const (
	MinBreakGlassReason = 10
	MaxBreakGlassReason = 1000
)

// OpenBreakGlass opens an emergency-access window of BreakGlassWindow for
// the principal's session. The stated reason is stored sealed (it is free
// text and may name a patient); the audit log gets the window's id and an
// alert for the privacy officer. mayBreakGlass is the policy's answer for
// the principal's roles (policy.CanBreakGlass). Codes: EUNAUTHENTICATED,
// EMFAREQUIRED, EFORBIDDEN, EINVALID, EAUDIT.
func (s *Service) OpenBreakGlass(ctx context.Context, p *phigate.Principal, mayBreakGlass bool, reason, source string) (*phigate.BreakGlass, error) {
	const op = "auth.OpenBreakGlass"
	switch {
	case p == nil || p.SessionID == "":
		return nil, phigate.Errorf(phigate.EUNAUTHENTICATED, op, "a signed-in session is required")
	case !p.MFA:
		return nil, phigate.Errorf(phigate.EMFAREQUIRED, op, "break-glass needs a verified second factor")
	case !mayBreakGlass:
		_ = s.record(ctx, &phigate.Event{Action: "breakglass.open", Actor: p.UserID, Source: SourceIP(source), Outcome: phigate.OutcomeDenied, Reason: "role_may_not_break_glass"})
		return nil, phigate.Errorf(phigate.EFORBIDDEN, op, "no role may break the glass")
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < MinBreakGlassReason || n > MaxBreakGlassReason {
		return nil, phigate.Errorf(phigate.EINVALID, op, "reason must have %d to %d characters", MinBreakGlassReason, MaxBreakGlassReason)
	}
	b, err := s.newBreakGlass(ctx, p, reason)
	if err != nil {
		return nil, err
	}
	e := &phigate.Event{Action: "breakglass.open", Actor: p.UserID, Source: SourceIP(source), Outcome: phigate.OutcomeSuccess,
		BreakGlass: true, Resource: "breakglass:" + b.ID, Fields: map[string]string{"alert": "break_glass", "until": b.Until.Format("2006-01-02T15:04:05Z")}}
	if err := s.record(ctx, e); err != nil {
		return nil, err
	}
	if err := s.storeBreakGlass(ctx, p, b); err != nil {
		return nil, err
	}
	p.BreakGlassUntil = b.Until
	return b, nil
}

func (s *Service) newBreakGlass(ctx context.Context, p *phigate.Principal, reason string) (*phigate.BreakGlass, error) {
	id, err := newID(s.Rand, "bg_")
	if err != nil {
		return nil, err
	}
	sealed, err := s.seal(ctx, p.UserID, phigate.Place{Table: "break_glass", Row: id, Field: "reason"}, []byte(reason))
	if err != nil {
		return nil, err
	}
	now := s.now()
	return &phigate.BreakGlass{ID: id, UserID: p.UserID, SessionID: p.SessionID, Reason: sealed,
		OpenedAt: now, Until: now.Add(s.BreakGlassWindow)}, nil
}

func (s *Service) storeBreakGlass(ctx context.Context, p *phigate.Principal, b *phigate.BreakGlass) error {
	if err := s.Store.CreateBreakGlass(ctx, b); err != nil {
		return fmt.Errorf("open break-glass: %w", err)
	}
	sess, err := s.Store.SessionByID(ctx, p.SessionID)
	if err != nil {
		return fmt.Errorf("open break-glass: %w", err)
	}
	sess.BreakGlassUntil = b.Until
	if err := s.Store.UpdateSession(ctx, sess); err != nil {
		return fmt.Errorf("open break-glass: %w", err)
	}
	return nil
}

// BreakGlassReason opens the stated reason of a window, for the privacy
// officer's review. Security-sensitive: the text may hold PHI.
func (s *Service) BreakGlassReason(ctx context.Context, b *phigate.BreakGlass) (string, error) {
	raw, err := s.open(ctx, b.UserID, phigate.Place{Table: "break_glass", Row: b.ID, Field: "reason"}, b.Reason)
	return string(raw), err
}
