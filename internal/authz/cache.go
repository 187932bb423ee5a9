package authz

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/db"
)

// domainCache holds one domainPolicy per domain, at most size of them, and
// evicts with the CLOCK algorithm (an approximation of least recently used
// that marks an entry on use instead of moving it in a list, so that a
// decision touches as little memory as possible). An entry is loaded once
// however many requests ask for it at the same time, and reloaded after ttl in
// case an invalidation was missed.
type domainCache struct {
	size int
	ttl  time.Duration
	now  func() time.Time

	mu      sync.Mutex
	entries map[uuid.UUID]*domainEntry // by domainKey
	ring    []*domainEntry             // CLOCK's circle; may hold dropped entries
	hand    int
}

type domainEntry struct {
	key     uuid.UUID
	ready   chan struct{} // closed once pol and err are set
	done    bool          // ready is closed; guarded by domainCache.mu
	used    bool          // used since the hand last passed; guarded by domainCache.mu
	pol     *domainPolicy
	err     error
	expires time.Time
}

// keySpace derives the cache keys of region and platform domains, so that
// every key is a fixed-size UUID: a tenant's key is its own id.
var keySpace = uuid.MustParse("0b8e9a52-41c4-4c0e-9d6a-8f2f1f6b2a10")

// domainKey is the cache key of a domain.
func domainKey(domain string) uuid.UUID {
	if len(domain) == 38 && domain[:2] == "t:" {
		if id, err := uuid.Parse(domain[2:]); err == nil {
			return id
		}
	}
	return uuid.NewSHA1(keySpace, []byte(domain))
}

// scopeKey is domainKey(DomainOf(s)) without building the domain's name.
func scopeKey(s db.Scope) uuid.UUID {
	if s.Tenant != uuid.Nil {
		return s.Tenant
	}
	return domainKey(DomainOf(s))
}

func newDomainCache(size int, ttl time.Duration) *domainCache {
	return &domainCache{size: size, ttl: ttl, now: time.Now, entries: map[uuid.UUID]*domainEntry{}}
}

// get returns the policy of the domain with key, calling load if it is not
// cached. Callers waiting for another's load give up when their ctx ends; the
// load itself goes on for the others.
func (c *domainCache) get(ctx context.Context, key uuid.UUID, load func() (*domainPolicy, error)) (*domainPolicy, error) {
	now := c.now()
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		if !e.done || now.Before(e.expires) {
			e.used = true
			done, pol, err := e.done, e.pol, e.err
			c.mu.Unlock()
			if done {
				return pol, err
			}
			select {
			case <-e.ready:
				return e.pol, e.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		delete(c.entries, key) // expired; its ring slot is reused in time
	}
	e := &domainEntry{key: key, ready: make(chan struct{})}
	c.entries[key] = e
	c.placeLocked(e)
	c.mu.Unlock()

	pol, err := load()

	c.mu.Lock()
	e.pol, e.err, e.done, e.expires = pol, err, true, c.now().Add(c.ttl)
	if err != nil && c.entries[key] == e {
		delete(c.entries, key) // the next request tries again
	}
	c.mu.Unlock()
	close(e.ready)
	return pol, err
}

// placeLocked puts e in the ring, evicting the first entry not used since the
// hand last passed it (or no longer cached) when the ring is full.
func (c *domainCache) placeLocked(e *domainEntry) {
	if len(c.ring) < c.size {
		c.ring = append(c.ring, e)
		return
	}
	for {
		v := c.ring[c.hand]
		live := c.entries[v.key] == v
		if live && v.used {
			v.used = false
			c.hand = (c.hand + 1) % len(c.ring)
			continue
		}
		if live {
			delete(c.entries, v.key)
		}
		c.ring[c.hand] = e
		c.hand = (c.hand + 1) % len(c.ring)
		return
	}
}

// drop forgets the domain with key; a policy being loaded for it is handed to
// the requests already waiting for it, but not kept.
func (c *domainCache) drop(key uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}

// dropAll forgets every domain.
func (c *domainCache) dropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[uuid.UUID]*domainEntry{}
	c.ring, c.hand = c.ring[:0], 0
}
