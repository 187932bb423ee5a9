package people

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
)

// Create registers a person. When probable duplicates exist (the same tax
// code, or a similar name with the same birth date or year) and force is
// false, it creates nothing and returns them, so that the operator can open
// one of them or confirm with force. The same tax code is never registered
// twice: with force it is ErrTaxCodeTaken. Someone without a tax code gets a
// provisional identifier.
func (s *Service) Create(ctx context.Context, tenant uuid.UUID, in Input, by Actor, force bool) (*Person, []Candidate, error) {
	p, err := in.validate(s.now())
	if err != nil {
		return nil, nil, fmt.Errorf("people.Create(%s, %s %s): %w", tenant, in.LastName, in.FirstName, err)
	}
	var (
		out        *Person
		candidates []Candidate
	)
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		out, candidates = nil, nil
		cs, err := duplicates(ctx, tx, &p, uuid.Nil)
		if err != nil {
			return err
		}
		if len(cs) > 0 && (!force || cs[0].Reason == "tax_code") {
			if force {
				return ErrTaxCodeTaken
			}
			candidates = cs
			return nil
		}
		if out, err = insert(ctx, tx, tenant, &p); err != nil {
			return err
		}
		if err := writeVersion(ctx, tx, tenant, out, "created", by); err != nil {
			return err
		}
		details := map[string]any{"name": out.LastName + " " + out.FirstName}
		if out.TaxCode != "" {
			details["tax_code"] = out.TaxCode
		} else {
			details["provisional_id"] = out.ProvisionalID
		}
		if len(out.Mismatches) > 0 {
			details["mismatches_accepted"] = out.Mismatches
		}
		if len(cs) > 0 {
			details["duplicates_overridden"] = candidateIDs(cs)
		}
		return audit.Write(ctx, tx, tenant, event("person.created", out.ID, by, details))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("people.Create(%s, %s %s): %w", tenant, p.LastName, p.FirstName, err)
	}
	return out, candidates, nil
}

// insert writes p as a new record and returns it as stored. A person without
// a tax code gets a fresh provisional identifier, drawn again on a collision.
func insert(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, p *Person) (*Person, error) {
	for attempt := 0; attempt < 5; attempt++ {
		var taxCode, provisional *string
		if p.TaxCode != "" {
			taxCode = &p.TaxCode
		} else {
			id := newProvisionalID()
			provisional = &id
		}
		// ON CONFLICT DO NOTHING: the only unique keys a new row can hit are
		// the tax code (taken meanwhile) and the provisional identifier.
		out, err := scanPerson(tx.QueryRow(ctx, `INSERT INTO people (tenant_id, tax_code, provisional_id,
				first_name, last_name, name_key, sex, birth_date, birth_place, citizenship, second_citizenship,
				residence, domicile, phone, email, details, mismatches)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
			ON CONFLICT DO NOTHING
			RETURNING `+columns,
			tenant, taxCode, provisional, p.FirstName, p.LastName, nameKey(p.LastName, p.FirstName), p.Sex,
			p.BirthDate.Time(), p.BirthPlace, p.Citizenship, p.SecondCitizenship, p.Residence, p.Domicile,
			p.Phone, p.Email, jsonOrEmpty(p.Details, "{}"), jsonOrEmpty(p.Mismatches, "[]")))
		switch {
		case err == nil:
			return out, nil
		case !errors.Is(err, pgx.ErrNoRows):
			return nil, fmt.Errorf("insert: %w", err)
		case taxCode != nil:
			return nil, ErrTaxCodeTaken
		}
	}
	return nil, errors.New("insert: no free provisional identifier after 5 attempts")
}

func candidateIDs(cs []Candidate) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.Person.ID.String()
	}
	return ids
}

// event is an audit event about a person.
func event(action string, id uuid.UUID, by Actor, details map[string]any) audit.Event {
	return audit.Event{Action: action, ActorID: by.ID, Actor: by.Email, IP: by.IP,
		ObjectType: "person", ObjectID: id.String(), Details: details}
}
