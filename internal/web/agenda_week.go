package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/agenda"
)

// agendaItem is one appointment as the week lists it.
type agendaItem struct {
	Href, Time, Title, Place, Person, Case, CaseHref, Outcome string
	CaseHidden, Cancelled                                     bool
}

// agendaDayRow is one day of the week with its appointments.
type agendaDayRow struct {
	ID, Heading string
	Today       bool
	Items       []agendaItem
}

// agendaWeek is an agenda's week, Monday to Sunday in Rome: ?week=2026-W48
// (this week by default) and, for who manages other agendas,
// ?operator=<id>. Reading it is one appointment.listed event.
func (s *Server) agendaWeek(c *gin.Context) error {
	p := s.formPage(c, "agenda.title")
	if d := c.Query("done"); d != "" && catalog.Has(p.Locale, "agenda.done."+d) {
		p.Flash = p.T("agenda.done." + d)
	}
	now := time.Now()
	week := agenda.WeekOf(now)
	if q := c.Query("week"); q != "" {
		w, err := agenda.ParseWeek(q)
		if err != nil {
			return errNoRoute
		}
		week = w
	}
	v, err := s.agendaViewer(c)
	if err != nil {
		return err
	}
	ctx, tenant := c.Request.Context(), currentTenant(c).ID
	ops, err := s.opts.Agenda.Operators(ctx, tenant, v)
	if err != nil {
		return err
	}
	operator, name := v.ID, ""
	if q := c.Query("operator"); q != "" {
		if operator, err = uuid.Parse(q); err != nil {
			return errNoRoute
		}
	}
	choices := make([]choice, 0, len(ops))
	for _, o := range ops {
		choices = append(choices, choice{Value: o.ID.String(), Label: o.Name, Selected: o.ID == operator})
		if o.ID == operator {
			name = o.Name
		}
	}
	as, err := s.opts.Agenda.List(ctx, tenant, agenda.Filter{From: week.Start(), To: week.End(), OperatorID: &operator}, v)
	if err != nil {
		return err
	}
	own := uuid.Nil
	if operator != v.ID {
		own = operator
	}
	days := make([]agendaDayRow, 7)
	today := now.In(agenda.Rome).Format("2006-01-02")
	for i := range days {
		d := week.Day(i)
		days[i] = agendaDayRow{ID: "day-" + d.Format("2006-01-02"), Heading: agendaDay(p, d), Today: d.Format("2006-01-02") == today}
	}
	for _, a := range as {
		start := a.StartsAt.In(agenda.Rome)
		i := int(start.Weekday()+6) % 7
		it := agendaItem{Href: p.Base + "/agenda/" + a.ID.String(), Title: a.Title, Place: agendaPlace(p, a),
			Time:   start.Format("15:04") + "–" + a.EndsAt.In(agenda.Rome).Format("15:04"),
			Person: a.PersonName, Case: a.CaseNumber, CaseHidden: a.CaseHidden, Cancelled: a.Outcome == "cancelled"}
		if a.CaseID != nil {
			it.CaseHref = p.Base + "/cases/" + a.CaseID.String()
		}
		if a.Outcome != "" {
			it.Outcome = p.T("agenda.outcome." + a.Outcome)
		}
		days[i].Items = append(days[i].Items, it)
	}
	p.Data = map[string]any{
		"Week": week.String(), "Days": days, "Name": name, "Own": operator == v.ID,
		"From": agendaDay(p, week.Day(0)), "To": agendaDay(p, week.Day(6)),
		"Prev": agendaHref(p, week.Prev(), own), "Next": agendaHref(p, week.Next(), own),
		"This": agendaHref(p, agenda.WeekOf(now), own), "IsThis": week == agenda.WeekOf(now),
		"New": p.Base + "/agenda/new", "Operator": own, "ICS": p.Base + "/agenda.ics",
		"Operators": choices, "Action": p.Base + "/agenda",
	}
	if own != uuid.Nil {
		p.Data["New"] = p.Base + "/agenda/new?operator=" + own.String()
	}
	s.render(c, http.StatusOK, "agenda_week.html", p)
	return nil
}
