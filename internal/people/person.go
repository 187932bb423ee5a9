// Package people is the person registry of an ente: everyone the services know
// about, with or without a case. It validates the codice fiscale against the
// record, gives a provisional identifier to people without one, finds people by
// tax code or fuzzy name, warns of probable duplicates, and merges two records
// of the same person, keeping every version of both.
package people

import (
	"time"

	"github.com/google/uuid"
)

// Person is one person's record.
type Person struct {
	ID uuid.UUID `json:"id"`
	// TaxCode is "" for someone without a codice fiscale; ProvisionalID then
	// identifies them (and stays once a tax code is added).
	TaxCode           string `json:"tax_code"`
	ProvisionalID     string `json:"provisional_id,omitempty"`
	FirstName         string `json:"first_name"`
	LastName          string `json:"last_name"`
	Sex               string `json:"sex"` // M or F
	BirthDate         Date   `json:"birth_date"`
	BirthPlace        string `json:"birth_place"`                  // Belfiore code; Z + 3 digits abroad
	Citizenship       string `json:"citizenship"`                  // ISO 3166 numeric; 380 is Italy
	SecondCitizenship string `json:"second_citizenship,omitempty"` // ISO 3166 numeric
	Residence         string `json:"residence,omitempty"`          // ISTAT comune code
	Domicile          string `json:"domicile,omitempty"`           // ISTAT comune code
	Phone             string `json:"phone,omitempty"`
	Email             string `json:"email,omitempty"`
	// Details holds the rest of the record (civil status, education, work
	// status, disability, legal protection, GP, consents) until each earns a
	// field of its own.
	Details map[string]any `json:"details,omitempty"`
	// Mismatches are the disagreements with the tax code that an operator
	// confirmed.
	Mismatches []Mismatch `json:"mismatches,omitempty"`
	// MergedInto is the record this one was merged into; such a record is kept
	// for its history but hidden from search and may not be changed.
	MergedInto *uuid.UUID `json:"merged_into,omitempty"`
	Version    int        `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Input is what an operator enters to create or edit a person.
type Input struct {
	TaxCode           string         `json:"tax_code"`
	FirstName         string         `json:"first_name"`
	LastName          string         `json:"last_name"`
	Sex               string         `json:"sex"`
	BirthDate         Date           `json:"birth_date"`
	BirthPlace        string         `json:"birth_place"`
	Citizenship       string         `json:"citizenship"` // "" means 380, Italy
	SecondCitizenship string         `json:"second_citizenship"`
	Residence         string         `json:"residence"`
	Domicile          string         `json:"domicile"`
	Phone             string         `json:"phone"`
	Email             string         `json:"email"`
	Details           map[string]any `json:"details"`
	// AcceptMismatch confirms the disagreements with the tax code that were
	// shown to the operator; without it they are a ValidationError.
	AcceptMismatch bool `json:"accept_mismatch"`
	// Version is the version the operator edited (Update only): a record
	// changed since then is refused with ErrStale.
	Version int `json:"version"`
}

// Actor is the operator making a change, as the audit trail records them.
type Actor struct {
	ID    uuid.UUID
	Email string
	IP    string
}

// Candidate is a probable duplicate of a person being created.
type Candidate struct {
	Person Person `json:"person"`
	// Reason is "tax_code" (the same tax code), "name_birth_date" (a similar
	// name, the same birth date) or "name_birth_year" (a very similar name, the
	// same birth year).
	Reason string  `json:"reason"`
	Score  float64 `json:"score"` // name similarity, 0–1
}

// Hit is one search result.
type Hit struct {
	Person Person  `json:"person"`
	Score  float64 `json:"score"` // 1 for a tax code match; name similarity otherwise
}

// Query is a search in the registry.
type Query struct {
	// Text is a full or partial tax code (at least 7 characters), or a
	// surname and name in any order, with typos.
	Text      string
	BirthYear int // 0 for any
	Limit     int // 0 means DefaultLimit; at most MaxLimit
}

// Page sizes of Search.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)
