package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	ctlg "github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/templates"
)

// catalogList shows the ente's catalogue (active entries by default, or all,
// or the inactive ones; a search by name or INPS code) and, to those who
// manage it, the region's templates to adopt and the unread changes.
func (s *Server) catalogList(c *gin.Context) error {
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	a := catalogActor(c)
	p := s.page(c, "catalog.title")
	state := c.DefaultQuery("state", "active")
	f := ctlg.Filter{Query: strings.TrimSpace(c.Query("q"))}
	switch state {
	case "all":
	case "inactive":
		off := false
		f.Active = &off
	default:
		state = "active"
		on := true
		f.Active = &on
	}
	entries, err := s.opts.Catalog.List(ctx, tenant, f, a)
	if err != nil {
		return err
	}
	manage := a.Perms[authz.PermCatalogManage]
	data := map[string]any{"Entries": entries, "State": state, "Query": f.Query, "CanManage": manage}
	if manage {
		offers, err := s.opts.Templates.Offers(ctx, tenant, templates.KindCatalog)
		if err != nil {
			return err
		}
		unread, err := s.opts.Templates.Unread(ctx, tenant, templates.KindCatalog)
		if err != nil {
			return err
		}
		data["Offers"], data["Unread"] = offers, unread
	}
	switch c.Query("done") {
	case "adopted":
		p.Flash = p.T("catalog.flash.adopted")
	case "synced":
		p.Flash = p.T("catalog.flash.synced")
	case "created":
		p.Flash = p.T("catalog.flash.created")
	}
	p.Data = data
	s.render(c, http.StatusOK, "catalog_list.html", p)
	return nil
}

// catalogAdopt adopts a template of the region: its entries join the
// catalogue.
func (s *Server) catalogAdopt(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := s.opts.Templates.Adopt(c.Request.Context(), currentTenant(c).ID, id, templateActor(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/catalog?done=adopted")
	return nil
}

// catalogSync brings the ente's copies of an adopted template to its latest
// version (publishing does it for every ente; this catches up one that
// failed then).
func (s *Server) catalogSync(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := s.opts.Templates.Sync(c.Request.Context(), currentTenant(c).ID, id, templateActor(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/catalog/changes")
	return nil
}

// catalogChangeRow is one line of the change log as the page shows it.
type catalogChangeRow struct {
	templates.Change
	FieldLabel, OldLabel, NewLabel string
}

// catalogChanges shows what the region's templates changed in the
// catalogue, newest first, the unread ones marked.
func (s *Server) catalogChanges(c *gin.Context) error {
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	changes, err := s.opts.Templates.Changes(ctx, tenant, templates.ChangeFilter{Kind: templates.KindCatalog})
	if err != nil {
		return err
	}
	p := s.page(c, "catalog.changes.title")
	rows := make([]catalogChangeRow, len(changes))
	unread := 0
	for i, ch := range changes {
		r := catalogChangeRow{Change: ch}
		if ch.Field != "" {
			r.FieldLabel = p.T("catalog.field." + ch.Field)
		}
		if ch.Old != nil {
			r.OldLabel = catalogLabel(p, ch.Field, *ch.Old)
		}
		if ch.New != nil {
			r.NewLabel = catalogLabel(p, ch.Field, *ch.New)
		}
		if ch.ReadAt == nil {
			unread++
		}
		rows[i] = r
	}
	if c.Query("done") == "read" {
		p.Flash = p.T("catalog.flash.read")
	}
	p.Data = map[string]any{"Changes": rows, "Unread": unread}
	s.render(c, http.StatusOK, "catalog_changes.html", p)
	return nil
}

// catalogChangesRead marks every unread change of the catalogue as read.
func (s *Server) catalogChangesRead(c *gin.Context) error {
	if _, err := s.opts.Templates.MarkRead(c.Request.Context(), currentTenant(c).ID, templates.KindCatalog, templateActor(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/catalog/changes?done=read")
	return nil
}
