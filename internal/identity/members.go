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

// Create adds an operator to tenant. If an account with that e-mail already
// exists anywhere on the platform (an ambito's operator works for several
// enti), it becomes a member of tenant with its account unchanged (name,
// password and tax code given here are ignored); if it is a member already:
// derrors.ErrConflict. Audited as "operator.created" or
// "operator.membership_added".
func (s *Service) Create(ctx context.Context, tenant uuid.UUID, in NewOperator, by Actor) (*Member, error) {
	m, err := s.create(ctx, tenant, in, by)
	if err != nil {
		return nil, fmt.Errorf("identity.Create(%s, %s): %w", tenant, in.Email, err)
	}
	return m, nil
}

// checkNewOperator normalises in and checks it; roles are checked by the caller.
func checkNewOperator(in *NewOperator) fieldErrors {
	in.Email = normalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	in.TaxCode = normalizeTaxCode(in.TaxCode)
	in.Profile = strings.TrimSpace(in.Profile)
	var fe fieldErrors
	checkEmail(&fe, in.Email)
	if in.Name == "" {
		fe.add("name", "il nome è obbligatorio")
	}
	checkTaxCode(&fe, in.TaxCode)
	if in.Password != "" {
		checkPasswordPolicy(&fe, "password", in.Password, in.Email)
	}
	return fe
}

func (s *Service) create(ctx context.Context, tenant uuid.UUID, in NewOperator, by Actor) (*Member, error) {
	if tenant == uuid.Nil {
		return nil, errors.New("no tenant")
	}
	fe := checkNewOperator(&in)
	in.Roles = dedupe(in.Roles, strings.Compare)
	in.Units = dedupe(in.Units, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	if err := fe.err(); err != nil {
		return nil, err
	}
	existing, err := s.operatorIDByEmail(ctx, in.Email)
	if err != nil {
		return nil, err
	}
	hash := ""
	if existing == uuid.Nil && in.Password != "" {
		hash = hashPassword(in.Password, s.argon)
	}
	var m *Member
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if err := checkTenantRoles(ctx, tx, in.Roles); err != nil {
			return err
		}
		id, action := existing, "operator.membership_added"
		if id == uuid.Nil {
			var err error
			if id, err = insertOperator(ctx, tx, in, hash, false, s.now()); err != nil {
				return err
			}
			action = "operator.created"
		}
		tag, err := tx.Exec(ctx, `INSERT INTO memberships (tenant_id, operator_id, roles) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, tenant, id, in.Roles)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: %s è già un operatore di questo ente", derrors.ErrConflict, in.Email)
		}
		if err := setUnits(ctx, tx, tenant, id, in.Units); err != nil {
			return err
		}
		if m, err = memberByID(ctx, tx, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, db.Scope{Tenant: tenant}, adminEvent(action, by, id, map[string]any{
			"email": in.Email, "roles": m.Roles, "units": uuidStrings(m.Units)}))
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, db.Scope{Tenant: tenant})
	return m, nil
}

// checkTenantRoles refuses roles that are neither built-in ente roles nor
// custom roles of the ente (tx in its scope).
func checkTenantRoles(ctx context.Context, tx pgx.Tx, roles []string) error {
	var unknown []string
	for _, r := range roles {
		if slices.Contains(tenantRoles, r) {
			continue
		}
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM roles WHERE tenant_id = app_tenant() AND name = $1)`, r).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			unknown = append(unknown, r)
		}
	}
	if len(unknown) > 0 {
		return invalid("roles", "ruoli sconosciuti: "+strings.Join(unknown, ", "))
	}
	return nil
}

// setUnits makes units the operator's units in the ente of tx.
func setUnits(ctx context.Context, tx pgx.Tx, tenant, op uuid.UUID, units []uuid.UUID) error {
	if _, err := tx.Exec(ctx, `DELETE FROM operator_units WHERE tenant_id = $1 AND operator_id = $2`, tenant, op); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO operator_units (tenant_id, operator_id, unit_id)
		SELECT $1, $2, u FROM unnest($3::uuid[]) u`, tenant, op, units)
	if pgCode(err) == fkViolation {
		return invalid("units", "una delle unità scelte non è di questo ente")
	}
	return err
}

const memberColumns = operatorColumns + `, m.roles, m.status,
	ARRAY(SELECT unit_id FROM operator_units u WHERE u.tenant_id = m.tenant_id AND u.operator_id = m.operator_id ORDER BY unit_id)`

const memberFrom = ` FROM memberships m JOIN operators o ON o.id = m.operator_id WHERE m.tenant_id = app_tenant()`

func scanMember(row pgx.CollectableRow) (Member, error) {
	var m Member
	err := row.Scan(append(operatorDest(&m.Operator), &m.Roles, &m.MembershipStatus, &m.Units)...)
	return m, err
}

func memberByID(ctx context.Context, tx pgx.Tx, id uuid.UUID) (*Member, error) {
	rows, err := tx.Query(ctx, `SELECT `+memberColumns+memberFrom+` AND m.operator_id = $1`, id)
	if err != nil {
		return nil, err
	}
	m, err := pgx.CollectExactlyOneRow(rows, scanMember)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: operatore non trovato", derrors.ErrNotFound)
	}
	return &m, err
}

// Members returns the operators of tenant by name.
func (s *Service) Members(ctx context.Context, tenant uuid.UUID) ([]Member, error) {
	var ms []Member
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+memberColumns+memberFrom+` ORDER BY o.name, o.email`)
		if err != nil {
			return err
		}
		ms, err = pgx.CollectRows(rows, scanMember)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("identity.Members(%s): %w", tenant, err)
	}
	return ms, nil
}

// Member returns operator id as tenant sees it; ErrNotFound if it is not a
// member of tenant.
func (s *Service) Member(ctx context.Context, tenant, id uuid.UUID) (*Member, error) {
	var m *Member
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		m, err = memberByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("identity.Member(%s, %s): %w", tenant, id, err)
	}
	return m, nil
}

// UpdateMember changes a member of tenant: its name, profile and tax code (on
// the account), its roles, units and membership status (in the ente). Audited
// as "operator.updated" with the roles before and after.
func (s *Service) UpdateMember(ctx context.Context, tenant, id uuid.UUID, u MemberUpdate, by Actor) error {
	if err := s.updateMember(ctx, tenant, id, u, by); err != nil {
		return fmt.Errorf("identity.UpdateMember(%s, %s): %w", tenant, id, err)
	}
	return nil
}

func (s *Service) updateMember(ctx context.Context, tenant, id uuid.UUID, u MemberUpdate, by Actor) error {
	u.Name = strings.TrimSpace(u.Name)
	u.Profile = strings.TrimSpace(u.Profile)
	u.TaxCode = normalizeTaxCode(u.TaxCode)
	u.Roles = dedupe(u.Roles, strings.Compare)
	u.Units = dedupe(u.Units, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	var fe fieldErrors
	if u.Name == "" {
		fe.add("name", "il nome è obbligatorio")
	}
	checkTaxCode(&fe, u.TaxCode)
	if u.Status != "active" && u.Status != "disabled" {
		fe.add("status", "lo stato deve essere attivo o disattivato")
	}
	if err := fe.err(); err != nil {
		return err
	}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		before, err := memberByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkTenantRoles(ctx, tx, u.Roles); err != nil {
			return err
		}
		var taxCode *string
		if u.TaxCode != "" {
			taxCode = &u.TaxCode
		}
		_, err = tx.Exec(ctx, `UPDATE operators SET name = $2, profile = $3, tax_code = $4, updated_at = now() WHERE id = $1`,
			id, u.Name, u.Profile, taxCode)
		if db.IsUniqueViolation(err) {
			return uniqueError(err)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE memberships SET roles = $2, status = $3, updated_at = now()
			WHERE tenant_id = app_tenant() AND operator_id = $1`, id, u.Roles, u.Status); err != nil {
			return err
		}
		if err := setUnits(ctx, tx, tenant, id, u.Units); err != nil {
			return err
		}
		return writeAudit(ctx, tx, db.Scope{Tenant: tenant}, adminEvent("operator.updated", by, id, map[string]any{
			"roles_before": before.Roles, "roles_after": u.Roles,
			"status_before": before.MembershipStatus, "status_after": u.Status,
			"units_before": uuidStrings(before.Units), "units_after": uuidStrings(u.Units)}))
	})
	if err != nil {
		return err
	}
	s.changed(ctx, db.Scope{Tenant: tenant})
	return nil
}

// ResetMFA removes a member's second factor and recovery codes (a lost phone):
// it enrols again at its next login. Audited as "auth.mfa_reset".
func (s *Service) ResetMFA(ctx context.Context, tenant, id uuid.UUID, by Actor) error {
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if _, err := memberByID(ctx, tx, id); err != nil {
			return err
		}
		if err := clearMFA(ctx, tx, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, db.Scope{Tenant: tenant}, adminEvent("auth.mfa_reset", by, id, nil))
	})
	if err != nil {
		return fmt.Errorf("identity.ResetMFA(%s, %s): %w", tenant, id, err)
	}
	return nil
}

func uuidStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
