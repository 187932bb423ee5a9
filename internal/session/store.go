package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// refreshEvery is how stale LastSeen may get before Get writes it back: a page
// and its dozen asset and fragment requests then cost one write, not a dozen.
// The idle timeout is therefore accurate to this much.
const refreshEvery = 30 * time.Second

// attempts is how many times a read-modify-write is tried when another
// request changes the same session in between.
const attempts = 5

// Options configure a Store.
type Options struct {
	KeyPrefix string           // prepended to every Redis key; default "sigess:"
	Now       func() time.Time // the clock; default time.Now
}

// Store keeps sessions in Redis. It holds no state of its own, so any number of
// Stores on any number of instances share the same sessions.
type Store struct {
	rdb    *redis.Client
	prefix string
	now    func() time.Time
}

// NewStore returns a Store on rdb.
func NewStore(rdb *redis.Client, opts Options) *Store {
	s := &Store{rdb: rdb, prefix: opts.KeyPrefix, now: opts.Now}
	if s.prefix == "" {
		s.prefix = "sigess:"
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// key is where the session with token id lives.
func (s *Store) key(id string) string { return s.prefix + "session:" + id }

// indexKey is the set of the token ids of one operator's sessions, for DeleteAll.
func (s *Store) indexKey(op uuid.UUID) string { return s.prefix + "session-operator:" + op.String() }

// Create stores sess as a new session and returns its token, the only way to
// reach it again. It sets CreatedAt, LastSeen and a fresh CSRF; Idle and
// Absolute must be positive.
func (s *Store) Create(ctx context.Context, sess *Session) (string, error) {
	switch {
	case sess.OperatorID == uuid.Nil:
		return "", errors.New("session.Create: no operator")
	case sess.Idle <= 0 || sess.Absolute <= 0:
		return "", fmt.Errorf("session.Create(%s): idle %s and absolute %s timeouts must be positive", sess.OperatorID, sess.Idle, sess.Absolute)
	}
	now := s.now()
	sess.CreatedAt, sess.LastSeen = now, now
	sess.CSRF = newToken()
	if sess.Values == nil {
		sess.Values = map[string]string{}
	}
	body, err := json.Marshal(sess)
	if err != nil {
		return "", fmt.Errorf("session.Create(%s): %w", sess.OperatorID, err)
	}
	token := newToken()
	id := tokenID(token)
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.key(id), body, sess.ttl(now))
		s.index(ctx, p, sess, id)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("session.Create(%s): %w", sess.OperatorID, err)
	}
	return token, nil
}

// index adds id to its operator's set, which lives as long as the longest
// session in it could.
func (s *Store) index(ctx context.Context, p redis.Pipeliner, sess *Session, id string) {
	k := s.indexKey(sess.OperatorID)
	p.SAdd(ctx, k, id)
	p.ExpireNX(ctx, k, sess.Absolute)
	p.ExpireGT(ctx, k, sess.Absolute)
}

// Get returns the session of token, or ErrNoSession. A request through Get
// counts as activity: it keeps the session from idling out.
func (s *Store) Get(ctx context.Context, token string) (*Session, error) {
	var out *Session
	err := s.modify(ctx, token, func(tx *redis.Tx, sess *Session, now time.Time) error {
		out = sess
		if now.Sub(sess.LastSeen) < refreshEvery {
			return nil
		}
		sess.LastSeen = now
		return s.put(ctx, tx, token, sess, now)
	})
	if err != nil {
		return nil, fmt.Errorf("session.Get: %w", err)
	}
	return out, nil
}

// Update applies mutate to the session of token and stores it under the same
// token. Use Rotate instead when the change grants privileges.
func (s *Store) Update(ctx context.Context, token string, mutate func(*Session)) error {
	err := s.modify(ctx, token, func(tx *redis.Tx, sess *Session, now time.Time) error {
		op := sess.OperatorID
		mutate(sess)
		sess.LastSeen = now
		if sess.OperatorID != op {
			return errors.New("mutate changed the operator; create a new session instead")
		}
		return s.put(ctx, tx, token, sess, now)
	})
	if err != nil {
		return fmt.Errorf("session.Update: %w", err)
	}
	return nil
}

// Rotate applies mutate (which may be nil) to the session of token, moves it
// to a new token with a new CSRF token, and deletes the old token, atomically.
// Call it at login and at every change of privilege, so that a token seen
// before (session fixation, a leaked cookie) is worth nothing after.
func (s *Store) Rotate(ctx context.Context, token string, mutate func(*Session)) (string, *Session, error) {
	var (
		newTok string
		out    *Session
	)
	err := s.modify(ctx, token, func(tx *redis.Tx, sess *Session, now time.Time) error {
		op := sess.OperatorID
		if mutate != nil {
			mutate(sess)
		}
		if sess.OperatorID != op {
			return errors.New("mutate changed the operator; create a new session instead")
		}
		sess.CSRF = newToken()
		sess.LastSeen = now
		body, err := json.Marshal(sess)
		if err != nil {
			return err
		}
		newTok = newToken()
		oldID, newID := tokenID(token), tokenID(newTok)
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, s.key(oldID))
			p.SRem(ctx, s.indexKey(op), oldID)
			p.Set(ctx, s.key(newID), body, sess.ttl(now))
			s.index(ctx, p, sess, newID)
			return nil
		})
		out = sess
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("session.Rotate: %w", err)
	}
	return newTok, out, nil
}

// Delete ends the session of token (logout). Deleting a session that does not
// exist is not an error.
func (s *Store) Delete(ctx context.Context, token string) error {
	id := tokenID(token)
	sess, err := s.load(ctx, s.rdb, id)
	if errors.Is(err, ErrNoSession) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("session.Delete: %w", err)
	}
	if err := s.drop(ctx, s.rdb, sess.OperatorID, id); err != nil {
		return fmt.Errorf("session.Delete: %w", err)
	}
	return nil
}

// DeleteAll ends every session of operator, on every instance: after a
// password reset, a disabled account, or "log out everywhere".
func (s *Store) DeleteAll(ctx context.Context, operator uuid.UUID) error {
	idx := s.indexKey(operator)
	var err error
	for range attempts {
		// Watching the index makes a session created meanwhile retry the
		// deletion rather than survive it.
		err = s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			ids, err := tx.SMembers(ctx, idx).Result()
			if err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				for _, id := range ids {
					p.Del(ctx, s.key(id))
				}
				p.Del(ctx, idx)
				return nil
			})
			return err
		}, idx)
		if !errors.Is(err, redis.TxFailedErr) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("session.DeleteAll(%s): %w", operator, err)
	}
	return nil
}

// modify runs fn on the live session of token inside a WATCH of its key, so that
// fn's writes are lost, and fn retried, if another request changed or deleted
// the session meanwhile. An expired session is deleted and ErrNoSession
// returned.
func (s *Store) modify(ctx context.Context, token string, fn func(tx *redis.Tx, sess *Session, now time.Time) error) error {
	if token == "" {
		return ErrNoSession
	}
	id := tokenID(token)
	var err error
	for range attempts {
		err = s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			sess, err := s.load(ctx, tx, id)
			if err != nil {
				return err
			}
			now := s.now()
			if sess.expired(now) {
				if err := s.drop(ctx, tx, sess.OperatorID, id); err != nil {
					return err
				}
				return ErrNoSession
			}
			return fn(tx, sess, now)
		}, s.key(id))
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return err
}

// load reads the session with token id.
func (s *Store) load(ctx context.Context, c redis.Cmdable, id string) (*Session, error) {
	body, err := c.Get(ctx, s.key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var sess Session
	if err := json.Unmarshal(body, &sess); err != nil {
		return nil, fmt.Errorf("decode session: %w", err)
	}
	return &sess, nil
}

// put writes sess back under token inside tx's MULTI.
func (s *Store) put(ctx context.Context, tx *redis.Tx, token string, sess *Session, now time.Time) error {
	body, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.key(tokenID(token)), body, sess.ttl(now))
		return nil
	})
	return err
}

// drop deletes the session with token id and its index entry.
func (s *Store) drop(ctx context.Context, c redis.Cmdable, op uuid.UUID, id string) error {
	_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.key(id))
		p.SRem(ctx, s.indexKey(op), id)
		return nil
	})
	return err
}
