package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/tenancy"
)

// consoleRegionRow is a region with how many enti it has.
type consoleRegionRow struct {
	*tenancy.Region
	Enti int
}

// platformRegions lists the regions with their number of enti, and the form
// to register one.
func (s *Server) platformRegions(c *gin.Context) error {
	p := s.formPage(c, "console.regions.title")
	if c.Query("done") == "created" {
		p.Flash = p.T("console.regions.created", c.Query("code"))
	}
	return s.renderRegions(c, http.StatusOK, p)
}

func (s *Server) renderRegions(c *gin.Context, status int, p Page) error {
	ctx := c.Request.Context()
	regions, err := s.opts.Registry.Regions(ctx)
	if err != nil {
		return err
	}
	enti, err := s.opts.Registry.List(ctx, "")
	if err != nil {
		return err
	}
	count := map[string]int{}
	for _, t := range enti {
		count[t.Region]++
	}
	rows := make([]consoleRegionRow, 0, len(regions))
	for _, r := range regions {
		rows = append(rows, consoleRegionRow{Region: r, Enti: count[r.Code]})
	}
	p.Data = map[string]any{"Regions": rows}
	s.render(c, status, "platform_regions.html", p)
	return nil
}

// platformRegionCreate registers a region.
func (s *Server) platformRegionCreate(c *gin.Context) error {
	p := s.formPage(c, "console.regions.title")
	code, slug, name := strings.TrimSpace(c.PostForm("code")), strings.TrimSpace(c.PostForm("slug")), strings.TrimSpace(c.PostForm("name"))
	p.Form["code"], p.Form["slug"], p.Form["name"] = code, slug, name
	r, err := s.opts.Registry.CreateRegion(c.Request.Context(), code, slug, name)
	var fe *tenancy.FieldError
	switch {
	case errors.Is(err, derrors.ErrConflict):
		p.Errors["code"] = p.T("console.regions.err.exists")
		return s.renderRegions(c, http.StatusConflict, p)
	case errors.As(err, &fe):
		// The registry's messages are for the command line; the form says
		// the same in the page's language.
		p.Errors[fe.Path] = p.T("console.regions.err." + fe.Path)
		return s.renderRegions(c, http.StatusUnprocessableEntity, p)
	case err != nil:
		return err
	}
	if err := s.record(c, "region.created", "region", r.Code, map[string]any{"slug": r.Slug, "name": r.Name}); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/?done=created&code="+r.Code)
	return nil
}
