package people

import "time"

// Validate checks in as Create does and returns the record it describes
// (normalised names, codes and tax code; no identity, version or times), for
// the onboarding import (internal/onboarding), which writes many records at
// once and must apply the same rules. Disagreements with the tax code are
// errors unless in.AcceptMismatch is set.
func Validate(in Input, now time.Time) (Person, error) {
	return in.validate(now)
}

// NameKey is the form of a person's name that search compares: "SURNAME
// NAME", upper case, accents dropped. A bulk writer stores it in name_key.
func NameKey(last, first string) string { return nameKey(last, first) }

// NewProvisionalID returns a random provisional identifier (PROV-XXXX-XXXX)
// for someone without a tax code; the caller checks it is free in the ente.
func NewProvisionalID() string { return newProvisionalID() }
