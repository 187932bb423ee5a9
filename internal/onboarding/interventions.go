package onboarding

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/people"
)

// interventionsFormat is the interventions file's columns (docs/import.md).
var interventionsFormat = []column{
	{"external_id", true}, {"case_external_id", true}, {"person_external_id", false}, {"catalog", true}, {"state", true},
	{"application_protocol", false}, {"start_date", false}, {"end_date", false}, {"closed_on", false},
	{"character", false}, {"monthly_amount", false}, {"total_amount", false}, {"period_months", false},
	{"share_ente", false}, {"share_user", false}, {"share_health", false}, {"requested_amount", false},
	{"monthly_hours", false}, {"means_test", false}, {"dsu_protocol", false}, {"dsu_year", false}, {"dsu_date", false},
	{"isee_value", false}, {"taken_in_charge", false}, {"notes", false},
}

// interventionFields renames the fields of internal/interventions' errors to
// the file's columns.
var interventionFields = map[string]string{
	"monthly_amount_cents": "monthly_amount", "total_amount_cents": "total_amount",
	"requested_amount_cents": "requested_amount", "isee_value_cents": "isee_value", "person_tax_code": "person_external_id",
}

type interventionRec struct {
	record
	caseID, person uuid.UUID
	entry          interventions.Entry
	state          string
	data           interventions.Data
	closed         people.Date
}

// ImportReason is the reason of the first event of an imported intervention.
const ImportReason = "importato dal sistema precedente"

// importInterventions checks and writes an interventions file. Each is
// checked by internal/interventions' rules (Data.Check; for the states after
// approval, Missing: what activation needs) and written with its first event
// (created, to its imported state) without the event hook: the legacy system
// reported these interventions to INPS, and SIGeSS must not send them again
// as SIUSS flows.
func importInterventions(ctx context.Context, tx pgx.Tx, t *table, e env) (int, int, []RowError, error) {
	cases, err := refs(ctx, tx, KindCases, t.values("case_external_id"))
	if err != nil {
		return 0, 0, nil, err
	}
	persons, err := refs(ctx, tx, KindPeople, t.values("person_external_id"))
	if err != nil {
		return 0, 0, nil, err
	}
	// The cases' people and their households' members; the people's tax codes.
	caseIDs := make([]uuid.UUID, 0, len(cases))
	for _, id := range cases {
		caseIDs = append(caseIDs, id)
	}
	type caseInfo struct {
		person  uuid.UUID
		members []uuid.UUID
	}
	infos := map[uuid.UUID]caseInfo{}
	q, err := tx.Query(ctx, `SELECT c.id, c.person_id, coalesce(array_agg(m.person_id) FILTER (WHERE m.person_id IS NOT NULL), '{}')
		FROM cases c LEFT JOIN household_members m ON m.tenant_id = c.tenant_id AND m.household_id = c.household_id
		WHERE c.id = ANY($1) GROUP BY c.id, c.person_id`, caseIDs)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("cases: %w", err)
	}
	var cid, cp uuid.UUID
	var cm []uuid.UUID
	if _, err := pgx.ForEachRow(q, []any{&cid, &cp, &cm}, func() error {
		infos[cid] = caseInfo{cp, slices.Clone(cm)}
		return nil
	}); err != nil {
		return 0, 0, nil, fmt.Errorf("cases: %w", err)
	}
	taxCodes := map[uuid.UUID]string{}
	q, err = tx.Query(ctx, `SELECT id, coalesce(tax_code, '') FROM people WHERE id IN (SELECT person_id FROM cases WHERE id = ANY($1))
		OR id = ANY($2)`, caseIDs, mapValues(persons))
	if err != nil {
		return 0, 0, nil, fmt.Errorf("people: %w", err)
	}
	var pid uuid.UUID
	var cf string
	if _, err := pgx.ForEachRow(q, []any{&pid, &cf}, func() error { taxCodes[pid] = cf; return nil }); err != nil {
		return 0, 0, nil, fmt.Errorf("people: %w", err)
	}
	// The catalogue: by INPS code or by local name (case-insensitive).
	type cat struct {
		id     uuid.UUID
		active bool
	}
	byCode, byName := map[string][]cat{}, map[string][]cat{}
	q, err = tx.Query(ctx, `SELECT id, upper(inps_code), lower(name), active FROM catalog_entries`)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("catalogue: %w", err)
	}
	var eid uuid.UUID
	var ecode, ename string
	var eactive bool
	if _, err := pgx.ForEachRow(q, []any{&eid, &ecode, &ename, &eactive}, func() error {
		byCode[ecode] = append(byCode[ecode], cat{eid, eactive})
		byName[ename] = append(byName[ename], cat{eid, eactive})
		return nil
	}); err != nil {
		return 0, 0, nil, fmt.Errorf("catalogue: %w", err)
	}
	entries := map[uuid.UUID]interventions.Entry{}

	var (
		errs    []RowError
		recs    []interventionRec
		extSeen = map[string]int{}
	)
	for i, rec := range t.records {
		if rec == nil {
			continue
		}
		c := &checker{row: t.rows[i]}
		r := interventionRec{record: record{row: t.rows[i], external: t.get(rec, "external_id")}}
		c.external(r.external, extSeen)
		r.caseID = c.ref("case_external_id", t.get(rec, "case_external_id"), cases, KindCases, true)
		info := infos[r.caseID]
		r.person = c.ref("person_external_id", t.get(rec, "person_external_id"), persons, KindPeople, false)
		if r.person == uuid.Nil && !c.has("person_external_id") {
			r.person = info.person
		} else if r.person != uuid.Nil && r.caseID != uuid.Nil && r.person != info.person && !slices.Contains(info.members, r.person) {
			c.bad("person_external_id", "il beneficiario deve essere la persona del caso o un componente del suo nucleo")
		}
		r.state = strings.ToLower(t.get(rec, "state"))
		if !slices.Contains(interventions.States, r.state) {
			c.bad("state", "stato sconosciuto: "+strings.Join(interventions.States, ", "))
		}
		key := t.get(rec, "catalog")
		found := byCode[strings.ToUpper(key)]
		if len(found) == 0 {
			found = byName[strings.ToLower(key)]
		}
		switch {
		case key == "":
			c.bad("catalog", "indica la voce di catalogo: il codice INPS o il nome locale")
		case len(found) == 0:
			c.bad("catalog", "nessuna voce del catalogo dell'ente ha questo codice INPS o nome")
		case len(found) > 1:
			c.bad("catalog", "più voci del catalogo hanno questo codice INPS: indica il nome locale")
		case !found[0].active && r.state != interventions.StateClosed && r.state != interventions.StateRefused:
			c.bad("catalog", "la voce di catalogo non è attiva: solo un intervento chiuso o respinto può farvi riferimento")
		default:
			en, ok := entries[found[0].id]
			if !ok {
				if en, err = interventions.EntryTx(ctx, tx, found[0].id); err != nil {
					return 0, 0, nil, err
				}
				entries[found[0].id] = en
			}
			r.entry = en
		}
		d := &r.data
		d.ApplicationProtocol = t.get(rec, "application_protocol")
		d.StartDate = c.date("start_date", t.get(rec, "start_date"), false)
		d.EndDate = c.date("end_date", t.get(rec, "end_date"), false)
		r.closed = c.date("closed_on", t.get(rec, "closed_on"), false)
		d.Character = t.get(rec, "character")
		d.MonthlyAmountCents = c.euro("monthly_amount", t.get(rec, "monthly_amount"))
		d.TotalAmountCents = c.euro("total_amount", t.get(rec, "total_amount"))
		d.PeriodMonths = c.integer("period_months", t.get(rec, "period_months"))
		d.ShareEnte = c.number("share_ente", t.get(rec, "share_ente"))
		d.ShareUser = c.number("share_user", t.get(rec, "share_user"))
		d.ShareHealth = c.number("share_health", t.get(rec, "share_health"))
		d.RequestedAmountCents = c.euro("requested_amount", t.get(rec, "requested_amount"))
		d.MonthlyHours = c.number("monthly_hours", t.get(rec, "monthly_hours"))
		d.MeansTest = t.get(rec, "means_test")
		d.DSUProtocol = t.get(rec, "dsu_protocol")
		d.DSUYear = c.integer("dsu_year", t.get(rec, "dsu_year"))
		d.DSUDate = c.date("dsu_date", t.get(rec, "dsu_date"), false)
		d.ISEEValueCents = c.euro("isee_value", t.get(rec, "isee_value"))
		d.TakenInCharge = c.boolean("taken_in_charge", t.get(rec, "taken_in_charge"), false)
		d.Notes = t.get(rec, "notes")
		for _, f := range d.Check() {
			if name := renameField(f.Field); !c.has(name) {
				c.bad(name, f.Message)
			}
		}
		if d.StartDate.IsZero() && !c.has("start_date") {
			c.bad("start_date", "indicare la data di inizio")
		}
		switch {
		case r.state == interventions.StateClosed && r.closed.IsZero() && !c.has("closed_on"):
			c.bad("closed_on", "un intervento chiuso ha la data di chiusura")
		case r.state != interventions.StateClosed && !r.closed.IsZero():
			c.bad("closed_on", "solo un intervento chiuso ha la data di chiusura")
		case !r.closed.IsZero() && !d.StartDate.IsZero() && r.closed.Time().Before(d.StartDate.Time()):
			c.bad("closed_on", "la data di chiusura precede quella di inizio")
		}
		if r.entry.ID != uuid.Nil {
			d.Defaults(r.entry)
			// An intervention that has been active needs what activation needs.
			if slices.Contains([]string{interventions.StateActive, interventions.StateSuspended, interventions.StateClosed}, r.state) &&
				r.person != uuid.Nil {
				it := &interventions.Intervention{Data: *d, PersonTaxCode: taxCodes[r.person]}
				for _, f := range interventions.Missing(it, r.entry) {
					if name := renameField(f.Field); !c.has(name) {
						c.bad(name, f.Message)
					}
				}
			}
		}
		if len(c.errs) > 0 {
			errs = append(errs, c.errs...)
			continue
		}
		r.digest = digestOf(t.get(rec, "case_external_id"), t.get(rec, "person_external_id"), r.entry.ID.String(), r.state,
			d.ApplicationProtocol, dateStr(d.StartDate), dateStr(d.EndDate), dateStr(r.closed), d.Character,
			ptrStr(d.MonthlyAmountCents), ptrStr(d.TotalAmountCents), ptrStr(d.PeriodMonths), ptrStr(d.ShareEnte),
			ptrStr(d.ShareUser), ptrStr(d.ShareHealth), ptrStr(d.RequestedAmountCents), ptrStr(d.MonthlyHours), d.MeansTest,
			d.DSUProtocol, ptrStr(d.DSUYear), dateStr(d.DSUDate), ptrStr(d.ISEEValueCents),
			strconv.FormatBool(d.TakenInCharge), d.Notes)
		recs = append(recs, r)
	}
	kept, skipped, dupErrs, err := partition(ctx, tx, KindInterventions, recs)
	if err != nil {
		return 0, 0, nil, err
	}
	errs = append(errs, dupErrs...)
	if len(errs) > 0 || e.anyErrors {
		return 0, skipped, errs, ErrRowsInvalid
	}
	err = chunks(len(kept), func(lo, hi int) error {
		batch := kept[lo:hi]
		n := len(batch)
		var (
			ids, pids, cids, eids         = make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n)
			states, protos, chars, means  = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			dsus, notes                   = make([]string, n), make([]string, n)
			starts, ends, closes, dsuDate = make([]pgtype.Date, n), make([]pgtype.Date, n), make([]pgtype.Date, n), make([]pgtype.Date, n)
			monthly, total, requested     = make([]pgtype.Int8, n), make([]pgtype.Int8, n), make([]pgtype.Int8, n)
			isee, threshold               = make([]pgtype.Int8, n), make([]pgtype.Int8, n)
			periods, dsuYears             = make([]pgtype.Int4, n), make([]pgtype.Int4, n)
			shE, shU, shH, hours          = make([]pgtype.Float8, n), make([]pgtype.Float8, n), make([]pgtype.Float8, n), make([]pgtype.Float8, n)
			taken                         = make([]bool, n)
		)
		for i, r := range batch {
			d := r.data
			ids[i], pids[i], cids[i], eids[i] = uuid.New(), r.person, r.caseID, r.entry.ID
			states[i], protos[i], chars[i], means[i], dsus[i], notes[i] = r.state, d.ApplicationProtocol, d.Character, d.MeansTest, d.DSUProtocol, d.Notes
			starts[i], ends[i], closes[i], dsuDate[i] = pdate(d.StartDate), pdate(d.EndDate), pdate(r.closed), pdate(d.DSUDate)
			monthly[i], total[i], requested[i], isee[i] = i8(d.MonthlyAmountCents), i8(d.TotalAmountCents), i8(d.RequestedAmountCents), i8(d.ISEEValueCents)
			threshold[i] = i8(r.entry.ISEEThresholdCents)
			periods[i], dsuYears[i] = i4(d.PeriodMonths), i4(d.DSUYear)
			shE[i], shU[i], shH[i], hours[i] = f8(d.ShareEnte), f8(d.ShareUser), f8(d.ShareHealth), f8(d.MonthlyHours)
			taken[i] = d.TakenInCharge
		}
		_, err := tx.Exec(ctx, `INSERT INTO interventions (tenant_id, id, person_id, case_id, catalog_entry_id, state,
				application_protocol, start_date, end_date, character, monthly_amount_cents, total_amount_cents, period_months,
				share_ente, share_user, share_health, requested_amount_cents, monthly_hours, means_test, dsu_protocol, dsu_year,
				dsu_date, isee_value_cents, isee_threshold_cents, taken_in_charge, notes, closed_on, created_by, created_at, updated_at)
			SELECT $1, * , $2, $3, $3 FROM unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::text[], $9::text[],
				$10::date[], $11::date[], $12::text[], $13::bigint[], $14::bigint[], $15::int[], $16::float8[], $17::float8[],
				$18::float8[], $19::bigint[], $20::float8[], $21::text[], $22::text[], $23::int[], $24::date[], $25::bigint[],
				$26::bigint[], $27::bool[], $28::text[], $29::date[])`,
			e.tenant, e.by.ID, e.now, ids, pids, cids, eids, states, protos, starts, ends, chars, monthly, total, periods,
			shE, shU, shH, requested, hours, means, dsus, dsuYears, dsuDate, isee, threshold, taken, notes, closes)
		if err != nil {
			return fmt.Errorf("insert interventions: %w", err)
		}
		if err := interventions.RecordImported(ctx, tx, e.tenant, ids, e.by.ID, ImportReason); err != nil {
			return err
		}
		return mapExternal(ctx, tx, e.tenant, KindInterventions, batch, ids, e.run)
	})
	if err != nil {
		return 0, 0, nil, err
	}
	return len(kept), skipped, nil, nil
}

func renameField(f string) string {
	if n, ok := interventionFields[f]; ok {
		return n
	}
	return f
}

func mapValues(m map[string]uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func i8(p *int64) pgtype.Int8 {
	if p == nil {
		return pgtype.Int8{}
	}
	return pgtype.Int8{Int64: *p, Valid: true}
}

func i4(p *int) pgtype.Int4 {
	if p == nil {
		return pgtype.Int4{}
	}
	return pgtype.Int4{Int32: int32(*p), Valid: true}
}

func f8(p *float64) pgtype.Float8 {
	if p == nil {
		return pgtype.Float8{}
	}
	return pgtype.Float8{Float64: *p, Valid: true}
}
