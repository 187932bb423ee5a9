package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/obs"
	"github.com/sigess/sigess/internal/tenancy"
)

const tenantKey = "sigess.tenant"

// resolveTenant finds the ente of /t/:slug: unknown → 404, suspended → 403
// naming it. The slug goes into the context for the logs.
func (s *Server) resolveTenant() gin.HandlerFunc {
	return func(c *gin.Context) {
		slug := strings.ToLower(c.Param("slug"))
		t, err := s.opts.Tenants.Resolve(c.Request.Context(), slug)
		if err == nil && t.Status == tenancy.StatusSuspended {
			err = &suspendedError{tenant: t}
			c.Set(tenantKey, t) // the 403 page is branded for the ente it names
		}
		if err != nil {
			s.writeError(c, err)
			c.Abort()
			return
		}
		c.Set(tenantKey, t)
		c.Request = c.Request.WithContext(obs.WithTenant(c.Request.Context(), t.Slug))
		c.Next()
	}
}

// currentTenant returns the ente being served, or nil outside /t/:slug.
func currentTenant(c *gin.Context) *tenancy.Tenant {
	v, ok := c.Get(tenantKey)
	if !ok {
		return nil
	}
	return v.(*tenancy.Tenant)
}

// publicHome is the ente's public front page: who it is and its offices.
func (s *Server) publicHome(c *gin.Context) error {
	t := currentTenant(c)
	units, err := s.opts.Registry.Units(c.Request.Context(), t.ID)
	if err != nil {
		return err
	}
	p := s.page(c, "tenant.title")
	p.Data = map[string]any{"Units": unitTree(units)}
	s.render(c, http.StatusOK, "tenant_home.html", p)
	return nil
}

// unitNode is a unit with its children, for display.
type unitNode struct {
	tenancy.Unit
	Children []*unitNode
}

func unitTree(units []tenancy.Unit) []*unitNode {
	nodes := map[string]*unitNode{}
	for _, u := range units {
		nodes[u.Code] = &unitNode{Unit: u}
	}
	var roots []*unitNode
	for _, u := range units {
		if p := nodes[u.Parent]; p != nil {
			p.Children = append(p.Children, nodes[u.Code])
		} else {
			roots = append(roots, nodes[u.Code])
		}
	}
	return roots
}

// tenantInfo is the ente's public identity as JSON.
func (s *Server) tenantInfo(c *gin.Context) error {
	t := currentTenant(c)
	c.JSON(http.StatusOK, gin.H{
		"slug": t.Slug, "name": t.Name, "display_name": t.DisplayName(), "kind": t.Kind,
		"istat_code": t.ISTATCode, "belfiore_code": t.BelfioreCode, "region": t.Region, "status": t.Status,
		"members": t.Members,
	})
	return nil
}

// platformHome finds an ente by name, so that operators reach their own.
func (s *Server) platformHome(c *gin.Context) error {
	p := s.page(c, "platform.title")
	q := strings.TrimSpace(c.Query("q"))
	var results []*tenancy.Tenant
	var msg string
	if len([]rune(q)) == 1 {
		msg = p.T("platform.search.too_short")
	} else if q != "" {
		var err error
		if results, err = s.opts.Registry.Search(c.Request.Context(), q, 50); err != nil {
			return err
		}
		if len(results) == 0 {
			msg = p.T("platform.search.none", q)
		}
	}
	p.Data = map[string]any{"Query": q, "Results": results, "Message": msg, "Attribution": istat.Attribution}
	s.render(c, http.StatusOK, "platform_home.html", p)
	return nil
}
