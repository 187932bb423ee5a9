package web

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/assessment"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/people"
)

// Assessments is what the web layer needs of the case assessments
// (assessment.Service implements it). Who may read and write is decided
// there; every read and change writes the access trail.
type Assessments interface {
	List(ctx context.Context, tenant, caseID uuid.UUID, v casefile.Viewer) (*assessment.Subject, []assessment.Assessment, error)
	Get(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*assessment.Assessment, error)
	Create(ctx context.Context, tenant, caseID uuid.UUID, in assessment.Input, v casefile.Viewer) (*assessment.Assessment, error)
}

// assessmentRoutes registers a case's assessment pages on the ente's UI group.
func (s *Server) assessmentRoutes(ui *gin.RouterGroup) {
	g := ui.Group("/cases/:id/assessments", s.requireLogin())
	read, write := s.require(caseReaders...), s.require(authz.PermAssessmentsWrite)
	g.GET("", read, s.handle(s.assessmentList))
	g.GET("/new", write, s.handle(s.assessmentNew))
	g.POST("", write, s.handle(s.assessmentCreate))
}

// assessmentsHref is the assessments page of a case.
func assessmentsHref(p Page, caseID uuid.UUID) string {
	return fmt.Sprintf("%s/cases/%s/assessments", p.Base, caseID)
}

// parseDateField reads a YYYY-MM-DD field; empty is the zero date, a bad one
// an error of the field.
func parseDateField(v, field string, errs map[string]string) people.Date {
	if v == "" {
		return people.Date{}
	}
	d, err := people.ParseDate(v)
	if err != nil {
		errs[field] = "data non valida: usare il formato AAAA-MM-GG"
	}
	return d
}
