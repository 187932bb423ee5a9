package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/db"
)

// key is a Redis key of this service.
func (s *Service) key(parts ...string) string {
	return s.prefix + "identity:" + strings.Join(parts, ":")
}

// hit counts one event in a fixed window starting at the first one, and
// returns the count so far.
func (s *Service) hit(ctx context.Context, key string, window time.Duration) (int64, error) {
	var incr *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		incr = p.Incr(ctx, key)
		p.ExpireNX(ctx, key, window)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return incr.Val(), nil
}

// ipAllowed counts an attempt from ip under kind and reports whether it is
// within limit per window.
func (s *Service) ipAllowed(ctx context.Context, kind, ip string, limit int, window time.Duration) (bool, error) {
	if ip == "" {
		ip = "-"
	}
	n, err := s.hit(ctx, s.key("ip", kind, ip), window)
	return n <= int64(limit), err
}

// The lockout is per e-mail within a scope, known or not, so that it says
// nothing about which e-mails exist.
func (s *Service) failKey(scope db.Scope, email string) string {
	return s.key("fail", scopeKey(scope), email)
}

func (s *Service) lockKey(scope db.Scope, email string) string {
	return s.key("lock", scopeKey(scope), email)
}

// locked returns the lockout of email in scope, or nil.
func (s *Service) locked(ctx context.Context, scope db.Scope, email string) (*LockedError, error) {
	ttl, err := s.rdb.PTTL(ctx, s.lockKey(scope, email)).Result()
	if err != nil {
		return nil, fmt.Errorf("lockout: %w", err)
	}
	if ttl <= 0 {
		return nil, nil
	}
	return &LockedError{Until: s.now().Add(ttl)}, nil
}

// countFailure counts a failed authentication of email in scope. When it
// reaches the limit the account is locked: the lockout is returned, and first
// reports whether this failure is the one that locked it (to audit it once).
func (s *Service) countFailure(ctx context.Context, scope db.Scope, email string) (lock *LockedError, first bool, err error) {
	n, err := s.hit(ctx, s.failKey(scope, email), s.limits.AccountWindow)
	if err != nil {
		return nil, false, err
	}
	if n < int64(s.limits.AccountFailures) {
		return nil, false, nil
	}
	first, err = s.rdb.SetNX(ctx, s.lockKey(scope, email), "1", s.limits.LockFor).Result()
	if err != nil {
		return nil, false, fmt.Errorf("lockout: %w", err)
	}
	lock, err = s.locked(ctx, scope, email)
	if err == nil && lock == nil { // expired in between
		lock = &LockedError{Until: s.now()}
	}
	return lock, first, err
}

// clearFailures forgets the failures (and the lockout) of email in scope.
func (s *Service) clearFailures(ctx context.Context, scope db.Scope, email string) error {
	err := s.rdb.Del(ctx, s.failKey(scope, email), s.lockKey(scope, email)).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("clear failures: %w", err)
	}
	return nil
}
