package web

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/agenda"
	"github.com/sigess/sigess/internal/authz"
)

// agendaToday is the operator's appointments of today for their home page
// (template agenda-today), nil for an operator without agenda:use.
func (s *Server) agendaToday(c *gin.Context) (map[string]any, error) {
	if !granted(c)[authz.PermAgendaUse] {
		return nil, nil
	}
	v, err := s.agendaViewer(c)
	if err != nil {
		return nil, err
	}
	now := time.Now().In(agenda.Rome)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, agenda.Rome)
	as, err := s.opts.Agenda.List(c.Request.Context(), currentTenant(c).ID,
		agenda.Filter{From: from, To: from.AddDate(0, 0, 1)}, v)
	if err != nil {
		return nil, err
	}
	p := s.page(c, "agenda.title")
	items := make([]agendaItem, 0, len(as))
	for _, a := range as {
		it := agendaItem{Href: p.Base + "/agenda/" + a.ID.String(), Title: a.Title, Place: agendaPlace(p, a),
			Time:   a.StartsAt.In(agenda.Rome).Format("15:04") + "–" + a.EndsAt.In(agenda.Rome).Format("15:04"),
			Person: a.PersonName, Cancelled: a.Outcome == "cancelled"}
		if a.Outcome != "" {
			it.Outcome = p.T("agenda.outcome." + a.Outcome)
		}
		items = append(items, it)
	}
	return map[string]any{"Items": items, "Week": p.Base + "/agenda"}, nil
}
