package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/identity"
)

// consoleRegionRoles are the roles the platform console assigns in a region.
var consoleRegionRoles = []string{"region_admin", "region_analyst"}

// platformRegion shows a region's administrators and analysts and the form to
// add one.
func (s *Server) platformRegion(c *gin.Context) error {
	p := s.formPage(c, "console.region.title")
	p.Form["role"] = "region_admin"
	return s.renderRegion(c, http.StatusOK, p)
}

func (s *Server) renderRegion(c *gin.Context, status int, p Page) error {
	ctx := c.Request.Context()
	r, err := s.opts.Registry.Region(ctx, c.Param("code"))
	if err != nil {
		return err
	}
	admins, err := s.opts.Identity.RegionAdmins(ctx, r.Code)
	if err != nil {
		return err
	}
	p.Title = p.T("console.region.title", r.Name)
	p.Data = map[string]any{"Reg": r, "Admins": admins, "Roles": consoleRegionRoles}
	s.render(c, status, "platform_region.html", p)
	return nil
}

// platformRegionAdminCreate makes an operator administrator or analyst of a
// region and, if the account is new, shows the link with which it sets its
// password (console links are not mailed: the platform admin hands it over).
func (s *Server) platformRegionAdminCreate(c *gin.Context) error {
	ctx := c.Request.Context()
	r, err := s.opts.Registry.Region(ctx, c.Param("code"))
	if err != nil {
		return err
	}
	p := s.formPage(c, "console.region.title")
	in := identity.NewOperator{
		Email: strings.TrimSpace(c.PostForm("email")), Name: strings.TrimSpace(c.PostForm("name")),
	}
	role := c.PostForm("role")
	p.Form["email"], p.Form["name"], p.Form["role"] = in.Email, in.Name, role
	if !slices.Contains(consoleRegionRoles, role) {
		p.Errors["role"] = p.T("console.region.err.role")
		return s.renderRegion(c, http.StatusUnprocessableEntity, p)
	}
	in.Roles = []string{role}
	ra, err := s.opts.Identity.CreateRegionAdmin(ctx, r.Code, in, actor(c))
	switch {
	case errors.Is(err, derrors.ErrConflict):
		p.Errors["email"] = p.T("console.region.err.exists")
		return s.renderRegion(c, http.StatusConflict, p)
	case errors.Is(err, derrors.ErrInvalid):
		if !fieldErrors(err, p.Errors) {
			p.Errors[""] = userMessage(err)
		}
		return s.renderRegion(c, http.StatusUnprocessableEntity, p)
	case err != nil:
		return err
	}
	link := ""
	if !ra.HasPassword {
		base := strings.TrimSuffix(s.opts.PublicURL, "/") + "/r/" + r.Slug + "/password/reset"
		if link, err = s.opts.Identity.IssueSetupLink(ctx, db.Scope{Region: r.Code}, ra.ID, base, actor(c)); err != nil {
			return err
		}
	}
	p.Title = p.T("console.region.title", r.Name)
	p.Data = map[string]any{
		"Name": ra.Name, "Email": ra.Email, "Link": link, "Mailed": false,
		"Where": p.T("header.region", r.Name), "Back": basePath(c) + "/regions/" + r.Code,
	}
	s.render(c, http.StatusOK, "console_setup_link.html", p)
	return nil
}
