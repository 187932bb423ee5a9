package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/tenancy"
)

// securityTextKeys are the security form's text settings, in the order they
// are applied; the two check boxes and the client secret are handled apart.
var securityTextKeys = []string{"security.session_idle_minutes", "security.session_absolute_hours",
	"sso.oidc.issuer", "sso.oidc.client_id", "sso.oidc.label", "sso.oidc.match",
	"waas.pdnd.jwks_url", "waas.pdnd.issuer", "waas.pdnd.audience", "waas.operator_tax_code"}

func (s *Server) securityForm(c *gin.Context) error {
	t, err := s.freshTenant(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "admin.security.title")
	withFlash(c, &p)
	flat := t.Settings.Flatten()
	for _, k := range append(securityTextKeys, "security.mfa_required_for_all", "sso.oidc.enabled", "waas.enabled") {
		p.Form[k] = flat[k]
	}
	return s.renderSecurity(c, http.StatusOK, p, t)
}

// securitySave applies the security and single sign-on settings, all or
// nothing. The client secret is write-only: an empty field keeps it.
// Enabling single sign-on is applied last and disabling it first, since each
// step is validated and an enabled provider needs its issuer and client.
func (s *Server) securitySave(c *gin.Context) error {
	t, err := s.freshTenant(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "admin.security.title")
	mfa := boolText(c.PostForm("security.mfa_required_for_all") != "")
	enabled := boolText(c.PostForm("sso.oidc.enabled") != "")
	p.Form["security.mfa_required_for_all"], p.Form["sso.oidc.enabled"] = mfa, enabled
	waasOn := boolText(c.PostForm("waas.enabled") != "")
	p.Form["waas.enabled"] = waasOn
	kvs := []tenancy.KeyValue{{Key: "security.mfa_required_for_all", Value: mfa}, {Key: "waas.enabled", Value: waasOn}}
	if enabled == "false" {
		kvs = append(kvs, tenancy.KeyValue{Key: "sso.oidc.enabled", Value: enabled})
	}
	for _, k := range securityTextKeys {
		v := strings.TrimSpace(c.PostForm(k))
		p.Form[k] = v
		kvs = append(kvs, tenancy.KeyValue{Key: k, Value: v})
	}
	if secret := c.PostForm("sso.oidc.client_secret"); secret != "" {
		kvs = append(kvs, tenancy.KeyValue{Key: "sso.oidc.client_secret", Value: secret})
	}
	if enabled == "true" {
		kvs = append(kvs, tenancy.KeyValue{Key: "sso.oidc.enabled", Value: enabled})
	}
	diff, err := s.opts.Registry.UpdateOwnSettings(c.Request.Context(), t.ID, kvs)
	if err != nil {
		if !fieldErrors(err, p.Errors) {
			if !errors.Is(err, derrors.ErrInvalid) {
				return err
			}
			p.Errors[""] = userMessage(err)
		}
		return s.renderSecurity(c, http.StatusUnprocessableEntity, p, t)
	}
	if len(diff) > 0 {
		if err := s.record(c, "settings.changed", "ente", t.Slug, map[string]any{"changes": diff}); err != nil {
			return err
		}
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/security?done=security_saved")
	return nil
}

func (s *Server) renderSecurity(c *gin.Context, status int, p Page, t *tenancy.Tenant) error {
	p.Data = map[string]any{
		"SecretHint": "admin.security.secret_unset",
		"Match": newChoiceField(p, "sso.oidc.match", "admin.security.match", selected([]choice{
			{Value: "email", Label: p.T("admin.security.match.email")},
			{Value: "tax_code", Label: p.T("admin.security.match.tax_code")},
		}, p.Form["sso.oidc.match"])),
	}
	if t.Settings.SSO.OIDC.ClientSecret != "" {
		p.Data["SecretHint"] = "admin.security.secret_set"
	}
	s.render(c, status, "admin_security.html", p)
	return nil
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
