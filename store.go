package phigate

import "context"

// SchemaStatus describes the migrations of a store.
type SchemaStatus struct {
	Applied []string // names of applied migrations, in order
	Known   []string // names of migrations this binary carries, in order
}

// Current reports whether every known migration is applied and none is
// unknown to this binary.
func (s SchemaStatus) Current() bool {
	if len(s.Applied) != len(s.Known) {
		return false
	}
	known := make(map[string]bool, len(s.Known))
	for _, k := range s.Known {
		known[k] = true
	}
	for _, a := range s.Applied {
		if !known[a] {
			return false
		}
	}
	return true
}

// HealthStore is what readiness checks and doctor ask of a store.
type HealthStore interface {
	// Ping checks that the database answers. Codes: EUNAVAILABLE.
	Ping(ctx context.Context) error
	// SchemaStatus reports the applied and known migrations.
	SchemaStatus(ctx context.Context) (SchemaStatus, error)
}

// UserStore persists users. It holds no rules: validation, hashing and
// policy live above it.
type UserStore interface {
	// CreateUser inserts u; u.ID must be set. Codes: ECONFLICT (name taken).
	CreateUser(ctx context.Context, u *User) error
	// UserByID returns a user. Codes: ENOTFOUND.
	UserByID(ctx context.Context, id string) (*User, error)
	// UserByName returns a user by login name. Codes: ENOTFOUND.
	UserByName(ctx context.Context, name string) (*User, error)
	// UpdateUser replaces the mutable fields of u. Codes: ENOTFOUND.
	UpdateUser(ctx context.Context, u *User) error
	// ListUsers returns every user ordered by name.
	ListUsers(ctx context.Context) ([]*User, error)
	// CountUsers returns the number of users.
	CountUsers(ctx context.Context) (int, error)
}

// Store is everything phigate persists. Both the sqlite and postgres
// packages implement it, and internal/storetest checks they agree.
type Store interface {
	HealthStore
	UserStore
	AuthStore
	RecordStore
	VendorStore
	ConversationStore
	AuditStore
	KeyStore
	Close() error
}
