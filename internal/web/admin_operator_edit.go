package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/identity"
)

func (s *Server) operatorEdit(c *gin.Context) error {
	m, err := s.pathMember(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "admin.operators.edit")
	withFlash(c, &p)
	p.Form = map[string]string{"name": m.Name, "tax_code": m.TaxCode, "profile": m.Profile, "status": m.MembershipStatus}
	return s.operatorEditForm(c, http.StatusOK, p, m, m.Roles, uuidStrings(m.Units), "")
}

// operatorUpdate changes a member's account data, roles, units and status.
// Administrators cannot shut themselves out: they may not disable their own
// membership nor drop their own tenant_admin role.
func (s *Server) operatorUpdate(c *gin.Context) error {
	ctx := c.Request.Context()
	m, err := s.pathMember(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "admin.operators.edit")
	u := identity.MemberUpdate{
		Name: strings.TrimSpace(c.PostForm("name")), Profile: strings.TrimSpace(c.PostForm("profile")),
		TaxCode: strings.TrimSpace(c.PostForm("tax_code")), Status: c.PostForm("status"), Roles: c.PostFormArray("roles"),
	}
	p.Form = map[string]string{"name": u.Name, "tax_code": u.TaxCode, "profile": u.Profile, "status": u.Status}
	unitIDs := c.PostFormArray("units")
	if u.Units, err = parseUUIDs(unitIDs); err != nil {
		p.Errors["units"] = p.T("admin.err.units")
	}
	self := m.ID == currentSession(c).OperatorID
	switch {
	case len(u.Roles) == 0:
		p.Errors["roles"] = p.T("admin.err.roles_required")
	case self && slices.Contains(m.Roles, "tenant_admin") && !slices.Contains(u.Roles, "tenant_admin"):
		p.Errors["roles"] = p.T("admin.err.self_admin")
	default:
		if err := s.opts.Authz.ValidRoles(ctx, currentScope(c), u.Roles); err != nil && !fieldErrors(err, p.Errors) {
			return err
		}
	}
	if self && u.Status != "active" {
		p.Errors["status"] = p.T("admin.err.self_disable")
	}
	if len(p.Errors) == 0 {
		err := s.opts.Identity.UpdateMember(ctx, currentTenant(c).ID, m.ID, u, actor(c))
		switch {
		case errors.Is(err, derrors.ErrInvalid):
			if !fieldErrors(err, p.Errors) {
				p.Errors[""] = userMessage(err)
			}
		case err != nil:
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.operatorEditForm(c, http.StatusUnprocessableEntity, p, m, u.Roles, unitIDs, "")
	}
	// A disabled member's sessions here end at its next request (requireLogin
	// finds no permission); its sessions in other enti stay.
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/operators/"+m.ID.String()+"?done=operator_saved")
	return nil
}

// operatorMFAReset removes a member's second factor (a lost phone).
func (s *Server) operatorMFAReset(c *gin.Context) error {
	m, err := s.pathMember(c)
	if err != nil {
		return err
	}
	if err := s.opts.Identity.ResetMFA(c.Request.Context(), currentTenant(c).ID, m.ID, actor(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/operators/"+m.ID.String()+"?done=mfa_reset")
	return nil
}

// operatorSetupLink mails a member a new set-up link and shows it once.
func (s *Server) operatorSetupLink(c *gin.Context) error {
	ctx := c.Request.Context()
	m, err := s.pathMember(c)
	if err != nil {
		return err
	}
	t := currentTenant(c)
	base := strings.TrimSuffix(s.opts.PublicURL, "/") + "/t/" + t.Slug + "/password/reset"
	link, err := s.opts.Identity.IssueSetupLink(ctx, currentScope(c), m.ID, base, actor(c))
	if err != nil {
		return err
	}
	p := s.formPage(c, "admin.operators.edit")
	p.Flash = p.T("admin.done.link_sent", m.Email)
	p.Form = map[string]string{"name": m.Name, "tax_code": m.TaxCode, "profile": m.Profile, "status": m.MembershipStatus}
	return s.operatorEditForm(c, http.StatusOK, p, m, m.Roles, uuidStrings(m.Units), link)
}

// pathMember is the member of the ente named by :id; another ente's operator
// is not found.
func (s *Server) pathMember(c *gin.Context) (*identity.Member, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return s.opts.Identity.Member(c.Request.Context(), currentTenant(c).ID, id)
}

func (s *Server) operatorEditForm(c *gin.Context, status int, p Page, m *identity.Member, roles, units []string, link string) error {
	rs, us, err := s.operatorChoices(c.Request.Context(), p, currentTenant(c).ID)
	if err != nil {
		return err
	}
	p.Data = map[string]any{
		"Member": m, "Link": link,
		"Action": basePath(c) + "/admin/operators/" + m.ID.String(),
		"Roles":  newChoiceField(p, "roles", "admin.operators.roles", selected(rs, roles...)),
		"Units":  newChoiceField(p, "units", "admin.operators.units", selected(us, units...)),
		"Status": newChoiceField(p, "status", "admin.operators.status", selected([]choice{
			{Value: "active", Label: p.T("admin.operators.status.active")},
			{Value: "disabled", Label: p.T("admin.operators.status.disabled")},
		}, p.Form["status"])),
	}
	s.render(c, status, "admin_operator_edit.html", p)
	return nil
}

func uuidStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
