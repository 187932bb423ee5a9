// Package households keeps an ente's households (nuclei familiari): who
// belongs to each, with their relationship to the head of household and
// whether they live together, over time, and the household's ISEE history.
// A person is in at most one cohabiting household at a time; memberships end
// with a date and ISEE records are corrected by new ones, so nothing is lost.
package households

import (
	"time"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/people"
)

// Household is a household with its members (past ones included) and its ISEE
// history, newest first.
type Household struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Address   string    `json:"address"`
	Members   []Member  `json:"members"`
	ISEE      []ISEE    `json:"isee"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Member is one membership of a person in a household.
type Member struct {
	ID       uuid.UUID `json:"id"`
	PersonID uuid.UUID `json:"person_id"`
	// Name ("Surname Name") and TaxCode are the person's, for display.
	Name         string `json:"name"`
	TaxCode      string `json:"tax_code,omitempty"`
	Relationship string `json:"relationship"` // one of Relationships
	Cohabiting   bool   `json:"cohabiting"`
	// From is the first day of the membership; To the day the person left
	// (no longer a member from that day), zero while current.
	From people.Date `json:"from"`
	To   people.Date `json:"to"`
}

// CurrentOn reports whether the membership holds on day d.
func (m Member) CurrentOn(d people.Date) bool {
	return !d.Time().Before(m.From.Time()) && (m.To.IsZero() || d.Time().Before(m.To.Time()))
}

// ISEE is one ISEE attestation of a household.
type ISEE struct {
	ID         uuid.UUID `json:"id"`
	Kind       string    `json:"kind"`        // one of Kinds
	ValueCents int64     `json:"value_cents"` // the indicator, in euro cents
	// DSUProtocol is INPS's protocol of the DSU: "INPS-ISEE-YYYY-XXXXXXXXX-NN".
	DSUProtocol string      `json:"dsu_protocol"`
	Year        int         `json:"year"` // the DSU's year, as in the protocol
	SignedOn    people.Date `json:"signed_on"`
	ExpiresOn   people.Date `json:"expires_on"`
	// Corrects is the record this one corrects, if any.
	Corrects      *uuid.UUID `json:"corrects,omitempty"`
	CreatedBy     uuid.UUID  `json:"created_by"`
	CreatedByName string     `json:"created_by_name"`
	CreatedAt     time.Time  `json:"created_at"`
}

// NewHousehold is a household to create, with its first members.
type NewHousehold struct {
	// Name defaults to "Nucleo " and the head's name.
	Name    string        `json:"name"`
	Address string        `json:"address"`
	Members []MemberInput `json:"members"`
}

// Details are the household's own fields, as Update changes them.
type Details struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// MemberInput adds a person to a household.
type MemberInput struct {
	PersonID     uuid.UUID   `json:"person_id"`
	Relationship string      `json:"relationship"`
	Cohabiting   bool        `json:"cohabiting"`
	From         people.Date `json:"from"` // zero means today
	To           people.Date `json:"to"`   // zero: current
}

// ISEEInput records an ISEE attestation.
type ISEEInput struct {
	Kind        string      `json:"kind"`
	ValueCents  int64       `json:"value_cents"`
	DSUProtocol string      `json:"dsu_protocol"`
	Year        int         `json:"year"` // zero: the protocol's year
	SignedOn    people.Date `json:"signed_on"`
	ExpiresOn   people.Date `json:"expires_on"` // zero: DefaultExpiry
	Corrects    *uuid.UUID  `json:"corrects"`
}

// Summary is a household as a person's page lists it: the person's
// membership in it.
type Summary struct {
	ID     uuid.UUID `json:"id"`
	Name   string    `json:"name"`
	Member Member    `json:"member"`
}

// Actor is who reads or changes a household, as the audit trail records them:
// an operator or an API client.
type Actor struct {
	ID    uuid.UUID
	Email string // or the client's name
	IP    string
}
