package web

import (
	"context"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/onboarding"
)

// Imports is what the web layer needs of the onboarding import
// (onboarding.Service implements it).
type Imports interface {
	Start(ctx context.Context, tenant uuid.UUID, kind, filename string, content []byte, by onboarding.Actor) (*onboarding.Run, error)
	Get(ctx context.Context, tenant, id uuid.UUID) (*onboarding.Run, error)
	List(ctx context.Context, tenant uuid.UUID) ([]onboarding.Run, error)
}

// importRoutes registers the tenant admin's import pages on the ente's UI
// group: the upload form with the ente's imports, an import's progress
// (polled by htmx) with its errors, and the template files.
func (s *Server) importRoutes(ui *gin.RouterGroup) {
	if s.opts.Imports == nil {
		return
	}
	g := ui.Group("/admin/import", s.requireLogin(), s.require(authz.PermSettingsManage))
	g.GET("", s.handle(s.importList))
	g.POST("", s.handle(s.importStart))
	g.GET("/:id", s.handle(s.importShow))
	g.GET("/:id/status", s.handle(s.importStatus))
	ui.GET("/admin/import-templates/:kind", s.requireLogin(), s.require(authz.PermSettingsManage), s.handle(s.importTemplate))
}
