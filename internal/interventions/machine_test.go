package interventions

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// permsOf is a built-in role's permissions, as the policy grants them.
func permsOf(t *testing.T, role string) map[string]bool {
	t.Helper()
	for _, r := range authz.Builtin() {
		if r.Name == role {
			m := map[string]bool{}
			for _, p := range r.Permissions {
				m[p] = true
			}
			return m
		}
	}
	t.Fatalf("no built-in role %q", role)
	return nil
}

// TestTransitionsByRole walks every built-in tenant role × every state ×
// every target: the moves written out here are the only ones allowed; a
// target the role may not reach is forbidden (403) whatever the state; the
// rest conflict with the state (409).
func TestTransitionsByRole(t *testing.T) {
	allowed := map[string][]string{
		"coordinator": {"requested→approved", "requested→refused", "approved→ranked", "approved→refused", "ranked→refused"},
		"administrative": {"approved→active", "ranked→active", "active→suspended", "active→closed",
			"suspended→active", "suspended→closed"},
	}
	reachable := map[string][]string{
		"coordinator":    {StateApproved, StateRanked, StateRefused},
		"administrative": {StateActive, StateSuspended, StateClosed},
	}
	for _, role := range []string{"tenant_admin", "coordinator", "social_worker", "intake_operator", "administrative", "auditor"} {
		perms := permsOf(t, role)
		for _, from := range States {
			for _, to := range States {
				move := from + "→" + to
				want := "409"
				switch {
				case contains(allowed[role], move):
					want = "ok"
				case to != StateRequested && !contains(reachable[role], to):
					want = "403"
				}
				t.Run(role+" "+move, func(t *testing.T) {
					_, err := checkMove(from, to, perms)
					if got := outcome(err); got != want {
						t.Errorf("%s %s: %s (%v); want %s", role, move, got, err, want)
					}
				})
			}
		}
		// Allowed lists the same moves the table allows the role.
		var listed []string
		for _, from := range States {
			for _, tr := range Allowed(from, perms) {
				listed = append(listed, tr.From+"→"+tr.To)
			}
		}
		if diff := cmp.Diff(allowed[role], listed); diff != "" {
			t.Errorf("Allowed for %s (-want +got):\n%s", role, diff)
		}
	}
	if _, err := checkMove(StateRequested, "bogus", permsOf(t, "coordinator")); !errors.Is(err, derrors.ErrInvalid) || derrors.Fields(err)[0].Field != "to" {
		t.Errorf("unknown target: %v; want invalid field to", err)
	}
}

func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, derrors.ErrForbidden):
		return "403"
	case errors.Is(err, derrors.ErrConflict):
		return "409"
	case errors.Is(err, derrors.ErrInvalid):
		return "422"
	}
	return fmt.Sprint(err)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }

// TestMissing: what activation needs, field by field, for each unit and
// means test.
func TestMissing(t *testing.T) {
	threshold := int64(2000000)
	euro := Entry{Unit: UnitEuro, ISEEThresholdCents: &threshold}
	hours := Entry{Unit: UnitHours}
	complete := Data{ApplicationProtocol: "2026/15", StartDate: people.Date{Year: 2026, Month: 2, Day: 1},
		Character: CharacterOccasional, TotalAmountCents: ptr[int64](50000),
		ShareEnte: ptr(80.0), ShareUser: ptr(20.0), ShareHealth: ptr(0.0),
		MeansTest: MeansTestISEE, DSUProtocol: "INPS-ISEE-2026-00000001A-00", DSUYear: ptr(2026),
		DSUDate: people.Date{Year: 2026, Month: 1, Day: 10}, ISEEValueCents: ptr[int64](1500000)}
	fields := func(fe []derrors.FieldError) []string {
		out := []string{}
		for _, f := range fe {
			out = append(out, f.Field)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		entry Entry
		data  func(d *Data)
		cf    string
		want  []string
	}{
		{"complete", euro, func(*Data) {}, "RSSMRA80A01H501U", []string{}},
		{"nothing", euro, func(d *Data) { *d = Data{} }, "",
			[]string{"application_protocol", "start_date", "character", "monthly_amount_cents", "share_ente", "means_test", "person_tax_code"}},
		{"ISEE without DSU", euro, func(d *Data) { d.DSUProtocol, d.DSUYear, d.DSUDate, d.ISEEValueCents = "", nil, people.Date{}, nil }, "RSSMRA80A01H501U",
			[]string{"dsu_protocol", "dsu_year", "dsu_date", "isee_value_cents"}},
		{"ISEE above threshold", euro, func(d *Data) { d.ISEEValueCents = ptr[int64](2000001) }, "RSSMRA80A01H501U", []string{"isee_value_cents"}},
		{"ISEE at threshold", euro, func(d *Data) { d.ISEEValueCents = ptr[int64](2000000) }, "RSSMRA80A01H501U", []string{}},
		{"no threshold, no ISEE value", Entry{Unit: UnitEuro}, func(d *Data) { d.ISEEValueCents = nil }, "RSSMRA80A01H501U", []string{}},
		{"exempt needs no DSU", euro, func(d *Data) {
			d.MeansTest, d.DSUProtocol, d.DSUYear, d.DSUDate = MeansTestExempt, "", nil, people.Date{}
		}, "RSSMRA80A01H501U", []string{}},
		{"shares not 100", euro, func(d *Data) { d.ShareUser = ptr(30.0) }, "RSSMRA80A01H501U", []string{"share_ente"}},
		{"hours entry needs hours", hours, func(*Data) {}, "RSSMRA80A01H501U", []string{"monthly_hours"}},
		{"hours entry with hours", hours, func(d *Data) { d.MonthlyHours = ptr(12.5) }, "RSSMRA80A01H501U", []string{}},
		{"periodic monthly needs months", euro, func(d *Data) {
			d.Character, d.TotalAmountCents, d.MonthlyAmountCents = CharacterPeriodic, nil, ptr[int64](30000)
		}, "RSSMRA80A01H501U", []string{"period_months"}},
		{"provisional id", euro, func(*Data) {}, "", []string{"person_tax_code"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := complete
			tc.data(&d)
			it := &Intervention{Data: d, PersonTaxCode: tc.cf}
			if diff := cmp.Diff(tc.want, fields(Missing(it, tc.entry))); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEuro(t *testing.T) {
	for cents, want := range map[int64]string{0: "€ 0,00", 5: "€ 0,05", 123456: "€ 1.234,56", 100000000: "€ 1.000.000,00", -150: "-€ 1,50"} {
		if got := Euro(cents); got != want {
			t.Errorf("Euro(%d) = %q; want %q", cents, got, want)
		}
	}
}
