package web

import (
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/access"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/tenancy"
)

// wizardStep is one step of the progress indicator.
type wizardStep struct {
	Label, Href string
	Done        bool // reached before: a link back to it
	Current     bool
}

// summaryRow is one line of the summary to confirm: a label and its value.
type summaryRow struct{ Label, Value string }

// accessStepPage renders step of the wizard for draft d (nil before the
// first step is saved), with the choices the step offers.
func (s *Server) accessStepPage(c *gin.Context, status int, p Page, d *access.Access, step string) error {
	ctx, t := c.Request.Context(), currentTenant(c)
	base := p.Base + "/accesses/new"
	action := base
	reached := 0
	if d != nil {
		base = p.Base + "/accesses/drafts/" + d.ID.String() + "/"
		action = base + step
		reached = stepIndex(d.Step)
	}
	var steps []wizardStep
	for i, name := range append(slices.Clone(access.Steps), "confirm") {
		ws := wizardStep{Label: p.T("access.step." + name), Current: name == step}
		if d != nil && i <= reached && !ws.Current {
			ws.Done, ws.Href = true, base+name
		}
		steps = append(steps, ws)
	}
	data := map[string]any{"Step": step, "Steps": steps, "Index": stepIndex(step) + 1, "Count": len(steps), "Action": action}
	p.Data = data
	p.Errors = p.sentences(p.Errors)
	units, err := s.opts.Registry.Units(ctx, t.ID)
	if err != nil {
		return err
	}
	switch step {
	case "interlocutor":
		m, err := s.opts.Identity.Member(ctx, t.ID, actor(c).ID)
		if err != nil {
			return err
		}
		var desks []tenancy.Unit
		for _, u := range units {
			if (u.Kind == "pua" || u.Kind == "secretariat") && slices.Contains(m.Units, u.ID) {
				desks = append(desks, u)
			}
		}
		if len(desks) == 1 && p.Form["unit_id"] == "" {
			p.Form["unit_id"] = desks[0].ID.String()
		}
		data["Desk"] = newChoiceField(p, "unit_id", "access.unit", unitChoices(p, desks, p.Form["unit_id"]))
		data["NoDesk"] = len(desks) == 0
		data["Channel"] = newChoiceField(p, "channel", "access.channel", accessCodes(p, "channel", access.Channels, p.Form["channel"]))
		data["Interlocutor"] = newChoiceField(p, "interlocutor", "access.interlocutor", accessCodes(p, "interlocutor", access.Interlocutors, p.Form["interlocutor"]))
		data["Reason"] = newChoiceField(p, "reason", "access.reason", accessCodes(p, "reason", access.Reasons, p.Form["reason"]))
	case "person":
		var hits []choice
		if d != nil && d.PersonID != nil {
			hits = append(hits, choice{Value: d.PersonID.String(), Label: d.PersonName})
		}
		if q := p.Form["q"]; q != "" {
			found, err := s.opts.People.Find(ctx, t.ID, people.Query{Text: q}, personActor(c))
			if err != nil {
				return err
			}
			for _, h := range found {
				if !slices.ContainsFunc(hits, func(ch choice) bool { return ch.Value == h.Person.ID.String() }) {
					hits = append(hits, choice{Value: h.Person.ID.String(), Label: personLabel(&h.Person)})
				}
			}
			data["Searched"] = true
		}
		data["Person"] = newChoiceField(p, "person_id", "access.person", selected(hits, p.Form["person_id"]))
		data["NewPerson"] = p.Base + "/people/new?next=" + url.QueryEscape(action)
	case "needs":
		data["Needs"] = newChoiceField(p, "needs", "access.needs", accessCodes(p, "area", access.UserAreas, strings.Split(p.Form["needs"], ",")...))
	case "services":
		data["Services"] = newChoiceField(p, "services", "access.services", accessCodes(p, "service", access.Services, strings.Split(p.Form["services"], ",")...))
	case "outcome":
		data["Outcome"] = newChoiceField(p, "outcome", "access.outcome", accessCodes(p, "outcome", access.Outcomes, p.Form["outcome"]))
		data["ProposalUnit"] = newChoiceField(p, "proposal_unit", "access.proposal_unit", unitChoices(p, units, p.Form["proposal_unit"], "social_service"))
		areas := append([]choice{{Value: "", Label: p.T("access.proposal_area.default")}}, accessCodes(p, "area", access.UserAreas, p.Form["proposal_area"])...)
		data["ProposalArea"] = newChoiceField(p, "proposal_area", "access.proposal_area", areas)
		kinds := append([]choice{{Value: "", Label: p.T("access.choose")}}, accessCodes(p, "target_kind", access.TargetKinds, p.Form["target_kind"])...)
		data["TargetKind"] = newChoiceField(p, "target_kind", "access.target_kind", kinds)
		data["TargetUnit"] = newChoiceField(p, "target_unit", "access.target_unit", unitChoices(p, units, p.Form["target_unit"]))
		enti, err := s.entiChoices(c, p, p.Form["target_ente"])
		if err != nil {
			return err
		}
		data["TargetEnte"] = newChoiceField(p, "target_ente", "access.target_ente", enti)
	case "confirm":
		data["Summary"] = s.accessSummary(p, d.Input(), d.PersonName, units, c)
	}
	s.render(c, status, "access_step.html", p)
	return nil
}

// entiChoices are the platform's active enti but this one, to refer to.
func (s *Server) entiChoices(c *gin.Context, p Page, sel string) ([]choice, error) {
	ts, err := s.opts.Registry.List(c.Request.Context(), "")
	if err != nil {
		return nil, err
	}
	out := []choice{{Value: "", Label: p.T("access.choose")}}
	for _, t := range ts {
		if t.ID != currentTenant(c).ID && t.Status == tenancy.StatusActive {
			out = append(out, choice{Value: t.ID.String(), Label: t.Name, Selected: t.ID.String() == sel})
		}
	}
	return out, nil
}

// accessSummary is what the operator confirms: every step's answers.
func (s *Server) accessSummary(p Page, in access.Input, person string, units []tenancy.Unit, c *gin.Context) []summaryRow {
	unitName := func(id *uuid.UUID) string {
		if id == nil {
			return ""
		}
		for _, u := range units {
			if u.ID == *id {
				return u.Name
			}
		}
		return id.String()
	}
	codes := func(field string, vs []string) string {
		var out []string
		for _, v := range vs {
			out = append(out, p.T("access."+field+"."+v))
		}
		return strings.Join(out, ", ")
	}
	code := func(field, v string) string {
		if v == "" {
			return ""
		}
		return p.T("access." + field + "." + v)
	}
	consent := p.T("access.consent.no")
	if in.Consent.Given {
		consent = p.T("access.consent.yes", in.Consent.Scope, in.Consent.On.String())
	}
	rows := []summaryRow{
		{p.T("access.unit"), unitName(&in.UnitID)},
		{p.T("access.occurred_at"), in.OccurredAt.In(rome).Format("02/01/2006 15:04")},
		{p.T("access.channel"), code("channel", in.Channel)},
		{p.T("access.interlocutor"), strings.TrimSpace(code("interlocutor", in.Interlocutor) + " " + in.InterlocutorName)},
		{p.T("access.reason"), strings.TrimSpace(code("reason", in.Reason) + " " + in.SentBy)},
		{p.T("access.person"), person},
		{p.T("access.consent"), consent},
		{p.T("access.reference_name"), strings.TrimSpace(in.ReferenceName + " " + in.ReferenceRelationship + " " + in.ReferenceContact)},
		{p.T("access.needs"), codes("area", in.Needs)},
		{p.T("access.services"), codes("service", in.Services)},
		{p.T("access.outcome"), code("outcome", in.Outcome)},
	}
	switch in.Outcome {
	case "proposal":
		rows = append(rows, summaryRow{p.T("access.proposal_unit"), unitName(in.ProposalUnit)},
			summaryRow{p.T("access.proposal_area"), code("area", in.ProposalArea)})
	case "referral":
		target := in.Referral.HealthService
		switch in.Referral.Kind {
		case "unit":
			target = unitName(in.Referral.UnitID)
		case "ente":
			if in.Referral.TenantID != nil {
				target = in.Referral.TenantID.String()
				if ts, err := s.opts.Registry.List(c.Request.Context(), ""); err == nil {
					for _, t := range ts {
						if t.ID == *in.Referral.TenantID {
							target = t.Name
						}
					}
				}
			}
		}
		rows = append(rows, summaryRow{p.T("access.target_kind"), code("target_kind", in.Referral.Kind)},
			summaryRow{p.T("access.target"), target}, summaryRow{p.T("access.referral_reason"), in.Referral.Reason})
	}
	rows = append(rows, summaryRow{p.T("access.outcome_notes"), in.OutcomeNotes})
	return rows
}
