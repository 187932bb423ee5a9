package authz

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/db"
)

// InvalidationChannel is the Redis pub/sub channel on which a domain whose
// roles or assignments changed is announced to every instance; the message is
// the domain ("t:<uuid>", "r:<code>", "platform").
//
// casbin's persist.Watcher is not used: its Update() names no domain, so every
// instance would have to drop every domain on every change.
const InvalidationChannel = "sigess:authz:changed"

// Listen drops the domains announced on InvalidationChannel until ctx ends.
// Whenever the subscription is (re)established every domain is dropped, since
// announcements may have been missed while it was down.
func (e *Enforcer) Listen(ctx context.Context, rdb *redis.Client) {
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
					e.cache.dropAll()
				}
			case *redis.Message:
				e.cache.drop(domainKey(m.Payload))
			}
		}
	}
}

// Publisher announces role changes on Redis.
type Publisher struct {
	RDB *redis.Client // nil: announce nothing (a single instance)
}

// Changed publishes scope's domain on InvalidationChannel.
func (p Publisher) Changed(ctx context.Context, scope db.Scope) error {
	if p.RDB == nil {
		return nil
	}
	domain := DomainOf(scope)
	if domain == "" {
		return fmt.Errorf("authz.Publisher.Changed: no domain in scope %+v", scope)
	}
	if err := p.RDB.Publish(ctx, InvalidationChannel, domain).Err(); err != nil {
		return fmt.Errorf("authz.Publisher.Changed(%s): %w", domain, err)
	}
	return nil
}
