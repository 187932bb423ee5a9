// Package access keeps intake: the accesses recorded at a PUA or segretariato
// desk (who came or called, for whom, needing what, and how it ended) and the
// referrals of a person to another unit, another ente or the health service.
//
// An access is written step by step as a draft of its operator's; it is
// created only when the last step is confirmed, and then in one transaction
// with what its outcome causes: a proposal opens a case (internal/casefile), a
// referral is sent. Every read and change is written to the ente's audit
// trail in the same transaction.
package access

import (
	"time"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/people"
)

// The states of an access.
const (
	Draft    = "draft"    // the operator's wizard in progress; nobody else sees it
	Created  = "created"  // confirmed
	Seen     = "seen"     // opened by an operator of its unit other than its author
	Accepted = "accepted" // taken up by the unit
	Rejected = "rejected" // turned down, with a reason
)

// The steps of the intake wizard, in order; Confirm follows the last.
var Steps = []string{"interlocutor", "person", "reference", "needs", "services", "outcome"}

// Codes lists the values of the access's coded fields.
var (
	Channels      = []string{"in_person", "phone", "email", "home_visit", "written_report", "other_remote"}
	Interlocutors = []string{"self", "relative", "health_service", "school", "court", "police", "other"}
	Reasons       = []string{"court_decree", "sent_by", "spontaneous", "summoned"}
	UserAreas     = []string{"family_minors", "disability", "addiction", "elderly", "immigrants", "poverty_adults", "multi_user"}
	Services      = []string{"information", "home_care", "economic_support", "residential_care", "day_care",
		"educational_support", "transport", "meals", "housing", "job_placement", "other"}
	Outcomes    = []string{"information", "referral", "proposal", "closed"}
	TargetKinds = []string{"unit", "ente", "health_service"}
)

// Access is one access as recorded.
type Access struct {
	ID                    uuid.UUID  `json:"id"`
	UnitID                uuid.UUID  `json:"unit_id"`
	UnitName              string     `json:"unit_name"`
	OperatorID            uuid.UUID  `json:"operator_id"`
	State                 string     `json:"state"`
	Step                  string     `json:"step,omitempty"` // the next step of a draft
	OccurredAt            time.Time  `json:"occurred_at"`
	Channel               string     `json:"channel"`
	Interlocutor          string     `json:"interlocutor"`
	InterlocutorName      string     `json:"interlocutor_name"`
	InterlocutorContact   string     `json:"interlocutor_contact"`
	Reason                string     `json:"reason"`
	SentBy                string     `json:"sent_by"`
	PersonID              *uuid.UUID `json:"person_id"`
	PersonName            string     `json:"person_name"`
	ReferenceName         string     `json:"reference_name"`
	ReferenceRelationship string     `json:"reference_relationship"`
	ReferenceContact      string     `json:"reference_contact"`
	Needs                 []string   `json:"needs"`
	Services              []string   `json:"services"`
	Outcome               string     `json:"outcome"`
	OutcomeNotes          string     `json:"outcome_notes"`
	ProposalUnit          *uuid.UUID `json:"proposal_unit,omitempty"`
	ProposalArea          string     `json:"proposal_area,omitempty"`
	Consent               Consent    `json:"consent"`
	CaseID                *uuid.UUID `json:"case_id,omitempty"`
	StateReason           string     `json:"state_reason,omitempty"`
	Referrals             []Referral `json:"referrals"`
	CreatedAt             time.Time  `json:"created_at"`
	referral              ReferralTo // the referral a draft will send
}

// Consent is the privacy consent given (or not) at the access.
type Consent struct {
	Given bool        `json:"given"`
	Scope string      `json:"scope"`
	On    people.Date `json:"on"`
}

// Input is an access's fields. The wizard fills it one step at a time (each
// step reads only its own fields); the API sends it whole.
type Input struct {
	// interlocutor
	UnitID              uuid.UUID `json:"unit_id"`
	OccurredAt          time.Time `json:"occurred_at"` // zero: now
	Channel             string    `json:"channel"`
	Interlocutor        string    `json:"interlocutor"`
	InterlocutorName    string    `json:"interlocutor_name"`
	InterlocutorContact string    `json:"interlocutor_contact"`
	Reason              string    `json:"reason"`
	SentBy              string    `json:"sent_by"`
	// person
	PersonID uuid.UUID `json:"person_id"`
	Consent  Consent   `json:"consent"`
	// reference
	ReferenceName         string `json:"reference_name"`
	ReferenceRelationship string `json:"reference_relationship"`
	ReferenceContact      string `json:"reference_contact"`
	// needs
	Needs []string `json:"needs"`
	// services
	Services []string `json:"services"`
	// outcome
	Outcome      string     `json:"outcome"`
	OutcomeNotes string     `json:"outcome_notes"`
	ProposalUnit *uuid.UUID `json:"proposal_unit,omitempty"` // outcome proposal: the social service unit
	ProposalArea string     `json:"proposal_area,omitempty"` // outcome proposal: the case's user area; default the first need
	Referral     ReferralTo `json:"referral"`                // outcome referral
}

// ReferralTo is where a referral goes and why.
type ReferralTo struct {
	Kind          string     `json:"target_kind"`              // unit, ente, health_service
	UnitID        *uuid.UUID `json:"target_unit,omitempty"`    // kind unit
	TenantID      *uuid.UUID `json:"target_tenant,omitempty"`  // kind ente
	HealthService string     `json:"health_service,omitempty"` // kind health_service: "ASL Roma 1"
	Reason        string     `json:"reason"`
}

// Referral is one referral as the viewer's ente holds it.
type Referral struct {
	ID             uuid.UUID  `json:"id"`
	Direction      string     `json:"direction"` // local, sent, received
	AccessID       *uuid.UUID `json:"access_id,omitempty"`
	CaseID         *uuid.UUID `json:"case_id,omitempty"`
	PersonID       *uuid.UUID `json:"person_id,omitempty"`
	PersonName     string     `json:"person_name"`
	PersonTaxCode  string     `json:"person_tax_code,omitempty"`
	FromUnit       *uuid.UUID `json:"from_unit,omitempty"`
	From           string     `json:"from"` // the sending unit, or ente for a received one
	TargetKind     string     `json:"target_kind"`
	TargetUnit     *uuid.UUID `json:"target_unit,omitempty"`
	TargetTenant   *uuid.UUID `json:"target_tenant,omitempty"`
	Target         string     `json:"target"` // the unit, ente or health service, by name
	Reason         string     `json:"reason"`
	State          string     `json:"state"` // sent, accepted, refused
	AnswerReason   string     `json:"answer_reason,omitempty"`
	AnsweredByName string     `json:"answered_by_name,omitempty"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	SentAt         time.Time  `json:"sent_at"`
}

// NewReferral sends a person's referral from an access or a case of the ente.
type NewReferral struct {
	AccessID *uuid.UUID `json:"access_id,omitempty"`
	CaseID   *uuid.UUID `json:"case_id,omitempty"`
	FromUnit uuid.UUID  `json:"from_unit"`
	ReferralTo
}

// Summary is an access or a referral as lists show it.
type Summary struct {
	Kind       string    `json:"kind"` // access, referral
	ID         uuid.UUID `json:"id"`
	PersonName string    `json:"person_name"`
	Unit       string    `json:"unit"`
	State      string    `json:"state"`
	Outcome    string    `json:"outcome,omitempty"`
	At         time.Time `json:"at"`
}

// Filter selects the accesses List shows.
type Filter struct {
	Mine  bool   // only the viewer's own
	State string // one state; "" every state but draft
}

// Viewer is who reads or changes accesses: an operator with their
// permissions (authz Granted), or an API client (Client), which acts for the
// whole ente and so sees every access of it.
type Viewer struct {
	ID     uuid.UUID
	Email  string
	IP     string
	Perms  map[string]bool
	Client bool
}
