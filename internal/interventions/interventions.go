// Package interventions keeps the interventions (prestazioni) granted to the
// people of a case: requested by the social worker, approved, ranked or
// refused by the coordinator, activated, suspended and closed by the
// administrative office, with their amounts, shares, hours and means-test
// data, and the deliveries (erogazioni) of each. Every change of state, and
// every edit of an active intervention, is kept as an event with a snapshot of
// the intervention: issue 6 builds the SIUSS flows (PS_PSA_SINA) from them.
//
// Who may move an intervention is decided by one table (transitions, in
// machine.go) from the caller's permissions; what an intervention needs to
// become active by Missing. Who may see it is the case file's decision
// (casefile AccessTo, Content) for the case's operators; holders of
// interventions:deliver (the administrative office) see every intervention of
// the ente, reserved cases included — they pay and report them — but only the
// intervention's administrative data, never the case's content or diary.
package interventions

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/people"
)

// The states of an intervention.
const (
	StateRequested = "requested"
	StateApproved  = "approved"
	StateRanked    = "ranked" // in the ranking (graduatoria), waiting for funds or a place
	StateActive    = "active"
	StateSuspended = "suspended"
	StateClosed    = "closed"
	StateRefused   = "refused"
)

// States lists every state in the order of the path an intervention takes.
var States = []string{StateRequested, StateApproved, StateRanked, StateActive, StateSuspended, StateClosed, StateRefused}

// Means-test presence (SIUSS PresenzaProvaMezzi).
const (
	MeansTestISEE   = "1" // subject to ISEE
	MeansTestOther  = "2" // means-tested, not through ISEE
	MeansTestExempt = "3" // exempt
	MeansTestNone   = "4" // no means test
)

// MeansTests lists the means-test codes.
var MeansTests = []string{MeansTestISEE, MeansTestOther, MeansTestExempt, MeansTestNone}

// Character of the intervention (SIUSS CaratterePrestazione).
const (
	CharacterPeriodic   = "1"
	CharacterOccasional = "2"
)

// Units of measure of a catalogue entry that decide which amounts an
// intervention needs: hours need monthly hours, the others an amount.
const (
	UnitHours = "hours"
	UnitEuro  = "euro"
	UnitDays  = "days"
)

// Data is what a request, an edit or the administrative office fills in: the
// intervention's administrative data, as SIUSS wants them. Amounts are euro
// cents; shares are percentages (ente + user + health service = 100); a nil
// share is the catalogue entry's default.
type Data struct {
	ApplicationProtocol  string      `json:"application_protocol"` // ProtocolloDomanda, 1..32
	StartDate            people.Date `json:"start_date"`
	EndDate              people.Date `json:"end_date"`
	Character            string      `json:"character"` // "1" periodic, "2" occasional; "" the entry's
	MonthlyAmountCents   *int64      `json:"monthly_amount_cents"`
	TotalAmountCents     *int64      `json:"total_amount_cents"`
	PeriodMonths         *int        `json:"period_months"` // PeriodoErogazione, 1..12
	ShareEnte            *float64    `json:"share_ente"`
	ShareUser            *float64    `json:"share_user"`
	ShareHealth          *float64    `json:"share_health"`
	RequestedAmountCents *int64      `json:"requested_amount_cents"` // ImportoQuotaRichiesta
	MonthlyHours         *float64    `json:"monthly_hours"`
	MeansTest            string      `json:"means_test"` // "1".."4"; "" the entry's
	DSUProtocol          string      `json:"dsu_protocol"`
	DSUYear              *int        `json:"dsu_year"`
	DSUDate              people.Date `json:"dsu_date"`
	ISEEValueCents       *int64      `json:"isee_value_cents"`
	TakenInCharge        bool        `json:"taken_in_charge"`
	Notes                string      `json:"notes"`
}

// NewIntervention is a request: the beneficiary, the case, the catalogue
// entry, optionally the PAI it belongs to, and its first data.
type NewIntervention struct {
	PersonID       uuid.UUID  `json:"person_id"`
	CaseID         uuid.UUID  `json:"case_id"`
	CatalogEntryID uuid.UUID  `json:"catalog_entry_id"`
	PlanID         *uuid.UUID `json:"plan_id"`
	Data
}

// Intervention is one intervention as it reads now.
type Intervention struct {
	ID             uuid.UUID  `json:"id"`
	PersonID       uuid.UUID  `json:"person_id"`
	PersonName     string     `json:"person_name"`
	PersonTaxCode  string     `json:"person_tax_code,omitempty"` // empty: the person has only a provisional id
	CaseID         uuid.UUID  `json:"case_id"`
	CaseNumber     string     `json:"case_number"`
	CatalogEntryID uuid.UUID  `json:"catalog_entry_id"`
	CatalogName    string     `json:"catalog_name"`
	INPSCode       string     `json:"inps_code"`
	Unit           string     `json:"unit"` // the entry's unit of measure
	PlanID         *uuid.UUID `json:"plan_id,omitempty"`
	State          string     `json:"state"`
	Data
	// ISEEThresholdCents is the entry's ISEE threshold, copied when the
	// intervention was requested and again when it becomes active
	// (ImportoSogliaISEE).
	ISEEThresholdCents *int64      `json:"isee_threshold_cents,omitempty"`
	ClosedOn           people.Date `json:"closed_on"`
	CreatedBy          uuid.UUID   `json:"created_by"`
	CreatedByName      string      `json:"created_by_name"`
	CreatedAt          time.Time   `json:"created_at"`
	UpdatedAt          time.Time   `json:"updated_at"`
	Version            int         `json:"version"`
}

// Event is one step of an intervention's history: its request, each change
// of state, each edit of an active (or suspended) intervention. Snapshot is
// the intervention after the step.
type Event struct {
	Seq       int             `json:"seq"`
	Kind      string          `json:"kind"` // created, transition, changed
	FromState string          `json:"from_state,omitempty"`
	ToState   string          `json:"to_state"`
	ByID      uuid.UUID       `json:"by_id"`
	ByName    string          `json:"by_name"`
	At        time.Time       `json:"at"`
	Reason    string          `json:"reason,omitempty"`
	Snapshot  json.RawMessage `json:"snapshot"`
}

// Delivery is one delivery (erogazione) of an intervention: a payment, hours
// of service, or both. A delivery is never changed: a wrong one is cancelled
// (Cancelled) and recorded again.
type Delivery struct {
	ID             uuid.UUID   `json:"id"`
	InterventionID uuid.UUID   `json:"intervention_id"`
	DeliveredOn    people.Date `json:"delivered_on"`
	AmountCents    *int64      `json:"amount_cents"`
	Hours          *float64    `json:"hours"`
	Provider       string      `json:"provider"`
	Notes          string      `json:"notes"`
	RecordedBy     uuid.UUID   `json:"recorded_by"`
	RecordedByName string      `json:"recorded_by_name"`
	RecordedAt     time.Time   `json:"recorded_at"`
	Cancelled      bool        `json:"cancelled"`
	CancelReason   string      `json:"cancel_reason,omitempty"`
}

// NewDelivery is a delivery to record.
type NewDelivery struct {
	DeliveredOn people.Date `json:"delivered_on"`
	AmountCents *int64      `json:"amount_cents"`
	Hours       *float64    `json:"hours"`
	Provider    string      `json:"provider"`
	Notes       string      `json:"notes"`
}

// Filter selects the interventions List returns; zero fields select all.
type Filter struct {
	CaseID         uuid.UUID
	State          string
	CatalogEntryID uuid.UUID
	UnitID         uuid.UUID // the case's unit
	ResponsibleID  uuid.UUID // the case's responsible operator
}

// Cases tells what a viewer may do with a case (casefile.Service implements
// it), inside the caller's transaction.
type Cases interface {
	AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (casefile.Access, error)
}
