package people

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
)

// View returns the person with id and every version of the record, and
// records in the audit trail, in the same transaction, that by looked at it:
// one person.viewed event per view, however much of the record the page shows.
// via says what showed it ("page", "edit", "api"…), for the trail.
func (s *Service) View(ctx context.Context, tenant, id uuid.UUID, by Actor, via string) (*Person, []Version, error) {
	var (
		p  *Person
		vs []Version
	)
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		if p, err = get(ctx, tx, id, false); err != nil {
			return err
		}
		if vs, err = versions(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("person.viewed", id, by, map[string]any{"via": via}))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("people.View(%s, %s): %w", tenant, id, err)
	}
	return p, vs, nil
}

// Find is Search recorded in the audit trail: one person.searched event with
// the query and the people it showed, in the search's transaction. A query
// with nothing to search for finds nothing and records nothing.
func (s *Service) Find(ctx context.Context, tenant uuid.UUID, q Query, by Actor) ([]Hit, error) {
	var hits []Hit
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		hits, err = search(ctx, tx, tenant, q)
		if err != nil || !searchable(q.Text) {
			return err
		}
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.Person.ID.String()
		}
		details := map[string]any{"q": q.Text, "results": ids}
		if q.BirthYear > 0 {
			details["birth_year"] = q.BirthYear
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "person.searched", ActorID: by.ID, Actor: by.Email,
			IP: by.IP, ObjectType: "person", Details: details})
	})
	if err != nil {
		return nil, fmt.Errorf("people.Find(%s, %q): %w", tenant, q.Text, err)
	}
	return hits, nil
}

// Trail returns the audit events about the person with id, newest first: who
// created, changed, merged and looked at the record. At most limit events
// (0: audit.DefaultLimit).
func (s *Service) Trail(ctx context.Context, tenant, id uuid.UUID, limit int) ([]audit.Record, error) {
	var out []audit.Record
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		if _, err := get(ctx, tx, id, false); err != nil {
			return err
		}
		out, err = audit.List(ctx, tx, tenant, audit.Filter{ObjectType: "person", ObjectID: id.String(), Limit: limit})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("people.Trail(%s, %s): %w", tenant, id, err)
	}
	return out, nil
}

// versions reads every version of the person with id, oldest first.
func versions(ctx context.Context, tx pgx.Tx, id uuid.UUID) ([]Version, error) {
	rows, err := tx.Query(ctx, `SELECT version, action, data, coalesce(changed_by, '00000000-0000-0000-0000-000000000000'), changed_at
		FROM person_versions WHERE person_id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var data []byte
		if err := rows.Scan(&v.Version, &v.Action, &data, &v.ChangedBy, &v.ChangedAt); err != nil {
			return nil, fmt.Errorf("versions: %w", err)
		}
		if err := json.Unmarshal(data, &v.Data); err != nil {
			return nil, fmt.Errorf("versions: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
