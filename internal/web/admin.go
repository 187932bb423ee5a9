package web

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
)

// adminPerms are the permissions that open the ente's administration: any
// one of them shows the overview.
var adminPerms = []string{authz.PermUnitsManage, authz.PermOperatorsManage, authz.PermRolesManage,
	authz.PermBrandingManage, authz.PermSettingsManage, authz.PermAPIClientsManage}

// tenantAdminRoutes registers the ente admin's pages, the audit trail and the
// ente's public coat of arms on the ente's UI group.
func (s *Server) tenantAdminRoutes(ui *gin.RouterGroup) {
	ui.GET("/assets/logo", s.handle(s.logoAsset)) // public: the login page shows it

	ui.GET("/audit", s.requireLogin(), s.require(authz.PermAuditRead), s.handle(s.auditList))

	adm := ui.Group("/admin", s.requireLogin())
	adm.GET("", s.require(adminPerms...), s.handle(s.adminHome))

	units := adm.Group("/units", s.require(authz.PermUnitsManage))
	units.GET("", s.handle(s.unitList))
	units.GET("/new", s.handle(s.unitNew))
	units.POST("", s.handle(s.unitCreate))
	units.GET("/:id", s.handle(s.unitEdit))
	units.POST("/:id", s.handle(s.unitUpdate))

	ops := adm.Group("/operators", s.require(authz.PermOperatorsManage))
	ops.GET("", s.handle(s.operatorList))
	ops.GET("/new", s.handle(s.operatorNew))
	ops.POST("", s.handle(s.operatorCreate))
	ops.GET("/:id", s.handle(s.operatorEdit))
	ops.POST("/:id", s.handle(s.operatorUpdate))
	ops.POST("/:id/mfa/reset", s.handle(s.operatorMFAReset))
	ops.POST("/:id/setup-link", s.handle(s.operatorSetupLink))

	roles := adm.Group("/roles", s.require(authz.PermRolesManage))
	roles.GET("", s.handle(s.roleList))
	roles.GET("/new", s.handle(s.roleNew))
	roles.POST("", s.handle(s.roleCreate))
	roles.GET("/:name", s.handle(s.roleEdit))
	roles.POST("/:name", s.handle(s.roleUpdate))
	roles.POST("/:name/delete", s.handle(s.roleDelete))

	adm.GET("/branding", s.require(authz.PermBrandingManage), s.handle(s.brandingForm))
	adm.POST("/branding", s.require(authz.PermBrandingManage), s.handle(s.brandingSave))
	adm.POST("/branding/logo", s.require(authz.PermBrandingManage), s.handle(s.logoUpload))
	adm.GET("/security", s.require(authz.PermSettingsManage), s.handle(s.securityForm))
	adm.POST("/security", s.require(authz.PermSettingsManage), s.handle(s.securitySave))
	s.apiClientRoutes(adm.Group("/api-clients", s.require(authz.PermAPIClientsManage)))
}

// adminSection is one entry of the administration overview.
type adminSection struct {
	Href, Title, Text string
}

// adminHome links to the sections the operator may use.
func (s *Server) adminHome(c *gin.Context) error {
	p := s.page(c, "admin.title")
	g := granted(c)
	base := basePath(c) + "/admin"
	var sections []adminSection
	for _, e := range []struct{ perm, path, key string }{
		{authz.PermUnitsManage, "/units", "admin.units"},
		{authz.PermOperatorsManage, "/operators", "admin.operators"},
		{authz.PermRolesManage, "/roles", "admin.roles"},
		{authz.PermBrandingManage, "/branding", "admin.branding"},
		{authz.PermSettingsManage, "/security", "admin.security"},
		{authz.PermAPIClientsManage, "/api-clients", "admin.api_clients"},
		{authz.PermSettingsManage, "/import", "import"},
	} {
		if g[e.perm] {
			sections = append(sections, adminSection{Href: base + e.path, Title: p.T(e.key + ".title"), Text: p.T(e.key + ".intro")})
		}
	}
	p.Data = map[string]any{"Sections": sections}
	s.render(c, http.StatusOK, "admin_home.html", p)
	return nil
}

// choice is one option of a select or one box of a checkbox group.
type choice struct {
	Value, Label, Hint string
	Selected           bool
}

// choiceField is a select or a group of checkboxes as admin_partials.html
// draws them: a label (or legend), the choices and the field's error.
type choiceField struct {
	ID, Name, Label, Error string
	Choices                []choice
}

func newChoiceField(p Page, name, labelKey string, choices []choice) choiceField {
	return choiceField{ID: "f-" + name, Name: name, Label: p.T(labelKey), Error: p.Errors[name], Choices: choices}
}

// selected marks the choices whose value is in values.
func selected(choices []choice, values ...string) []choice {
	for i := range choices {
		choices[i].Selected = slices.Contains(values, choices[i].Value)
	}
	return choices
}

// withFlash shows the message of a ?done= redirect, if it names one of ours.
func withFlash(c *gin.Context, p *Page) {
	if d := c.Query("done"); d != "" && catalog.Has(p.Locale, "admin.done."+d) {
		p.Flash = p.T("admin.done." + d)
	}
}

// pathID is the :id of the path; a malformed one is a page that does not exist.
func pathID(c *gin.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, derrors.ErrNotFound
	}
	return id, nil
}
