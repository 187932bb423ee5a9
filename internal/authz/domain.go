// Package authz decides what an operator may do in a domain — one ente, one
// region, or the platform — with casbin RBAC with domains. Built-in roles are
// defined once (configs/casbin/policy.csv) and shared by every domain; an ente
// may add custom roles (table roles). Each domain gets its own small casbin
// enforcer, loaded lazily and kept in a bounded cache, so that a decision costs
// the same with ten enti as with all of Italy. Which records an operator sees is
// not decided here: SQL does that.
package authz

import (
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/db"
)

// PlatformDomain is the domain of platform administration.
const PlatformDomain = "platform"

// The kinds of scope a role or a permission belongs to.
const (
	ScopeTenant   = "tenant"
	ScopeRegion   = "region"
	ScopePlatform = "platform"
)

// TenantDomain is the domain of one ente: "t:<uuid>".
func TenantDomain(id uuid.UUID) string { return "t:" + id.String() }

// RegionDomain is the domain of one region: "r:<ISTAT region code>".
func RegionDomain(code string) string { return "r:" + code }

// DomainOf is the domain of a transaction scope: its tenant if set, else its
// region, else the platform. The zero Scope has no domain and gives "", which
// every decision denies.
func DomainOf(s db.Scope) string {
	switch {
	case s.Tenant != uuid.Nil:
		return TenantDomain(s.Tenant)
	case s.Region != "":
		return RegionDomain(s.Region)
	case s.Platform:
		return PlatformDomain
	}
	return ""
}

// scopeKind is ScopeTenant, ScopeRegion or ScopePlatform for s, chosen as
// DomainOf chooses, or "" for the zero Scope.
func scopeKind(s db.Scope) string {
	switch {
	case s.Tenant != uuid.Nil:
		return ScopeTenant
	case s.Region != "":
		return ScopeRegion
	case s.Platform:
		return ScopePlatform
	}
	return ""
}
