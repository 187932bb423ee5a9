package onboarding

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/people"
)

// casesFormat is the cases file's columns (docs/import.md).
var casesFormat = []column{
	{"external_id", true}, {"number", false}, {"person_external_id", true}, {"household_external_id", false},
	{"user_area", true}, {"unit_code", true}, {"state", false}, {"opened_on", true}, {"closed_on", false},
	{"close_reason", false}, {"responsible_email", false}, {"reserved", false}, {"summary", false},
}

var caseNumber = regexp.MustCompile(`^([0-9]{4})/([0-9]{6})$`)

type caseRec struct {
	record
	number                     string // "" generated
	person, household          uuid.UUID
	userArea, state            string
	unit, responsible          uuid.UUID
	opened, closed             people.Date
	closeReason, summary       string
	reserved, terminal         bool
	responsibleEmail, unitCode string
}

// importCases checks and writes a cases file. A case keeps its legacy
// number when the file gives one (in the form YYYY/NNNNNN, not used by the
// ente) and the ente's counter is moved past it; otherwise it is numbered by
// the ente's counter, as a case opened today.
func importCases(ctx context.Context, tx pgx.Tx, t *table, e env) (int, int, []RowError, error) {
	persons, err := refs(ctx, tx, KindPeople, t.values("person_external_id"))
	if err != nil {
		return 0, 0, nil, err
	}
	hhs, err := refs(ctx, tx, KindHouseholds, t.values("household_external_id"))
	if err != nil {
		return 0, 0, nil, err
	}
	w, err := casefile.WorkflowTx(ctx, tx, e.tenant)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("workflow: %w", err)
	}
	units := map[string]uuid.UUID{}
	q, err := tx.Query(ctx, `SELECT code, id FROM units`)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("units: %w", err)
	}
	var code string
	var uid uuid.UUID
	if _, err := pgx.ForEachRow(q, []any{&code, &uid}, func() error { units[code] = uid; return nil }); err != nil {
		return 0, 0, nil, fmt.Errorf("units: %w", err)
	}
	// Active members by e-mail, with their units.
	type member struct {
		id    uuid.UUID
		units []uuid.UUID
	}
	members := map[string]member{}
	q, err = tx.Query(ctx, `SELECT lower(o.email), o.id, coalesce(array_agg(ou.unit_id) FILTER (WHERE ou.unit_id IS NOT NULL), '{}')
		FROM memberships m JOIN operators o ON o.id = m.operator_id
		LEFT JOIN operator_units ou ON ou.tenant_id = m.tenant_id AND ou.operator_id = m.operator_id
		WHERE m.status = 'active' GROUP BY o.email, o.id`)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("members: %w", err)
	}
	var email string
	var mid uuid.UUID
	var munits []uuid.UUID
	if _, err := pgx.ForEachRow(q, []any{&email, &mid, &munits}, func() error {
		members[email] = member{mid, slices.Clone(munits)}
		return nil
	}); err != nil {
		return 0, 0, nil, fmt.Errorf("members: %w", err)
	}

	var (
		errs    []RowError
		recs    []caseRec
		extSeen = map[string]int{}
		numSeen = map[string]int{}
	)
	for i, rec := range t.records {
		if rec == nil {
			continue
		}
		c := &checker{row: t.rows[i]}
		r := caseRec{record: record{row: t.rows[i], external: t.get(rec, "external_id")}}
		c.external(r.external, extSeen)
		r.person = c.ref("person_external_id", t.get(rec, "person_external_id"), persons, KindPeople, true)
		r.household = c.ref("household_external_id", t.get(rec, "household_external_id"), hhs, KindHouseholds, false)
		r.userArea = t.get(rec, "user_area")
		if !slices.Contains(casefile.UserAreas, r.userArea) {
			c.bad("user_area", "area d'utenza sconosciuta: "+strings.Join(casefile.UserAreas, ", "))
		}
		r.unitCode = strings.ToLower(t.get(rec, "unit_code"))
		var ok bool
		if r.unit, ok = units[r.unitCode]; !ok {
			c.bad("unit_code", "l'unità non esiste in questo ente")
		}
		r.state = t.get(rec, "state")
		if r.state == "" {
			r.state = w.Initial()
		}
		st, ok := w.State(r.state)
		if !ok {
			names := make([]string, len(w.States))
			for j, s := range w.States {
				names[j] = s.Name
			}
			c.bad("state", "stato sconosciuto nel flusso dell'ente: "+strings.Join(names, ", "))
		}
		r.terminal = st.Terminal
		r.opened = c.date("opened_on", t.get(rec, "opened_on"), true)
		if !r.opened.IsZero() && !c.has("opened_on") && r.opened.Time().After(e.today.Time()) {
			c.bad("opened_on", "la data di apertura è futura")
		}
		r.closed = c.date("closed_on", t.get(rec, "closed_on"), false)
		r.closeReason = t.get(rec, "close_reason")
		switch {
		case ok && r.terminal && r.closed.IsZero() && !c.has("closed_on"):
			c.bad("closed_on", "una cartella chiusa ha la data di chiusura")
		case ok && !r.terminal && !r.closed.IsZero():
			c.bad("closed_on", "solo una cartella in uno stato finale ha la data di chiusura")
		case !r.closed.IsZero() && !r.opened.IsZero() && r.closed.Time().Before(r.opened.Time()):
			c.bad("closed_on", "la data di chiusura precede quella di apertura")
		case !r.closed.IsZero() && r.closed.Time().After(e.today.Time()):
			c.bad("closed_on", "la data di chiusura è futura")
		}
		if ok && r.terminal && r.closeReason == "" {
			c.bad("close_reason", "indica il motivo della chiusura")
		}
		if !r.terminal && r.closeReason != "" {
			c.bad("close_reason", "solo una cartella chiusa ha il motivo della chiusura")
		}
		if len([]rune(r.closeReason)) > 2000 {
			c.bad("close_reason", "il motivo è troppo lungo (al massimo 2000 caratteri)")
		}
		r.responsibleEmail = strings.ToLower(t.get(rec, "responsible_email"))
		if r.responsibleEmail != "" {
			m, found := members[r.responsibleEmail]
			switch {
			case !found:
				c.bad("responsible_email", "l'operatore non è un membro attivo dell'ente")
			case r.unit != uuid.Nil && !slices.Contains(m.units, r.unit):
				c.bad("responsible_email", "l'operatore non appartiene all'unità della cartella")
			default:
				r.responsible = m.id
			}
		}
		r.reserved = c.boolean("reserved", t.get(rec, "reserved"), false)
		r.summary = t.get(rec, "summary")
		if len([]rune(r.summary)) > 4000 {
			c.bad("summary", "la sintesi non può superare i 4000 caratteri")
		}
		if n := t.get(rec, "number"); n != "" {
			switch {
			case !caseNumber.MatchString(n):
				c.bad("number", "il numero di cartella ha la forma AAAA/NNNNNN (lascialo vuoto per numerarla con il contatore dell'ente)")
			case numSeen[n] != 0:
				c.bad("number", fmt.Sprintf("numero già usato alla riga %d", numSeen[n]))
			default:
				numSeen[n] = r.row
				r.number = n
			}
		}
		if len(c.errs) > 0 {
			errs = append(errs, c.errs...)
			continue
		}
		r.digest = digestOf(r.number, t.get(rec, "person_external_id"), t.get(rec, "household_external_id"), r.userArea,
			r.unitCode, r.state, dateStr(r.opened), dateStr(r.closed), r.closeReason, r.responsibleEmail,
			strconv.FormatBool(r.reserved), r.summary)
		recs = append(recs, r)
	}
	kept, skipped, dupErrs, err := partition(ctx, tx, KindCases, recs)
	if err != nil {
		return 0, 0, nil, err
	}
	errs = append(errs, dupErrs...)
	var numbers []string
	var numberRows []int32
	for _, r := range kept {
		if r.number != "" {
			numbers, numberRows = append(numbers, r.number), append(numberRows, int32(r.row))
		}
	}
	if len(numbers) > 0 {
		q, err := tx.Query(ctx, `SELECT s.r FROM unnest($1::text[], $2::int[]) AS s (n, r) JOIN cases c ON c.number = s.n ORDER BY 1`, numbers, numberRows)
		if err != nil {
			return 0, 0, nil, fmt.Errorf("numbers: %w", err)
		}
		taken, err := pgx.CollectRows(q, pgx.RowTo[int32])
		if err != nil {
			return 0, 0, nil, fmt.Errorf("numbers: %w", err)
		}
		for _, r := range taken {
			errs = append(errs, RowError{Row: int(r), Field: "number", Message: "esiste già una cartella con questo numero"})
		}
	}
	if len(errs) > 0 || e.anyErrors {
		return 0, skipped, errs, ErrRowsInvalid
	}

	// The counter: past every kept number of its year, then the numbers of
	// the cases without one, of the current year.
	if len(numbers) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO case_counters (tenant_id, year, last)
			SELECT $1, split_part(n, '/', 1)::int, max(split_part(n, '/', 2)::int) FROM unnest($2::text[]) AS s (n) GROUP BY split_part(n, '/', 1)
			ON CONFLICT (tenant_id, year) DO UPDATE SET last = greatest(case_counters.last, excluded.last)`, e.tenant, numbers); err != nil {
			return 0, 0, nil, fmt.Errorf("case counter: %w", err)
		}
	}
	need := len(kept) - len(numbers)
	if need > 0 {
		var year, last int
		err := tx.QueryRow(ctx, `INSERT INTO case_counters (tenant_id, year, last)
			VALUES ($1, extract(year FROM now() AT TIME ZONE 'Europe/Rome')::int, $2)
			ON CONFLICT (tenant_id, year) DO UPDATE SET last = case_counters.last + $2
			RETURNING year, last`, e.tenant, need).Scan(&year, &last)
		if err != nil {
			return 0, 0, nil, fmt.Errorf("case counter: %w", err)
		}
		if last > 999999 {
			return 0, 0, nil, fmt.Errorf("case counter: more than 999999 cases in %d", year)
		}
		n := last - need
		for i := range kept {
			if kept[i].number == "" {
				n++
				kept[i].number = fmt.Sprintf("%04d/%06d", year, n)
			}
		}
	}
	by := nilUUID(e.by.ID)
	err = chunks(len(kept), func(lo, hi int) error {
		batch := kept[lo:hi]
		n := len(batch)
		var (
			ids, pids, unitIDs = make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n)
			hids, resp         = make([]pgtype.UUID, n), make([]pgtype.UUID, n)
			nums, areas, sts   = make([]string, n), make([]string, n), make([]string, n)
			reasons, sums      = make([]string, n), make([]string, n)
			opened, closed     = make([]pgtype.Date, n), make([]pgtype.Date, n)
			reserved           = make([]bool, n)
		)
		for i, r := range batch {
			ids[i], pids[i], unitIDs[i] = uuid.New(), r.person, r.unit
			hids[i] = pgtype.UUID{Bytes: r.household, Valid: r.household != uuid.Nil}
			resp[i] = pgtype.UUID{Bytes: r.responsible, Valid: r.responsible != uuid.Nil}
			nums[i], areas[i], sts[i], reasons[i], sums[i] = r.number, r.userArea, r.state, r.closeReason, r.summary
			opened[i], closed[i], reserved[i] = pdate(r.opened), pdate(r.closed), r.reserved
		}
		_, err := tx.Exec(ctx, `WITH src AS (
				SELECT * FROM unnest($4::uuid[], $5::text[], $6::uuid[], $7::uuid[], $8::text[], $9::text[], $10::uuid[],
					$11::uuid[], $12::bool[], $13::text[], $14::date[], $15::date[], $16::text[])
					AS s (id, number, person_id, household_id, user_area, state, unit_id, responsible_id, reserved, summary,
						opened_on, closed_on, close_reason)
			), c AS (
				INSERT INTO cases (tenant_id, id, number, person_id, household_id, user_area, state, unit_id, responsible_id,
					reserved, summary, opened_at, opened_by, closed_at, close_reason, updated_at)
				SELECT $1, id, number, person_id, household_id, user_area, state, unit_id, responsible_id, reserved, summary,
					opened_on::timestamp AT TIME ZONE 'Europe/Rome', $3, closed_on::timestamp AT TIME ZONE 'Europe/Rome',
					close_reason, $2 FROM src
				RETURNING id
			), ev AS (
				INSERT INTO case_events (tenant_id, case_id, seq, at, by_id, kind, to_state, details)
				SELECT $1, id, 1, $2, $3, 'opened', state, jsonb_build_object('number', number, 'unit', unit_id,
					'reserved', reserved, 'imported', true) FROM src
			)
			INSERT INTO case_team (tenant_id, case_id, operator_id, role, added_by, added_at)
			SELECT $1, id, responsible_id, 'responsible', $3, $2 FROM src WHERE responsible_id IS NOT NULL`,
			e.tenant, e.now, by, ids, nums, pids, hids, areas, sts, unitIDs, resp, reserved, sums, opened, closed, reasons)
		if err != nil {
			return fmt.Errorf("insert cases: %w", err)
		}
		return mapExternal(ctx, tx, e.tenant, KindCases, batch, ids, e.run)
	})
	if err != nil {
		return 0, 0, nil, err
	}
	return len(kept), skipped, nil, nil
}
