package identity

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sigess/sigess/internal/db"
)

// SeedOperator is a demo operator for `sigess demo`: exactly one of Tenant,
// Region or Platform says where it works.
type SeedOperator struct {
	Tenant     uuid.UUID
	Region     string
	Platform   bool
	Email      string
	Name       string
	Profile    string
	TaxCode    string // optional
	Password   string
	TOTPSecret string // base32; if set the account has a confirmed TOTP and no recovery codes
	Roles      []string
	Units      []uuid.UUID // the ente's units the operator works in (Tenant only)
}

// Seed creates the account of so unless its e-mail exists, and adds its
// membership, region row or platform flag unless present. It never changes an
// existing account, so running it twice changes nothing; created reports
// whether anything was written. Nothing is audited: it is not a person's act.
func (s *Service) Seed(ctx context.Context, so SeedOperator) (created bool, err error) {
	created, err = s.seed(ctx, so)
	if err != nil {
		return false, fmt.Errorf("identity.Seed(%s): %w", so.Email, err)
	}
	return created, nil
}

func (s *Service) seed(ctx context.Context, so SeedOperator) (bool, error) {
	scope := db.Scope{Tenant: so.Tenant, Region: so.Region, Platform: so.Platform}
	if err := checkScope(scope); err != nil {
		return false, err
	}
	in := NewOperator{Email: so.Email, Name: so.Name, Profile: so.Profile, TaxCode: so.TaxCode}
	fe := checkNewOperator(&in)
	if err := fe.err(); err != nil {
		return false, err
	}
	roles := dedupe(so.Roles, strings.Compare)

	id, err := s.operatorIDByEmail(ctx, in.Email)
	if err != nil {
		return false, err
	}
	created := false
	if id == uuid.Nil {
		hash := ""
		if so.Password != "" {
			hash = hashPassword(so.Password, s.argon)
		}
		err := s.db.InPlatform(ctx, func(tx pgx.Tx) (err error) {
			if id, err = insertOperator(ctx, tx, in, hash, false, s.now()); err != nil {
				return err
			}
			if so.TOTPSecret != "" {
				_, err = tx.Exec(ctx, `UPDATE operators SET totp_secret = $2, totp_confirmed_at = now() WHERE id = $1`, id, s.secrets.Seal(so.TOTPSecret))
			}
			return err
		})
		if err != nil {
			return false, err
		}
		created = true
	}

	var added bool
	err = s.db.Transact(ctx, scope, func(tx pgx.Tx) error {
		var tag pgconn.CommandTag
		var err error
		switch {
		case so.Tenant != uuid.Nil:
			tag, err = tx.Exec(ctx, `INSERT INTO memberships (tenant_id, operator_id, roles) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, so.Tenant, id, roles)
			if err == nil && tag.RowsAffected() > 0 && len(so.Units) > 0 {
				_, err = tx.Exec(ctx, `INSERT INTO operator_units (tenant_id, operator_id, unit_id) SELECT $1, $2, unnest($3::uuid[])`,
					so.Tenant, id, so.Units)
			}
		case so.Region != "":
			tag, err = tx.Exec(ctx, `INSERT INTO region_admins (region_code, operator_id, roles) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, so.Region, id, roles)
		default:
			tag, err = tx.Exec(ctx, `UPDATE operators SET platform_admin = true WHERE id = $1 AND NOT platform_admin`, id)
		}
		if err != nil {
			return err
		}
		added = tag.RowsAffected() > 0
		return nil
	})
	if err != nil {
		return created, err
	}
	if created || added {
		s.changed(ctx, scope)
	}
	return created || added, nil
}
