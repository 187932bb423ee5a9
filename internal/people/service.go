package people

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// Service is the person registry over the database.
type Service struct {
	db    *db.DB
	now   func() time.Time
	hooks []MergeHook
}

// NewService returns a registry over d.
func NewService(d *db.DB) *Service {
	return &Service{db: d, now: time.Now}
}

// columns are the people columns scanPerson reads, in order.
const columns = `id, coalesce(tax_code, ''), coalesce(provisional_id, ''), first_name, last_name, sex,
	birth_date, birth_place, citizenship, second_citizenship, residence, domicile, phone, email,
	details, mismatches, merged_into, version, created_at, updated_at`

func scanPerson(row pgx.Row, extra ...any) (*Person, error) {
	var (
		p          Person
		birth      time.Time
		details    []byte
		mismatches []byte
	)
	dest := []any{&p.ID, &p.TaxCode, &p.ProvisionalID, &p.FirstName, &p.LastName, &p.Sex,
		&birth, &p.BirthPlace, &p.Citizenship, &p.SecondCitizenship, &p.Residence, &p.Domicile, &p.Phone, &p.Email,
		&details, &mismatches, &p.MergedInto, &p.Version, &p.CreatedAt, &p.UpdatedAt}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	p.BirthDate = DateOf(birth)
	if err := json.Unmarshal(details, &p.Details); err != nil {
		return nil, fmt.Errorf("details: %w", err)
	}
	if len(p.Details) == 0 {
		p.Details = nil
	}
	if err := json.Unmarshal(mismatches, &p.Mismatches); err != nil {
		return nil, fmt.Errorf("mismatches: %w", err)
	}
	return &p, nil
}

// Get returns the person with id. A merged record is returned too, with
// MergedInto set: the caller shows the kept record instead.
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID) (*Person, error) {
	var p *Person
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		p, err = get(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("people.Get(%s, %s): %w", tenant, id, err)
	}
	return p, nil
}

// get reads one person, locking the row if forUpdate.
func get(ctx context.Context, tx pgx.Tx, id uuid.UUID, forUpdate bool) (*Person, error) {
	q := `SELECT ` + columns + ` FROM people WHERE id = $1`
	if forUpdate {
		q += ` FOR UPDATE`
	}
	p, err := scanPerson(tx.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: persona non trovata", derrors.ErrNotFound)
	}
	return p, err
}

// Version is one version of a person's record.
type Version struct {
	Version int `json:"version"`
	// Action is created, updated, merged (this record was merged into
	// another) or absorbed (another record was merged into this one).
	Action    string    `json:"action"`
	Data      Person    `json:"data"` // the record after the change
	ChangedBy uuid.UUID `json:"changed_by"`
	ChangedAt time.Time `json:"changed_at"`
}

// Versions returns every version of the person with id, oldest first.
func (s *Service) Versions(ctx context.Context, tenant, id uuid.UUID) ([]Version, error) {
	var out []Version
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		out, err = versions(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("people.Versions(%s, %s): %w", tenant, id, err)
	}
	return out, nil
}

// writeVersion records p as it now is.
func writeVersion(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, p *Person, action string, by Actor) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("version of %s: %w", p.ID, err)
	}
	var changedBy *uuid.UUID
	if by.ID != uuid.Nil {
		changedBy = &by.ID
	}
	_, err = tx.Exec(ctx, `INSERT INTO person_versions (tenant_id, person_id, version, action, data, changed_by, changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, tenant, p.ID, p.Version, action, data, changedBy, p.UpdatedAt)
	if err != nil {
		return fmt.Errorf("version %d of %s: %w", p.Version, p.ID, err)
	}
	return nil
}

// jsonOrEmpty encodes v, with "{}" or "[]" for nil.
func jsonOrEmpty(v any, empty string) []byte {
	b, _ := json.Marshal(v)
	if string(b) == "null" {
		return []byte(empty)
	}
	return b
}
