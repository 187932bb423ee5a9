package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/identity"
)

// consoleTenantAdminAssign makes an operator administrator of an ente of the
// region and, if the account is new, issues the link with which it sets its
// password: mailed through the ente's outbox and shown to the region's admin.
func (s *Server) consoleTenantAdminAssign(c *gin.Context) error {
	ctx := c.Request.Context()
	t, err := s.regionEnte(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "console.ente.title")
	in := identity.NewOperator{
		Email: strings.TrimSpace(c.PostForm("email")), Name: strings.TrimSpace(c.PostForm("name")),
		Roles: []string{consoleTenantAdminRole},
	}
	p.Form["email"], p.Form["name"] = in.Email, in.Name
	m, err := s.opts.Identity.Create(ctx, t.ID, in, actor(c))
	switch {
	case errors.Is(err, derrors.ErrConflict):
		p.Errors["email"] = p.T("console.admin.err.member")
		return s.renderEnte(c, http.StatusConflict, p)
	case errors.Is(err, derrors.ErrInvalid):
		if !fieldErrors(err, p.Errors) {
			p.Errors[""] = userMessage(err)
		}
		return s.renderEnte(c, http.StatusUnprocessableEntity, p)
	case err != nil:
		return err
	}
	link := ""
	if !m.HasPassword {
		base := strings.TrimSuffix(s.opts.PublicURL, "/") + "/t/" + t.Slug + "/password/reset"
		if link, err = s.opts.Identity.IssueSetupLink(ctx, db.Scope{Tenant: t.ID}, m.ID, base, actor(c)); err != nil {
			return err
		}
	}
	p.Data = map[string]any{
		"Name": m.Name, "Email": m.Email, "Link": link, "Mailed": true,
		"Where": t.DisplayName(), "Back": basePath(c) + "/enti/" + t.Slug,
	}
	s.render(c, http.StatusOK, "console_setup_link.html", p)
	return nil
}
