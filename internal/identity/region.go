package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// CreateRegionAdmin makes an operator an administrator or analyst of region
// (roles ⊆ region_admin, region_analyst), creating the account unless one with
// that e-mail exists. It is platform work: audited on the platform's console
// trail as "operator.created" or "operator.region_added".
func (s *Service) CreateRegionAdmin(ctx context.Context, region string, in NewOperator, by Actor) (*RegionAdmin, error) {
	ra, err := s.createRegionAdmin(ctx, region, in, by)
	if err != nil {
		return nil, fmt.Errorf("identity.CreateRegionAdmin(%s, %s): %w", region, in.Email, err)
	}
	return ra, nil
}

func (s *Service) createRegionAdmin(ctx context.Context, region string, in NewOperator, by Actor) (*RegionAdmin, error) {
	fe := checkNewOperator(&in)
	in.Roles = dedupe(in.Roles, strings.Compare)
	if len(in.Roles) == 0 {
		fe.add("roles", "scegli almeno un ruolo")
	}
	for _, r := range in.Roles {
		if !slices.Contains(regionRoles, r) {
			fe.add("roles", "ruolo non regionale: "+r)
			break
		}
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	hash := ""
	if in.Password != "" {
		hash = hashPassword(in.Password, s.argon)
	}
	var ra *RegionAdmin
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) error {
		var known bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM regions WHERE code = $1)`, region).Scan(&known); err != nil {
			return err
		}
		if !known {
			return fmt.Errorf("%w: regione %q sconosciuta", derrors.ErrNotFound, region)
		}
		id, action, err := existingOrNew(ctx, tx, in, hash, false, s)
		if err != nil {
			return err
		}
		if action != "operator.created" {
			action = "operator.region_added"
		}
		tag, err := tx.Exec(ctx, `INSERT INTO region_admins (region_code, operator_id, roles) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, region, id, in.Roles)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: %s amministra già questa regione", derrors.ErrConflict, in.Email)
		}
		ras, err := regionAdmins(ctx, tx, region, id)
		if err != nil {
			return err
		}
		ra = &ras[0]
		return writeAudit(ctx, tx, db.Scope{Platform: true}, adminEvent(action, by, id,
			map[string]any{"email": in.Email, "region": region, "roles": in.Roles}))
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, db.Scope{Region: region})
	return ra, nil
}

// existingOrNew returns the account with in.Email (tx in platform scope), or
// creates it; action is "operator.created" when it did.
func existingOrNew(ctx context.Context, tx pgx.Tx, in NewOperator, hash string, platformAdmin bool, s *Service) (uuid.UUID, string, error) {
	var id uuid.UUID
	err := tx.QueryRow(ctx, `SELECT id FROM operators WHERE email = $1`, in.Email).Scan(&id)
	if err == nil {
		return id, "", nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, "", err
	}
	id, err = insertOperator(ctx, tx, in, hash, platformAdmin, s.now())
	return id, "operator.created", err
}

// RegionAdmins returns the administrators and analysts of region, by name.
func (s *Service) RegionAdmins(ctx context.Context, region string) ([]RegionAdmin, error) {
	var ras []RegionAdmin
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) (err error) {
		ras, err = regionAdmins(ctx, tx, region, uuid.Nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("identity.RegionAdmins(%s): %w", region, err)
	}
	return ras, nil
}

// regionAdmins lists region's admins, only op unless it is uuid.Nil.
func regionAdmins(ctx context.Context, tx pgx.Tx, region string, op uuid.UUID) ([]RegionAdmin, error) {
	rows, err := tx.Query(ctx, `SELECT `+operatorColumns+`, r.roles
		FROM region_admins r JOIN operators o ON o.id = r.operator_id
		WHERE r.region_code = $1 AND ($2 = '00000000-0000-0000-0000-000000000000'::uuid OR o.id = $2)
		ORDER BY o.name, o.email`, region, op)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (RegionAdmin, error) {
		var ra RegionAdmin
		err := row.Scan(append(operatorDest(&ra.Operator), &ra.Roles)...)
		return ra, err
	})
}

// CreatePlatformAdmin makes an operator a platform administrator, creating the
// account unless one with that e-mail exists (ErrConflict if it is one
// already). Audited on the platform's console trail.
func (s *Service) CreatePlatformAdmin(ctx context.Context, in NewOperator) (*Operator, error) {
	op, err := s.createPlatformAdmin(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("identity.CreatePlatformAdmin(%s): %w", in.Email, err)
	}
	return op, nil
}

func (s *Service) createPlatformAdmin(ctx context.Context, in NewOperator) (*Operator, error) {
	fe := checkNewOperator(&in)
	if err := fe.err(); err != nil {
		return nil, err
	}
	hash := ""
	if in.Password != "" {
		hash = hashPassword(in.Password, s.argon)
	}
	scope := db.Scope{Platform: true}
	var op *Operator
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) error {
		id, action, err := existingOrNew(ctx, tx, in, hash, true, s)
		if err != nil {
			return err
		}
		if action == "" {
			tag, err := tx.Exec(ctx, `UPDATE operators SET platform_admin = true, updated_at = now()
				WHERE id = $1 AND NOT platform_admin`, id)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("%w: %s è già amministratore della piattaforma", derrors.ErrConflict, in.Email)
			}
			action = "operator.platform_admin_added"
		}
		a, err := s.accountByID(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		op = &a.Operator
		return writeAudit(ctx, tx, scope, adminEvent(action, Actor{Email: "cli"}, id, map[string]any{"email": in.Email}))
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, scope)
	return op, nil
}

// RoleAssignments returns the roles of every operator who may work in scope
// now: for an ente its active members with active accounts, for a region its
// administrators and analysts, for the platform its administrators.
func (s *Service) RoleAssignments(ctx context.Context, scope db.Scope) (map[uuid.UUID][]string, error) {
	if err := checkScope(scope); err != nil {
		return nil, fmt.Errorf("identity.RoleAssignments(%s): %w", scopeKey(scope), err)
	}
	from, inScope, roles, active := scopeSQL(scope)
	out := map[uuid.UUID][]string{}
	err := s.db.Transact(ctx, scope, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT o.id, `+roles+` FROM `+from+` WHERE `+inScope+` AND `+active)
		if err != nil {
			return err
		}
		var (
			id uuid.UUID
			rs []string
		)
		_, err = pgx.ForEachRow(rows, []any{&id, &rs}, func() error {
			out[id] = slices.Clone(rs)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("identity.RoleAssignments(%s): %w", scopeKey(scope), err)
	}
	return out, nil
}
