// Package derrors holds the kinds of error every layer speaks: a domain package
// wraps one of them, and the web layer maps each to one HTTP status, in one place.
package derrors

import "errors"

// The error kinds.
var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
	// ErrSuspended is an ente that exists but may not be used.
	ErrSuspended = errors.New("suspended")
)
