package authz

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"

	casbinconf "github.com/sigess/sigess/configs/casbin"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// Assignments gives the roles of every operator in one domain (identity
// implements it): ente memberships for a tenant scope, regional
// administrators for a region scope, platform administrators for the platform.
type Assignments interface {
	RoleAssignments(ctx context.Context, scope db.Scope) (map[uuid.UUID][]string, error)
}

// Options tune an Enforcer. The zero Options are the defaults.
type Options struct {
	// CacheSize is how many domains keep their enforcer in memory (default
	// 4096); the least recently used is dropped first.
	CacheSize int
	// TTL is how long a domain's enforcer is used before it is reloaded even
	// without an invalidation, in case one was missed (default 10 minutes).
	TTL time.Duration
	// Publish announces to every instance that a domain's roles changed; wire
	// it to Publisher{RDB: rdb}.Changed. Nil: only this instance learns of it.
	Publish func(ctx context.Context, scope db.Scope) error
	// LoadTimeout bounds the loading of one domain (default 10 seconds). The
	// load does not stop when the request that started it ends, since other
	// requests may be waiting for it.
	LoadTimeout time.Duration
}

// Enforcer decides what operators may do. Each domain has its own small
// casbin enforcer (built-in policy, the ente's custom roles, the domain's
// assignments), loaded on first use; what it resolves is kept in a bounded
// cache (domainPolicy), so a decision never looks at other domains' rules. It
// is safe for concurrent use.
type Enforcer struct {
	db          *db.DB
	assignments Assignments
	store       policyStore
	model       model.Model // parsed once; each domain gets a copy
	builtin     []Role
	publish     func(ctx context.Context, scope db.Scope) error
	loadTimeout time.Duration
	cache       *domainCache
}

// NewEnforcer returns an Enforcer reading custom roles from d and role
// assignments from a. It fails if the embedded model or policy is invalid.
func NewEnforcer(d *db.DB, a Assignments, opts Options) (*Enforcer, error) {
	roles, err := builtin()
	if err != nil {
		return nil, fmt.Errorf("authz.NewEnforcer: %w", err)
	}
	m, err := model.NewModelFromString(casbinconf.Model)
	if err != nil {
		return nil, fmt.Errorf("authz.NewEnforcer: configs/casbin/model.conf: %w", err)
	}
	if err := checkModel(m); err != nil {
		return nil, fmt.Errorf("authz.NewEnforcer: configs/casbin/model.conf: %w", err)
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = 4096
	}
	if opts.TTL <= 0 {
		opts.TTL = 10 * time.Minute
	}
	if opts.LoadTimeout <= 0 {
		opts.LoadTimeout = 10 * time.Second
	}
	return &Enforcer{
		db:          d,
		assignments: a,
		store:       policyStore{db: d, assignments: a, builtin: roles},
		model:       m,
		builtin:     roles,
		publish:     opts.Publish,
		loadTimeout: opts.LoadTimeout,
		cache:       newDomainCache(opts.CacheSize, opts.TTL),
	}, nil
}

// checkModel compiles the matcher with one rule, so that a bad matcher stops
// the start rather than the first request.
func checkModel(m model.Model) error {
	ce, err := casbin.NewEnforcer(m.Copy())
	if err != nil {
		return err
	}
	if _, err := ce.AddPolicy("r", "*", "o", "a"); err != nil {
		return err
	}
	if _, err := ce.AddGroupingPolicy("u", "r", "d"); err != nil {
		return err
	}
	ok, err := ce.Enforce("u", "d", "o", "a")
	if err == nil && !ok {
		err = errors.New("the matcher denies a granted permission")
	}
	return err
}

// domain returns the resolved policy of scope's domain, loading it if needed.
func (e *Enforcer) domain(ctx context.Context, scope db.Scope) (*domainPolicy, error) {
	if scopeKind(scope) == "" {
		return nil, fmt.Errorf("%w: nessun ambito (ente, regione o piattaforma)", derrors.ErrForbidden)
	}
	return e.cache.get(ctx, scopeKey(scope), func() (*domainPolicy, error) {
		domain := DomainOf(scope)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.loadTimeout)
		defer cancel()
		ce, err := e.load(ctx, scope, domain)
		if err != nil {
			return nil, err
		}
		return resolve(ce, domain)
	})
}

// load builds the casbin enforcer of one domain through policyStore.
func (e *Enforcer) load(ctx context.Context, scope db.Scope, domain string) (*casbin.Enforcer, error) {
	ce, err := casbin.NewEnforcer(e.model.Copy(), e.store)
	if err != nil {
		return nil, fmt.Errorf("authz: enforcer of %s: %w", domain, err)
	}
	if err := ce.LoadFilteredPolicy(domainFilter{ctx: ctx, scope: scope, domain: domain}); err != nil {
		return nil, err
	}
	return ce, nil
}

// Can reports whether operator holds perm in scope's domain. An unknown
// permission is an error wrapping ErrInvalid; the zero scope, one wrapping
// ErrForbidden.
func (e *Enforcer) Can(ctx context.Context, operator uuid.UUID, scope db.Scope, perm string) (bool, error) {
	bit, ok := permBit[perm]
	if !ok {
		return false, fmt.Errorf("authz.Can(%s, %s): %w: permesso sconosciuto %q", operator, perm, derrors.ErrInvalid, perm)
	}
	p, err := e.domain(ctx, scope)
	if err != nil {
		return false, fmt.Errorf("authz.Can(%s, %s): %w", operator, perm, err)
	}
	return p.granted[operator]&bit != 0, nil
}

// Granted returns every permission operator holds in scope's domain, for
// building the navigation.
func (e *Enforcer) Granted(ctx context.Context, operator uuid.UUID, scope db.Scope) (map[string]bool, error) {
	p, err := e.domain(ctx, scope)
	if err != nil {
		return nil, fmt.Errorf("authz.Granted(%s): %w", operator, err)
	}
	return names(p.granted[operator]), nil
}

// RolesOf returns the names of operator's roles in scope's domain, sorted.
func (e *Enforcer) RolesOf(ctx context.Context, operator uuid.UUID, scope db.Scope) ([]string, error) {
	p, err := e.domain(ctx, scope)
	if err != nil {
		return nil, fmt.Errorf("authz.RolesOf(%s): %w", operator, err)
	}
	return slices.Clone(p.roles[operator]), nil
}

// Invalidate drops scope's domain from this instance's cache: its next
// decision reloads it.
func (e *Enforcer) Invalidate(scope db.Scope) {
	if scopeKind(scope) != "" {
		e.cache.drop(scopeKey(scope))
	}
}

// Changed is what to call after changing who holds which role in scope (or a
// role itself): it drops the domain here at once and announces the change to
// every instance through Options.Publish. A failed announcement is logged, not
// returned: the change is already stored, and other instances pick it up
// within Options.TTL in any case.
func (e *Enforcer) Changed(ctx context.Context, scope db.Scope) {
	e.Invalidate(scope)
	if e.publish == nil {
		return
	}
	if err := e.publish(ctx, scope); err != nil {
		slog.WarnContext(ctx, "authz: announce a role change; other instances will see it when their cache expires",
			"domain", DomainOf(scope), "err", err)
	}
}
