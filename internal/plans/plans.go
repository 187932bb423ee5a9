// Package plans keeps the PAI (piano assistenziale individualizzato) of a
// case: goals with horizon and outcome, the review interval and next review
// date, beneficiaries, the consent, the state (draft → active → closed with a
// reason) and the reviews, which are never changed. Interventions point at a
// plan by its id. Who may read or write is the case file's decision (casefile
// AccessTo), asked in the transaction that reads or writes, which also writes
// the trail.
package plans

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/people"
)

// The states of a plan.
const (
	Draft  = "draft"
	Active = "active"
	Closed = "closed"
)

// Horizons are the horizons of a goal; Outcomes the outcomes a review gives it.
var (
	Horizons = []string{"short", "medium", "long"}
	Outcomes = []string{"not_met", "partly_met", "met"}
)

// Plan is a PAI as it reads now.
type Plan struct {
	ID            uuid.UUID     `json:"id"`
	CaseID        uuid.UUID     `json:"case_id"`
	CaseNumber    string        `json:"case_number"`
	PersonID      uuid.UUID     `json:"person_id"`
	PersonName    string        `json:"person_name"`
	State         string        `json:"state"`
	ReviewMonths  int           `json:"review_months"`
	NextReviewOn  people.Date   `json:"next_review_on"` // null when not set
	Consent       Consent       `json:"consent"`
	Goals         []Goal        `json:"goals"`
	Beneficiaries []Beneficiary `json:"beneficiaries"`
	Reviews       []Review      `json:"reviews"` // oldest first
	ActivatedAt   *time.Time    `json:"activated_at"`
	ClosedAt      *time.Time    `json:"closed_at"`
	CloseReason   string        `json:"close_reason"`
	CreatedBy     uuid.UUID     `json:"created_by"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
}

// Consent is who consented to the plan, when, and whether they signed it.
type Consent struct {
	By     string      `json:"by"`
	On     people.Date `json:"on"`
	Signed bool        `json:"signed"`
}

// Goal is one goal of a plan; Outcome is "" until a review gives one.
type Goal struct {
	ID      uuid.UUID `json:"id"`
	Text    string    `json:"text"`
	Horizon string    `json:"horizon"`
	Outcome string    `json:"outcome"`
}

// Beneficiary is a person the plan is for.
type Beneficiary struct {
	PersonID uuid.UUID `json:"person_id"`
	Name     string    `json:"name"`
}

// Review is one review of a plan.
type Review struct {
	Seq          int                  `json:"seq"`
	ReviewedOn   people.Date          `json:"reviewed_on"`
	Notes        string               `json:"notes"`
	Outcomes     map[uuid.UUID]string `json:"outcomes"` // goal id → outcome
	NextReviewOn people.Date          `json:"next_review_on"`
	AuthorID     uuid.UUID            `json:"author_id"`
	AuthorName   string               `json:"author_name"`
	CreatedAt    time.Time            `json:"created_at"`
}

// GoalInput is a goal as written: an existing goal keeps its ID, a new one
// has none.
type GoalInput struct {
	ID      uuid.UUID `json:"id"`
	Text    string    `json:"text"`
	Horizon string    `json:"horizon"`
}

// Input is a new plan. Beneficiaries empty is the case's person.
type Input struct {
	ReviewMonths  int
	NextReviewOn  people.Date
	Goals         []GoalInput
	Beneficiaries []uuid.UUID
	Consent       Consent
}

// Patch changes a plan: nil fields stay as they are. State moves the plan
// (draft → active, active → closed with CloseReason).
type Patch struct {
	ReviewMonths  *int
	NextReviewOn  *people.Date
	Goals         *[]GoalInput
	Beneficiaries *[]uuid.UUID
	Consent       *Consent
	State         *string
	CloseReason   string
}

// ReviewInput is a review: its date (zero is today), notes, the outcome of
// some goals, and the next review date (zero is the date plus the interval).
type ReviewInput struct {
	ReviewedOn   people.Date
	Notes        string
	Outcomes     map[uuid.UUID]string
	NextReviewOn people.Date
}

// Candidate is a person who may be a plan's beneficiary: the case's person or
// a member of their household.
type Candidate struct {
	PersonID uuid.UUID `json:"person_id"`
	Name     string    `json:"name"`
	Self     bool      `json:"self"` // the case's person
}

// CaseInfo is the case plans are written for, as the pages need it.
type CaseInfo struct {
	CaseID     uuid.UUID
	CaseNumber string
	PersonID   uuid.UUID
	PersonName string
	Candidates []Candidate
}

// Due is an active plan whose review falls due.
type Due struct {
	PlanID        uuid.UUID   `json:"plan_id"`
	CaseID        uuid.UUID   `json:"case_id"`
	CaseNumber    string      `json:"case_number"`
	PersonName    string      `json:"person_name"`
	UnitID        uuid.UUID   `json:"unit_id"`
	ResponsibleID *uuid.UUID  `json:"responsible_id"`
	NextReviewOn  people.Date `json:"next_review_on"`
	Overdue       bool        `json:"overdue"`
}

// Cases tells what a viewer may do with a case (casefile.Service implements
// it), inside the caller's transaction.
type Cases interface {
	AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (casefile.Access, error)
}

// Limits of a plan's fields.
const (
	maxGoals      = 30
	maxGoalText   = 2000
	maxNotes      = 5000
	maxConsentBy  = 200
	maxReason     = 1000
	maxReviewGap  = 24
	defaultMonths = 6
)
