package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// Login checks email and password for the login page of scope (an ente, a
// region or the platform). The operator must work in that scope and be active;
// anything else is ErrBadCredentials, after as much hashing as a real check, so
// that neither the answer nor its timing says whether the e-mail exists.
//
// Attempts are limited per client address (ErrRateLimited) and failures per
// account within the scope (ErrLocked, a *LockedError). Failures are audited as
// "auth.login_failed"; success is not, because a second factor may follow: the
// web layer calls RecordLogin when the operator is in.
func (s *Service) Login(ctx context.Context, scope db.Scope, email, password string, c Client) (*Operator, error) {
	email = normalizeEmail(email)
	op, err := s.login(ctx, scope, email, password, c)
	if err != nil {
		return nil, fmt.Errorf("identity.Login(%s, %s): %w", scopeKey(scope), email, err)
	}
	return op, nil
}

func (s *Service) login(ctx context.Context, scope db.Scope, email, password string, c Client) (*Operator, error) {
	if err := checkScope(scope); err != nil {
		return nil, err
	}
	ok, err := s.ipAllowed(ctx, "login", c.IP, s.limits.IPAttempts, s.limits.IPWindow)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.failed(ctx, scope, nil, email, c, "rate_limited", ErrRateLimited)
	}
	if lock, err := s.locked(ctx, scope, email); err != nil {
		return nil, err
	} else if lock != nil {
		return nil, s.failed(ctx, scope, nil, email, c, "locked", lock)
	}

	var a *account
	err = s.db.Transact(ctx, scope, func(tx pgx.Tx) (err error) {
		a, err = loadAccount(ctx, tx, scope, `o.email = $1`, email)
		return err
	})
	if errors.Is(err, derrors.ErrNotFound) || (a != nil && !a.inScope) {
		a, err = nil, nil
	}
	if err != nil {
		return nil, err
	}

	hash := s.dummyHash()
	if a != nil && a.passwordHash != "" {
		hash = a.passwordHash
	}
	match, params, err := checkPassword(password, hash)
	if err != nil {
		return nil, fmt.Errorf("stored password hash: %w", err)
	}
	switch {
	case a == nil:
		return nil, s.failedAttempt(ctx, scope, nil, email, c, "unknown")
	case !match || a.passwordHash == "":
		return nil, s.failedAttempt(ctx, scope, a, email, c, "bad_password")
	case !a.active:
		return nil, s.failed(ctx, scope, a, email, c, "disabled", ErrBadCredentials)
	}

	if params != s.argon {
		newHash := hashPassword(password, s.argon)
		if err := s.db.Transact(ctx, scope, func(tx pgx.Tx) error { return setPassword(ctx, tx, a.ID, newHash) }); err != nil {
			// The old hash still works; try again at the next login.
			slog.WarnContext(ctx, "identity: password not rehashed", "operator", a.ID, "err", err)
		}
	}
	return &a.Operator, nil
}

// failed audits a refused login with reason and returns ret.
func (s *Service) failed(ctx context.Context, scope db.Scope, a *account, email string, c Client, reason string, ret error) error {
	e := clientEvent("auth.login_failed", a, email, c, map[string]any{"reason": reason})
	e.Actor = email
	if err := s.Record(ctx, scope, e); err != nil {
		return err
	}
	return ret
}

// failedAttempt audits a wrong credential, counts it toward the lockout and
// returns ErrBadCredentials, or the lockout it caused.
func (s *Service) failedAttempt(ctx context.Context, scope db.Scope, a *account, email string, c Client, reason string) error {
	return s.failedWith(ctx, scope, a, email, c, reason, ErrBadCredentials)
}

func (s *Service) failedWith(ctx context.Context, scope db.Scope, a *account, email string, c Client, reason string, ret error) error {
	if err := s.failed(ctx, scope, a, email, c, reason, nil); err != nil {
		return err
	}
	lock, first, err := s.countFailure(ctx, scope, email)
	if err != nil {
		return err
	}
	if lock == nil {
		return ret
	}
	if first {
		e := clientEvent("auth.lockout", a, email, c, map[string]any{
			"until": lock.Until.UTC().Format("2006-01-02T15:04:05Z"), "failures": s.limits.AccountFailures})
		e.Actor = email
		if err := s.Record(ctx, scope, e); err != nil {
			return err
		}
	}
	return lock
}

// Login methods of RecordLogin.
var loginMethods = []string{"password", "password+totp", "recovery_code", "oidc"}

// RecordLogin audits that operator op is logged in to scope with method
// ("password", "password+totp", "recovery_code", "oidc") and clears its
// failed-login count.
func (s *Service) RecordLogin(ctx context.Context, scope db.Scope, op uuid.UUID, method string, c Client) error {
	if !slices.Contains(loginMethods, method) {
		return fmt.Errorf("identity.RecordLogin(%s, %s): unknown method %q", scopeKey(scope), op, method)
	}
	if err := checkScope(scope); err != nil {
		return fmt.Errorf("identity.RecordLogin(%s, %s): %w", scopeKey(scope), op, err)
	}
	var a *account
	err := s.db.Transact(ctx, scope, func(tx pgx.Tx) (err error) {
		if a, err = s.accountByID(ctx, tx, scope, op); err != nil {
			return err
		}
		return writeAudit(ctx, tx, scope, clientEvent("auth.login", a, a.Email, c, map[string]any{"method": method}))
	})
	if err == nil {
		err = s.clearFailures(ctx, scope, a.Email)
	}
	if err != nil {
		return fmt.Errorf("identity.RecordLogin(%s, %s): %w", scopeKey(scope), op, err)
	}
	return nil
}
