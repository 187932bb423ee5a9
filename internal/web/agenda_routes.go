package web

import (
	"context"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/agenda"
	"github.com/sigess/sigess/internal/authz"
)

// Agenda is what the web layer needs of the operators' agendas
// (agenda.Service implements it). Whose agenda a viewer may manage, and
// which cases they may see linked, is decided there; every read and change
// writes the audit trail.
type Agenda interface {
	List(ctx context.Context, tenant uuid.UUID, f agenda.Filter, v agenda.Viewer) ([]agenda.Appointment, error)
	Get(ctx context.Context, tenant, id uuid.UUID, v agenda.Viewer) (*agenda.Appointment, error)
	Operators(ctx context.Context, tenant uuid.UUID, v agenda.Viewer) ([]agenda.Operator, error)
	Create(ctx context.Context, tenant uuid.UUID, in agenda.Input, v agenda.Viewer) (*agenda.Appointment, error)
	Update(ctx context.Context, tenant, id uuid.UUID, in agenda.Input, v agenda.Viewer) (*agenda.Appointment, error)
	SetOutcome(ctx context.Context, tenant, id uuid.UUID, in agenda.Outcome, v agenda.Viewer) (*agenda.Appointment, error)
}

// agendaRoutes registers the agenda's pages on the ente's UI group: the
// week, the calendar file, and the appointment's forms.
func (s *Server) agendaRoutes(ui *gin.RouterGroup) {
	use := s.require(authz.PermAgendaUse)
	ui.GET("/agenda.ics", s.requireLogin(), use, s.handle(s.agendaICS))
	g := ui.Group("/agenda", s.requireLogin(), use)
	g.GET("", s.handle(s.agendaWeek))
	g.POST("", s.handle(s.agendaCreate))
	g.GET("/new", s.handle(s.agendaNew))
	g.GET("/:id", s.handle(s.agendaEdit))
	g.POST("/:id", s.handle(s.agendaUpdate))
	g.POST("/:id/outcome", s.handle(s.agendaOutcome))
}

// agendaViewer is who reads or changes agendas in this request: the
// logged-in operator, or the API client (who has no agenda of its own).
func (s *Server) agendaViewer(c *gin.Context) (agenda.Viewer, error) {
	v, err := s.caseViewer(c)
	return agenda.Viewer{Viewer: v, Client: currentAPIClient(c) != nil}, err
}

// agendaHref is the agenda page of a week, for operator (uuid.Nil: the
// viewer's own).
func agendaHref(p Page, w agenda.Week, operator uuid.UUID) string {
	h := p.Base + "/agenda?week=" + w.String()
	if operator != uuid.Nil {
		h += "&operator=" + operator.String()
	}
	return h
}

// agendaDay names a day in the page's language: "lunedì 23 novembre 2026".
func agendaDay(p Page, d time.Time) string {
	return fmt.Sprintf("%s %d %s %d", p.T(fmt.Sprintf("agenda.weekday.%d", d.Weekday())), d.Day(),
		p.T(fmt.Sprintf("agenda.month.%d", d.Month())), d.Year())
}

// agendaPlace names where an appointment is: its kind and what was typed.
func agendaPlace(p Page, a agenda.Appointment) string {
	s := p.T("agenda.place_kind." + a.PlaceKind)
	if a.Place != "" {
		s += ", " + a.Place
	}
	return s
}
