package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
)

// roleView is a role as the roles page shows it.
type roleView struct {
	authz.Role
	Label       string
	Permissions []string // labels
}

// permissionGroups gathers the ente's permissions for the roles editor, by
// the object they are about; a permission of an unlisted object goes last.
var permissionGroups = []struct {
	key     string
	objects []string
}{
	{"admin.perms.admin", []string{"units", "operators", "roles", "branding", "settings", "audit", "api_clients", "catalog", "workflow"}},
	{"admin.perms.people", []string{"people", "accesses", "referrals"}},
	{"admin.perms.cases", []string{"cases", "reserved", "diary", "assessments", "plans"}},
	{"admin.perms.interventions", []string{"interventions", "siuss"}},
}

func (s *Server) roleList(c *gin.Context) error {
	p := s.page(c, "admin.roles.title")
	withFlash(c, &p)
	return s.renderRoles(c, http.StatusOK, p)
}

func (s *Server) renderRoles(c *gin.Context, status int, p Page) error {
	roles, err := s.opts.Authz.Roles(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return err
	}
	var builtin, custom []roleView
	for _, r := range roles {
		v := roleView{Role: r, Label: roleName(p, r)}
		for _, perm := range r.Permissions {
			v.Permissions = append(v.Permissions, permissionLabel(p, perm))
		}
		if r.Builtin {
			builtin = append(builtin, v)
		} else {
			custom = append(custom, v)
		}
	}
	p.Data = map[string]any{"Builtin": builtin, "Custom": custom}
	s.render(c, status, "admin_roles.html", p)
	return nil
}

func (s *Server) roleNew(c *gin.Context) error {
	return s.roleForm(c, http.StatusOK, s.formPage(c, "admin.roles.new"), "", nil)
}

func (s *Server) roleEdit(c *gin.Context) error {
	r, err := s.pathRole(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "admin.roles.edit")
	withFlash(c, &p)
	p.Form = map[string]string{"name": r.Name, "label": r.LabelIT, "description": r.Description}
	return s.roleForm(c, http.StatusOK, p, r.Name, r.Permissions)
}

func (s *Server) roleCreate(c *gin.Context) error { return s.roleSave(c, "") }

func (s *Server) roleUpdate(c *gin.Context) error {
	r, err := s.pathRole(c)
	if err != nil {
		return err
	}
	return s.roleSave(c, r.Name)
}

// roleSave creates a custom role (editing == "") or changes role editing.
func (s *Server) roleSave(c *gin.Context, editing string) error {
	ctx := c.Request.Context()
	t := currentTenant(c)
	title := "admin.roles.new"
	if editing != "" {
		title = "admin.roles.edit"
	}
	p := s.formPage(c, title)
	r := authz.Role{
		Name: strings.TrimSpace(c.PostForm("name")), LabelIT: strings.TrimSpace(c.PostForm("label")),
		Description: strings.TrimSpace(c.PostForm("description")), Permissions: c.PostFormArray("permissions"),
	}
	if editing != "" {
		r.Name = editing
	}
	p.Form = map[string]string{"name": r.Name, "label": r.LabelIT, "description": r.Description}
	if editing == "" {
		roles, err := s.opts.Authz.Roles(ctx, t.ID)
		if err != nil {
			return err
		}
		for _, x := range roles {
			if x.Name == r.Name && !x.Builtin {
				p.Errors["name"] = p.T("admin.err.role_exists")
			}
		}
	}
	if len(p.Errors) == 0 {
		if err := s.opts.Authz.SaveRole(ctx, t.ID, r); err != nil {
			if !fieldErrors(err, p.Errors) {
				return err
			}
		}
	}
	if len(p.Errors) > 0 {
		return s.roleForm(c, http.StatusUnprocessableEntity, p, editing, r.Permissions)
	}
	if err := s.record(c, "role.saved", "role", r.Name, map[string]any{"permissions": r.Permissions}); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/roles?done=role_saved")
	return nil
}

// roleDelete removes a custom role; one still assigned stays, and the list
// says why.
func (s *Server) roleDelete(c *gin.Context) error {
	r, err := s.pathRole(c)
	if err != nil {
		return err
	}
	err = s.opts.Authz.DeleteRole(c.Request.Context(), currentTenant(c).ID, r.Name)
	if errors.Is(err, derrors.ErrConflict) {
		p := s.page(c, "admin.roles.title")
		p.Errors = map[string]string{"": userMessage(err)}
		return s.renderRoles(c, http.StatusConflict, p)
	}
	if err != nil {
		return err
	}
	if err := s.record(c, "role.deleted", "role", r.Name, nil); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/roles?done=role_deleted")
	return nil
}

// pathRole is the ente's custom role named by :name; built-in roles and other
// enti's roles are not found.
func (s *Server) pathRole(c *gin.Context) (*authz.Role, error) {
	roles, err := s.opts.Authz.Roles(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if r.Name == c.Param("name") && !r.Builtin {
			return &r, nil
		}
	}
	return nil, derrors.ErrNotFound
}

// permissionGroup is one fieldset of the roles editor.
type permissionGroup struct {
	Legend string
	Field  choiceField
}

func (s *Server) roleForm(c *gin.Context, status int, p Page, editing string, perms []string) error {
	groups := make([]permissionGroup, len(permissionGroups)+1)
	for i, g := range permissionGroups {
		groups[i].Legend = p.T(g.key)
	}
	groups[len(groups)-1].Legend = p.T("admin.perms.other")
	for _, info := range authz.Permissions() {
		if info.Scope != authz.ScopeTenant {
			continue
		}
		obj, _, _ := strings.Cut(info.Name, ":")
		i := len(groups) - 1
		for j, g := range permissionGroups {
			for _, o := range g.objects {
				if o == obj {
					i = j
				}
			}
		}
		groups[i].Field.Choices = append(groups[i].Field.Choices, choice{Value: info.Name, Label: permissionLabel(p, info.Name), Hint: info.Name})
	}
	var shown []permissionGroup
	for i, g := range groups {
		if len(g.Field.Choices) == 0 {
			continue
		}
		g.Field.ID, g.Field.Name, g.Field.Label = "f-permissions-"+string(rune('a'+i)), "permissions", g.Legend
		g.Field.Choices = selected(g.Field.Choices, perms...)
		shown = append(shown, g)
	}
	action := basePath(c) + "/admin/roles"
	if editing != "" {
		action += "/" + editing
	}
	p.Data = map[string]any{"Action": action, "Editing": editing, "Groups": shown}
	s.render(c, status, "admin_role_form.html", p)
	return nil
}
