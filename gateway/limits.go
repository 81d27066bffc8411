package gateway

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/phigate/phigate"
)

// Limits bound what one API key (or user) may use through the gateway on
// one node. Zero fields mean unlimited.
type Limits struct {
	RequestsPerMinute int `toml:"requests_per_minute"`
	TokensPerDay      int `toml:"tokens_per_day"`
}

// limiter enforces Limits per caller.
type limiter struct {
	mu   sync.Mutex
	byID map[string]*usage
}

type usage struct {
	rpm    int
	lim    *rate.Limiter
	day    string
	tokens int
}

// allow takes one request from id's budget. Codes: ERATELIMIT.
func (l *limiter) allow(id string, lim Limits, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.usage(id, lim, now)
	if lim.TokensPerDay > 0 && u.tokens >= lim.TokensPerDay {
		return refuse(phigate.ERATELIMIT, reasonTokens, nil)
	}
	if u.lim != nil && !u.lim.AllowN(now, 1) {
		return refuse(phigate.ERATELIMIT, reasonRateLimit, nil)
	}
	return nil
}

// spend adds tokens to id's daily count.
func (l *limiter) spend(id string, lim Limits, tokens int, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.usage(id, lim, now).tokens += tokens
}

func (l *limiter) usage(id string, lim Limits, now time.Time) *usage {
	if l.byID == nil {
		l.byID = map[string]*usage{}
	}
	u := l.byID[id]
	if u == nil || u.rpm != lim.RequestsPerMinute {
		u = &usage{rpm: lim.RequestsPerMinute}
		if lim.RequestsPerMinute > 0 {
			u.lim = rate.NewLimiter(rate.Limit(float64(lim.RequestsPerMinute)/60), lim.RequestsPerMinute)
		}
		if old := l.byID[id]; old != nil {
			u.day, u.tokens = old.day, old.tokens
		}
		l.byID[id] = u
	}
	if day := now.UTC().Format(time.DateOnly); u.day != day {
		u.day, u.tokens = day, 0
	}
	return u
}
