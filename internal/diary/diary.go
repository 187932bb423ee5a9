// Package diary keeps the diary of each case: typed entries written by the
// case's operators, some reserved, never overwritten — a correction is a new
// revision with its reason, and the entry shows its latest. Who may read or
// write is the case file's decision (casefile.Service.AccessTo), asked in the
// same transaction that reads or writes, which also writes the access trail.
package diary

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/casefile"
)

// Kinds are the kinds of diary entry, as the schema allows them.
var Kinds = []string{"interview", "home_visit", "report", "note", "call", "team_meeting",
	"state_change", "assessment", "plan", "document", "isee", "court_order", "other"}

// Entry is a diary entry as it reads now: its latest revision.
type Entry struct {
	ID         uuid.UUID `json:"id"`
	CaseID     uuid.UUID `json:"case_id"`
	Kind       string    `json:"kind"`
	OccurredAt time.Time `json:"occurred_at"`
	Reserved   bool      `json:"reserved"`
	AuthorID   uuid.UUID `json:"author_id"`
	AuthorName string    `json:"author_name"`
	CreatedAt  time.Time `json:"created_at"`
	// Revision is the latest revision's number; Corrected is Revision > 1.
	Revision  int       `json:"revision"`
	Corrected bool      `json:"corrected"`
	Text      string    `json:"text"`
	UpdatedAt time.Time `json:"updated_at"` // when the latest revision was written
}

// Revision is one version of an entry's text: the first as written, the
// others corrections with their reason.
type Revision struct {
	Revision   int       `json:"revision"`
	Text       string    `json:"text"`
	Reason     string    `json:"reason,omitempty"`
	AuthorID   uuid.UUID `json:"author_id"`
	AuthorName string    `json:"author_name"`
	CreatedAt  time.Time `json:"created_at"`
}

// NewEntry is an entry to write. A zero OccurredAt is now.
type NewEntry struct {
	Kind       string    `json:"kind"`
	OccurredAt time.Time `json:"occurred_at"`
	Reserved   bool      `json:"reserved"`
	Text       string    `json:"text"`
}

// Correction corrects an entry's text; Reason is required.
type Correction struct {
	Text   string `json:"text"`
	Reason string `json:"reason"`
}

// Cases tells what a viewer may do with a case (casefile.Service implements
// it), inside the caller's transaction.
type Cases interface {
	AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (casefile.Access, error)
}
