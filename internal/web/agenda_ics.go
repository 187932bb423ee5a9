package web

import (
	"bytes"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/agenda"
)

// agendaICS is the logged-in operator's agenda as an iCalendar file, from
// 30 days ago to a year ahead, for their calendar application. An event
// carries the appointment's title and place only: no person, case or notes
// (see agenda.Calendar), since calendars are synced to phones.
func (s *Server) agendaICS(c *gin.Context) error {
	v, err := s.agendaViewer(c)
	if err != nil {
		return err
	}
	now := time.Now()
	as, err := s.opts.Agenda.List(c.Request.Context(), currentTenant(c).ID,
		agenda.Filter{From: now.AddDate(0, 0, -30), To: now.AddDate(1, 0, 0)}, v)
	if err != nil {
		return err
	}
	p := s.page(c, "agenda.title")
	cal := agenda.Calendar{
		Name:         p.T("agenda.ics.name", currentTenant(c).DisplayName()),
		PlaceLabel:   func(k string) string { return p.T("agenda.place_kind." + k) },
		Appointments: as,
	}
	var b bytes.Buffer
	if _, err := cal.WriteTo(&b); err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="`+agenda.ICSFilename(now)+`"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", b.Bytes())
	return nil
}
