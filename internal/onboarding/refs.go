package onboarding

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/households"
	"github.com/sigess/sigess/internal/people"
)

// The helpers the kinds after people share: references to records imported
// before (by external id), the skip-or-refuse of records imported already,
// the mapping of the records written, and the parsing of values.

// refs returns the ids of the records of kind imported under exts (those not
// imported are absent).
func refs(ctx context.Context, tx pgx.Tx, kind string, exts []string) (map[string]uuid.UUID, error) {
	out := make(map[string]uuid.UUID, len(exts))
	if len(exts) == 0 {
		return out, nil
	}
	q, err := tx.Query(ctx, `SELECT external_id, object_id FROM import_external_ids WHERE kind = $1 AND external_id = ANY($2)`, kind, exts)
	if err != nil {
		return nil, fmt.Errorf("references to %s: %w", kind, err)
	}
	var ext string
	var id uuid.UUID
	if _, err := pgx.ForEachRow(q, []any{&ext, &id}, func() error { out[ext] = id; return nil }); err != nil {
		return nil, fmt.Errorf("references to %s: %w", kind, err)
	}
	return out, nil
}

// record is what every kind's valid record has: its row, external id and
// digest.
type record struct {
	row      int
	external string
	digest   []byte
}

// base is the record a kind's record embeds.
func (r record) base() record { return r }

// kindRec is a kind's record: a struct that embeds record.
type kindRec interface{ base() record }

// partition splits recs into those to write (kept, in order) and those
// imported already: the same digest is skipped, another one is an error of
// the row.
func partition[R kindRec](ctx context.Context, tx pgx.Tx, kind string, recs []R) (kept []R, skipped int, errs []RowError, err error) {
	exts := make([]string, len(recs))
	for i := range recs {
		exts[i] = recs[i].base().external
	}
	known := map[string][]byte{}
	if len(exts) > 0 {
		q, err := tx.Query(ctx, `SELECT external_id, digest FROM import_external_ids WHERE kind = $1 AND external_id = ANY($2)`, kind, exts)
		if err != nil {
			return nil, 0, nil, fmt.Errorf("external ids: %w", err)
		}
		var ext string
		var digest []byte
		if _, err := pgx.ForEachRow(q, []any{&ext, &digest}, func() error { known[ext] = digest; return nil }); err != nil {
			return nil, 0, nil, fmt.Errorf("external ids: %w", err)
		}
	}
	kept = make([]R, 0, len(recs))
	for _, rec := range recs {
		r := rec.base()
		d, ok := known[r.external]
		switch {
		case !ok:
			kept = append(kept, rec)
		case bytes.Equal(d, r.digest):
			skipped++
		default:
			errs = append(errs, RowError{Row: r.row, Field: "external_id",
				Message: "identificativo già importato con dati diversi: correggi la scheda nell'applicazione, non con l'importazione"})
		}
	}
	return kept, skipped, errs, nil
}

// mapExternal records (kind, external id) → id with each record's digest.
func mapExternal[R kindRec](ctx context.Context, tx pgx.Tx, tenant uuid.UUID, kind string, recs []R, ids []uuid.UUID, run uuid.UUID) error {
	if len(recs) == 0 {
		return nil
	}
	exts, digests := make([]string, len(recs)), make([][]byte, len(recs))
	for i := range recs {
		r := recs[i].base()
		exts[i], digests[i] = r.external, r.digest
	}
	var runID *uuid.UUID
	if run != uuid.Nil {
		runID = &run
	}
	_, err := tx.Exec(ctx, `INSERT INTO import_external_ids (tenant_id, kind, external_id, object_id, digest, import_id)
		SELECT $1, $2, e, o, d, $6 FROM unnest($3::text[], $4::uuid[], $5::bytea[]) AS s (e, o, d)`,
		tenant, kind, exts, ids, digests, runID)
	if err != nil {
		return fmt.Errorf("external ids: %w", err)
	}
	return nil
}

// digestOf is the SHA-256 of values, each ended by a unit separator.
func digestOf(values ...string) []byte {
	h := sha256.New()
	for _, v := range values {
		h.Write([]byte(v))
		h.Write([]byte{0x1f})
	}
	return h.Sum(nil)
}

// checker collects the errors of one row.
type checker struct {
	row  int
	errs []RowError
}

func (c *checker) bad(field, msg string) {
	c.errs = append(c.errs, RowError{Row: c.row, Field: field, Message: msg})
}

// has reports whether field has an error already.
func (c *checker) has(field string) bool {
	for _, e := range c.errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

// external checks a record's external id: given, short enough, once in the
// file (seen maps the ids to their rows).
func (c *checker) external(v string, seen map[string]int) {
	switch {
	case v == "":
		c.bad("external_id", "indica l'identificativo del sistema di provenienza")
	case len(v) > 100:
		c.bad("external_id", "l'identificativo è troppo lungo (al massimo 100 caratteri)")
	case seen[v] != 0:
		c.bad("external_id", fmt.Sprintf("identificativo già usato alla riga %d", seen[v]))
	default:
		seen[v] = c.row
	}
}

// date reads an optional date of field; required when need.
func (c *checker) date(field, v string, need bool) people.Date {
	if v == "" {
		if need {
			c.bad(field, "indica la data (AAAA-MM-GG o GG/MM/AAAA)")
		}
		return people.Date{}
	}
	d, ok := parseDate(v)
	if !ok {
		c.bad(field, "data non valida: scrivila AAAA-MM-GG o GG/MM/AAAA")
	}
	return d
}

// boolean reads a yes/no of field, def when empty.
func (c *checker) boolean(field, v string, def bool) bool {
	if v == "" {
		return def
	}
	b, ok := parseBool(v)
	if !ok {
		c.bad(field, "scrivi sì o no")
	}
	return b
}

// euro reads an optional amount in euro ("1.234,50" or "1234.50") as cents.
func (c *checker) euro(field, v string) *int64 {
	if v == "" {
		return nil
	}
	cents, err := households.ParseEuro(v)
	if err != nil {
		c.bad(field, "importo non valido: scrivilo in euro, per esempio 1234,50")
		return nil
	}
	return &cents
}

// number reads an optional decimal number ("12,5" or "12.5").
func (c *checker) number(field, v string) *float64 {
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
	if err != nil {
		c.bad(field, "numero non valido")
		return nil
	}
	return &f
}

// integer reads an optional whole number.
func (c *checker) integer(field, v string) *int {
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		c.bad(field, "numero intero non valido")
		return nil
	}
	return &n
}

// ref resolves an external id of kind read from field (required when need).
func (c *checker) ref(field, v string, ids map[string]uuid.UUID, kind string, need bool) uuid.UUID {
	if v == "" {
		if need {
			c.bad(field, "indica l'identificativo del sistema di provenienza")
		}
		return uuid.Nil
	}
	id, ok := ids[v]
	if !ok {
		c.bad(field, fmt.Sprintf("identificativo sconosciuto: nessun record di tipo %s importato con questo identificativo", kindLabel[kind]))
	}
	return id
}

var kindLabel = map[string]string{
	KindPeople: "persone", KindHouseholds: "nuclei", KindCases: "cartelle", KindInterventions: "interventi", KindDeliveries: "erogazioni",
}

// column values of t in every record, for the references to look up.
func (t *table) values(name string) []string {
	var out []string
	seen := map[string]bool{}
	for _, rec := range t.records {
		if rec == nil {
			continue
		}
		if v := t.get(rec, name); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// pdate is d for a date column (NULL when zero).
func pdate(d people.Date) pgtype.Date {
	if d.IsZero() {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: d.Time(), Valid: true}
}

// dateStr is d as written in a digest ("" when zero).
func dateStr(d people.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func ptrStr[T any](p *T) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

func nilUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// chunks calls f for each batch [lo, hi) of n items, batchSize at a time.
func chunks(n int, f func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += batchSize {
		if err := f(lo, min(lo+batchSize, n)); err != nil {
			return err
		}
	}
	return nil
}

// env is what the kinds after people are given: the ente, the run, who
// runs it, when, and whether reading the file found errors already.
type env struct {
	tenant, run uuid.UUID
	by          Actor
	now         time.Time
	today       people.Date
	anyErrors   bool
}

// kindFunc checks every record of t in tx (with the references it names)
// and, when there is no error at all, writes them; with any error it writes
// nothing and returns ErrRowsInvalid with every error found.
type kindFunc func(ctx context.Context, tx pgx.Tx, t *table, e env) (created, skipped int, errs []RowError, err error)

var rome = mustLocation("Europe/Rome")

func mustLocation(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// fieldErrs turns a domain's field errors into row errors, renaming fields
// to the file's columns (names absent from rename keep their name).
func (c *checker) fieldErrs(fes []derrors.FieldError, rename map[string]string) {
	for _, f := range fes {
		name := f.Field
		if n, ok := rename[name]; ok {
			name = n
		}
		c.bad(name, f.Message)
	}
}
