// Package audit keeps the append-only, hash-chained audit trails: one per ente
// (audit_events) and one per console, regional or platform (console_audit_events).
//
// Each event's hash covers the previous event's hash and a canonical encoding of
// the event itself, so that a row changed or removed behind the application's
// back (the runtime role may only INSERT and SELECT) breaks the chain, and Verify
// names the first event that no longer fits.
package audit

import (
	"time"

	"github.com/google/uuid"
)

// Event is one thing that happened, as the code that did it describes it.
type Event struct {
	Action     string    // "domain.verb", lowercase with underscores: "auth.login", "operator.created"
	ActorID    uuid.UUID // uuid.Nil when unknown (a failed login of an unknown e-mail)
	Actor      string    // e-mail or label as typed
	ObjectType string
	ObjectID   string
	IP         string         // client address; "" (or anything that is not an address) is stored as NULL
	Details    map[string]any // stored as JSON
}

// Record is an Event as stored: its place in the chain and when it was written.
type Record struct {
	Seq int64
	At  time.Time
	Event
}

// Filter selects events for List and ListConsole; zero fields select everything.
// Events come newest first; BeforeSeq pages backwards (events with a smaller seq).
type Filter struct {
	ObjectType   string
	ObjectID     string
	ActorID      uuid.UUID
	Actor        string // part of the actor's e-mail or label, any case
	ActionPrefix string // "auth." selects every authentication event
	BeforeSeq    int64
	Limit        int // 0 means DefaultLimit; at most MaxLimit
}

// Page sizes of List.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)
