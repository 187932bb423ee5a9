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

	"github.com/sigess/sigess/internal/households"
	"github.com/sigess/sigess/internal/people"
)

// householdsFormat is the households file's columns (docs/import.md): one row
// per member; the household's own columns (name, address, ISEE) are given on
// any of its rows, and the rows that repeat them must agree.
var householdsFormat = []column{
	{"external_id", true}, {"name", false}, {"address", false}, {"person_external_id", true}, {"relationship", true},
	{"cohabiting", false}, {"member_from", false}, {"member_to", false}, {"isee_kind", false}, {"isee_value", false},
	{"dsu_protocol", false}, {"isee_year", false}, {"isee_signed_on", false}, {"isee_expires_on", false},
}

// householdLevel are the columns of the household itself, not of a member.
var householdLevel = []string{"name", "address", "isee_kind", "isee_value", "dsu_protocol", "isee_year", "isee_signed_on", "isee_expires_on"}

type memberRow struct {
	row        int
	external   string // the person's
	in         households.MemberInput
	from, to   string // as given, for the digest
	cohabiting bool
}

type householdRec struct {
	record
	details households.Details
	members []memberRow
	isee    *households.ISEEInput
}

// importHouseholds checks and writes a households file.
func importHouseholds(ctx context.Context, tx pgx.Tx, t *table, e env) (int, int, []RowError, error) {
	persons, err := refs(ctx, tx, KindPeople, t.values("person_external_id"))
	if err != nil {
		return 0, 0, nil, err
	}
	var (
		errs   []RowError
		order  []string
		groups = map[string][]int{} // external id → indexes of its records
	)
	for i, rec := range t.records {
		if rec == nil {
			continue
		}
		ext := t.get(rec, "external_id")
		if _, ok := groups[ext]; !ok {
			order = append(order, ext)
		}
		groups[ext] = append(groups[ext], i)
	}
	var recs []householdRec
	for _, ext := range order {
		idx := groups[ext]
		c := &checker{row: t.rows[idx[0]]}
		switch {
		case ext == "":
			for _, i := range idx {
				errs = append(errs, RowError{Row: t.rows[i], Field: "external_id", Message: "indica l'identificativo del sistema di provenienza"})
			}
			continue
		case len(ext) > 100:
			c.bad("external_id", "l'identificativo è troppo lungo (al massimo 100 caratteri)")
		}
		// The household's own columns: the first row that gives each.
		own := map[string]string{}
		ownRow := map[string]int{}
		for _, i := range idx {
			for _, col := range householdLevel {
				v := t.get(t.records[i], col)
				if v == "" {
					continue
				}
				if prev, ok := own[col]; ok && prev != v {
					errs = append(errs, RowError{Row: t.rows[i], Field: col,
						Message: fmt.Sprintf("il nucleo ha già un valore diverso alla riga %d", ownRow[col])})
					continue
				} else if !ok {
					own[col], ownRow[col] = v, t.rows[i]
				}
			}
		}
		at := func(col string) *checker {
			if r, ok := ownRow[col]; ok {
				return &checker{row: r}
			}
			return &checker{row: t.rows[idx[0]]}
		}
		h := householdRec{record: record{row: t.rows[idx[0]], external: ext}}
		h.details = households.Details{Name: own["name"], Address: own["address"]}
		if err := h.details.Check(true); err != nil {
			for _, f := range households.Fields(err) {
				cc := at(f.Field)
				cc.bad(f.Field, f.Message)
				c.errs = append(c.errs, cc.errs...)
			}
		}
		if own["isee_kind"] != "" || own["isee_value"] != "" || own["dsu_protocol"] != "" || own["isee_year"] != "" ||
			own["isee_signed_on"] != "" || own["isee_expires_on"] != "" {
			in := households.ISEEInput{Kind: own["isee_kind"], DSUProtocol: own["dsu_protocol"]}
			if in.Kind == "" {
				in.Kind = households.KindOrdinario
			}
			cv := at("isee_value")
			if v := own["isee_value"]; v == "" {
				cv.bad("isee_value", "indica il valore ISEE")
			} else if p := cv.euro("isee_value", v); p != nil {
				in.ValueCents = *p
			}
			if v := own["isee_year"]; v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					cv.bad("isee_year", "anno non valido")
				}
				in.Year = n
			}
			in.SignedOn = at("isee_signed_on").date("isee_signed_on", own["isee_signed_on"], false)
			in.ExpiresOn = at("isee_expires_on").date("isee_expires_on", own["isee_expires_on"], false)
			c.errs = append(c.errs, cv.errs...)
			if err := in.Validate(e.today); err != nil {
				for _, f := range households.Fields(err) {
					col := map[string]string{"kind": "isee_kind", "value": "isee_value", "year": "isee_year",
						"signed_on": "isee_signed_on", "expires_on": "isee_expires_on"}[f.Field]
					if col == "" {
						col = f.Field
					}
					cc := at(col)
					cc.bad(col, f.Message)
					c.errs = append(c.errs, cc.errs...)
				}
			}
			h.isee = &in
		}
		heads, seen := 0, map[string]int{}
		for _, i := range idx {
			rec, mc := t.records[i], &checker{row: t.rows[i]}
			m := memberRow{row: t.rows[i], external: t.get(rec, "person_external_id")}
			m.in.PersonID = mc.ref("person_external_id", m.external, persons, KindPeople, true)
			if prev := seen[m.external]; m.external != "" && prev != 0 {
				mc.bad("person_external_id", fmt.Sprintf("la persona è già nel nucleo alla riga %d", prev))
			}
			seen[m.external] = t.rows[i]
			m.in.Relationship = strings.ToLower(t.get(rec, "relationship"))
			if m.in.Relationship == households.Head {
				if heads++; heads > 1 {
					mc.bad("relationship", "un nucleo ha un solo intestatario")
				}
			}
			m.cohabiting = mc.boolean("cohabiting", t.get(rec, "cohabiting"), true)
			m.in.Cohabiting = m.cohabiting
			m.in.From = mc.date("member_from", t.get(rec, "member_from"), false)
			m.in.To = mc.date("member_to", t.get(rec, "member_to"), false)
			m.from, m.to = dateStr(m.in.From), dateStr(m.in.To)
			if !mc.has("member_from") && !m.in.From.IsZero() && m.in.From.Time().After(e.today.Time()) {
				mc.bad("member_from", "la data di inizio è futura")
			}
			if err := m.in.Check(e.today); err != nil {
				for _, f := range households.Fields(err) {
					if f.Field == "person_id" {
						continue // said by ref
					}
					mc.fieldErrs([]households.FieldError{f}, map[string]string{"to": "member_to", "from": "member_from"})
				}
			}
			c.errs = append(c.errs, mc.errs...)
			h.members = append(h.members, m)
		}
		if len(c.errs) > 0 {
			errs = append(errs, c.errs...)
			continue
		}
		slices.SortFunc(h.members, func(a, b memberRow) int { return strings.Compare(a.external, b.external) })
		vals := []string{h.details.Name, h.details.Address}
		if h.isee != nil {
			vals = append(vals, h.isee.Kind, strconv.FormatInt(h.isee.ValueCents, 10), h.isee.DSUProtocol,
				strconv.Itoa(h.isee.Year), dateStr(h.isee.SignedOn), dateStr(h.isee.ExpiresOn))
		}
		for _, m := range h.members {
			vals = append(vals, m.external, m.in.Relationship, strconv.FormatBool(m.cohabiting), m.from, m.to)
		}
		h.digest = digestOf(vals...)
		recs = append(recs, h)
	}
	overlaps := cohabitingOverlaps(recs)
	errs = append(errs, overlaps...)
	said := map[int]bool{}
	for _, o := range overlaps {
		said[o.Row] = true
	}

	kept, skipped, dupErrs, err := partition(ctx, tx, KindHouseholds, recs)
	if err != nil {
		return 0, 0, nil, err
	}
	errs = append(errs, dupErrs...)
	// A cohabiting member already living in another household of the ente
	// over the same dates.
	var (
		rowNos        []int32
		pids          []uuid.UUID
		froms, tos    []pgtype.Date
		names         = map[uuid.UUID]string{}
		personsByName []uuid.UUID
	)
	for _, h := range kept {
		for _, m := range h.members {
			personsByName = append(personsByName, m.in.PersonID)
			if m.cohabiting {
				rowNos, pids = append(rowNos, int32(m.row)), append(pids, m.in.PersonID)
				froms, tos = append(froms, pdate(m.in.From)), append(tos, pdate(m.in.To))
			}
		}
	}
	if len(pids) > 0 {
		q, err := tx.Query(ctx, `SELECT s.row_no FROM unnest($1::int[], $2::uuid[], $3::date[], $4::date[]) AS s (row_no, person_id, f, t)
			WHERE EXISTS (SELECT FROM household_members m WHERE m.person_id = s.person_id AND m.cohabiting
				AND daterange(m.valid_from, m.valid_to) && daterange(s.f, s.t)) ORDER BY 1`, rowNos, pids, froms, tos)
		if err != nil {
			return 0, 0, nil, fmt.Errorf("cohabiting: %w", err)
		}
		taken, err := pgx.CollectRows(q, pgx.RowTo[int32])
		if err != nil {
			return 0, 0, nil, fmt.Errorf("cohabiting: %w", err)
		}
		for _, r := range taken {
			if said[int(r)] {
				continue
			}
			errs = append(errs, RowError{Row: int(r), Field: "person_external_id",
				Message: "la persona convive già in un altro nucleo dell'ente nello stesso periodo"})
		}
	}
	if len(errs) > 0 || e.anyErrors {
		return 0, skipped, errs, ErrRowsInvalid
	}

	// Households without a name take their head's (or first member's).
	q, err := tx.Query(ctx, `SELECT id, last_name || ' ' || first_name FROM people WHERE id = ANY($1)`, personsByName)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("names: %w", err)
	}
	var pid uuid.UUID
	var pname string
	if _, err := pgx.ForEachRow(q, []any{&pid, &pname}, func() error { names[pid] = pname; return nil }); err != nil {
		return 0, 0, nil, fmt.Errorf("names: %w", err)
	}
	by := nilUUID(e.by.ID)
	err = chunks(len(kept), func(lo, hi int) error {
		batch := kept[lo:hi]
		ids := make([]uuid.UUID, len(batch))
		hnames, addrs := make([]string, len(batch)), make([]string, len(batch))
		var (
			mh, mp       []uuid.UUID
			mrel         []string
			mco          []bool
			mfrom, mto   []pgtype.Date
			ih           []uuid.UUID
			ikind, iprot []string
			ival         []int64
			iyear        []int32
			isign, iexp  []pgtype.Date
		)
		for i, h := range batch {
			ids[i], addrs[i] = uuid.New(), h.details.Address
			hnames[i] = h.details.Name
			if hnames[i] == "" {
				head := h.members[0].in.PersonID
				for _, m := range h.members {
					if m.in.Relationship == households.Head {
						head = m.in.PersonID
					}
				}
				hnames[i] = names[head]
			}
			for _, m := range h.members {
				mh, mp, mrel, mco = append(mh, ids[i]), append(mp, m.in.PersonID), append(mrel, m.in.Relationship), append(mco, m.cohabiting)
				mfrom, mto = append(mfrom, pdate(m.in.From)), append(mto, pdate(m.in.To))
			}
			if h.isee != nil {
				ih, ikind, iprot = append(ih, ids[i]), append(ikind, h.isee.Kind), append(iprot, h.isee.DSUProtocol)
				ival, iyear = append(ival, h.isee.ValueCents), append(iyear, int32(h.isee.Year))
				isign, iexp = append(isign, pdate(h.isee.SignedOn)), append(iexp, pdate(h.isee.ExpiresOn))
			}
		}
		_, err := tx.Exec(ctx, `WITH h AS (
				INSERT INTO households (tenant_id, id, name, address, created_by, created_at, updated_at)
				SELECT $1, id, name, address, $3, $2, $2 FROM unnest($4::uuid[], $5::text[], $6::text[]) AS s (id, name, address)
			), m AS (
				INSERT INTO household_members (tenant_id, household_id, person_id, relationship, cohabiting, valid_from, valid_to, created_by, created_at)
				SELECT $1, hid, pid, rel, co, f, t, $3, $2
				FROM unnest($7::uuid[], $8::uuid[], $9::text[], $10::bool[], $11::date[], $12::date[]) AS s (hid, pid, rel, co, f, t)
			)
			INSERT INTO isee_records (tenant_id, household_id, kind, value_cents, dsu_protocol, year, signed_on, expires_on,
				created_by, created_by_name, created_at)
			SELECT $1, hid, k, v, p, y, sg, ex, $3, $19, $2
			FROM unnest($13::uuid[], $14::text[], $15::bigint[], $16::text[], $17::int[], $18::date[], $20::date[]) AS s (hid, k, v, p, y, sg, ex)`,
			e.tenant, e.now, by, ids, hnames, addrs, mh, mp, mrel, mco, fromOrToday(mfrom, e.today), mto,
			ih, ikind, ival, iprot, iyear, isign, e.by.Email, iexp)
		if err != nil {
			return fmt.Errorf("insert households: %w", err)
		}
		return mapExternal(ctx, tx, e.tenant, KindHouseholds, batch, ids, e.run)
	})
	if err != nil {
		return 0, 0, nil, err
	}
	return len(kept), skipped, nil, nil
}

// fromOrToday is the membership start dates, today where none was given.
func fromOrToday(ds []pgtype.Date, today people.Date) []pgtype.Date {
	out := make([]pgtype.Date, len(ds))
	for i, d := range ds {
		if !d.Valid {
			d = pdate(today)
		}
		out[i] = d
	}
	return out
}

// cohabitingOverlaps finds a person cohabiting in two households of the
// file over overlapping dates (membership starts default to today).
func cohabitingOverlaps(recs []householdRec) []RowError {
	type span struct {
		row      int
		from, to string // "" to: open
	}
	var errs []RowError
	byPerson := map[uuid.UUID][]span{}
	for _, h := range recs {
		for _, m := range h.members {
			if !m.cohabiting {
				continue
			}
			s := span{row: m.row, from: dateStr(m.in.From), to: m.to}
			for _, o := range byPerson[m.in.PersonID] {
				if (o.to == "" || s.from < o.to) && (s.to == "" || o.from < s.to) {
					errs = append(errs, RowError{Row: m.row, Field: "person_external_id",
						Message: fmt.Sprintf("la persona convive anche nel nucleo della riga %d nello stesso periodo", o.row)})
					break
				}
			}
			byPerson[m.in.PersonID] = append(byPerson[m.in.PersonID], s)
		}
	}
	return errs
}
