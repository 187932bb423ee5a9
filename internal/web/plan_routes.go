package web

import (
	"context"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/plans"
)

// Plans is what the web layer needs of the PAI (plans.Service implements
// it). Who may read and write is decided there; every read and change writes
// the access trail.
type Plans interface {
	List(ctx context.Context, tenant, caseID uuid.UUID, v casefile.Viewer) (*plans.CaseInfo, []plans.Plan, error)
	Get(ctx context.Context, tenant, id uuid.UUID, action string, v casefile.Viewer) (*plans.Plan, *plans.CaseInfo, error)
	Create(ctx context.Context, tenant, caseID uuid.UUID, in plans.Input, v casefile.Viewer) (*plans.Plan, error)
	Update(ctx context.Context, tenant, id uuid.UUID, in plans.Patch, v casefile.Viewer) (*plans.Plan, error)
	AddReview(ctx context.Context, tenant, id uuid.UUID, in plans.ReviewInput, v casefile.Viewer) (*plans.Plan, error)
	DueReviews(ctx context.Context, tenant uuid.UUID, v casefile.Viewer, until time.Time) ([]plans.Due, error)
}

// planRoutes registers a case's plan pages on the ente's UI group.
func (s *Server) planRoutes(ui *gin.RouterGroup) {
	g := ui.Group("/cases/:id/plans", s.requireLogin())
	read, write := s.require(caseReaders...), s.require(authz.PermPlansWrite)
	g.GET("", read, s.handle(s.planList))
	g.GET("/new", write, s.handle(s.planNew))
	g.POST("", write, s.handle(s.planCreate))
	g.GET("/:plan", read, s.handle(s.planShow))
	g.GET("/:plan/edit", write, s.handle(s.planEdit))
	g.POST("/:plan", write, s.handle(s.planSave))
	g.POST("/:plan/state", write, s.handle(s.planState))
	g.POST("/:plan/reviews", write, s.handle(s.planReview))
	g.GET("/:plan/print", read, s.handle(s.planPrint))
}

// plansHref is the plans page of a case.
func plansHref(p Page, caseID uuid.UUID) string {
	return fmt.Sprintf("%s/cases/%s/plans", p.Base, caseID)
}

// planOfCase reads the :plan of the path and checks it belongs to the :id
// case; anything else is not found.
func (s *Server) planOfCase(c *gin.Context, action string) (*plans.Plan, *plans.CaseInfo, casefile.Viewer, error) {
	caseID, err := pathID(c)
	if err != nil {
		return nil, nil, casefile.Viewer{}, err
	}
	id, err := uuid.Parse(c.Param("plan"))
	if err != nil {
		return nil, nil, casefile.Viewer{}, plans.ErrNotFound
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return nil, nil, v, err
	}
	p, info, err := s.opts.Plans.Get(c.Request.Context(), currentTenant(c).ID, id, action, v)
	if err != nil {
		return nil, nil, v, err
	}
	if p.CaseID != caseID {
		return nil, nil, v, plans.ErrNotFound
	}
	return p, info, v, nil
}
