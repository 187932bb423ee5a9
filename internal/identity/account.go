package identity

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// Get returns operator id if it works in scope; ErrNotFound otherwise.
func (s *Service) Get(ctx context.Context, scope db.Scope, id uuid.UUID) (*Operator, error) {
	a, err := s.viewAccount(ctx, scope, id)
	if err != nil {
		return nil, fmt.Errorf("identity.Get(%s, %s): %w", scopeKey(scope), id, err)
	}
	return &a.Operator, nil
}

// SetLocale sets the language the operator's pages are shown in ("it", "en").
func (s *Service) SetLocale(ctx context.Context, scope db.Scope, id uuid.UUID, locale string) error {
	if locale != "it" && locale != "en" {
		return fmt.Errorf("identity.SetLocale(%s, %s): %w", scopeKey(scope), id, invalid("locale", "lingua non disponibile"))
	}
	err := s.withAccount(ctx, scope, id, func(tx pgx.Tx, _ *account) error {
		_, err := tx.Exec(ctx, `UPDATE operators SET locale = $2, updated_at = now() WHERE id = $1`, id, locale)
		return err
	})
	if err != nil {
		return fmt.Errorf("identity.SetLocale(%s, %s): %w", scopeKey(scope), id, err)
	}
	return nil
}

// OperatorForSSO finds the operator a single sign-on identity stands for among
// tenant's active members with active accounts: by tax code when the identity
// provider gives one, by e-mail otherwise. ErrNotFound if there is none.
func (s *Service) OperatorForSSO(ctx context.Context, tenant uuid.UUID, email, taxCode string) (*Operator, error) {
	where, arg := `o.email = $1`, normalizeEmail(email)
	if tc := normalizeTaxCode(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(taxCode)), "TINIT-")); tc != "" {
		where, arg = `o.tax_code = $1`, tc
	}
	scope := db.Scope{Tenant: tenant}
	var a *account
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		a, err = loadAccount(ctx, tx, scope, where, arg)
		return err
	})
	if err == nil && !a.active {
		err = derrors.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("identity.OperatorForSSO(%s, %s, %s): %w", tenant, email, taxCode, err)
	}
	return &a.Operator, nil
}
