package phigate

import (
	"errors"
	"fmt"
)

// Error codes. They are stable and append-only: clients, tests and audit
// events depend on them. Each maps to one HTTP status and one fixed message
// shown to users (see ErrorMessage); the wrapped error is never shown.
const (
	EINVALID         = "invalid"           // the request is malformed or fails validation
	EUNAUTHENTICATED = "unauthenticated"   // no valid credential was presented
	EFORBIDDEN       = "forbidden"         // the caller may not do this
	ENOTFOUND        = "not_found"         // the resource does not exist (or is withheld)
	ECONFLICT        = "conflict"          // the resource already exists or changed
	ETOOLARGE        = "too_large"         // the body or input exceeds a limit
	ERATELIMIT       = "rate_limited"      // too many requests or attempts
	ELOCKED          = "locked"            // the account or source is locked out
	EMFAREQUIRED     = "mfa_required"      // a second factor is required first
	EPOLICY          = "policy"            // refused by a data-protection policy
	EAUDIT           = "audit_unavailable" // the access could not be recorded, so it did not happen
	EUPSTREAM        = "upstream"          // an upstream service failed
	EUNAVAILABLE     = "unavailable"       // a dependency is not reachable
	ECRYPTO          = "crypto"            // data could not be sealed or opened
	EVERSION         = "version"           // data was written by a newer phigate
	EINTERNAL        = "internal"          // a bug or unexpected failure
)

var errorMessages = map[string]string{
	EINVALID:         "The request is invalid.",
	EUNAUTHENTICATED: "Authentication is required.",
	EFORBIDDEN:       "You are not allowed to do this.",
	ENOTFOUND:        "Not found.",
	ECONFLICT:        "The resource already exists or was changed.",
	ETOOLARGE:        "The request is too large.",
	ERATELIMIT:       "Too many requests; try again later.",
	ELOCKED:          "Too many failed attempts; access is locked for a while.",
	EMFAREQUIRED:     "Multi-factor authentication is required.",
	EPOLICY:          "The request was refused by the data-protection policy.",
	EAUDIT:           "The access was refused because it could not be recorded in the audit log.",
	EUPSTREAM:        "The upstream service failed.",
	EUNAVAILABLE:     "A required service is unavailable.",
	ECRYPTO:          "Protected data could not be sealed or opened.",
	EVERSION:         "The data was written by a newer version of phigate.",
	EINTERNAL:        "Internal error.",
}

// errorStatus maps codes to HTTP status codes.
var errorStatus = map[string]int{
	EINVALID:         400,
	EUNAUTHENTICATED: 401,
	EFORBIDDEN:       403,
	ENOTFOUND:        404,
	ECONFLICT:        409,
	ETOOLARGE:        413,
	ERATELIMIT:       429,
	ELOCKED:          429,
	EMFAREQUIRED:     403,
	EPOLICY:          403,
	EAUDIT:           503,
	EUPSTREAM:        502,
	EUNAVAILABLE:     503,
	ECRYPTO:          500,
	EVERSION:         500,
	EINTERNAL:        500,
}

// ErrorCodes lists every error code, in declaration order.
var ErrorCodes = []string{
	EINVALID, EUNAUTHENTICATED, EFORBIDDEN, ENOTFOUND, ECONFLICT, ETOOLARGE,
	ERATELIMIT, ELOCKED, EMFAREQUIRED, EPOLICY, EAUDIT, EUPSTREAM,
	EUNAVAILABLE, ECRYPTO, EVERSION, EINTERNAL,
}

// Error is the one error type of phigate. Code is stable; Op names the
// operation that failed ("sqlite.CreateUser"); Err is the cause.
//
// Dynamic values enter an Error only as typed identifiers (ids, counts, field
// names, line numbers), never as payload text: errors end up in logs, and
// logs must never hold PHI.
type Error struct {
	Code string
	Op   string
	Err  error
}

// Error returns "op: code: cause" for logs. It is never shown to users; they
// see ErrorMessage.
func (e *Error) Error() string {
	s := e.Code
	if e.Op != "" {
		s = e.Op + ": " + s
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and op whose cause is
// formatted from format and args. Args must never carry PHI.
func Errorf(code, op, format string, args ...any) *Error {
	return &Error{Code: code, Op: op, Err: fmt.Errorf(format, args...)}
}

// E wraps err with a code and op. A nil err gives an Error with no cause.
func E(code, op string, err error) *Error {
	return &Error{Code: code, Op: op, Err: err}
}

// ErrorCode returns the code of the outermost *Error in err's chain,
// EINTERNAL for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the fixed, user-facing message for err's code. It
// never includes the text of the cause.
func ErrorMessage(err error) string {
	if m, ok := errorMessages[ErrorCode(err)]; ok {
		return m
	}
	return errorMessages[EINTERNAL]
}

// ErrorStatus returns the HTTP status for err's code.
func ErrorStatus(err error) int {
	if s, ok := errorStatus[ErrorCode(err)]; ok {
		return s
	}
	return 500
}

// CodeMessage returns the fixed message for a code.
func CodeMessage(code string) string {
	if m, ok := errorMessages[code]; ok {
		return m
	}
	return errorMessages[EINTERNAL]
}
