package onboarding

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sigess/sigess/internal/people"
)

// peopleFormat is the people file's columns (docs/import.md).
var peopleFormat = []column{
	{"external_id", true}, {"tax_code", false}, {"last_name", true}, {"first_name", true}, {"sex", true},
	{"birth_date", true}, {"birth_place", true}, {"citizenship", false}, {"second_citizenship", false},
	{"residence", false}, {"domicile", false}, {"phone", false}, {"email", false}, {"accept_mismatch", false},
}

// personRow is one valid row of a people file.
type personRow struct {
	row      int
	external string
	p        people.Person
	digest   []byte
}

// parseDate reads YYYY-MM-DD or DD/MM/YYYY.
func parseDate(s string) (people.Date, bool) {
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return people.DateOf(t), true
		}
	}
	return people.Date{}, false
}

// parseBool reads the yes/no of accept_mismatch.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "", "0", "n", "no", "false":
		return false, true
	case "1", "s", "si", "sì", "y", "yes", "true":
		return true, true
	}
	return false, false
}

// checkPeople validates every record of t with the registry's rules and
// returns the valid rows and the errors of the others; external ids and tax
// codes must be unique within the file.
func checkPeople(t *table, now time.Time, progress func(done int)) ([]personRow, []RowError) {
	var (
		rows    = make([]personRow, 0, len(t.records))
		errs    []RowError
		extSeen = make(map[string]int, len(t.records))
		cfSeen  = make(map[string]int, len(t.records))
	)
	for i, rec := range t.records {
		if progress != nil && i > 0 && i%10_000 == 0 {
			progress(i)
		}
		if rec == nil {
			continue // reported by readTable
		}
		row := t.rows[i]
		var rowErrs []RowError
		bad := func(field, msg string) { rowErrs = append(rowErrs, RowError{Row: row, Field: field, Message: msg}) }
		ext := t.get(rec, "external_id")
		switch {
		case ext == "":
			bad("external_id", "indica l'identificativo del sistema di provenienza")
		case len(ext) > 100:
			bad("external_id", "l'identificativo è troppo lungo (al massimo 100 caratteri)")
		case extSeen[ext] != 0:
			bad("external_id", fmt.Sprintf("identificativo già usato alla riga %d", extSeen[ext]))
		default:
			extSeen[ext] = row
		}
		in := people.Input{
			TaxCode: t.get(rec, "tax_code"), LastName: t.get(rec, "last_name"), FirstName: t.get(rec, "first_name"),
			Sex: t.get(rec, "sex"), BirthPlace: t.get(rec, "birth_place"), Citizenship: t.get(rec, "citizenship"),
			SecondCitizenship: t.get(rec, "second_citizenship"), Residence: t.get(rec, "residence"),
			Domicile: t.get(rec, "domicile"), Phone: t.get(rec, "phone"), Email: t.get(rec, "email"),
		}
		badDate := false
		if v := t.get(rec, "birth_date"); v != "" {
			d, ok := parseDate(v)
			if !ok {
				badDate = true
				bad("birth_date", "data non valida: scrivila AAAA-MM-GG o GG/MM/AAAA")
			}
			in.BirthDate = d
		}
		accept, ok := parseBool(t.get(rec, "accept_mismatch"))
		if !ok {
			bad("accept_mismatch", "scrivi sì o no")
		}
		in.AcceptMismatch = accept
		p, err := people.Validate(in, now)
		if err != nil {
			fields := people.Fields(err)
			if fields == nil {
				bad("", err.Error())
			}
			for _, f := range fields {
				if f.Field == "birth_date" && badDate {
					continue // already said
				}
				bad(f.Field, f.Message)
			}
		}
		if p.TaxCode != "" {
			if prev := cfSeen[p.TaxCode]; prev != 0 {
				bad("tax_code", fmt.Sprintf("codice fiscale già presente alla riga %d", prev))
			} else {
				cfSeen[p.TaxCode] = row
			}
		}
		if len(rowErrs) > 0 {
			errs = append(errs, rowErrs...)
			continue
		}
		rows = append(rows, personRow{row: row, external: ext, p: p, digest: personDigest(&p)})
	}
	return rows, errs
}

// personDigest identifies a person's data as imported: the same data, however
// it was written in the file (date format, case, spaces), has the same digest.
func personDigest(p *people.Person) []byte {
	mism, _ := json.Marshal(p.Mismatches)
	h := sha256.New()
	for _, v := range []string{p.TaxCode, p.LastName, p.FirstName, p.Sex, p.BirthDate.String(), p.BirthPlace,
		p.Citizenship, p.SecondCitizenship, p.Residence, p.Domicile, p.Phone, p.Email, string(mism)} {
		h.Write([]byte(v))
		h.Write([]byte{0x1f})
	}
	return h.Sum(nil)
}

// batchSize is how many rows each statement of the import checks or writes.
const batchSize = 50_000

// writePeople writes rows in tx (scoped to tenant). Rows whose external id
// was imported with the same data are skipped, with other data reported.
// The others are inserted — people, their first versions and their external
// ids — batchSize rows per statement; a tax code the ente has registered
// already is reported. When anything is reported (or anyErrors: rows failed
// validation), it returns ErrRowsInvalid with every error found, and the
// caller's transaction is rolled back: nothing is written. The rows go as
// arrays through INSERT … SELECT FROM unnest(…), which row-level security
// checks: PostgreSQL refuses COPY FROM into a table under row-level security
// and the runtime role may not create temporary tables (docs/import.md).
func writePeople(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, rows []personRow, run uuid.UUID, by Actor, now time.Time, anyErrors bool) (created, skipped int, errs []RowError, err error) {
	// Rows imported before: the same data is skipped, other data refused. A
	// first import of the kind has nothing to look up.
	var imported bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM import_external_ids WHERE kind = 'people')`).Scan(&imported); err != nil {
		return 0, 0, nil, fmt.Errorf("external ids: %w", err)
	}
	keep := rows
	if imported {
		keep = rows[:0:0]
		for start := 0; start < len(rows); start += batchSize {
			batch := rows[start:min(start+batchSize, len(rows))]
			exts := make([]string, len(batch))
			for i := range batch {
				exts[i] = batch[i].external
			}
			known := map[string][]byte{}
			q, err := tx.Query(ctx, `SELECT external_id, digest FROM import_external_ids WHERE kind = 'people' AND external_id = ANY($1)`, exts)
			if err != nil {
				return 0, 0, nil, fmt.Errorf("external ids: %w", err)
			}
			var ext string
			var digest []byte
			if _, err := pgx.ForEachRow(q, []any{&ext, &digest}, func() error { known[ext] = digest; return nil }); err != nil {
				return 0, 0, nil, fmt.Errorf("external ids: %w", err)
			}
			for _, r := range batch {
				if d, ok := known[r.external]; ok {
					if bytes.Equal(d, r.digest) {
						skipped++
					} else {
						errs = append(errs, RowError{Row: r.row, Field: "external_id",
							Message: "identificativo già importato con dati diversi: correggi la scheda nell'applicazione, non con l'importazione"})
					}
					continue
				}
				keep = append(keep, r)
			}
		}
	}

	// Provisional identifiers for the people without a tax code, distinct
	// within the file and from the ente's.
	var provs []string
	provisional := map[string]bool{}
	for i := range keep {
		if keep[i].p.TaxCode == "" {
			keep[i].p.ProvisionalID = drawProvisional(provisional)
			provs = append(provs, keep[i].p.ProvisionalID)
		}
	}
	for attempt := 0; len(provs) > 0; attempt++ {
		if attempt == 5 {
			return 0, 0, nil, errors.New("provisional ids: no free identifiers after 5 attempts")
		}
		q, err := tx.Query(ctx, `SELECT provisional_id FROM people WHERE provisional_id = ANY($1)`, provs)
		if err != nil {
			return 0, 0, nil, fmt.Errorf("provisional ids: %w", err)
		}
		clash, err := pgx.CollectRows(q, pgx.RowTo[string])
		if err != nil {
			return 0, 0, nil, fmt.Errorf("provisional ids: %w", err)
		}
		bad := map[string]bool{}
		for _, c := range clash {
			bad[c] = true
		}
		provs = provs[:0]
		for i := range keep {
			if bad[keep[i].p.ProvisionalID] {
				keep[i].p.ProvisionalID = drawProvisional(provisional)
				provs = append(provs, keep[i].p.ProvisionalID)
			}
		}
	}

	var changedBy *uuid.UUID
	if by.ID != uuid.Nil {
		changedBy = &by.ID
	}
	var runID *uuid.UUID
	if run != uuid.Nil {
		runID = &run
	}
	for start := 0; start < len(keep); start += batchSize {
		batch := keep[start:min(start+batchSize, len(keep))]
		n := len(batch)
		var (
			rowNos                                           = make([]int32, n)
			ids                                              = make([][16]byte, n) // uuid.UUID would go through driver.Valuer, as text
			taxCodes, provIDs                                = make([]pgtype.Text, n), make([]pgtype.Text, n)
			first, last, keys, sex, places, cits, cits2, res = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			doms, phones, emails, mism, data, exts           = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			births                                           = make([]time.Time, n)
			digests                                          = make([][]byte, n)
		)
		for i := range batch {
			p := batch[i].p
			p.ID, p.Version, p.CreatedAt, p.UpdatedAt = uuid.New(), 1, now, now
			b, err := json.Marshal(&p)
			if err != nil {
				return 0, 0, nil, err
			}
			rowNos[i], ids[i], data[i], exts[i], digests[i] = int32(batch[i].row), p.ID, string(b), batch[i].external, batch[i].digest
			if p.TaxCode != "" {
				taxCodes[i] = pgtype.Text{String: p.TaxCode, Valid: true}
			} else {
				provIDs[i] = pgtype.Text{String: p.ProvisionalID, Valid: true}
			}
			first[i], last[i], keys[i], sex[i] = p.FirstName, p.LastName, people.NameKey(p.LastName, p.FirstName), p.Sex
			births[i], places[i], cits[i], cits2[i], res[i] = p.BirthDate.Time(), p.BirthPlace, p.Citizenship, p.SecondCitizenship, p.Residence
			doms[i], phones[i], emails[i], mism[i] = p.Domicile, p.Phone, p.Email, "[]"
			if len(p.Mismatches) > 0 {
				m, _ := json.Marshal(p.Mismatches)
				mism[i] = string(m)
			}
		}
		// One statement: the name-words trigger runs once per batch, and the
		// versions' and external ids' foreign keys are checked at its end. A
		// tax code the ente has registered already is not inserted (the
		// unique index is probed once, by the insert) and its row returned.
		q, err := tx.Query(ctx, `WITH src AS (
				SELECT * FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
					$10::date[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
					$18::jsonb[], $19::jsonb[], $20::text[], $21::bytea[], $24::int[])
					AS s (id, tax_code, provisional_id, first_name, last_name, name_key, sex, birth_date, birth_place,
						citizenship, second_citizenship, residence, domicile, phone, email, mismatches, data, external_id, digest, row_no)
			), p AS (
				INSERT INTO people (tenant_id, id, tax_code, provisional_id, first_name, last_name, name_key, sex, birth_date,
					birth_place, citizenship, second_citizenship, residence, domicile, phone, email, mismatches, created_at, updated_at)
				SELECT $1, id, tax_code, provisional_id, first_name, last_name, name_key, sex, birth_date, birth_place,
					citizenship, second_citizenship, residence, domicile, phone, email, mismatches, $2, $2 FROM src
				ON CONFLICT (tenant_id, tax_code) WHERE merged_into IS NULL DO NOTHING
				RETURNING id
			), v AS (
				INSERT INTO person_versions (tenant_id, person_id, version, action, data, changed_by, changed_at)
				SELECT $1, id, 1, 'created', data, $22, $2 FROM src JOIN p USING (id)
			), x AS (
				INSERT INTO import_external_ids (tenant_id, kind, external_id, object_id, digest, import_id, created_at)
				SELECT $1, 'people', external_id, id, digest, $23, $2 FROM src JOIN p USING (id)
			)
			SELECT row_no FROM src WHERE NOT EXISTS (SELECT FROM p WHERE p.id = src.id) ORDER BY row_no`,
			tenant, now, ids, taxCodes, provIDs, first, last, keys, sex, births, places, cits, cits2, res, doms, phones,
			emails, mism, data, exts, digests, changedBy, runID, rowNos)
		if err != nil {
			return 0, 0, nil, fmt.Errorf("insert: %w", err)
		}
		taken, err := pgx.CollectRows(q, pgx.RowTo[int32])
		if err != nil {
			return 0, 0, nil, fmt.Errorf("insert: %w", err)
		}
		for _, row := range taken {
			errs = append(errs, RowError{Row: int(row), Field: "tax_code", Message: "esiste già una persona con questo codice fiscale"})
		}
		got := n - len(taken)
		created += got
	}
	if len(errs) > 0 || anyErrors {
		return 0, skipped, errs, ErrRowsInvalid
	}
	return created, skipped, nil, nil
}

// drawProvisional draws a provisional identifier not in seen, and adds it.
func drawProvisional(seen map[string]bool) string {
	for {
		id := people.NewProvisionalID()
		if !seen[id] {
			seen[id] = true
			return id
		}
	}
}
