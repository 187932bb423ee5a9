package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/tenancy"
)

// consoleEnti lists the region's enti, filtered by name with ?q=.
func (s *Server) consoleEnti(c *gin.Context) error {
	r := currentRegion(c)
	enti, err := s.opts.Registry.List(c.Request.Context(), r.Code)
	if err != nil {
		return err
	}
	p := s.page(c, "console.enti.title")
	q := strings.TrimSpace(c.Query("q"))
	shown := enti
	if q != "" {
		shown = nil
		want := istat.Slugify(q)
		for _, t := range enti {
			if strings.Contains(istat.Slugify(t.Name), want) || strings.Contains(t.Slug, want) {
				shown = append(shown, t)
			}
		}
	}
	p.Data = map[string]any{
		"Query": q, "Enti": shown, "Total": len(enti),
		"CanProvision": granted(c)[authz.PermEntiProvision],
	}
	s.render(c, http.StatusOK, "console_enti.html", p)
	return nil
}

// regionEnte is the ente named by :ente if it belongs to the console's
// region; an ente of another region does not exist here.
func (s *Server) regionEnte(c *gin.Context) (*tenancy.Tenant, error) {
	t, err := s.opts.Registry.Get(c.Request.Context(), strings.ToLower(c.Param("ente")))
	if err != nil {
		return nil, err
	}
	if t.Region != currentRegion(c).Code {
		return nil, tenancy.ErrNotFound
	}
	return t, nil
}
