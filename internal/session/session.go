// Package session keeps operators' login sessions in Redis, so that every
// instance of the server sees the same sessions and a logout is immediate
// everywhere.
//
// The browser holds only an opaque random token; Redis holds the session under
// the SHA-256 of that token, so a copy of Redis gives no usable cookie. A
// session ends after Idle without requests or Absolute after it was created,
// whichever comes first; both are fixed when it is created, from the ente's
// security settings.
package session

import (
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/db"
)

// Stage is how far the login of a session has gone.
type Stage string

// The stages of a login.
const (
	StagePassword Stage = "password" // password checked, second factor pending
	StageEnroll   Stage = "enroll"   // password checked, MFA enrolment is mandatory and pending
	StageFull     Stage = "full"     // logged in
)

// ErrNoSession is returned for a token that names no live session: unknown,
// logged out, rotated away, or past its idle or absolute timeout.
var ErrNoSession = errors.New("session: no such session")

// Session is one operator's login in one scope.
type Session struct {
	OperatorID uuid.UUID         `json:"operator_id"`
	Scope      db.Scope          `json:"scope"` // the one ente, region or platform it was opened for
	Stage      Stage             `json:"stage"`
	CSRF       string            `json:"csrf"` // anti-CSRF token for forms; set by the Store
	Locale     string            `json:"locale"`
	IP         string            `json:"ip"`
	UserAgent  string            `json:"user_agent"`
	CreatedAt  time.Time         `json:"created_at"`
	LastSeen   time.Time         `json:"last_seen"`
	Idle       time.Duration     `json:"idle"`     // ends after this long without requests
	Absolute   time.Duration     `json:"absolute"` // ends this long after CreatedAt, in any case
	Values     map[string]string `json:"values"`   // small extras: OIDC state and nonce, return-to URL
}

// expired reports whether s is past either timeout at now.
func (s *Session) expired(now time.Time) bool {
	return !now.Before(s.CreatedAt.Add(s.Absolute)) || !now.Before(s.LastSeen.Add(s.Idle))
}

// ttl is how long Redis should keep s from now: until it would idle out, but
// never past its absolute end.
func (s *Session) ttl(now time.Time) time.Duration {
	ttl := s.Idle
	if left := s.CreatedAt.Add(s.Absolute).Sub(now); left < ttl {
		ttl = left
	}
	if ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	return ttl
}
