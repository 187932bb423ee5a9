package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/access"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// localMinute is how a datetime-local control writes a time.
const localMinute = "2006-01-02T15:04"

// accessNew shows the wizard's first step, before any draft exists.
func (s *Server) accessNew(c *gin.Context) error {
	p := s.formPage(c, "access.new.title")
	p.Form["occurred_at"] = time.Now().In(rome).Format(localMinute)
	p.Form["channel"] = "in_person"
	p.Form["interlocutor"] = "self"
	p.Form["reason"] = "spontaneous"
	return s.accessStepPage(c, http.StatusOK, p, nil, access.Steps[0])
}

// accessStart saves the first step, which creates the operator's draft.
func (s *Server) accessStart(c *gin.Context) error {
	return s.saveAccessStep(c, uuid.Nil, access.Steps[0], nil)
}

// accessStep shows one step of the operator's draft (or, for "confirm", the
// summary to confirm). A step beyond the furthest reached is not shown yet.
func (s *Server) accessStep(c *gin.Context) error {
	id, step, err := draftParams(c)
	if err != nil {
		return err
	}
	d, err := s.opts.Accesses.Draft(c.Request.Context(), currentTenant(c).ID, id, accessViewer(c))
	if err != nil {
		return err
	}
	if stepIndex(step) > stepIndex(d.Step) {
		c.Redirect(http.StatusSeeOther, basePath(c)+"/accesses/drafts/"+id.String()+"/"+d.Step)
		return nil
	}
	p := s.formPage(c, "access.new.title")
	p.Form = inputForm(d.Input())
	if step == "person" {
		p.Form["q"] = strings.TrimSpace(c.Query("q"))
	}
	return s.accessStepPage(c, http.StatusOK, p, d, step)
}

// accessStepSave saves one step of the draft and goes to the next; on the
// summary it confirms the access, which creates it with its outcome's effects.
func (s *Server) accessStepSave(c *gin.Context) error {
	id, step, err := draftParams(c)
	if err != nil {
		return err
	}
	ctx, tenant, v := c.Request.Context(), currentTenant(c).ID, accessViewer(c)
	d, err := s.opts.Accesses.Draft(ctx, tenant, id, v)
	if err != nil {
		return err
	}
	if step != "confirm" {
		return s.saveAccessStep(c, id, step, d)
	}
	a, err := s.opts.Accesses.Confirm(ctx, tenant, id, v)
	if err != nil {
		p := s.formPage(c, "access.new.title")
		errs := map[string]string{}
		if !accessErrors(err, errs) {
			return err
		}
		// A step became invalid since it was saved (a unit removed, a person
		// merged): say which, and leave the draft for the operator to fix.
		var msgs []string
		for f, m := range errs {
			msgs = append(msgs, f+": "+m)
		}
		slices.Sort(msgs)
		p.Errors[""] = p.T("access.err.confirm", strings.Join(msgs, "; "))
		p.Form = inputForm(d.Input())
		return s.accessStepPage(c, http.StatusUnprocessableEntity, p, d, step)
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/accesses/"+a.ID.String()+"?done=created")
	return nil
}

// saveAccessStep reads step's form, saves it in draft id (uuid.Nil: a new
// draft) and goes to the next step; invalid input shows the step again, 422,
// with nothing written.
func (s *Server) saveAccessStep(c *gin.Context, id uuid.UUID, step string, d *access.Access) error {
	p := s.formPage(c, "access.new.title")
	in, form := stepInput(c, p, step)
	p.Form = form
	if len(p.Errors) == 0 {
		a, err := s.opts.Accesses.SaveStep(c.Request.Context(), currentTenant(c).ID, id, step, in, accessViewer(c))
		if err == nil {
			next := "confirm"
			if i := stepIndex(step); i+1 < len(access.Steps) {
				next = access.Steps[i+1]
			}
			c.Redirect(http.StatusSeeOther, basePath(c)+"/accesses/drafts/"+a.ID.String()+"/"+next)
			return nil
		}
		if !accessErrors(err, p.Errors) {
			return err
		}
	}
	return s.accessStepPage(c, http.StatusUnprocessableEntity, p, d, step)
}

// draftParams are the draft's id and the step of the path; anything else is
// a page that does not exist.
func draftParams(c *gin.Context) (uuid.UUID, string, error) {
	id, err := uuid.Parse(c.Param("id"))
	step := c.Param("step")
	if err != nil || (step != "confirm" && !slices.Contains(access.Steps, step)) {
		return uuid.Nil, "", fmt.Errorf("%w: bozza %q, passo %q", derrors.ErrNotFound, c.Param("id"), step)
	}
	return id, step, nil
}

// stepIndex is the place of step in the wizard; "confirm" comes last.
func stepIndex(step string) int {
	if i := slices.Index(access.Steps, step); i >= 0 {
		return i
	}
	return len(access.Steps)
}

// stepInput reads the form of one step into the domain's input, and the
// values to refill it with. Values that cannot be read (a date that is not
// a date) are errors next to their fields.
func stepInput(c *gin.Context, p Page, step string) (access.Input, map[string]string) {
	form := map[string]string{}
	for _, f := range stepFields[step] {
		form[f] = strings.TrimSpace(c.PostForm(f))
	}
	var in access.Input
	switch step {
	case "interlocutor":
		in.UnitID = optUUID(form["unit_id"])
		if v := form["occurred_at"]; v != "" {
			t, err := time.ParseInLocation(localMinute, v, rome)
			if err != nil {
				p.Errors["occurred_at"] = p.T("access.err.occurred_at")
			}
			in.OccurredAt = t
		}
		in.Channel, in.Interlocutor, in.InterlocutorName = form["channel"], form["interlocutor"], form["interlocutor_name"]
		in.InterlocutorContact, in.Reason, in.SentBy = form["interlocutor_contact"], form["reason"], form["sent_by"]
	case "person":
		in.PersonID = optUUID(form["person_id"])
		in.Consent.Given = form["consent_given"] == "1"
		in.Consent.Scope = form["consent_scope"]
		d, ok := parseDay(form["consent_on"])
		if !ok {
			p.Errors["consent_on"] = p.T("access.err.date")
		}
		in.Consent.On = d
	case "reference":
		in.ReferenceName, in.ReferenceRelationship, in.ReferenceContact = form["reference_name"], form["reference_relationship"], form["reference_contact"]
	case "needs":
		in.Needs = c.PostFormArray("needs")
		form["needs"] = strings.Join(in.Needs, ",")
	case "services":
		in.Services = c.PostFormArray("services")
		form["services"] = strings.Join(in.Services, ",")
	case "outcome":
		in.Outcome, in.OutcomeNotes, in.ProposalArea = form["outcome"], form["outcome_notes"], form["proposal_area"]
		switch in.Outcome {
		case "proposal":
			in.ProposalUnit = ptrUUID(form["proposal_unit"])
		case "referral":
			in.Referral = access.ReferralTo{Kind: form["target_kind"], HealthService: form["health_service"], Reason: form["referral_reason"]}
			switch in.Referral.Kind {
			case "unit":
				in.Referral.UnitID = ptrUUID(form["target_unit"])
			case "ente":
				in.Referral.TenantID = ptrUUID(form["target_ente"])
			}
		}
	}
	return in, form
}

// stepFields are the form fields of each step.
var stepFields = map[string][]string{
	"interlocutor": {"unit_id", "occurred_at", "channel", "interlocutor", "interlocutor_name", "interlocutor_contact", "reason", "sent_by"},
	"person":       {"person_id", "consent_given", "consent_scope", "consent_on"},
	"reference":    {"reference_name", "reference_relationship", "reference_contact"},
	"needs":        nil,
	"services":     nil,
	"outcome":      {"outcome", "outcome_notes", "proposal_unit", "proposal_area", "target_kind", "target_unit", "target_ente", "health_service", "referral_reason"},
}

// inputForm fills the wizard's forms with what a draft saved.
func inputForm(in access.Input) map[string]string {
	f := map[string]string{
		"channel": in.Channel, "interlocutor": in.Interlocutor, "interlocutor_name": in.InterlocutorName,
		"interlocutor_contact": in.InterlocutorContact, "reason": in.Reason, "sent_by": in.SentBy,
		"consent_scope": in.Consent.Scope, "reference_name": in.ReferenceName,
		"reference_relationship": in.ReferenceRelationship, "reference_contact": in.ReferenceContact,
		"needs": strings.Join(in.Needs, ","), "services": strings.Join(in.Services, ","),
		"outcome": in.Outcome, "outcome_notes": in.OutcomeNotes, "proposal_area": in.ProposalArea,
		"target_kind": in.Referral.Kind, "health_service": in.Referral.HealthService, "referral_reason": in.Referral.Reason,
	}
	if in.UnitID != uuid.Nil {
		f["unit_id"] = in.UnitID.String()
	}
	if !in.OccurredAt.IsZero() {
		f["occurred_at"] = in.OccurredAt.In(rome).Format(localMinute)
	}
	if in.PersonID != uuid.Nil {
		f["person_id"] = in.PersonID.String()
	}
	if in.Consent.Given {
		f["consent_given"] = "1"
	}
	if !in.Consent.On.IsZero() {
		f["consent_on"] = in.Consent.On.String()
	}
	for k, v := range map[string]*uuid.UUID{"proposal_unit": in.ProposalUnit, "target_unit": in.Referral.UnitID, "target_ente": in.Referral.TenantID} {
		if v != nil {
			f[k] = v.String()
		}
	}
	return f
}

// optUUID is the UUID written in v, or uuid.Nil.
func optUUID(v string) uuid.UUID {
	id, err := uuid.Parse(v)
	if err != nil {
		return uuid.Nil
	}
	return id
}

// ptrUUID is the UUID written in v, or nil.
func ptrUUID(v string) *uuid.UUID {
	id, err := uuid.Parse(v)
	if err != nil {
		return nil
	}
	return &id
}

// personLabel is how a person is named in the wizard.
func personLabel(per *people.Person) string {
	s := per.LastName + " " + per.FirstName
	if per.TaxCode != "" {
		s += " — " + per.TaxCode
	}
	if !per.BirthDate.IsZero() {
		s += " (" + per.BirthDate.String() + ")"
	}
	return s
}
