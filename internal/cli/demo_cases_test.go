package cli_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/people"
)

// demoCounts are what `sigess demo` gives one ente, as the database holds it.
type demoCounts struct {
	people, households, isee, accesses, diary, assessments, sinba, plans, overdue int
	deliveries, changed, appointments, minors, reserved, validTaxCodes            int
	cases, interventions, flows                                                   map[string]int
}

func countDemo(t *testing.T, slug string) demoCounts {
	t.Helper()
	ctx := context.Background()
	var tenant uuid.UUID
	if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id FROM tenants WHERE slug = $1`, slug).Scan(&tenant)
	}); err != nil {
		t.Fatal(err)
	}
	c := demoCounts{cases: map[string]int{}, interventions: map[string]int{}, flows: map[string]int{}}
	err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT
				(SELECT count(*) FROM people), (SELECT count(*) FROM households), (SELECT count(*) FROM isee_records),
				(SELECT count(*) FROM accesses WHERE state <> 'draft'), (SELECT count(*) FROM diary_entries),
				(SELECT count(*) FROM assessments), (SELECT count(*) FROM assessments WHERE sinba IS NOT NULL),
				(SELECT count(*) FROM plans WHERE state = 'active'),
				(SELECT count(*) FROM plans WHERE state = 'active' AND next_review_on < current_date),
				(SELECT count(*) FROM intervention_deliveries),
				(SELECT count(*) FROM intervention_events WHERE kind = 'changed'),
				(SELECT count(*) FROM appointments),
				(SELECT count(*) FROM cases c JOIN people p ON p.id = c.person_id
					WHERE c.user_area = 'family_minors' AND age(p.birth_date) BETWEEN interval '8 years' AND interval '15 years'
					AND EXISTS (SELECT 1 FROM interventions i WHERE i.case_id = c.id AND i.state = 'active')),
				(SELECT count(*) FROM cases WHERE reserved)`).Scan(
			&c.people, &c.households, &c.isee, &c.accesses, &c.diary, &c.assessments, &c.sinba, &c.plans, &c.overdue,
			&c.deliveries, &c.changed, &c.appointments, &c.minors, &c.reserved); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT tax_code FROM people`)
		if err != nil {
			return err
		}
		codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, tc := range codes {
			if _, err := people.ParseTaxCode(tc); err == nil {
				c.validTaxCodes++
			}
		}
		for q, m := range map[string]map[string]int{
			`SELECT CASE WHEN closed_at IS NOT NULL THEN 'closed' WHEN responsible_id IS NULL THEN 'proposed'
				WHEN state = 'taken_in_charge' THEN 'taken_in_charge' ELSE 'assigned' END, count(*) FROM cases GROUP BY 1`: c.cases,
			`SELECT state, count(*) FROM interventions GROUP BY state`:          c.interventions,
			`SELECT tipo || ' ' || state, count(*) FROM siuss_flows GROUP BY 1`: c.flows,
		} {
			rows, err := tx.Query(ctx, q)
			if err != nil {
				return err
			}
			for rows.Next() {
				var k string
				var n int
				if err := rows.Scan(&k, &n); err != nil {
					rows.Close()
					return err
				}
				m[k] = n
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDemoCases: `sigess demo` gives every demo ente people with valid tax
// codes, households with ISEE, accesses, cases in each state (a minor's
// among them), assessments, PAIs (one review overdue), interventions in every
// administrative state with deliveries and a change, and appointments; a
// second run adds nothing and prints the same line.
func TestDemoCases(t *testing.T) {
	if code, _, errOut := sigess(t, nil, "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	env := map[string]string{"SIGESS_DEMO_PASSWORD": "password demo di prova"}
	started := time.Now()
	code, out, errOut := sigess(t, env, "demo")
	if code != 0 {
		t.Fatalf("demo: %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("demo ran in %s", time.Since(started))
	if !strings.Contains(out, "Casi demo: 5 enti con dati") {
		t.Errorf("demo summary lacks the case data line:\n%s", out)
	}
	want := demoCounts{people: 12, households: 4, isee: 4, accesses: 2, diary: 7, assessments: 3, sinba: 1, plans: 3, overdue: 1,
		deliveries: 10, changed: 1, appointments: 3, minors: 1, reserved: 1, validTaxCodes: 12,
		cases:         map[string]int{"proposed": 1, "assigned": 1, "taken_in_charge": 3, "closed": 1},
		interventions: map[string]int{"requested": 1, "approved": 1, "active": 2, "suspended": 1, "closed": 1},
		flows:         map[string]int{"PS_PSA_SINA waiting": 6, "SINBA waiting": 1}}
	first := map[string]demoCounts{}
	for _, slug := range []string{"roma", "latina", "viterbo", "bagnoregio", "ambito-lt1"} {
		got := countDemo(t, slug)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s after demo:\n got %+v\nwant %+v", slug, got, want)
		}
		first[slug] = got
	}

	code, out2, errOut := sigess(t, env, "demo")
	if code != 0 {
		t.Fatalf("second demo: %d\n%s", code, errOut)
	}
	if !strings.Contains(out2, "Casi demo: 5 enti con dati") {
		t.Errorf("second demo summary lacks the case data line:\n%s", out2)
	}
	for slug, was := range first {
		if got := countDemo(t, slug); fmt.Sprint(got) != fmt.Sprint(was) {
			t.Errorf("%s: second demo run changed the data:\n got %+v\n was %+v", slug, got, was)
		}
	}
}
