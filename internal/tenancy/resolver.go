package tenancy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// InvalidationChannel is the Redis pub/sub channel on which tenant changes are
// announced to every instance.
const InvalidationChannel = "sigess:tenants:changed"

// maxNegative bounds how many unknown slugs are remembered, so that a flood of
// made-up hosts cannot grow the cache without limit.
const maxNegative = 10000

// Resolver finds the tenant of a request by slug, caching in process. Entries
// are dropped when an invalidation arrives (Listen) and expire after ttl in any
// case, in case a message was missed.
type Resolver struct {
	svc *Service
	ttl time.Duration
	now func() time.Time

	mu       sync.RWMutex
	entries  map[string]cacheEntry
	negative int
}

type cacheEntry struct {
	t       *Tenant // nil: no such tenant
	expires time.Time
}

// NewResolver returns a Resolver reading through svc.
func NewResolver(svc *Service, ttl time.Duration) *Resolver {
	return &Resolver{svc: svc, ttl: ttl, now: time.Now, entries: map[string]cacheEntry{}}
}

// Resolve returns the tenant with slug, or an error wrapping ErrNotFound. The
// tenant is shared: callers must not modify it.
func (r *Resolver) Resolve(ctx context.Context, slug string) (*Tenant, error) {
	now := r.now()
	r.mu.RLock()
	e, ok := r.entries[slug]
	r.mu.RUnlock()
	if ok && now.Before(e.expires) {
		if e.t == nil {
			return nil, fmt.Errorf("tenant %q: %w", slug, ErrNotFound)
		}
		return e.t, nil
	}
	t, err := r.svc.Get(ctx, slug)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, had := r.entries[slug]; had && old.t == nil {
		r.negative--
	}
	if t != nil || r.negative < maxNegative {
		r.entries[slug] = cacheEntry{t: t, expires: now.Add(r.ttl)}
		if t == nil {
			r.negative++
		}
	}
	return t, err
}

// Invalidate drops cached tenants by slug; AllTenants drops them all.
func (r *Resolver) Invalidate(slugs ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range slugs {
		if s == AllTenants {
			r.entries, r.negative = map[string]cacheEntry{}, 0
			return
		}
		if e, ok := r.entries[s]; ok && e.t == nil {
			r.negative--
		}
		delete(r.entries, s)
	}
}

// Listen applies invalidations published on InvalidationChannel until ctx ends.
// Whenever the subscription is (re)established everything is dropped, since
// messages may have been missed while it was down.
func (r *Resolver) Listen(ctx context.Context, rdb *redis.Client) {
	sub := rdb.Subscribe(ctx, InvalidationChannel)
	defer sub.Close()
	ch := sub.ChannelWithSubscriptions(redis.WithChannelHealthCheckInterval(10 * time.Second))
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-ch:
			if !ok {
				return
			}
			switch m := msg.(type) {
			case *redis.Subscription:
				if m.Kind == "subscribe" {
					r.Invalidate(AllTenants)
				}
			case *redis.Message:
				r.Invalidate(m.Payload)
			}
		}
	}
}

// Publisher announces tenant changes on Redis.
type Publisher struct {
	RDB *redis.Client
}

// TenantsChanged publishes each slug on InvalidationChannel.
func (p Publisher) TenantsChanged(ctx context.Context, slugs ...string) error {
	for _, s := range slugs {
		if err := p.RDB.Publish(ctx, InvalidationChannel, s).Err(); err != nil {
			slog.DebugContext(ctx, "publish tenant change", "slug", s, "err", err)
			return fmt.Errorf("tenancy: publish change of %s: %w", s, err)
		}
	}
	return nil
}
