package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	ctlg "github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/people"
)

// catalogAPIRoutes registers /catalog on the ente's API group (after the
// bearer middleware): internal/web/openapi/catalog.yaml describes it.
func (s *Server) catalogAPIRoutes(api *gin.RouterGroup) {
	read, manage := s.require(authz.PermCatalogManage, authz.PermInterventionsRead), s.require(authz.PermCatalogManage)
	api.GET("/catalog", read, s.handle(s.apiCatalogList))
	api.POST("/catalog", manage, s.handle(s.apiCatalogCreate))
	api.GET("/catalog/:id", read, s.handle(s.apiCatalogEntry))
	api.PATCH("/catalog/:id", manage, s.handle(s.apiCatalogPatch))
}

// apiCatalogList is GET /catalog[?active=true|false][&q=…].
func (s *Server) apiCatalogList(c *gin.Context) error {
	f := ctlg.Filter{Query: strings.TrimSpace(c.Query("q"))}
	switch c.Query("active") {
	case "":
	case "true":
		on := true
		f.Active = &on
	case "false":
		off := false
		f.Active = &off
	default:
		return invalidFields("dati non validi", people.FieldError{Field: "active", Message: "usare true o false"})
	}
	es, err := s.opts.Catalog.List(c.Request.Context(), currentTenant(c).ID, f, catalogActor(c))
	if err != nil {
		return apiError(err)
	}
	apiItems(c, es)
	return nil
}

// apiCatalogEntry is GET /catalog/{id}.
func (s *Server) apiCatalogEntry(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	e, err := s.opts.Catalog.Entry(c.Request.Context(), currentTenant(c).ID, id, catalogActor(c))
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusOK, e)
	return nil
}

// apiCatalogCreate is POST /catalog: a local entry.
func (s *Server) apiCatalogCreate(c *gin.Context) error {
	var in ctlg.Fields
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	e, err := s.opts.Catalog.Create(c.Request.Context(), currentTenant(c).ID, in, catalogActor(c))
	if err != nil {
		return apiError(err)
	}
	c.Header("Location", basePath(c)+"/api/v1/catalog/"+e.ID.String())
	c.JSON(http.StatusCreated, e)
	return nil
}

// catalogPatchBody is a partial change of an entry: the fields sent replace
// the entry's (isee_threshold null clears it); active deactivates or
// reactivates it; version, when sent, must be the entry's.
type catalogPatchBody struct {
	Name          *string         `json:"name"`
	INPSName      *string         `json:"inps_name"`
	INPSCode      *string         `json:"inps_code"`
	UserArea      *string         `json:"user_area"`
	Unit          *string         `json:"unit"`
	MeansTest     *string         `json:"means_test"`
	ISEEThreshold json.RawMessage `json:"isee_threshold"`
	ShareEnte     *float64        `json:"share_ente"`
	ShareUser     *float64        `json:"share_user"`
	ShareHealth   *float64        `json:"share_health"`
	Character     *string         `json:"character"`
	Description   *string         `json:"description"`
	Active        *bool           `json:"active"`
	Version       *int            `json:"version"`
}

// apply puts the fields sent onto f.
func (b catalogPatchBody) apply(f *ctlg.Fields) error {
	for _, s := range []struct {
		from *string
		to   *string
	}{{b.Name, &f.Name}, {b.INPSName, &f.INPSName}, {b.INPSCode, &f.INPSCode}, {b.UserArea, &f.UserArea},
		{b.Unit, &f.Unit}, {b.MeansTest, &f.MeansTest}, {b.Character, &f.Character}, {b.Description, &f.Description}} {
		if s.from != nil {
			*s.to = *s.from
		}
	}
	for _, n := range []struct {
		from *float64
		to   *float64
	}{{b.ShareEnte, &f.ShareEnte}, {b.ShareUser, &f.ShareUser}, {b.ShareHealth, &f.ShareHealth}} {
		if n.from != nil {
			*n.to = *n.from
		}
	}
	if len(b.ISEEThreshold) > 0 {
		if bytes.Equal(bytes.TrimSpace(b.ISEEThreshold), []byte("null")) {
			f.ISEEThreshold = nil
		} else {
			var v float64
			if err := json.Unmarshal(b.ISEEThreshold, &v); err != nil {
				return invalidFields("dati non validi", people.FieldError{Field: "isee_threshold", Message: "tipo di valore non valido"})
			}
			f.ISEEThreshold = &v
		}
	}
	return nil
}

// changesFields reports whether the body changes any field (not only active).
func (b catalogPatchBody) changesFields() bool {
	return b.Name != nil || b.INPSName != nil || b.INPSCode != nil || b.UserArea != nil || b.Unit != nil ||
		b.MeansTest != nil || len(b.ISEEThreshold) > 0 || b.ShareEnte != nil || b.ShareUser != nil ||
		b.ShareHealth != nil || b.Character != nil || b.Description != nil
}

// apiCatalogPatch is PATCH /catalog/{id}. On an entry from a template, the
// fields changed become the ente's own (overridden).
func (s *Server) apiCatalogPatch(c *gin.Context) error {
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var b catalogPatchBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	a := catalogActor(c)
	cur, err := s.opts.Catalog.Entry(ctx, tenant, id, a)
	if err != nil {
		return apiError(err)
	}
	if b.Version != nil && *b.Version != cur.Version {
		return apiError(ctlg.ErrStale)
	}
	e := cur
	if b.changesFields() {
		f := cur.Fields
		if err := b.apply(&f); err != nil {
			return err
		}
		if e, err = s.opts.Catalog.Update(ctx, tenant, id, f, cur.Version, a); err != nil {
			return apiError(err)
		}
	}
	if b.Active != nil && *b.Active != e.Active {
		if e, err = s.opts.Catalog.SetActive(ctx, tenant, id, *b.Active, a); err != nil {
			return apiError(err)
		}
	}
	c.JSON(http.StatusOK, e)
	return nil
}
