package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// secondFactorAccount loads op for a second-factor check in scope: it must work
// there and be active, and not be locked out.
func (s *Service) secondFactorAccount(ctx context.Context, scope db.Scope, op uuid.UUID, c Client) (*account, error) {
	a, err := s.viewAccount(ctx, scope, op)
	if errors.Is(err, derrors.ErrNotFound) {
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if !a.active {
		return nil, ErrBadCredentials
	}
	if lock, err := s.locked(ctx, scope, a.Email); err != nil {
		return nil, err
	} else if lock != nil {
		return nil, s.failed(ctx, scope, a, a.Email, c, "locked", lock)
	}
	return a, nil
}

// VerifyTOTP checks the operator's authenticator code (one step of clock skew
// either way). A code is accepted once: replaying it, even within its window,
// is ErrBadCode. Failures count toward the lockout (ErrLocked).
func (s *Service) VerifyTOTP(ctx context.Context, scope db.Scope, op uuid.UUID, code string, c Client) error {
	if err := s.verifyTOTP(ctx, scope, op, code, c); err != nil {
		return fmt.Errorf("identity.VerifyTOTP(%s, %s): %w", scopeKey(scope), op, err)
	}
	return nil
}

func (s *Service) verifyTOTP(ctx context.Context, scope db.Scope, op uuid.UUID, code string, c Client) error {
	a, err := s.secondFactorAccount(ctx, scope, op, c)
	if err != nil {
		return err
	}
	ok := false
	if a.MFAEnabled {
		secret, err := s.secrets.Open(a.totpSecret)
		if err != nil {
			// Not the operator's fault (a wrong or missing key): a server error, not ErrInvalid.
			return fmt.Errorf("TOTP secret: %v", err)
		}
		if ok, err = s.checkCode(ctx, op, secret, code); err != nil {
			return err
		}
	}
	if !ok {
		return s.failedWith(ctx, scope, a, a.Email, c, "bad_code", ErrBadCode)
	}
	return nil
}

// UseRecoveryCode logs in with one of the operator's recovery codes instead of
// the authenticator; the code is consumed. Audited as "auth.recovery_code_used".
func (s *Service) UseRecoveryCode(ctx context.Context, scope db.Scope, op uuid.UUID, code string, c Client) error {
	if err := s.useRecoveryCode(ctx, scope, op, code, c); err != nil {
		return fmt.Errorf("identity.UseRecoveryCode(%s, %s): %w", scopeKey(scope), op, err)
	}
	return nil
}

func (s *Service) useRecoveryCode(ctx context.Context, scope db.Scope, op uuid.UUID, code string, c Client) error {
	a, err := s.secondFactorAccount(ctx, scope, op, c)
	if err != nil {
		return err
	}
	used := false
	err = s.db.Transact(ctx, scope, func(tx pgx.Tx) error {
		var left int
		err := tx.QueryRow(ctx, `UPDATE operators SET recovery_codes = array_remove(recovery_codes, $2), updated_at = now()
			WHERE id = $1 AND totp_confirmed_at IS NOT NULL AND $2 = ANY (recovery_codes)
			RETURNING cardinality(recovery_codes)`, op, hashRecoveryCode(code)).Scan(&left)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		used = true
		return writeAudit(ctx, tx, scope, clientEvent("auth.recovery_code_used", a, a.Email, c, map[string]any{"left": left}))
	})
	if err != nil {
		return err
	}
	if !used {
		return s.failedWith(ctx, scope, a, a.Email, c, "bad_recovery_code", ErrBadCode)
	}
	return nil
}

// StartEnrollment makes a new TOTP secret for op and returns it with its
// otpauth:// URI (for the QR code). It waits in Redis for ConfirmEnrollment;
// the operator's current factor, if any, stays until then.
func (s *Service) StartEnrollment(ctx context.Context, op uuid.UUID, issuer, account string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", fmt.Errorf("identity.StartEnrollment(%s): %w", op, err)
	}
	if err := s.rdb.Set(ctx, s.key("enroll", op.String()), s.secrets.Seal(key.Secret()), s.limits.EnrollmentTTL).Err(); err != nil {
		return "", "", fmt.Errorf("identity.StartEnrollment(%s): %w", op, err)
	}
	return key.Secret(), key.URL(), nil
}

// ConfirmEnrollment checks the first code of the secret StartEnrollment made,
// makes it the operator's second factor and returns its recovery codes, shown
// once. Audited as "auth.mfa_enrolled".
func (s *Service) ConfirmEnrollment(ctx context.Context, scope db.Scope, op uuid.UUID, code string, c Client) ([]string, error) {
	codes, err := s.confirmEnrollment(ctx, scope, op, code, c)
	if err != nil {
		return nil, fmt.Errorf("identity.ConfirmEnrollment(%s, %s): %w", scopeKey(scope), op, err)
	}
	return codes, nil
}

func (s *Service) confirmEnrollment(ctx context.Context, scope db.Scope, op uuid.UUID, code string, c Client) ([]string, error) {
	a, err := s.secondFactorAccount(ctx, scope, op, c)
	if err != nil {
		return nil, err
	}
	pending := s.key("enroll", op.String())
	sealed, err := s.rdb.Get(ctx, pending).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("%w: la configurazione è scaduta; ricominciala", derrors.ErrInvalid)
	}
	if err != nil {
		return nil, err
	}
	secret, err := s.secrets.Open(sealed)
	if err != nil {
		return nil, fmt.Errorf("pending TOTP secret: %v", err)
	}
	ok, err := s.checkCode(ctx, op, secret, code)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.failedWith(ctx, scope, a, a.Email, c, "bad_code", ErrBadCode)
	}
	codes, hashes := newRecoveryCodes()
	err = s.db.Transact(ctx, scope, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE operators SET totp_secret = $2, totp_confirmed_at = now(),
				recovery_codes = $3, updated_at = now() WHERE id = $1`, op, s.secrets.Seal(secret), hashes); err != nil {
			return err
		}
		return writeAudit(ctx, tx, scope, clientEvent("auth.mfa_enrolled", a, a.Email, c, nil))
	})
	if err != nil {
		return nil, err
	}
	s.rdb.Del(ctx, pending) //nolint:errcheck // it expires anyway
	return codes, nil
}

// RegenerateRecoveryCodes replaces the operator's recovery codes with new ones.
// Audited as "auth.recovery_codes_regenerated".
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, scope db.Scope, op uuid.UUID, c Client) ([]string, error) {
	codes, hashes := newRecoveryCodes()
	err := s.withAccount(ctx, scope, op, func(tx pgx.Tx, a *account) error {
		if !a.MFAEnabled {
			return fmt.Errorf("%w: l'autenticazione a due fattori non è attiva", derrors.ErrInvalid)
		}
		if _, err := tx.Exec(ctx, `UPDATE operators SET recovery_codes = $2, updated_at = now() WHERE id = $1`, op, hashes); err != nil {
			return err
		}
		return writeAudit(ctx, tx, scope, clientEvent("auth.recovery_codes_regenerated", a, a.Email, c, nil))
	})
	if err != nil {
		return nil, fmt.Errorf("identity.RegenerateRecoveryCodes(%s, %s): %w", scopeKey(scope), op, err)
	}
	return codes, nil
}

// DisableMFA removes the operator's second factor and recovery codes. Audited
// as "auth.mfa_disabled".
func (s *Service) DisableMFA(ctx context.Context, scope db.Scope, op uuid.UUID, c Client) error {
	err := s.withAccount(ctx, scope, op, func(tx pgx.Tx, a *account) error {
		if err := clearMFA(ctx, tx, op); err != nil {
			return err
		}
		return writeAudit(ctx, tx, scope, clientEvent("auth.mfa_disabled", a, a.Email, c, nil))
	})
	if err != nil {
		return fmt.Errorf("identity.DisableMFA(%s, %s): %w", scopeKey(scope), op, err)
	}
	return nil
}

// withAccount runs fn in a transaction of scope with op, which must work there.
func (s *Service) withAccount(ctx context.Context, scope db.Scope, op uuid.UUID, fn func(pgx.Tx, *account) error) error {
	if err := checkScope(scope); err != nil {
		return err
	}
	return s.db.Transact(ctx, scope, func(tx pgx.Tx) error {
		a, err := s.accountByID(ctx, tx, scope, op)
		if err != nil {
			return err
		}
		return fn(tx, a)
	})
}

func clearMFA(ctx context.Context, tx pgx.Tx, op uuid.UUID) error {
	tag, err := tx.Exec(ctx, `UPDATE operators SET totp_secret = '', totp_confirmed_at = NULL, recovery_codes = '{}',
		updated_at = now() WHERE id = $1`, op)
	if err == nil && tag.RowsAffected() != 1 {
		return derrors.ErrNotFound
	}
	return err
}
