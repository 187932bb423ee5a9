package apiclient

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/derrors"
)

// tokenValue is what Redis holds for an access token.
type tokenValue struct {
	Client uuid.UUID `json:"client_id"`
	Tenant uuid.UUID `json:"tenant"`
}

// tokenKey is where an access token lives: under its hash, so that a copy of
// Redis gives no usable token.
func (s *Service) tokenKey(token string) string {
	return s.opts.KeyPrefix + "apiclient:token:" + hex.EncodeToString(hashSecret(token))
}

// IssueToken authenticates client clientID of tenant with secret and returns
// a new access token (the client credentials grant). Any failure to
// authenticate is ErrInvalidClient — a client of another ente is unknown
// here; more than Options.IPAttempts requests from ip in Options.IPWindow,
// ErrRateLimited. A wrong secret for an existing client is audited as
// "api_client.auth_failed"; tokens issued are not audited (a client takes
// one an hour, or more), but the client's last use is kept.
func (s *Service) IssueToken(ctx context.Context, tenant uuid.UUID, clientID, secret, ip string) (*Token, error) {
	tok, err := s.issueToken(ctx, tenant, clientID, secret, ip)
	if err != nil {
		return nil, fmt.Errorf("apiclient.IssueToken(%s, %q): %w", tenant, clientID, err)
	}
	return tok, nil
}

func (s *Service) issueToken(ctx context.Context, tenant uuid.UUID, clientID, secret, ip string) (*Token, error) {
	if ok, err := s.ipAllowed(ctx, ip); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrRateLimited
	}
	id, err := uuid.Parse(clientID)
	if err != nil || secret == "" {
		return nil, ErrInvalidClient
	}
	var refused bool
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var (
			hash   []byte
			status string
			name   string
		)
		err := tx.QueryRow(ctx, `SELECT secret_hash, status, name FROM api_clients WHERE id = $1`, id).Scan(&hash, &status, &name)
		if errors.Is(err, pgx.ErrNoRows) {
			refused = true
			return nil
		}
		if err != nil {
			return err
		}
		if !secretMatches(secret, hash) || status != StatusActive {
			refused = true
			reason := "wrong_secret"
			if status != StatusActive {
				reason = "revoked"
			}
			return audit.Write(ctx, tx, tenant, audit.Event{Action: "api_client.auth_failed", Actor: name,
				ObjectType: "api_client", ObjectID: id.String(), IP: ip, Details: map[string]any{"reason": reason}})
		}
		_, err = tx.Exec(ctx, `UPDATE api_clients SET last_used_at = $2 WHERE id = $1`, id, s.opts.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if refused {
		return nil, ErrInvalidClient
	}
	token := newSecret()
	body, err := json.Marshal(tokenValue{Client: id, Tenant: tenant})
	if err != nil {
		return nil, err
	}
	if err := s.rdb.Set(ctx, s.tokenKey(token), body, s.opts.TokenTTL).Err(); err != nil {
		return nil, fmt.Errorf("store token: %w", err)
	}
	return &Token{AccessToken: token, ExpiresIn: s.opts.TokenTTL}, nil
}

// Authenticate returns the client an access token was issued to, for a
// request to tenant. An unknown or expired token, or one of a client revoked
// since, is ErrInvalidToken; a token of another ente is ErrNotFound: nothing
// of this ente is there for it.
func (s *Service) Authenticate(ctx context.Context, tenant uuid.UUID, token string) (*Client, error) {
	c, err := s.authenticate(ctx, tenant, token)
	if err != nil {
		return nil, fmt.Errorf("apiclient.Authenticate(%s): %w", tenant, err)
	}
	return c, nil
}

func (s *Service) authenticate(ctx context.Context, tenant uuid.UUID, token string) (*Client, error) {
	if token == "" {
		return nil, ErrInvalidToken
	}
	body, err := s.rdb.Get(ctx, s.tokenKey(token)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, fmt.Errorf("load token: %w", err)
	}
	var v tokenValue
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("load token: %w", err)
	}
	if v.Tenant != tenant {
		return nil, fmt.Errorf("%w: token di un altro ente", derrors.ErrNotFound)
	}
	var c *Client
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		if c, err = clientByID(ctx, tx, v.Client); err != nil || c.Status != StatusActive {
			return err
		}
		// Last use to the minute is enough, and spares a write per request.
		now := s.opts.Now()
		if c.LastUsedAt == nil || now.Sub(*c.LastUsedAt) > time.Minute {
			_, err = tx.Exec(ctx, `UPDATE api_clients SET last_used_at = $2 WHERE id = $1`, c.ID, now)
			c.LastUsedAt = &now
		}
		return err
	})
	if errors.Is(err, derrors.ErrNotFound) || (err == nil && c.Status != StatusActive) {
		_ = s.rdb.Del(ctx, s.tokenKey(token)).Err()
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ipAllowed counts a token request from ip and reports whether it is within
// the limit: a fixed window starting at the first request.
func (s *Service) ipAllowed(ctx context.Context, ip string) (bool, error) {
	if ip == "" {
		ip = "-"
	}
	key := s.opts.KeyPrefix + "apiclient:ip:" + ip
	var incr *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		incr = p.Incr(ctx, key)
		p.ExpireNX(ctx, key, s.opts.IPWindow)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return incr.Val() <= int64(s.opts.IPAttempts), nil
}
