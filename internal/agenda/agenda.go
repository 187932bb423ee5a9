// Package agenda keeps the operators' agendas: appointments with a person
// and about a case (both optional), their place and, once they are past (or
// cancelled, or moved), their outcome. An operator manages their own agenda;
// an operator with agenda:unit manages the agendas of the operators who share
// a unit with them; an API client of the ente, which has no agenda of its
// own, names the operator. A case is linked only by who may read it, and an
// appointment whose case the viewer may no longer read is shown without it.
// Every read and change writes the audit trail in its own transaction.
package agenda

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/casefile"
)

// PlaceKinds are where an appointment happens, as the schema allows them.
var PlaceKinds = []string{"office", "home", "phone", "other"}

// Outcomes are how an appointment went, as the schema allows them.
var Outcomes = []string{"held", "missed", "cancelled", "rescheduled"}

// Appointment is one entry of an operator's agenda as a viewer sees it.
type Appointment struct {
	ID           uuid.UUID `json:"id"`
	OperatorID   uuid.UUID `json:"operator_id"`
	OperatorName string    `json:"operator_name"`
	// PersonID and PersonName are empty for an appointment without a person,
	// and for a viewer who may not read people.
	PersonID   *uuid.UUID `json:"person_id,omitempty"`
	PersonName string     `json:"person_name,omitempty"`
	// CaseID and CaseNumber are empty for an appointment without a case and
	// when its case is one the viewer may not read (CaseHidden).
	CaseID       *uuid.UUID `json:"case_id,omitempty"`
	CaseNumber   string     `json:"case_number,omitempty"`
	CaseHidden   bool       `json:"case_hidden"`
	StartsAt     time.Time  `json:"starts_at"`
	EndsAt       time.Time  `json:"ends_at"`
	PlaceKind    string     `json:"place_kind"`
	Place        string     `json:"place"`
	Title        string     `json:"title"`
	Notes        string     `json:"notes"`
	Outcome      string     `json:"outcome,omitempty"`
	OutcomeNotes string     `json:"outcome_notes,omitempty"`
	OutcomeAt    *time.Time `json:"outcome_at,omitempty"`
	CreatedBy    uuid.UUID  `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Version      int        `json:"version"`

	caseID   *uuid.UUID // the stored link, kept when the viewer may not see it
	personID *uuid.UUID
}

// Input is an appointment to write. The person and the case are given by id
// (API) or by tax code and case number (forms); a case without a person
// brings its person. A zero OperatorID is the viewer's own agenda.
type Input struct {
	OperatorID    uuid.UUID
	PersonID      *uuid.UUID
	PersonTaxCode string
	CaseID        *uuid.UUID
	CaseNumber    string
	StartsAt      time.Time
	EndsAt        time.Time
	PlaceKind     string
	Place         string
	Title         string
	Notes         string
}

// Outcome records how an appointment went.
type Outcome struct {
	Outcome string `json:"outcome"`
	Notes   string `json:"notes"`
}

// Filter selects appointments starting in [From, To). A nil OperatorID is
// the viewer's own agenda for an operator, every agenda for an API client.
type Filter struct {
	From, To   time.Time
	OperatorID *uuid.UUID
}

// Viewer is who reads or changes agendas: an operator, or an API client of
// the ente (Client), which has no agenda of its own and no units.
type Viewer struct {
	casefile.Viewer
	Client bool
}

// Operator is an operator whose agenda a viewer may manage, for the agenda
// page's choice.
type Operator struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// Cases tells what a viewer may do with a case (casefile.Service implements
// it), inside the caller's transaction.
type Cases interface {
	AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (casefile.Access, error)
}
