package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	ctlg "github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/derrors"
)

// catalogFieldRow is one field of an entry as its page shows it.
type catalogFieldRow struct {
	Name, Label, Value string
	Overridden         bool
}

// catalogShow shows an entry: its fields, where it comes from and which
// fields the ente changed from the template.
func (s *Server) catalogShow(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a := catalogActor(c)
	e, err := s.opts.Catalog.Entry(c.Request.Context(), currentTenant(c).ID, id, a)
	if err != nil {
		return err
	}
	p := s.page(c, "catalog.entry.title")
	p.Title = e.Name
	vals := e.Fields.Values()
	var rows []catalogFieldRow
	for _, f := range ctlg.FieldNames {
		rows = append(rows, catalogFieldRow{Name: f, Label: p.T("catalog.field." + f),
			Value: catalogLabel(p, f, vals[f]), Overridden: e.IsOverridden(f)})
	}
	switch c.Query("done") {
	case "saved":
		p.Flash = p.T("catalog.flash.saved")
	case "restored":
		p.Flash = p.T("catalog.flash.restored")
	case "active":
		p.Flash = p.T("catalog.flash.active")
	}
	p.Data = map[string]any{"Entry": e, "Rows": rows, "CanManage": a.Perms[authz.PermCatalogManage],
		"ActiveOverridden": e.IsOverridden("active")}
	s.render(c, http.StatusOK, "catalog_show.html", p)
	return nil
}

// catalogFormFromEntry fills a form with an entry's values, amounts with a
// decimal comma in Italian.
func catalogFormFromEntry(p Page, e *ctlg.Entry) map[string]string {
	form := e.Fields.Values()
	for _, f := range []string{ctlg.FISEEThreshold, ctlg.FShareEnte, ctlg.FShareUser, ctlg.FShareHealth} {
		if p.Locale == "it" {
			form[f] = strings.Replace(form[f], ".", ",", 1)
		}
	}
	form["version"] = strconv.Itoa(e.Version)
	return form
}

// catalogNew shows the form of a new local entry.
func (s *Server) catalogNew(c *gin.Context) error {
	p := s.formPage(c, "catalog.new.title")
	p.Form[ctlg.FShareEnte], p.Form[ctlg.FShareUser], p.Form[ctlg.FShareHealth] = "100", "0", "0"
	return s.renderCatalogForm(c, p, nil, http.StatusOK)
}

// catalogEdit shows the form of an entry.
func (s *Server) catalogEdit(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	e, err := s.opts.Catalog.Entry(c.Request.Context(), currentTenant(c).ID, id, catalogActor(c))
	if err != nil {
		return err
	}
	p := s.formPage(c, "catalog.edit.title")
	p.Form = catalogFormFromEntry(p, e)
	return s.renderCatalogForm(c, p, e, http.StatusOK)
}

func (s *Server) renderCatalogForm(c *gin.Context, p Page, e *ctlg.Entry, status int) error {
	action := p.Base + "/catalog"
	if e != nil {
		action += "/" + e.ID.String()
	}
	p.Data = map[string]any{"Entry": e, "Action": action, "Choices": catalogChoices(p)}
	s.render(c, status, "catalog_form.html", p)
	return nil
}

// catalogCreate adds a local entry; invalid fields are shown next to them.
func (s *Server) catalogCreate(c *gin.Context) error {
	p := s.formPage(c, "catalog.new.title")
	p.Form = catalogFormValues(c)
	in, err := ctlg.FromValues(p.Form)
	var e *ctlg.Entry
	if err == nil {
		e, err = s.opts.Catalog.Create(c.Request.Context(), currentTenant(c).ID, in, catalogActor(c))
	}
	if fieldErrors(err, p.Errors) {
		return s.renderCatalogForm(c, p, nil, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, p.Base+"/catalog/"+e.ID.String()+"?done=saved")
	return nil
}

// catalogUpdate saves an entry's form; on an entry from a template the
// fields changed become the ente's own.
func (s *Server) catalogUpdate(c *gin.Context) error {
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a := catalogActor(c)
	cur, err := s.opts.Catalog.Entry(ctx, tenant, id, a)
	if err != nil {
		return err
	}
	p := s.formPage(c, "catalog.edit.title")
	p.Form = catalogFormValues(c)
	p.Form["version"] = c.PostForm("version")
	version, _ := strconv.Atoi(p.Form["version"])
	in, err := ctlg.FromValues(p.Form)
	if err == nil {
		_, err = s.opts.Catalog.Update(ctx, tenant, id, in, version, a)
	}
	if errors.Is(err, derrors.ErrConflict) {
		p.Errors[""] = userMessage(err)
		return s.renderCatalogForm(c, p, cur, http.StatusConflict)
	}
	if fieldErrors(err, p.Errors) {
		return s.renderCatalogForm(c, p, cur, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, p.Base+"/catalog/"+id.String()+"?done=saved")
	return nil
}

// catalogActive deactivates (active=0) or reactivates (active=1) an entry.
func (s *Server) catalogActive(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := s.opts.Catalog.SetActive(c.Request.Context(), currentTenant(c).ID, id, c.PostForm("active") == "1", catalogActor(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/catalog/"+id.String()+"?done=active")
	return nil
}

// catalogRestore gives a field of an entry from a template back the
// template's value.
func (s *Server) catalogRestore(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	field := c.PostForm("field")
	if field != "active" && !slices.Contains(ctlg.FieldNames, field) {
		return derrors.ErrNotFound
	}
	if _, err := s.opts.Catalog.Restore(c.Request.Context(), currentTenant(c).ID, id, field, catalogActor(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/catalog/"+id.String()+"?done=restored")
	return nil
}
