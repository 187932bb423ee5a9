package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	ctlg "github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/templates"
)

// templateRoutes registers the regional templates in a region's console
// (templates:publish): list and create templates, edit the items of a
// catalogue template, publish a version, see which enti adopted.
func (s *Server) templateRoutes(r *gin.RouterGroup) {
	g := r.Group("/templates", s.requireLogin(), s.require(authz.PermTemplatesPublish))
	g.GET("", s.handle(s.templateList))
	g.POST("", s.handle(s.templateCreate))
	g.GET("/:id", s.handle(s.templateShow))
	g.POST("/:id/publish", s.handle(s.templatePublish))
	g.GET("/:id/items/new", s.handle(s.templateItemNew))
	g.POST("/:id/items", s.handle(s.templateItemSave))
	g.GET("/:id/items/:key", s.handle(s.templateItemEdit))
	g.POST("/:id/items/:key", s.handle(s.templateItemSave))
	g.POST("/:id/items/:key/remove", s.handle(s.templateItemRemove))
}

// templateList lists the region's templates, with the form of a new one.
func (s *Server) templateList(c *gin.Context) error {
	p := s.formPage(c, "template.title")
	return s.renderTemplateList(c, p, http.StatusOK)
}

func (s *Server) renderTemplateList(c *gin.Context, p Page, status int) error {
	list, err := s.opts.Templates.List(c.Request.Context(), currentRegion(c).Code, "")
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Templates": list}
	s.render(c, status, "template_list.html", p)
	return nil
}

// templateCreate starts a catalogue template of the region.
func (s *Server) templateCreate(c *gin.Context) error {
	p := s.formPage(c, "template.title")
	p.Form["name"], p.Form["description"], p.Form["kind"] = c.PostForm("name"), c.PostForm("description"), c.DefaultPostForm("kind", templates.KindCatalog)
	t, err := s.opts.Templates.Create(c.Request.Context(), currentRegion(c).Code, p.Form["kind"],
		p.Form["name"], p.Form["description"], templateActor(c))
	if fieldErrors(err, p.Errors) {
		return s.renderTemplateList(c, p, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, p.Base+"/templates/"+t.ID.String())
	return nil
}

// templateItemRow is one item of a catalogue template as its page lists it.
type templateItemRow struct {
	Key, Name, Code, Area, Unit, MeansTest, Shares string
}

// templateShow shows a template: its draft items, its published versions and
// the enti that adopted it, with the version each follows.
func (s *Server) templateShow(c *gin.Context) error {
	ctx := c.Request.Context()
	region := currentRegion(c).Code
	id, err := pathID(c)
	if err != nil {
		return err
	}
	t, items, err := s.opts.Templates.Get(ctx, region, id)
	if err != nil {
		return err
	}
	versions, err := s.opts.Templates.Versions(ctx, region, id)
	if err != nil {
		return err
	}
	adopters, err := s.opts.Templates.Adopters(ctx, region, id)
	if err != nil {
		return err
	}
	p := s.formPage(c, "template.show.title")
	p.Title = t.Name
	rows := make([]templateItemRow, len(items))
	for i, it := range items {
		v := it.Values
		rows[i] = templateItemRow{Key: it.Key, Name: v[ctlg.FName], Code: v[ctlg.FINPSCode],
			Area: catalogLabel(p, ctlg.FUserArea, v[ctlg.FUserArea]), Unit: catalogLabel(p, ctlg.FUnit, v[ctlg.FUnit]),
			MeansTest: catalogLabel(p, ctlg.FMeansTest, v[ctlg.FMeansTest]),
			Shares: fmt.Sprintf("%s / %s / %s", catalogLabel(p, ctlg.FShareEnte, v[ctlg.FShareEnte]),
				catalogLabel(p, ctlg.FShareUser, v[ctlg.FShareUser]), catalogLabel(p, ctlg.FShareHealth, v[ctlg.FShareHealth]))}
	}
	switch c.Query("done") {
	case "published":
		p.Flash = p.T("template.flash.published", c.Query("v"), c.Query("n"), c.Query("failed"))
	case "saved":
		p.Flash = p.T("template.flash.saved")
	case "removed":
		p.Flash = p.T("template.flash.removed")
	}
	p.Data = map[string]any{"Template": t, "Items": rows, "Versions": versions, "Adopters": adopters}
	if t.Kind == templates.KindWorkflow {
		p.Data["Items"] = items
	}
	s.render(c, http.StatusOK, "template_show.html", p)
	return nil
}

// templatePublish publishes the draft as the next version, which reaches
// every ente that adopted the template.
func (s *Server) templatePublish(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, results, err := s.opts.Templates.Publish(c.Request.Context(), currentRegion(c).Code, id, c.PostForm("note"), templateActor(c))
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
		}
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/templates/%s?done=published&v=%d&n=%d&failed=%d", basePath(c), id, v, len(results)-failed, failed))
	return nil
}

// templateItem finds the template and, for an existing item, its values.
func (s *Server) templateItem(c *gin.Context) (*templates.Template, *templates.Item, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, nil, err
	}
	t, items, err := s.opts.Templates.Get(c.Request.Context(), currentRegion(c).Code, id)
	if err != nil {
		return nil, nil, err
	}
	key := c.Param("key")
	if key == "" {
		return t, nil, nil
	}
	for i := range items {
		if items[i].Key == key {
			return t, &items[i], nil
		}
	}
	return nil, nil, templates.ErrItemNotFound
}

// templateItemNew shows the form of a new item.
func (s *Server) templateItemNew(c *gin.Context) error {
	t, _, err := s.templateItem(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "template.item.new")
	if t.Kind == templates.KindWorkflow {
		return s.renderWorkflowTemplateItem(c, p, t, "", http.StatusOK)
	}
	p.Form[ctlg.FShareEnte], p.Form[ctlg.FShareUser], p.Form[ctlg.FShareHealth] = "100", "0", "0"
	return s.renderTemplateItem(c, p, t, "", http.StatusOK)
}

// templateItemEdit shows the form of an item of the draft.
func (s *Server) templateItemEdit(c *gin.Context) error {
	t, it, err := s.templateItem(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "template.item.edit")
	for k, v := range it.Values {
		if p.Locale == "it" && (k == ctlg.FISEEThreshold || strings.HasPrefix(k, "share_")) {
			v = strings.Replace(v, ".", ",", 1)
		}
		p.Form[k] = v
	}
	return s.renderTemplateItem(c, p, t, it.Key, http.StatusOK)
}

func (s *Server) renderTemplateItem(c *gin.Context, p Page, t *templates.Template, key string, status int) error {
	if t.Kind == templates.KindWorkflow {
		return s.renderWorkflowTemplateItem(c, p, t, key, status)
	}
	action := fmt.Sprintf("%s/templates/%s/items", p.Base, t.ID)
	if key != "" {
		action += "/" + key
	}
	p.Data = map[string]any{"Template": t, "Key": key, "Action": action, "Choices": catalogChoices(p)}
	s.render(c, status, "template_item_form.html", p)
	return nil
}

// templateItemSave saves an item of the draft (new without :key); invalid
// fields are shown next to them.
func (s *Server) templateItemSave(c *gin.Context) error {
	t, it, err := s.templateItem(c)
	if err != nil {
		return err
	}
	key := ""
	if it != nil {
		key = it.Key
	}
	p := s.formPage(c, "template.item.edit")
	p.Form = catalogFormValues(c)
	if t.Kind == templates.KindWorkflow {
		p.Form = workflowTemplateFormValues(c)
	}
	_, err = s.opts.Templates.SaveItem(c.Request.Context(), t.Region, t.ID, key, p.Form, templateActor(c))
	if fieldErrors(err, p.Errors) {
		return s.renderTemplateItem(c, p, t, key, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/templates/%s?done=saved", p.Base, t.ID))
	return nil
}

// templateItemRemove takes an item out of the draft.
func (s *Server) templateItemRemove(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.opts.Templates.RemoveItem(c.Request.Context(), currentRegion(c).Code, id, c.Param("key"), templateActor(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/templates/%s?done=removed", basePath(c), id))
	return nil
}
