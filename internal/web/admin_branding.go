package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/tenancy"
)

// brandingKeys are the settings the branding form changes; the form's fields
// are named by them, so that a tenancy.FieldError lands next to its field.
var brandingKeys = []string{"branding.display_name", "branding.primary_color", "contacts.email", "contacts.pec",
	"contacts.phone", "contacts.address", "contacts.website", "locale"}

func (s *Server) brandingForm(c *gin.Context) error {
	t, err := s.freshTenant(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "admin.branding.title")
	withFlash(c, &p)
	flat := t.Settings.Flatten()
	for _, k := range brandingKeys {
		p.Form[k] = flat[k]
	}
	return s.renderBranding(c, http.StatusOK, p, t)
}

// brandingSave applies the branding form, all or nothing. The colour comes
// from the text field, or from the colour picker when only that was changed.
func (s *Server) brandingSave(c *gin.Context) error {
	ctx := c.Request.Context()
	t, err := s.freshTenant(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "admin.branding.title")
	var kvs []tenancy.KeyValue
	for _, k := range brandingKeys {
		v := strings.TrimSpace(c.PostForm(k))
		if k == "branding.primary_color" {
			picker := strings.TrimSpace(c.PostForm("branding.primary_color_picker"))
			if strings.EqualFold(v, t.Settings.Branding.PrimaryColor) && picker != "" {
				v = picker
			}
			v = strings.ToUpper(v)
		}
		p.Form[k] = v
		kvs = append(kvs, tenancy.KeyValue{Key: k, Value: v})
	}
	diff, err := s.opts.Registry.UpdateOwnSettings(ctx, t.ID, kvs)
	if err != nil {
		if !fieldErrors(err, p.Errors) {
			if !errors.Is(err, derrors.ErrInvalid) {
				return err
			}
			p.Errors[""] = userMessage(err)
		}
		return s.renderBranding(c, http.StatusUnprocessableEntity, p, t)
	}
	if len(diff) > 0 {
		if err := s.record(c, "settings.changed", "ente", t.Slug, map[string]any{"changes": diff}); err != nil {
			return err
		}
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/branding?done=branding_saved")
	return nil
}

// logoUpload stores the ente's coat of arms; tenancy sniffs its type.
func (s *Server) logoUpload(c *gin.Context) error {
	ctx := c.Request.Context()
	t, err := s.freshTenant(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "admin.branding.title")
	flat := t.Settings.Flatten()
	for _, k := range brandingKeys {
		p.Form[k] = flat[k]
	}
	fh, err := c.FormFile("logo")
	switch {
	case err != nil:
		p.Errors["logo"] = p.T("admin.err.logo_missing")
	case fh.Size > tenancy.MaxLogoBytes:
		p.Errors["logo"] = p.T("admin.err.logo_size")
	default:
		f, err := fh.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(f, tenancy.MaxLogoBytes+1))
		f.Close()
		if err != nil {
			return err
		}
		if _, err := s.opts.Registry.SetLogo(ctx, t.ID, data); err != nil && !fieldErrors(err, p.Errors) {
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.renderBranding(c, http.StatusUnprocessableEntity, p, t)
	}
	if err := s.record(c, "settings.logo_uploaded", "ente", t.Slug, nil); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/branding?done=logo_saved")
	return nil
}

func (s *Server) renderBranding(c *gin.Context, status int, p Page, t *tenancy.Tenant) error {
	color := p.Form["branding.primary_color"]
	if !hexColor.MatchString(color) {
		color = t.Settings.Branding.PrimaryColor
	}
	p.Data = map[string]any{
		"Color": color, "Logo": t.Settings.Branding.Logo,
		"Locale": newChoiceField(p, "locale", "admin.branding.locale", selected([]choice{
			{Value: "it", Label: p.T("lang.it")}, {Value: "en", Label: p.T("lang.en")},
		}, p.Form["locale"])),
	}
	s.render(c, status, "admin_branding.html", p)
	return nil
}

// freshTenant reads the ente being served from the registry rather than the
// resolver's cache, so that a form shows what was just saved.
func (s *Server) freshTenant(c *gin.Context) (*tenancy.Tenant, error) {
	return s.opts.Registry.Get(c.Request.Context(), currentTenant(c).Slug)
}
