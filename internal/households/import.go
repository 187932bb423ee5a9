package households

import "github.com/sigess/sigess/internal/people"

// The rules of a household, a membership and an ISEE record, exported for
// the onboarding import (internal/onboarding), which checks the rows of a
// legacy file with them and writes them in its own transaction.

// Check trims d and checks it as Create does; nameOptional when the name may
// be taken from the head of household.
func (d *Details) Check(nameOptional bool) error { return d.check(nameOptional).err() }

// Check checks and completes in as AddMember does: From defaults to today.
func (in *MemberInput) Check(today people.Date) error { return in.check(today) }

// Validate checks and completes in as RecordISEE does: the year from the DSU
// protocol, the expiry from the kind.
func (in *ISEEInput) Validate(today people.Date) error { return in.validate(today) }
