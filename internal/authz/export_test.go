package authz

import (
	"context"

	"github.com/casbin/casbin/v2"

	"github.com/sigess/sigess/internal/db"
)

// CasbinEnforcer loads scope's domain into a casbin enforcer, as the cache
// does, for tests that compare decisions with casbin's Enforce.
func (e *Enforcer) CasbinEnforcer(ctx context.Context, scope db.Scope) (*casbin.Enforcer, error) {
	return e.load(ctx, scope, DomainOf(scope))
}
