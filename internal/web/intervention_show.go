package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/people"
)

// interventionMove is a move the viewer may make, as a button (and the
// reason it needs).
type interventionMove struct {
	To, Label   string
	NeedsReason bool
}

// interventionMissingRow is one line of "Per attivare mancano".
type interventionMissingRow struct {
	Label, Message, Href string
}

// interventionEventRow is one step of the history.
type interventionEventRow struct {
	When, By, What, Reason string
}

// interventionDeliveryRow is one delivery as the page lists it.
type interventionDeliveryRow struct {
	ID, When, Amount, Hours, Provider, Notes, By, CancelReason string
	Cancelled                                                  bool
}

// interventionShow is an intervention's page: its data, history, what it
// lacks to become active, the moves the viewer may make, the edit form and
// the deliveries. Reading it is one intervention.viewed event.
func (s *Server) interventionShow(c *gin.Context) error {
	p := s.formPage(c, "interventions.record")
	if d := c.Query("done"); d != "" && catalog.Has(p.Locale, "interventions.done."+d) {
		p.Flash = p.T("interventions.done." + d)
	}
	return s.renderIntervention(c, p, http.StatusOK, "")
}

// renderIntervention draws an intervention's page; p.Errors and p.Form carry
// a refused action, which form names (edit, transition:<to>, delivery,
// cancel:<id>).
func (s *Server) renderIntervention(c *gin.Context, p Page, status int, form string) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	ctx, tenant := c.Request.Context(), currentTenant(c).ID
	view, err := s.opts.Interventions.Get(ctx, tenant, id, v)
	if err != nil {
		return err
	}
	ds, err := s.opts.Interventions.Deliveries(ctx, tenant, id, v)
	if err != nil {
		return err
	}
	it := view.Intervention
	p.Title = p.T("interventions.record") + " — " + it.CatalogName
	href := interventionHref(p, id)
	var moves []interventionMove
	for _, t := range view.Moves {
		moves = append(moves, interventionMove{To: t.To, Label: p.T("interventions.move." + t.To), NeedsReason: t.NeedsReason})
	}
	var missing []interventionMissingRow
	for _, m := range view.Missing {
		row := interventionMissingRow{Label: p.T("interventions.field." + formField(m.Field)), Message: p.Sentence(m.Message),
			Href: "#f-" + formField(m.Field)}
		if m.Field == "person_tax_code" {
			row.Href = p.Base + "/people/" + it.PersonID.String()
		}
		missing = append(missing, row)
	}
	var evs []interventionEventRow
	for i := len(view.Events) - 1; i >= 0; i-- {
		e := view.Events[i]
		what := p.T("interventions.event."+e.Kind) + ": " + p.T("interventions.state."+e.ToState)
		evs = append(evs, interventionEventRow{When: e.At.In(rome).Format("02/01/2006 15:04"), By: e.ByName, What: what, Reason: e.Reason})
	}
	var rows []interventionDeliveryRow
	for _, d := range ds {
		row := interventionDeliveryRow{ID: d.ID.String(), When: showDate(d.DeliveredOn), Amount: showCents(d.AmountCents),
			Provider: d.Provider, Notes: d.Notes, By: d.RecordedByName, Cancelled: d.Cancelled, CancelReason: d.CancelReason}
		if d.Hours != nil {
			row.Hours = formFloat(d.Hours)
		}
		rows = append(rows, row)
	}
	if form != "edit" {
		for k, val := range interventionForm(it.Data) {
			if _, set := p.Form[k]; !set || form == "" {
				p.Form[k] = val
			}
		}
		p.Form["version"] = strconv.Itoa(it.Version)
	}
	p.Errors = p.sentences(p.Errors)
	characters := []choice{{Value: "", Label: p.T("interventions.choose")}, {Value: "1", Label: p.T("interventions.character.1")},
		{Value: "2", Label: p.T("interventions.character.2")}}
	means := []choice{{Value: "", Label: p.T("interventions.choose")}}
	for _, m := range interventions.MeansTests {
		means = append(means, choice{Value: m, Label: p.T("interventions.means_test." + m)})
	}
	flows, err := s.siussInterventionBlock(c, p, id)
	if err != nil {
		return err
	}
	g := granted(c)
	p.Data = map[string]any{
		"It": it, "Href": href, "State": p.T("interventions.state." + it.State), "Badge": interventionStateBadge(it.State),
		"Unit":       p.T("interventions.unit." + it.Unit),
		"CaseHref":   p.Base + "/cases/" + it.CaseID.String(),
		"PersonHref": p.Base + "/people/" + it.PersonID.String(),
		"Start":      showDate(it.StartDate), "End": showDate(it.EndDate), "DSUDate": showDate(it.DSUDate), "Closed": showDate(it.ClosedOn),
		"Monthly": showCents(it.MonthlyAmountCents), "Total": showCents(it.TotalAmountCents),
		"Requested": showCents(it.RequestedAmountCents), "ISEE": showCents(it.ISEEValueCents), "Threshold": showCents(it.ISEEThresholdCents),
		"Hours": formFloat(it.MonthlyHours), "Months": formInt(it.PeriodMonths), "DSUYear": formInt(it.DSUYear),
		"ShareEnte": formFloat(it.ShareEnte), "ShareUser": formFloat(it.ShareUser), "ShareHealth": formFloat(it.ShareHealth),
		"Character": characterLabel(p, it.Character), "MeansTest": meansTestLabel(p, it.MeansTest),
		"Missing": missing, "ShowMissing": len(missing) > 0, "Moves": moves, "Events": evs, "Deliveries": rows,
		"CanEdit": view.CanEdit, "CanDeliver": view.CanDeliver && g[authz.PermInterventionsDeliver], "Form": form,
		"CharacterField": newChoiceField(p, "character", "interventions.field.character", selected(characters, p.Form["character"])),
		"MeansField":     newChoiceField(p, "means_test", "interventions.field.means_test", selected(means, p.Form["means_test"])),
		"HoursUnit":      it.Unit == interventions.UnitHours,
	}
	p.Data["SIUSS"] = flows
	s.render(c, status, "intervention_show.html", p)
	return nil
}

func characterLabel(p Page, ch string) string {
	if ch == "" {
		return ""
	}
	return p.T("interventions.character." + ch)
}

func meansTestLabel(p Page, m string) string {
	if m == "" {
		return ""
	}
	return p.T("interventions.means_test." + m)
}

// interventionEdit saves the edit form; refused data is shown next to its
// fields and nothing is written.
func (s *Server) interventionEdit(c *gin.Context) error {
	p := s.formPage(c, "interventions.record")
	d := interventionData(p, c, p.Errors)
	p.Form["version"] = c.PostForm("version")
	version, err := strconv.Atoi(p.Form["version"])
	if err != nil {
		p.Errors[""] = p.T("interventions.err.version")
	}
	if len(p.Errors) > 0 {
		return s.renderIntervention(c, p, http.StatusUnprocessableEntity, "edit")
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	if _, err := s.opts.Interventions.Update(c.Request.Context(), currentTenant(c).ID, id, version, d, v); err != nil {
		return s.interventionRefused(c, p, err, "edit")
	}
	c.Redirect(http.StatusSeeOther, interventionHref(p, id)+"?done=edited")
	return nil
}

// interventionRefused shows a refused action on the page: field errors next
// to their fields, a conflict at the top; other errors go to the error page.
func (s *Server) interventionRefused(c *gin.Context, p Page, err error, form string) error {
	fe := map[string]string{}
	if fieldErrors(err, fe) {
		for k, v := range fe {
			p.Errors[formField(k)] = v
		}
		return s.renderIntervention(c, p, http.StatusUnprocessableEntity, form)
	}
	if errors.Is(err, derrors.ErrConflict) {
		p.Errors[""] = userMessage(err)
		return s.renderIntervention(c, p, http.StatusConflict, form)
	}
	return err
}

// interventionTransition moves the intervention; a move refused for missing
// data shows the page with what is missing.
func (s *Server) interventionTransition(c *gin.Context) error {
	p := s.formPage(c, "interventions.record")
	to, reason := c.PostForm("to"), c.PostForm("reason")
	p.Form["to"], p.Form["reason"] = to, reason
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	if _, err := s.opts.Interventions.Transition(c.Request.Context(), currentTenant(c).ID, id, to, reason, v); err != nil {
		if fs := fieldErrors(err, map[string]string{}); fs {
			p.Errors[""] = p.T("interventions.err.move", p.T("interventions.move."+to))
		}
		return s.interventionRefused(c, p, err, "transition:"+to)
	}
	c.Redirect(http.StatusSeeOther, interventionHref(p, id)+"?done=moved")
	return nil
}

// interventionDeliveryAdd records a delivery.
func (s *Server) interventionDeliveryAdd(c *gin.Context) error {
	p := s.formPage(c, "interventions.record")
	for _, f := range []string{"delivered_on", "amount", "hours", "provider", "delivery_notes"} {
		p.Form[f] = c.PostForm(f)
	}
	in := interventions.NewDelivery{Provider: p.Form["provider"], Notes: p.Form["delivery_notes"]}
	if p.Form["delivered_on"] != "" {
		d, err := people.ParseDate(p.Form["delivered_on"])
		if err != nil {
			p.Errors["delivered_on"] = p.T("interventions.err.date")
		}
		in.DeliveredOn = d
	}
	var ok bool
	if in.AmountCents, ok = parseCents(p.Form["amount"]); !ok {
		p.Errors["amount"] = p.T("interventions.err.amount")
	}
	if in.Hours, ok = parseNumber(p.Form["hours"]); !ok {
		p.Errors["hours"] = p.T("interventions.err.number")
	}
	if len(p.Errors) > 0 {
		return s.renderIntervention(c, p, http.StatusUnprocessableEntity, "delivery")
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	if _, err := s.opts.Interventions.AddDelivery(c.Request.Context(), currentTenant(c).ID, id, in, v); err != nil {
		if fe := map[string]string{}; fieldErrors(err, fe) {
			for k, m := range fe {
				if k == "notes" {
					k = "delivery_notes"
				}
				p.Errors[formField(k)] = m
			}
			return s.renderIntervention(c, p, http.StatusUnprocessableEntity, "delivery")
		}
		return s.interventionRefused(c, p, err, "delivery")
	}
	c.Redirect(http.StatusSeeOther, interventionHref(p, id)+"?done=delivered#deliveries")
	return nil
}

// interventionDeliveryCancel cancels a delivery with its reason.
func (s *Server) interventionDeliveryCancel(c *gin.Context) error {
	p := s.formPage(c, "interventions.record")
	id, err := pathID(c)
	if err != nil {
		return err
	}
	did, err := deliveryID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	p.Form["cancel_reason"] = c.PostForm("reason")
	if _, err := s.opts.Interventions.CancelDelivery(c.Request.Context(), currentTenant(c).ID, id, did, c.PostForm("reason"), v); err != nil {
		if fe := map[string]string{}; fieldErrors(err, fe) {
			p.Errors["cancel:"+did.String()] = fe["reason"]
			return s.renderIntervention(c, p, http.StatusUnprocessableEntity, "cancel:"+did.String())
		}
		return s.interventionRefused(c, p, err, "cancel")
	}
	c.Redirect(http.StatusSeeOther, interventionHref(p, id)+"?done=cancelled#deliveries")
	return nil
}
