package authz

import (
	"fmt"
	"slices"

	"github.com/casbin/casbin/v2"
	"github.com/google/uuid"
)

// permBit numbers the permissions, so that what an operator holds in a domain
// is one word.
var permBit = func() map[string]uint64 {
	if len(permissions) > 64 {
		panic("authz: more than 64 permissions; domainPolicy.granted needs a wider set")
	}
	m := make(map[string]uint64, len(permissions))
	for i, p := range permissions {
		m[p.Name] = 1 << i
	}
	return m
}()

// domainPolicy is what casbin resolved for one domain: for every operator with
// a role there, its roles and the permissions they grant.
//
// Why not call casbin's Enforce for each decision: Enforce evaluates the
// matcher against every rule of the domain (about 60 built-in ones), about
// 20 µs and 190 allocations a call; with thousands of domains loaded their
// enforcers no longer fit in the CPU caches and it nearly doubles (see
// docs/benchmarks.md, "Authorization decision"). The model is plain RBAC with
// domains, whose answer for an operator depends only on its roles, so it is
// computed once per domain load, from casbin's own role manager and policy,
// and a decision is a map lookup. TestDecisionsMatchCasbin checks that the
// two agree on every operator and permission.
type domainPolicy struct {
	granted map[uuid.UUID]uint64
	roles   map[uuid.UUID][]string // sorted
}

// resolve computes the domainPolicy of domain from its loaded casbin enforcer.
func resolve(ce *casbin.Enforcer, domain string) (*domainPolicy, error) {
	links, err := ce.GetGroupingPolicy()
	if err != nil {
		return nil, fmt.Errorf("authz: resolve %s: %w", domain, err)
	}
	p := &domainPolicy{granted: map[uuid.UUID]uint64{}, roles: map[uuid.UUID][]string{}}
	roleBits := map[string]uint64{}
	for _, link := range links { // sub, role, dom
		op, err := uuid.Parse(link[0])
		if err != nil {
			return nil, fmt.Errorf("authz: resolve %s: operator %q: %w", domain, link[0], err)
		}
		if _, done := p.roles[op]; done {
			continue
		}
		roles := slices.Clone(ce.GetRolesForUserInDomain(link[0], domain))
		slices.Sort(roles)
		p.roles[op] = roles
		var bits uint64
		for _, role := range roles {
			rb, ok := roleBits[role]
			if !ok {
				rules, err := ce.GetFilteredPolicy(0, role)
				if err != nil {
					return nil, fmt.Errorf("authz: resolve %s: %w", domain, err)
				}
				for _, rule := range rules { // sub, dom, obj, act
					if rule[1] == "*" || rule[1] == domain {
						rb |= permBit[rule[2]+":"+rule[3]]
					}
				}
				roleBits[role] = rb
			}
			bits |= rb
		}
		p.granted[op] = bits
	}
	return p, nil
}

// names lists the permissions of bits.
func names(bits uint64) map[string]bool {
	out := map[string]bool{}
	for _, p := range permissions {
		if bits&permBit[p.Name] != 0 {
			out[p.Name] = true
		}
	}
	return out
}
