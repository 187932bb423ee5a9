package web

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/identity"
)

// consoleTenantAdminRole is the role a region assigns to an ente's administrators.
const consoleTenantAdminRole = "tenant_admin"

// consoleEnte shows one ente of the region: its codes, status and units, its
// administrators, and the forms to add one and to suspend or reactivate it.
func (s *Server) consoleEnte(c *gin.Context) error {
	p := s.formPage(c, "console.ente.title")
	switch done := c.Query("done"); done {
	case "active", "suspended":
		p.Flash = p.T("console.ente.done." + done)
	}
	return s.renderEnte(c, http.StatusOK, p)
}

// renderEnte draws the ente's page with p's form state.
func (s *Server) renderEnte(c *gin.Context, status int, p Page) error {
	ctx := c.Request.Context()
	t, err := s.regionEnte(c)
	if err != nil {
		return err
	}
	units, err := s.opts.Registry.Units(ctx, t.ID)
	if err != nil {
		return err
	}
	members, err := s.opts.Identity.Members(ctx, t.ID)
	if err != nil {
		return err
	}
	var admins []identity.Member
	for _, m := range members {
		if slices.Contains(m.Roles, consoleTenantAdminRole) {
			admins = append(admins, m)
		}
	}
	g := granted(c)
	if p.Data == nil {
		p.Data = map[string]any{}
	}
	p.Title = t.Name
	p.Data["Ente"], p.Data["Units"], p.Data["Admins"] = t, len(units), admins
	p.Data["CanAssign"], p.Data["CanProvision"] = g[authz.PermTenantAdminsAssign], g[authz.PermEntiProvision]
	s.render(c, status, "console_ente.html", p)
	return nil
}
