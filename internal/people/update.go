package people

import (
	"context"
	"fmt"
	"reflect"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/db"
)

// Update changes the person with id to in. in.Version must be the version the
// operator edited (ErrStale otherwise); a merged record may not be changed
// (ErrMerged). An update that changes nothing writes nothing.
func (s *Service) Update(ctx context.Context, tenant, id uuid.UUID, in Input, by Actor) (*Person, error) {
	p, err := in.validate(s.now())
	if err != nil {
		return nil, fmt.Errorf("people.Update(%s, %s): %w", tenant, id, err)
	}
	var out *Person
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		old, err := get(ctx, tx, id, true)
		switch {
		case err != nil:
			return err
		case old.MergedInto != nil:
			return ErrMerged
		case old.Version != in.Version:
			return ErrStale
		}
		changed := changedFields(old, &p)
		if len(changed) == 0 {
			out = old
			return nil
		}
		provisional := &old.ProvisionalID
		if p.TaxCode == "" && old.ProvisionalID == "" {
			// The tax code was removed: the person needs another identifier.
			*provisional = newProvisionalID()
		}
		if *provisional == "" {
			provisional = nil
		}
		var taxCode *string
		if p.TaxCode != "" {
			taxCode = &p.TaxCode
		}
		out, err = scanPerson(tx.QueryRow(ctx, `UPDATE people SET tax_code = $2, provisional_id = $3,
				first_name = $4, last_name = $5, name_key = $6, sex = $7, birth_date = $8, birth_place = $9,
				citizenship = $10, second_citizenship = $11, residence = $12, domicile = $13, phone = $14,
				email = $15, details = $16, mismatches = $17, version = version + 1, updated_at = now()
			WHERE id = $1 RETURNING `+columns,
			id, taxCode, provisional, p.FirstName, p.LastName, nameKey(p.LastName, p.FirstName), p.Sex,
			p.BirthDate.Time(), p.BirthPlace, p.Citizenship, p.SecondCitizenship, p.Residence, p.Domicile,
			p.Phone, p.Email, jsonOrEmpty(p.Details, "{}"), jsonOrEmpty(p.Mismatches, "[]")))
		if db.IsUniqueViolation(err) {
			return ErrTaxCodeTaken
		}
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		if err := writeVersion(ctx, tx, tenant, out, "updated", by); err != nil {
			return err
		}
		details := map[string]any{"fields": changed, "version": out.Version}
		if len(out.Mismatches) > 0 {
			details["mismatches_accepted"] = out.Mismatches
		}
		return audit.Write(ctx, tx, tenant, event("person.updated", id, by, details))
	})
	if err != nil {
		return nil, fmt.Errorf("people.Update(%s, %s): %w", tenant, id, err)
	}
	return out, nil
}

// changedFields lists the JSON names of the fields of the record that next
// changes, in the order of Person.
func changedFields(old, next *Person) []string {
	var out []string
	add := func(name string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			out = append(out, name)
		}
	}
	add("tax_code", old.TaxCode, next.TaxCode)
	add("first_name", old.FirstName, next.FirstName)
	add("last_name", old.LastName, next.LastName)
	add("sex", old.Sex, next.Sex)
	add("birth_date", old.BirthDate, next.BirthDate)
	add("birth_place", old.BirthPlace, next.BirthPlace)
	add("citizenship", old.Citizenship, next.Citizenship)
	add("second_citizenship", old.SecondCitizenship, next.SecondCitizenship)
	add("residence", old.Residence, next.Residence)
	add("domicile", old.Domicile, next.Domicile)
	add("phone", old.Phone, next.Phone)
	add("email", old.Email, next.Email)
	// As JSON, so that a map of ints equals the same map read back as
	// float64s, and no mismatches equal an empty list.
	add("details", string(jsonOrEmpty(old.Details, "{}")), string(jsonOrEmpty(next.Details, "{}")))
	add("mismatches", string(jsonOrEmpty(old.Mismatches, "[]")), string(jsonOrEmpty(next.Mismatches, "[]")))
	return out
}
