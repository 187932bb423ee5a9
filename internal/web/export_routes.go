package web

import (
	"context"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/exports"
)

// Exports is what the web layer needs of the reporting exports
// (exports.Service implements it): each export is its operator's only, and
// its rows are those the operator may see.
type Exports interface {
	Start(ctx context.Context, tenant uuid.UUID, in exports.Request, v casefile.Viewer) (*exports.Export, error)
	List(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) ([]exports.Export, error)
	Get(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*exports.Export, error)
	Download(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*exports.Export, []byte, error)
	Entries(ctx context.Context, tenant uuid.UUID) ([]exports.Entry, error)
}

// exportRoutes registers the exports' pages on the ente's UI group: the
// list with the form of a new export, an export's progress (polled by htmx)
// and its file.
func (s *Server) exportRoutes(ui *gin.RouterGroup) {
	g := ui.Group("/exports", s.requireLogin(), s.require(authz.PermInterventionsRead))
	g.GET("", s.handle(s.exportList))
	g.POST("", s.handle(s.exportStart))
	g.GET("/:id", s.handle(s.exportShow))
	g.GET("/:id/status", s.handle(s.exportStatus))
	g.GET("/:id/download", s.handle(s.exportDownload))
}
