package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// account is an operator with its credentials, as one scope sees it.
type account struct {
	Operator
	passwordHash  string
	totpSecret    string
	recoveryCodes int
	// inScope: the operator works in the scope (a membership, a region row,
	// the platform_admin flag); active: and it may log in there now.
	inScope bool
	active  bool
	roles   []string
}

const operatorColumns = `o.id, o.email, o.name, coalesce(o.tax_code, ''), o.profile, o.locale, o.status,
	o.totp_confirmed_at IS NOT NULL, o.password_hash <> '', o.platform_admin, o.created_at`

func operatorDest(o *Operator) []any {
	return []any{&o.ID, &o.Email, &o.Name, &o.TaxCode, &o.Profile, &o.Locale, &o.Status,
		&o.MFAEnabled, &o.HasPassword, &o.PlatformAdmin, &o.CreatedAt}
}

// scopeSQL returns, for scope, the FROM clause joining an operator o to what
// makes it work there, and the expressions for inScope and roles.
func scopeSQL(scope db.Scope) (from, inScope, roles, active string) {
	switch {
	case scope.Region != "":
		return `operators o JOIN region_admins r ON r.operator_id = o.id AND r.region_code = app_region()`,
			`true`, `r.roles`, `o.status = 'active'`
	case scope.Platform:
		return `operators o`, `o.platform_admin`,
			`CASE WHEN o.platform_admin THEN ARRAY['platform_admin'] ELSE '{}'::text[] END`,
			`o.platform_admin AND o.status = 'active'`
	default:
		return `operators o JOIN memberships m ON m.operator_id = o.id AND m.tenant_id = app_tenant()`,
			`true`, `m.roles`, `o.status = 'active' AND m.status = 'active'`
	}
}

// loadAccount returns the operator matching where ($1 = arg) as scope sees it,
// or ErrNotFound. tx must be in scope.
func loadAccount(ctx context.Context, tx pgx.Tx, scope db.Scope, where string, arg any) (*account, error) {
	from, inScope, roles, active := scopeSQL(scope)
	var a account
	dest := append(operatorDest(&a.Operator), &a.passwordHash, &a.totpSecret, &a.recoveryCodes, &a.inScope, &a.active, &a.roles)
	err := tx.QueryRow(ctx, `SELECT `+operatorColumns+`, o.password_hash, o.totp_secret,
			cardinality(o.recovery_codes), `+inScope+`, `+active+`, `+roles+`
		FROM `+from+` WHERE `+where+``, arg).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, derrors.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// accountByID is loadAccount by operator id; an operator that does not work in
// scope is ErrNotFound.
func (s *Service) accountByID(ctx context.Context, tx pgx.Tx, scope db.Scope, id uuid.UUID) (*account, error) {
	a, err := loadAccount(ctx, tx, scope, `o.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if !a.inScope {
		return nil, derrors.ErrNotFound
	}
	return a, nil
}

// viewAccount reads an account in a transaction of its own.
func (s *Service) viewAccount(ctx context.Context, scope db.Scope, id uuid.UUID) (*account, error) {
	if err := checkScope(scope); err != nil {
		return nil, err
	}
	var a *account
	err := s.db.Transact(ctx, scope, func(tx pgx.Tx) (err error) {
		a, err = s.accountByID(ctx, tx, scope, id)
		return err
	})
	return a, err
}

// operatorIDByEmail finds an account anywhere on the platform (platform scope
// sees every operator row), uuid.Nil if there is none.
func (s *Service) operatorIDByEmail(ctx context.Context, email string) (uuid.UUID, error) {
	var id uuid.UUID
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id FROM operators WHERE email = $1`, email).Scan(&id)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, nil
	}
	return id, err
}

// insertOperator creates an account. The id is made here: under tenant scope the
// new row is invisible until its membership exists, so RETURNING would fail.
func insertOperator(ctx context.Context, tx pgx.Tx, in NewOperator, passwordHash string, platformAdmin bool, now time.Time) (uuid.UUID, error) {
	id := uuid.New()
	var setAt *time.Time
	if passwordHash != "" {
		setAt = &now
	}
	var taxCode *string
	if in.TaxCode != "" {
		taxCode = &in.TaxCode
	}
	_, err := tx.Exec(ctx, `INSERT INTO operators (id, email, name, tax_code, profile, password_hash, password_set_at, platform_admin)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, in.Email, in.Name, taxCode, in.Profile, passwordHash, setAt, platformAdmin)
	if db.IsUniqueViolation(err) {
		return uuid.Nil, uniqueError(err)
	}
	return id, err
}

// uniqueError turns a unique violation on operators into what the user did wrong.
func uniqueError(err error) error {
	if constraintName(err) == "operators_tax_code" {
		return invalid("tax_code", "questo codice fiscale è già di un altro operatore")
	}
	return fmt.Errorf("%w: esiste già un operatore con questo indirizzo e-mail", derrors.ErrConflict)
}

// setPassword stores a new password hash for id (tx in a scope that sees it).
func setPassword(ctx context.Context, tx pgx.Tx, id uuid.UUID, hash string) error {
	tag, err := tx.Exec(ctx, `UPDATE operators SET password_hash = $2, password_set_at = now(), updated_at = now()
		WHERE id = $1`, id, hash)
	if err == nil && tag.RowsAffected() != 1 {
		return derrors.ErrNotFound
	}
	return err
}
