package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/identity"
)

func (s *Server) operatorNew(c *gin.Context) error {
	p := s.formPage(c, "admin.operators.new")
	p.Form["credential"] = "link"
	return s.operatorNewForm(c, http.StatusOK, p, nil, nil)
}

// operatorCreate adds an operator (or, for an e-mail that has an account
// already, a membership) and, unless an initial password was given, issues
// the set-up link: mailed, and shown once so that the admin can hand it over.
func (s *Server) operatorCreate(c *gin.Context) error {
	ctx := c.Request.Context()
	t := currentTenant(c)
	p := s.formPage(c, "admin.operators.new")
	in := identity.NewOperator{
		Email: strings.TrimSpace(c.PostForm("email")), Name: strings.TrimSpace(c.PostForm("name")),
		TaxCode: strings.TrimSpace(c.PostForm("tax_code")), Profile: strings.TrimSpace(c.PostForm("profile")),
		Roles: c.PostFormArray("roles"),
	}
	credential := c.PostForm("credential")
	if credential != "password" {
		credential = "link"
	}
	p.Form = map[string]string{"email": in.Email, "name": in.Name, "tax_code": in.TaxCode, "profile": in.Profile, "credential": credential}
	unitIDs := c.PostFormArray("units")
	units, err := parseUUIDs(unitIDs)
	if err != nil {
		p.Errors["units"] = p.T("admin.err.units")
	}
	in.Units = units
	if credential == "password" {
		if in.Password = c.PostForm("password"); in.Password == "" {
			p.Errors["password"] = p.T("admin.err.password_required")
		}
	}
	if len(in.Roles) == 0 {
		p.Errors["roles"] = p.T("admin.err.roles_required")
	} else if err := s.opts.Authz.ValidRoles(ctx, currentScope(c), in.Roles); err != nil && !fieldErrors(err, p.Errors) {
		return err
	}
	var existed bool
	var m *identity.Member
	if len(p.Errors) == 0 {
		if existed, err = s.opts.Identity.HasAccount(ctx, in.Email); err != nil {
			return err
		}
		m, err = s.opts.Identity.Create(ctx, t.ID, in, actor(c))
		switch {
		case errors.Is(err, derrors.ErrInvalid):
			if !fieldErrors(err, p.Errors) {
				p.Errors[""] = userMessage(err)
			}
		case errors.Is(err, derrors.ErrConflict):
			p.Errors["email"] = userMessage(err)
		case err != nil:
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.operatorNewForm(c, http.StatusUnprocessableEntity, p, in.Roles, unitIDs)
	}
	link := ""
	if !existed && in.Password == "" {
		base := strings.TrimSuffix(s.opts.PublicURL, "/") + "/t/" + t.Slug + "/password/reset"
		if link, err = s.opts.Identity.IssueSetupLink(ctx, currentScope(c), m.ID, base, actor(c)); err != nil {
			return err
		}
	}
	p = s.page(c, "admin.operators.created")
	p.Data = map[string]any{"Member": m, "Existed": existed, "Link": link,
		"Edit": basePath(c) + "/admin/operators/" + m.ID.String()}
	s.render(c, http.StatusOK, "admin_operator_created.html", p)
	return nil
}

// operatorNewForm renders the new-operator form with roles and units checked.
func (s *Server) operatorNewForm(c *gin.Context, status int, p Page, roles, units []string) error {
	rs, us, err := s.operatorChoices(c.Request.Context(), p, currentTenant(c).ID)
	if err != nil {
		return err
	}
	p.Data = map[string]any{
		"Roles": newChoiceField(p, "roles", "admin.operators.roles", selected(rs, roles...)),
		"Units": newChoiceField(p, "units", "admin.operators.units", selected(us, units...)),
		"Credential": newChoiceField(p, "credential", "admin.operators.credential", selected([]choice{
			{Value: "link", Label: p.T("admin.operators.credential.link")},
			{Value: "password", Label: p.T("admin.operators.credential.password")},
		}, p.Form["credential"])),
	}
	s.render(c, status, "admin_operator_new.html", p)
	return nil
}

func parseUUIDs(ss []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(ss))
	for _, s := range ss {
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}
