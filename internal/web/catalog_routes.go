package web

import (
	"context"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	ctlg "github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/templates"
)

// Catalog is what the web layer needs of the enti's catalogues
// (ctlg.Service implements it). Who may read and change is checked there
// too, from the Actor's permissions.
type Catalog interface {
	List(ctx context.Context, tenant uuid.UUID, f ctlg.Filter, a ctlg.Actor) ([]ctlg.Entry, error)
	Entry(ctx context.Context, tenant, id uuid.UUID, a ctlg.Actor) (*ctlg.Entry, error)
	Create(ctx context.Context, tenant uuid.UUID, in ctlg.Fields, a ctlg.Actor) (*ctlg.Entry, error)
	Update(ctx context.Context, tenant, id uuid.UUID, in ctlg.Fields, version int, a ctlg.Actor) (*ctlg.Entry, error)
	SetActive(ctx context.Context, tenant, id uuid.UUID, active bool, a ctlg.Actor) (*ctlg.Entry, error)
	Restore(ctx context.Context, tenant, id uuid.UUID, field string, a ctlg.Actor) (*ctlg.Entry, error)
}

// Templates is what the web layer needs of the regional templates
// (templates.Service implements it): the region's side and the ente's.
type Templates interface {
	List(ctx context.Context, region, kind string) ([]templates.Template, error)
	Create(ctx context.Context, region, kind, name, description string, a templates.Actor) (*templates.Template, error)
	Get(ctx context.Context, region string, id uuid.UUID) (*templates.Template, []templates.Item, error)
	SaveItem(ctx context.Context, region string, id uuid.UUID, key string, values map[string]string, a templates.Actor) (*templates.Item, error)
	RemoveItem(ctx context.Context, region string, id uuid.UUID, key string, a templates.Actor) error
	Publish(ctx context.Context, region string, id uuid.UUID, note string, a templates.Actor) (int, []templates.SyncResult, error)
	Versions(ctx context.Context, region string, id uuid.UUID) ([]templates.Version, error)
	Adopters(ctx context.Context, region string, id uuid.UUID) ([]templates.Adoption, error)

	Offers(ctx context.Context, tenant uuid.UUID, kind string) ([]templates.Offer, error)
	Adopt(ctx context.Context, tenant, id uuid.UUID, a templates.Actor) (*templates.Adoption, error)
	Sync(ctx context.Context, tenant, id uuid.UUID, a templates.Actor) (templates.SyncResult, error)
	Changes(ctx context.Context, tenant uuid.UUID, f templates.ChangeFilter) ([]templates.Change, error)
	Unread(ctx context.Context, tenant uuid.UUID, kind string) (int, error)
	MarkRead(ctx context.Context, tenant uuid.UUID, kind string, a templates.Actor) (int, error)
}

// catalogRoutes registers the ente's catalogue pages: anyone who manages the
// catalogue or reads interventions reads it; catalog:manage changes it, adopts
// the region's template and reads what the template changed.
func (s *Server) catalogRoutes(ui *gin.RouterGroup) {
	g := ui.Group("/catalog", s.requireLogin())
	read, manage := s.require(authz.PermCatalogManage, authz.PermInterventionsRead), s.require(authz.PermCatalogManage)
	g.GET("", read, s.handle(s.catalogList))
	g.GET("/new", manage, s.handle(s.catalogNew))
	g.POST("", manage, s.handle(s.catalogCreate))
	g.GET("/changes", manage, s.handle(s.catalogChanges))
	g.POST("/changes/read", manage, s.handle(s.catalogChangesRead))
	g.POST("/templates/:id/adopt", manage, s.handle(s.catalogAdopt))
	g.POST("/templates/:id/sync", manage, s.handle(s.catalogSync))
	g.GET("/:id", read, s.handle(s.catalogShow))
	g.GET("/:id/edit", manage, s.handle(s.catalogEdit))
	g.POST("/:id", manage, s.handle(s.catalogUpdate))
	g.POST("/:id/active", manage, s.handle(s.catalogActive))
	g.POST("/:id/restore", manage, s.handle(s.catalogRestore))
}

// catalogActor is who reads or changes the catalogue in this request: the
// logged-in operator or the API client, with their permissions here.
func catalogActor(c *gin.Context) ctlg.Actor {
	a := ctlg.Actor{IP: c.ClientIP(), Perms: granted(c)}
	if cl := currentAPIClient(c); cl != nil {
		a.ID, a.Email = cl.ID, "api:"+cl.Name
		return a
	}
	ac := actor(c)
	a.ID, a.Email = ac.ID, ac.Email
	return a
}

// templateActor is the same person for the templates.
func templateActor(c *gin.Context) templates.Actor {
	a := catalogActor(c)
	return templates.Actor{ID: a.ID, Email: a.Email, IP: a.IP}
}

// catalogFormValues reads an entry's fields from a posted form.
func catalogFormValues(c *gin.Context) map[string]string {
	vals := make(map[string]string, len(ctlg.FieldNames))
	for _, f := range ctlg.FieldNames {
		vals[f] = strings.TrimSpace(c.PostForm(f))
	}
	return vals
}

// catalogChoices are the select fields of an entry's form, with the page's
// values selected.
func catalogChoices(p Page) map[string]choiceField {
	mk := func(name string, values []string) choiceField {
		cs := []choice{{Value: "", Label: p.T("catalog.choose")}}
		for _, v := range values {
			cs = append(cs, choice{Value: v, Label: p.T("catalog." + name + "." + v)})
		}
		return newChoiceField(p, name, "catalog.field."+name, selected(cs, p.Form[name]))
	}
	return map[string]choiceField{
		ctlg.FUserArea:  mk(ctlg.FUserArea, ctlg.UserAreas),
		ctlg.FUnit:      mk(ctlg.FUnit, ctlg.Units),
		ctlg.FMeansTest: mk(ctlg.FMeansTest, ctlg.MeansTests),
		ctlg.FCharacter: mk(ctlg.FCharacter, ctlg.Characters),
	}
}

// catalogLabel names a field's value in the page's language: the coded
// fields by their labels, amounts with a decimal comma.
func catalogLabel(p Page, field, value string) string {
	switch field {
	case ctlg.FUserArea, ctlg.FUnit, ctlg.FMeansTest, ctlg.FCharacter:
		if value == "" {
			return "—"
		}
		return p.T("catalog." + field + "." + value)
	case ctlg.FISEEThreshold, ctlg.FShareEnte, ctlg.FShareUser, ctlg.FShareHealth:
		if value == "" {
			return "—"
		}
		if p.Locale == "it" {
			return strings.Replace(value, ".", ",", 1)
		}
	}
	return value
}
