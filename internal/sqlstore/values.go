package sqlstore

import (
	"database/sql"
	"encoding/json"
	"time"
)

// Times are stored as integer nanoseconds since 1970 in UTC.

// UnixOf returns t as stored.
func UnixOf(t time.Time) int64 { return t.UnixNano() }

// TimeOf returns a stored time.
func TimeOf(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// OptUnix stores an optional time: the zero time is 0.
func OptUnix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// OptTime reads an optional time: 0 is the zero time.
func OptTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return TimeOf(ns)
}

// NonNil returns b, or an empty slice for nil, for NOT NULL blob columns.
func NonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// jsonText encodes a list for a TEXT column.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// nullText stores "" as NULL, for unique columns that may be unset.
func nullText(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
