package households

import (
	"context"
	"errors"
	"testing"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// TestMergeMovesMemberships: merging two records of one person moves the
// dropped record's memberships to the kept one; a merge that would put the
// person in two homes at once is refused and changes nothing.
func TestMergeMovesMemberships(t *testing.T) {
	ctx := context.Background()
	ppl := people.NewService(pg.DB)
	s := NewService(pg.DB, ppl)
	tenant := pg.NewTenant(t)
	keep, drop := person(t, tenant, "Bianchi", "Carla"), person(t, tenant, "Bianchi", "Carla Maria")
	h, err := s.Create(ctx, tenant, NewHousehold{Members: []MemberInput{{PersonID: drop, Relationship: Head, Cohabiting: true}}}, operator)
	if err != nil {
		t.Fatal(err)
	}
	by := people.Actor{Email: operator.Email}
	if err := ppl.Merge(ctx, tenant, keep, drop, by); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, tenant, h.ID, operator)
	if err != nil || len(got.Members) != 1 || got.Members[0].PersonID != keep {
		t.Fatalf("after the merge the household has %+v (err %v); want the kept record as its head", got, err)
	}

	// Two records both living somewhere today: refused, both stay as they are.
	a, b := person(t, tenant, "Rossi", "Ada"), person(t, tenant, "Rossi", "Ada Maria")
	for _, p := range []MemberInput{{PersonID: a, Relationship: Head, Cohabiting: true}, {PersonID: b, Relationship: Head, Cohabiting: true}} {
		if _, err := s.Create(ctx, tenant, NewHousehold{Members: []MemberInput{p}}, operator); err != nil {
			t.Fatal(err)
		}
	}
	if err := ppl.Merge(ctx, tenant, a, b, by); !errors.Is(err, derrors.ErrConflict) {
		t.Fatalf("merging two people living in two homes at once: err %v; want a conflict", err)
	}
	if p, err := ppl.Get(ctx, tenant, b); err != nil || p.MergedInto != nil {
		t.Errorf("after a refused merge the dropped record is %+v, %v; want it unchanged", p, err)
	}
}
