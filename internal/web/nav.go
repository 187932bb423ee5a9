package web

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
)

// navEntry is one item of the main navigation, shown to operators holding any
// of its permissions (none: everyone logged in).
type navEntry struct {
	path  string // below the scope's base path
	label string // message key
	perms []string
}

var (
	tenantNav = []navEntry{
		{"/", "nav.home", nil},
		{"/people", "nav.people", []string{authz.PermPeopleRead}},
		{"/accesses", "nav.accesses", []string{authz.PermAccessesRead}},
		{"/cases", "nav.cases", []string{authz.PermCasesReadOwn, authz.PermCasesReadUnit, authz.PermCasesReadAll}},
		{"/caseload", "nav.caseload", []string{authz.PermCasesReadOwn, authz.PermCasesReadUnit, authz.PermCasesReadAll}},
		{"/interventions", "nav.interventions", []string{authz.PermInterventionsRead}},
		{"/agenda", "nav.agenda", []string{authz.PermAgendaUse}},
		{"/exports", "nav.exports", []string{authz.PermInterventionsRead}},
		{"/siuss", "nav.siuss", []string{authz.PermSIUSSExport}},
		{"/catalog", "nav.catalog", []string{authz.PermCatalogManage, authz.PermInterventionsRead}},
		{"/admin", "nav.admin", []string{authz.PermUnitsManage, authz.PermOperatorsManage, authz.PermRolesManage, authz.PermBrandingManage}},
		{"/audit", "nav.audit", []string{authz.PermAuditRead}},
		{"/account", "nav.account", nil},
	}
	regionNav = []navEntry{
		{"/", "nav.enti", []string{authz.PermEntiRead}},
		{"/templates", "nav.templates", []string{authz.PermTemplatesPublish}},
		{"/account", "nav.account", nil},
	}
	platformNav = []navEntry{
		{"/", "nav.regions", []string{authz.PermRegionsManage}},
		{"/account", "nav.account", nil},
	}
)

// nav builds the navigation of the scope served for an operator's permissions,
// marking the entry the request is under.
func (s *Server) nav(c *gin.Context, g map[string]bool) []NavItem {
	entries := tenantNav
	switch scope := currentScope(c); {
	case scope.Platform:
		entries = platformNav
	case scope.Region != "":
		entries = regionNav
	}
	base := basePath(c)
	here := strings.TrimSuffix(requestPath(c), "/")
	if i := strings.IndexByte(here, '?'); i >= 0 {
		here = here[:i]
	}
	p := s.page(c, "")
	var out []NavItem
	for _, e := range entries {
		if !anyGranted(g, e.perms) {
			continue
		}
		href := base + e.path
		target := strings.TrimSuffix(href, "/")
		active := here == target || (e.path != "/" && strings.HasPrefix(here, target+"/"))
		out = append(out, NavItem{Href: href, Label: p.T(e.label), Active: active})
	}
	return out
}

func anyGranted(g map[string]bool, perms []string) bool {
	if len(perms) == 0 {
		return true
	}
	for _, p := range perms {
		if g[p] {
			return true
		}
	}
	return false
}
