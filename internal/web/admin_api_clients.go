package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/apiclient"
	"github.com/sigess/sigess/internal/derrors"
)

// apiClientRoutes registers the ente admin's pages of API clients on adm
// (already behind api_clients:manage).
func (s *Server) apiClientRoutes(adm *gin.RouterGroup) {
	adm.GET("", s.handle(s.apiClientList))
	adm.GET("/new", s.handle(s.apiClientNew))
	adm.POST("", s.handle(s.apiClientCreate))
	adm.POST("/:id/revoke", s.handle(s.apiClientRevoke))
}

// apiClientRow is a client as the list shows it.
type apiClientRow struct {
	apiclient.Client
	RoleLabels []string
	Active     bool
	Created    string // in Rome's time
	LastUsed   string // "" if never
}

const apiClientTime = "02/01/2006 15:04"

func (s *Server) apiClientList(c *gin.Context) error {
	ctx := c.Request.Context()
	t := currentTenant(c)
	p := s.page(c, "apiclients.title")
	withFlash(c, &p)
	clients, err := s.opts.APIClients.List(ctx, t.ID)
	if err != nil {
		return err
	}
	roles, err := s.apiClientRoleChoices(c, p)
	if err != nil {
		return err
	}
	rows := make([]apiClientRow, 0, len(clients))
	for _, cl := range clients {
		r := apiClientRow{Client: cl, Active: cl.Status == apiclient.StatusActive,
			Created: cl.CreatedAt.In(rome).Format(apiClientTime)}
		if cl.LastUsedAt != nil {
			r.LastUsed = cl.LastUsedAt.In(rome).Format(apiClientTime)
		}
		for _, name := range cl.Roles {
			r.RoleLabels = append(r.RoleLabels, labelOf(roles, name))
		}
		rows = append(rows, r)
	}
	p.Data = map[string]any{"Clients": rows}
	s.render(c, http.StatusOK, "admin_api_clients.html", p)
	return nil
}

func (s *Server) apiClientNew(c *gin.Context) error {
	return s.apiClientForm(c, http.StatusOK, s.formPage(c, "apiclients.new"), nil)
}

// apiClientCreate creates a client and shows its credentials, this once.
func (s *Server) apiClientCreate(c *gin.Context) error {
	p := s.formPage(c, "apiclients.new")
	in := apiclient.NewClient{Name: strings.TrimSpace(c.PostForm("name")), Roles: c.PostFormArray("roles")}
	p.Form = map[string]string{"name": in.Name}
	if in.Name == "" {
		p.Errors["name"] = p.T("apiclients.err.name_required")
	}
	if len(in.Roles) == 0 {
		p.Errors["roles"] = p.T("apiclients.err.roles_required")
	}
	var cr *apiclient.Credentials
	if len(p.Errors) == 0 {
		var err error
		cr, err = s.opts.APIClients.Create(c.Request.Context(), currentTenant(c).ID, in, apiClientActor(c))
		var fe *apiclient.FieldError
		switch {
		case errors.As(err, &fe):
			p.Errors[fe.Field] = fe.Message
		case errors.Is(err, derrors.ErrInvalid):
			p.Errors[""] = userMessage(err)
		case err != nil:
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.apiClientForm(c, http.StatusUnprocessableEntity, p, in.Roles)
	}
	p = s.page(c, "apiclients.created")
	p.Data = map[string]any{"Credentials": cr, "TokenURL": strings.TrimSuffix(s.opts.PublicURL, "/") +
		"/t/" + currentTenant(c).Slug + "/api/v1/oauth/token"}
	// The secret must not linger in a cache or the browser's history.
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "admin_api_client_created.html", p)
	return nil
}

// apiClientRevoke revokes a client of the ente; another ente's is 404.
func (s *Server) apiClientRevoke(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.opts.APIClients.Revoke(c.Request.Context(), currentTenant(c).ID, id, apiClientActor(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/api-clients?done=api_client_revoked")
	return nil
}

// apiClientForm renders the new-client form with roles checked.
func (s *Server) apiClientForm(c *gin.Context, status int, p Page, roles []string) error {
	rs, err := s.apiClientRoleChoices(c, p)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Roles": newChoiceField(p, "roles", "apiclients.roles", selected(rs, roles...))}
	s.render(c, status, "admin_api_client_new.html", p)
	return nil
}

// apiClientRoleChoices are the roles an ente may give a client: the built-in
// ente roles and its custom roles, as for operators.
func (s *Server) apiClientRoleChoices(c *gin.Context, p Page) ([]choice, error) {
	rs, err := s.opts.Authz.Roles(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return nil, err
	}
	out := make([]choice, 0, len(rs))
	for _, r := range rs {
		out = append(out, choice{Value: r.Name, Label: roleName(p, r), Hint: r.Description})
	}
	return out, nil
}

// apiClientActor is the logged-in administrator, for the audit trail.
func apiClientActor(c *gin.Context) apiclient.Actor {
	a := actor(c)
	return apiclient.Actor{ID: a.ID, Email: a.Email, IP: a.IP, UserAgent: a.UserAgent}
}
