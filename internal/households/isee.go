package households

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/people"
)

// RecordISEE appends an ISEE attestation to the household's history and
// writes isee.recorded. Nothing is ever changed: a wrong record is corrected
// by a new one naming it in Corrects.
func (s *Service) RecordISEE(ctx context.Context, tenant, household uuid.UUID, in ISEEInput, by Actor) (*ISEE, error) {
	if err := in.validate(s.today()); err != nil {
		return nil, fmt.Errorf("households.RecordISEE(%s, %s, %q): %w", tenant, household, in.DSUProtocol, err)
	}
	var out *ISEE
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM households WHERE id = $1 FOR UPDATE`, household).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if in.Corrects != nil {
			err := tx.QueryRow(ctx, `SELECT 1 FROM isee_records WHERE id = $1 AND household_id = $2`, *in.Corrects, household).Scan(&one)
			if errors.Is(err, pgx.ErrNoRows) {
				return invalid("corrects", "l'ISEE da correggere non è di questo nucleo")
			} else if err != nil {
				return err
			}
		}
		var id uuid.UUID
		var at time.Time
		if err := tx.QueryRow(ctx, `INSERT INTO isee_records (tenant_id, household_id, kind, value_cents, dsu_protocol, year,
				signed_on, expires_on, corrects, created_by, created_by_name)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id, created_at`,
			tenant, household, in.Kind, in.ValueCents, in.DSUProtocol, in.Year, in.SignedOn.Time(), in.ExpiresOn.Time(),
			in.Corrects, nilIfZero(by.ID), by.Email).Scan(&id, &at); err != nil {
			return err
		}
		out = &ISEE{ID: id, Kind: in.Kind, ValueCents: in.ValueCents, DSUProtocol: in.DSUProtocol, Year: in.Year,
			SignedOn: in.SignedOn, ExpiresOn: in.ExpiresOn, Corrects: in.Corrects, CreatedBy: by.ID, CreatedByName: by.Email, CreatedAt: at}
		details := map[string]any{"isee_id": id.String(), "kind": in.Kind, "dsu_protocol": in.DSUProtocol, "year": in.Year}
		if in.Corrects != nil {
			details["corrects"] = in.Corrects.String()
		}
		if _, err := tx.Exec(ctx, `UPDATE households SET updated_at = now() WHERE id = $1`, household); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("isee.recorded", household, by, details))
	})
	if err != nil {
		return nil, fmt.Errorf("households.RecordISEE(%s, %s, %q): %w", tenant, household, in.DSUProtocol, err)
	}
	return out, nil
}

// ISEEHistory returns the household's ISEE records, newest signed first, and
// writes isee.viewed.
func (s *Service) ISEEHistory(ctx context.Context, tenant, household uuid.UUID, by Actor) ([]ISEE, error) {
	var out []ISEE
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM households WHERE id = $1`, household).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		var err error
		if out, err = iseeHistory(ctx, tx, household); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("isee.viewed", household, by, map[string]any{"count": len(out)}))
	})
	if err != nil {
		return nil, fmt.Errorf("households.ISEEHistory(%s, %s): %w", tenant, household, err)
	}
	return out, nil
}

func iseeHistory(ctx context.Context, tx pgx.Tx, household uuid.UUID) ([]ISEE, error) {
	rows, err := tx.Query(ctx, `SELECT id, kind, value_cents, dsu_protocol, year, signed_on, expires_on, corrects,
			coalesce(created_by, '00000000-0000-0000-0000-000000000000'), created_by_name, created_at
		FROM isee_records WHERE household_id = $1 ORDER BY signed_on DESC, created_at DESC, id`, household)
	if err != nil {
		return nil, fmt.Errorf("isee history: %w", err)
	}
	defer rows.Close()
	out := []ISEE{}
	for rows.Next() {
		var (
			r              ISEE
			signed, expire time.Time
		)
		if err := rows.Scan(&r.ID, &r.Kind, &r.ValueCents, &r.DSUProtocol, &r.Year, &signed, &expire, &r.Corrects,
			&r.CreatedBy, &r.CreatedByName, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("isee history: %w", err)
		}
		r.SignedOn, r.ExpiresOn = people.DateOf(signed), people.DateOf(expire)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Valid reports whether the record is in force on day d.
func (r ISEE) Valid(d people.Date) bool {
	return !d.Time().Before(r.SignedOn.Time()) && !d.Time().After(r.ExpiresOn.Time())
}
