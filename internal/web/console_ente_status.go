package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/tenancy"
)

// consoleEnteStatus suspends or reactivates an ente of the region.
func (s *Server) consoleEnteStatus(c *gin.Context) error {
	t, err := s.regionEnte(c)
	if err != nil {
		return err
	}
	status := c.PostForm("status")
	if status != string(tenancy.StatusActive) && status != string(tenancy.StatusSuspended) {
		return fmt.Errorf("%w: stato non valido: scegliere attivo o sospeso", derrors.ErrInvalid)
	}
	if _, err := s.opts.Registry.SetSettings(c.Request.Context(), t.Slug, []tenancy.KeyValue{{Key: "status", Value: status}}); err != nil {
		return err
	}
	if err := s.record(c, "ente.status_changed", "ente", t.Slug, map[string]any{"status": status}); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/enti/"+t.Slug+"?done="+status)
	return nil
}
