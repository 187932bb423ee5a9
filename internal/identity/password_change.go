package identity

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
)

// ChangePassword sets the operator's password to newPassword after checking
// old (wrong: ErrBadCredentials, counted toward the lockout). newPassword must
// satisfy the policy (field "new_password"). Audited as "auth.password_changed".
func (s *Service) ChangePassword(ctx context.Context, scope db.Scope, op uuid.UUID, old, newPassword string, c Client) error {
	if err := s.changePassword(ctx, scope, op, old, newPassword, c); err != nil {
		return fmt.Errorf("identity.ChangePassword(%s, %s): %w", scopeKey(scope), op, err)
	}
	return nil
}

func (s *Service) changePassword(ctx context.Context, scope db.Scope, op uuid.UUID, old, newPassword string, c Client) error {
	a, err := s.secondFactorAccount(ctx, scope, op, c)
	if err != nil {
		return err
	}
	hash := a.passwordHash
	if hash == "" {
		hash = s.dummyHash()
	}
	match, _, err := checkPassword(old, hash)
	if err != nil {
		return fmt.Errorf("stored password hash: %w", err)
	}
	if !match || a.passwordHash == "" {
		return s.failedWith(ctx, scope, a, a.Email, c, "bad_password", ErrBadCredentials)
	}
	var fe fieldErrors
	if newPassword == old {
		fe.add("new_password", "la nuova password deve essere diversa da quella attuale")
	} else {
		checkPasswordPolicy(&fe, "new_password", newPassword, a.Email)
	}
	if err := fe.err(); err != nil {
		return err
	}
	newHash := hashPassword(newPassword, s.argon)
	return s.db.Transact(ctx, scope, func(tx pgx.Tx) error {
		if err := setPassword(ctx, tx, op, newHash); err != nil {
			return err
		}
		return writeAudit(ctx, tx, scope, clientEvent("auth.password_changed", a, a.Email, c, nil))
	})
}
