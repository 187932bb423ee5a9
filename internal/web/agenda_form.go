package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/agenda"
)

// agendaFields are the form's inputs of an appointment.
var agendaFields = []string{"operator_id", "title", "starts_at", "ends_at", "place_kind", "place", "person_tax_code", "case_number", "notes"}

// agendaNew is the form of a new appointment: in the viewer's agenda, or
// ?operator=<id>'s; ?date=2026-11-24 starts it on that day.
func (s *Server) agendaNew(c *gin.Context) error {
	p := s.formPage(c, "agenda.new")
	p.Form["operator_id"], p.Form["place_kind"] = c.Query("operator"), "office"
	if d, err := time.ParseInLocation("2006-01-02", c.Query("date"), agenda.Rome); err == nil {
		p.Form["starts_at"] = d.Add(9 * time.Hour).Format(dateTimeLocal)
		p.Form["ends_at"] = d.Add(10 * time.Hour).Format(dateTimeLocal)
	}
	return s.renderAgendaForm(c, p, nil, http.StatusOK)
}

// agendaCreate writes a new appointment; invalid input is shown next to its
// field and nothing is written.
func (s *Server) agendaCreate(c *gin.Context) error {
	p := s.formPage(c, "agenda.new")
	in, ok := agendaInput(c, &p)
	v, err := s.agendaViewer(c)
	if err != nil {
		return err
	}
	if ok {
		a, err := s.opts.Agenda.Create(c.Request.Context(), currentTenant(c).ID, in, v)
		if err == nil {
			c.Redirect(http.StatusSeeOther, agendaAfter(p, a, v)+"&done=created")
			return nil
		}
		if !fieldErrors(err, p.Errors) {
			return err
		}
	}
	return s.renderAgendaForm(c, p, nil, http.StatusUnprocessableEntity)
}

// agendaEdit is an appointment's page: the form to change it and the one to
// record its outcome. Reading it is one appointment.viewed event.
func (s *Server) agendaEdit(c *gin.Context) error {
	p := s.formPage(c, "agenda.edit")
	if d := c.Query("done"); d != "" && catalog.Has(p.Locale, "agenda.done."+d) {
		p.Flash = p.T("agenda.done." + d)
	}
	a, err := s.agendaOf(c)
	if err != nil {
		return err
	}
	p.Form = map[string]string{
		"operator_id": a.OperatorID.String(), "title": a.Title, "place_kind": a.PlaceKind, "place": a.Place,
		"starts_at": a.StartsAt.In(agenda.Rome).Format(dateTimeLocal), "ends_at": a.EndsAt.In(agenda.Rome).Format(dateTimeLocal),
		"case_number": a.CaseNumber, "notes": a.Notes, "outcome": a.Outcome, "outcome_notes": a.OutcomeNotes,
	}
	return s.renderAgendaForm(c, p, a, http.StatusOK)
}

// agendaUpdate changes an appointment.
func (s *Server) agendaUpdate(c *gin.Context) error {
	p := s.formPage(c, "agenda.edit")
	a, err := s.agendaOf(c)
	if err != nil {
		return err
	}
	in, ok := agendaInput(c, &p)
	v, err := s.agendaViewer(c)
	if err != nil {
		return err
	}
	if ok {
		if in.PersonTaxCode == "" && a.PersonID != nil && p.Form["keep_person"] == "1" {
			in.PersonID = a.PersonID
		}
		a, err := s.opts.Agenda.Update(c.Request.Context(), currentTenant(c).ID, a.ID, in, v)
		if err == nil {
			c.Redirect(http.StatusSeeOther, agendaAfter(p, a, v)+"&done=updated")
			return nil
		}
		if !fieldErrors(err, p.Errors) {
			return err
		}
	}
	p.Form["outcome"], p.Form["outcome_notes"] = a.Outcome, a.OutcomeNotes
	return s.renderAgendaForm(c, p, a, http.StatusUnprocessableEntity)
}

// agendaOutcome records how an appointment went.
func (s *Server) agendaOutcome(c *gin.Context) error {
	p := s.formPage(c, "agenda.edit")
	a, err := s.agendaOf(c)
	if err != nil {
		return err
	}
	v, err := s.agendaViewer(c)
	if err != nil {
		return err
	}
	in := agenda.Outcome{Outcome: c.PostForm("outcome"), Notes: c.PostForm("outcome_notes")}
	if _, err := s.opts.Agenda.SetOutcome(c.Request.Context(), currentTenant(c).ID, a.ID, in, v); err != nil {
		if !fieldErrors(err, p.Errors) {
			return err
		}
		if msg, ok := p.Errors["notes"]; ok { // the outcome form's notes are outcome_notes
			p.Errors["outcome_notes"] = msg
			delete(p.Errors, "notes")
		}
		p.Form = map[string]string{
			"operator_id": a.OperatorID.String(), "title": a.Title, "place_kind": a.PlaceKind, "place": a.Place,
			"starts_at": a.StartsAt.In(agenda.Rome).Format(dateTimeLocal), "ends_at": a.EndsAt.In(agenda.Rome).Format(dateTimeLocal),
			"case_number": a.CaseNumber, "notes": a.Notes, "outcome": in.Outcome, "outcome_notes": in.Notes,
		}
		return s.renderAgendaForm(c, p, a, http.StatusUnprocessableEntity)
	}
	c.Redirect(http.StatusSeeOther, p.Base+"/agenda/"+a.ID.String()+"?done=outcome")
	return nil
}

// agendaOf is the appointment of the path, as the viewer may see it.
func (s *Server) agendaOf(c *gin.Context) (*agenda.Appointment, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	v, err := s.agendaViewer(c)
	if err != nil {
		return nil, err
	}
	return s.opts.Agenda.Get(c.Request.Context(), currentTenant(c).ID, id, v)
}

// agendaAfter is the week of a written appointment, in its agenda.
func agendaAfter(p Page, a *agenda.Appointment, v agenda.Viewer) string {
	op := a.OperatorID
	if op == v.ID {
		op = uuid.Nil
	}
	return agendaHref(p, agenda.WeekOf(a.StartsAt), op)
}

// agendaInput reads the form into p.Form and an Input; times that do not
// parse are errors of their fields (ok false).
func agendaInput(c *gin.Context, p *Page) (agenda.Input, bool) {
	for _, f := range agendaFields {
		p.Form[f] = c.PostForm(f)
	}
	p.Form["keep_person"] = c.PostForm("keep_person")
	in := agenda.Input{Title: p.Form["title"], PlaceKind: p.Form["place_kind"], Place: p.Form["place"],
		PersonTaxCode: p.Form["person_tax_code"], CaseNumber: p.Form["case_number"], Notes: p.Form["notes"]}
	if id, err := uuid.Parse(p.Form["operator_id"]); err == nil {
		in.OperatorID = id
	}
	for _, f := range []struct {
		name string
		into *time.Time
	}{{"starts_at", &in.StartsAt}, {"ends_at", &in.EndsAt}} {
		v := strings.TrimSpace(p.Form[f.name])
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation(dateTimeLocal, v, agenda.Rome)
		if err != nil {
			p.Errors[f.name] = p.T("agenda.err.time")
			continue
		}
		*f.into = t
	}
	return in, len(p.Errors) == 0
}

// renderAgendaForm draws the new appointment's form (a nil) or an
// appointment's page; p.Form and p.Errors carry what was refused.
func (s *Server) renderAgendaForm(c *gin.Context, p Page, a *agenda.Appointment, status int) error {
	v, err := s.agendaViewer(c)
	if err != nil {
		return err
	}
	ops, err := s.opts.Agenda.Operators(c.Request.Context(), currentTenant(c).ID, v)
	if err != nil {
		return err
	}
	if p.Form["operator_id"] == "" {
		p.Form["operator_id"] = v.ID.String()
	}
	opChoices := make([]choice, 0, len(ops))
	for _, o := range ops {
		opChoices = append(opChoices, choice{Value: o.ID.String(), Label: o.Name})
	}
	places := []choice{}
	for _, k := range agenda.PlaceKinds {
		places = append(places, choice{Value: k, Label: p.T("agenda.place_kind." + k)})
	}
	outcomes := []choice{{Value: "", Label: p.T("agenda.choose")}}
	for _, k := range agenda.Outcomes {
		outcomes = append(outcomes, choice{Value: k, Label: p.T("agenda.outcome." + k)})
	}
	p.Errors = p.sentences(p.Errors)
	p.Data = map[string]any{
		"Action": p.Base + "/agenda", "Back": agendaHref(p, agenda.WeekOf(time.Now()), uuid.Nil),
		"Operators": len(ops) > 1, "Operator": newChoiceField(p, "operator_id", "agenda.operator", selected(opChoices, p.Form["operator_id"])),
		"PlaceKind": newChoiceField(p, "place_kind", "agenda.place_kind", selected(places, p.Form["place_kind"])),
		"Outcome":   newChoiceField(p, "outcome", "agenda.outcome", selected(outcomes, p.Form["outcome"])),
	}
	if a != nil {
		op := uuid.Nil
		if a.OperatorID != v.ID {
			op = a.OperatorID
		}
		p.Data["Appointment"] = a
		p.Data["Action"] = p.Base + "/agenda/" + a.ID.String()
		p.Data["OutcomeAction"] = p.Base + "/agenda/" + a.ID.String() + "/outcome"
		p.Data["Back"] = agendaHref(p, agenda.WeekOf(a.StartsAt), op)
		p.Data["When"] = agendaDay(p, a.StartsAt.In(agenda.Rome)) + ", " + a.StartsAt.In(agenda.Rome).Format("15:04") +
			"–" + a.EndsAt.In(agenda.Rome).Format("15:04")
		if a.CaseID != nil {
			p.Data["CaseHref"] = p.Base + "/cases/" + a.CaseID.String()
		}
	}
	s.render(c, status, "agenda_form.html", p)
	return nil
}
