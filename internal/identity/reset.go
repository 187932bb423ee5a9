package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/mail"
)

// linkToken is what Redis holds for a reset or setup link, under the SHA-256
// of the token (so a Redis dump gives no usable link).
type linkToken struct {
	Operator uuid.UUID `json:"operator"`
	Scope    string    `json:"scope"`
	Purpose  string    `json:"purpose"` // "reset" or "setup"
}

func (s *Service) tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return s.key("token", hex.EncodeToString(sum[:]))
}

// newLinkToken stores a one-time token for op in scope and returns it.
func (s *Service) newLinkToken(ctx context.Context, scope db.Scope, op uuid.UUID, purpose string, ttl time.Duration) (string, error) {
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck
	token := base64.RawURLEncoding.EncodeToString(b)
	v, _ := json.Marshal(linkToken{Operator: op, Scope: scopeKey(scope), Purpose: purpose})
	if err := s.rdb.Set(ctx, s.tokenKey(token), v, ttl).Err(); err != nil {
		return "", fmt.Errorf("link token: %w", err)
	}
	return token, nil
}

// RequestReset mails a password-reset link (valid one hour) to email if it is
// an active operator of tenant. It returns nil whether or not the e-mail
// exists, so that the answer tells nothing; requests are limited per client
// address (ErrRateLimited). The mail is queued in the outbox in the same
// transaction as the audit event "auth.reset_requested".
func (s *Service) RequestReset(ctx context.Context, tenant uuid.UUID, email, linkBase string, c Client) error {
	email = normalizeEmail(email)
	if err := s.requestReset(ctx, tenant, email, linkBase, c); err != nil {
		return fmt.Errorf("identity.RequestReset(%s, %s): %w", tenant, email, err)
	}
	return nil
}

func (s *Service) requestReset(ctx context.Context, tenant uuid.UUID, email, linkBase string, c Client) error {
	scope := db.Scope{Tenant: tenant}
	if err := checkScope(scope); err != nil {
		return err
	}
	ok, err := s.ipAllowed(ctx, "reset", c.IP, s.limits.ResetRequests, s.limits.ResetWindow)
	if err != nil {
		return err
	}
	if !ok {
		return ErrRateLimited
	}
	var a *account
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		a, err = loadAccount(ctx, tx, scope, `o.email = $1`, email)
		return err
	})
	if errors.Is(err, derrors.ErrNotFound) || (err == nil && !a.active) {
		return nil
	}
	if err != nil {
		return err
	}
	token, err := s.newLinkToken(ctx, scope, a.ID, "reset", s.limits.ResetLinkTTL)
	if err != nil {
		return err
	}
	link := linkBase + "?token=" + token
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if err := mail.Enqueue(ctx, tx, tenant, resetMail(a, link)); err != nil {
			return err
		}
		return writeAudit(ctx, tx, scope, clientEvent("auth.reset_requested", a, a.Email, c, nil))
	})
	if err != nil {
		s.rdb.Del(ctx, s.tokenKey(token)) //nolint:errcheck // it expires anyway
		return err
	}
	return nil
}

func resetMail(a *account, link string) mail.Message {
	return mail.Message{
		To:      a.Email,
		Subject: "SIGeSS: reimpostazione della password",
		Text: "Gentile " + a.Name + ",\n\n" +
			"è stata chiesta la reimpostazione della password del tuo account SIGeSS.\n" +
			"Per scegliere una nuova password apri questo link entro un'ora:\n\n" +
			link + "\n\n" +
			"Se non sei stato tu, ignora questo messaggio: la password attuale resta valida.\n\n" +
			"(EN) A password reset was requested for your SIGeSS account: open the link above within one hour, or ignore this message.\n",
	}
}

func setupMail(a *account, link string, ttl time.Duration) mail.Message {
	hours := int(ttl.Hours())
	return mail.Message{
		To:      a.Email,
		Subject: "SIGeSS: imposta la tua password",
		Text: "Gentile " + a.Name + ",\n\n" +
			"per accedere a SIGeSS imposta la tua password aprendo questo link entro " + fmt.Sprint(hours) + " ore:\n\n" +
			link + "\n\n" +
			"(EN) To access SIGeSS, set your password by opening the link above within " + fmt.Sprint(hours) + " hours.\n",
	}
}

// IssueSetupLink makes a link (valid 72 hours) with which op sets its password:
// for new accounts and resets an administrator starts. In an ente's scope the
// link is also mailed to the operator (outbox); it is returned in every case.
// Audited as "auth.setup_link_issued".
func (s *Service) IssueSetupLink(ctx context.Context, scope db.Scope, op uuid.UUID, linkBase string, by Actor) (string, error) {
	link, err := s.issueSetupLink(ctx, scope, op, linkBase, by)
	if err != nil {
		return "", fmt.Errorf("identity.IssueSetupLink(%s, %s): %w", scopeKey(scope), op, err)
	}
	return link, nil
}

func (s *Service) issueSetupLink(ctx context.Context, scope db.Scope, op uuid.UUID, linkBase string, by Actor) (string, error) {
	a, err := s.viewAccount(ctx, scope, op)
	if err != nil {
		return "", err
	}
	token, err := s.newLinkToken(ctx, scope, op, "setup", s.limits.SetupLinkTTL)
	if err != nil {
		return "", err
	}
	link := linkBase + "?token=" + token
	err = s.db.Transact(ctx, scope, func(tx pgx.Tx) error {
		if scope.Tenant != uuid.Nil {
			if err := mail.Enqueue(ctx, tx, scope.Tenant, setupMail(a, link, s.limits.SetupLinkTTL)); err != nil {
				return err
			}
		}
		return writeAudit(ctx, tx, scope, adminEvent("auth.setup_link_issued", by, op, nil))
	})
	if err != nil {
		s.rdb.Del(ctx, s.tokenKey(token)) //nolint:errcheck
		return "", err
	}
	return link, nil
}

// ResetPassword sets a new password with the token of a reset or setup link.
// The token works once and only in the scope it was issued for (ErrBadToken);
// a password the policy refuses (field "new_password") leaves it usable.
// Audited as "auth.password_reset"; the account's lockout is lifted.
func (s *Service) ResetPassword(ctx context.Context, scope db.Scope, token, newPassword string, c Client) (*Operator, error) {
	op, err := s.resetPassword(ctx, scope, token, newPassword, c)
	if err != nil {
		return nil, fmt.Errorf("identity.ResetPassword(%s): %w", scopeKey(scope), err)
	}
	return op, nil
}

func (s *Service) resetPassword(ctx context.Context, scope db.Scope, token, newPassword string, c Client) (*Operator, error) {
	if err := checkScope(scope); err != nil {
		return nil, err
	}
	key := s.tokenKey(token)
	lt, err := s.readToken(ctx, key, s.rdb.Get)
	if err != nil {
		return nil, err
	}
	if lt.Scope != scopeKey(scope) {
		return nil, ErrBadToken
	}
	a, err := s.viewAccount(ctx, scope, lt.Operator)
	if errors.Is(err, derrors.ErrNotFound) || (err == nil && !a.active) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, err
	}
	var fe fieldErrors
	checkPasswordPolicy(&fe, "new_password", newPassword, a.Email)
	if err := fe.err(); err != nil {
		return nil, err
	}
	// Consume the token only now, atomically: of two concurrent uses one wins.
	if _, err := s.readToken(ctx, key, s.rdb.GetDel); err != nil {
		return nil, err
	}
	hash := hashPassword(newPassword, s.argon)
	err = s.db.Transact(ctx, scope, func(tx pgx.Tx) error {
		if err := setPassword(ctx, tx, a.ID, hash); err != nil {
			return err
		}
		return writeAudit(ctx, tx, scope, clientEvent("auth.password_reset", a, a.Email, c,
			map[string]any{"link": lt.Purpose}))
	})
	if err != nil {
		return nil, err
	}
	if err := s.clearFailures(ctx, scope, a.Email); err != nil {
		return nil, err
	}
	a.HasPassword = true
	return &a.Operator, nil
}

func (s *Service) readToken(ctx context.Context, key string, get func(context.Context, string) *redis.StringCmd) (*linkToken, error) {
	v, err := get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("link token: %w", err)
	}
	var lt linkToken
	if err := json.Unmarshal(v, &lt); err != nil {
		return nil, fmt.Errorf("link token: %w", err)
	}
	return &lt, nil
}
