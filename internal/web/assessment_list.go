package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/assessment"
	"github.com/sigess/sigess/internal/authz"
)

// assessmentRow is one assessment as the history shows it.
type assessmentRow struct {
	Seq                         int
	When, Author, Source, Instr string
	Values                      []string // the dimensions' levels, in Dimensions' order
	Notes                       string
	SINBA                       []sinbaValue
}

// sinbaValue is one SINBA attribute with its label.
type sinbaValue struct{ Name, Value string }

// assessmentList is a case's latest assessment and its history. Reading it
// is one assessment.listed event.
func (s *Server) assessmentList(c *gin.Context) error {
	p := s.formPage(c, "assessments.title")
	if c.Query("done") == "added" {
		p.Flash = p.T("assessments.done.added")
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	subj, as, err := s.opts.Assessments.List(c.Request.Context(), currentTenant(c).ID, id, v)
	if err != nil {
		return err
	}
	rows := make([]assessmentRow, 0, len(as))
	for _, a := range as {
		r := assessmentRow{Seq: a.Seq, When: a.AssessedOn.Time().Format("02/01/2006"), Author: a.AuthorName, Notes: a.Notes,
			Source: p.T("assessments.source." + strconv.Itoa(a.SINA.Source)),
			Instr:  p.T("assessments.instrument." + strconv.Itoa(a.SINA.Instrument))}
		if a.SINA.InstrumentOther != "" {
			r.Instr += " (" + a.SINA.InstrumentOther + ")"
		}
		for _, d := range assessment.Dimensions {
			if n := a.SINA.Value(d.Field); n > 0 {
				r.Values = append(r.Values, strconv.Itoa(n)+" — "+p.T("assessments.dim."+d.Field+"."+strconv.Itoa(n)))
			} else {
				r.Values = append(r.Values, "—")
			}
		}
		if a.SINBA != nil {
			for _, f := range assessment.SINBAFields() {
				if val, ok := a.SINBA.Attributes[f.Name]; ok {
					r.SINBA = append(r.SINBA, sinbaValue{f.Name, sinbaLabel(f, val)})
				}
			}
		}
		rows = append(rows, r)
	}
	var dims []string
	for _, d := range assessment.Dimensions {
		dims = append(dims, p.T("assessments.dim."+d.Field))
	}
	p.Data = map[string]any{"Subject": subj, "Rows": rows, "Dims": dims, "CaseHref": p.Base + "/cases/" + id.String(),
		"NewHref": assessmentsHref(p, id) + "/new", "CanWrite": granted(c)[authz.PermAssessmentsWrite]}
	s.render(c, http.StatusOK, "assessment_list.html", p)
	return nil
}

// sinbaLabel is the schema's label of a SINBA value, or the value.
func sinbaLabel(f assessment.SINBAField, v string) string {
	for _, c := range f.Codes {
		if c.Value == v {
			return v + " — " + c.Label
		}
	}
	return v
}

// assessmentNew is the form of a new assessment, filled with the latest.
func (s *Server) assessmentNew(c *gin.Context) error {
	p := s.formPage(c, "assessments.new")
	return s.renderAssessmentForm(c, p, http.StatusOK, true)
}

// assessmentCreate writes a new assessment; invalid input is shown next to
// its field and nothing is written.
func (s *Server) assessmentCreate(c *gin.Context) error {
	p := s.formPage(c, "assessments.new")
	if err := c.Request.ParseForm(); err != nil {
		return err
	}
	for k, vs := range c.Request.PostForm {
		if k != "csrf" && k != "civil_invalidity" && k != "sinba.family" && len(vs) > 0 {
			p.Form[k] = vs[0]
		}
	}
	p.Form["civil_invalidity"] = strings.Join(c.PostFormArray("civil_invalidity"), ",")
	p.Form["sinba.family"] = strings.Join(c.PostFormArray("sinba.family"), ",")
	in := assessment.Input{AssessedOn: parseDateField(p.Form["assessed_on"], "assessed_on", p.Errors), Notes: p.Form["notes"]}
	num := func(k string) int { n, _ := strconv.Atoi(p.Form[k]); return n }
	for _, d := range assessment.Dimensions {
		in.SINA.Set(d.Field, num(d.Field))
	}
	in.SINA.Source, in.SINA.Instrument, in.SINA.InstrumentOther = num("source"), num("instrument"), p.Form["instrument_other"]
	in.SINA.InvaliditySource = num("invalidity_source")
	for _, v := range c.PostFormArray("civil_invalidity") {
		n, _ := strconv.Atoi(v)
		in.SINA.CivilInvalidity = append(in.SINA.CivilInvalidity, n)
	}
	if c.PostForm("sinba") == "1" {
		in.SINBA = &assessment.SINBA{Attributes: map[string]string{}, Family: c.PostFormArray("sinba.family")}
		for _, f := range assessment.SINBAFields() {
			in.SINBA.Attributes[f.Name] = c.PostForm("sinba." + f.Name)
		}
	}
	if len(p.Errors) > 0 {
		return s.renderAssessmentForm(c, p, http.StatusUnprocessableEntity, false)
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	if _, err := s.opts.Assessments.Create(c.Request.Context(), currentTenant(c).ID, id, in, v); err != nil {
		if fieldErrors(err, p.Errors) {
			return s.renderAssessmentForm(c, p, http.StatusUnprocessableEntity, false)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, assessmentsHref(p, id)+"?done=added")
	return nil
}

// renderAssessmentForm draws the form; fill copies the latest assessment
// into an empty form.
func (s *Server) renderAssessmentForm(c *gin.Context, p Page, status int, fill bool) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	subj, as, err := s.opts.Assessments.List(c.Request.Context(), currentTenant(c).ID, id, v)
	if err != nil {
		return err
	}
	if fill && len(as) > 0 {
		x := as[0].SINA
		for _, d := range assessment.Dimensions {
			if n := x.Value(d.Field); n > 0 {
				p.Form[d.Field] = strconv.Itoa(n)
			}
		}
		p.Form["source"], p.Form["instrument"], p.Form["instrument_other"] = strconv.Itoa(x.Source), strconv.Itoa(x.Instrument), x.InstrumentOther
	}
	p.Errors = p.sentences(p.Errors)
	var dims []choiceField
	for _, d := range assessment.Dimensions {
		var cs []choice
		for n := 1; n <= d.Levels; n++ {
			cs = append(cs, choice{Value: strconv.Itoa(n), Label: strconv.Itoa(n) + " — " + p.T("assessments.dim."+d.Field+"."+strconv.Itoa(n))})
		}
		dims = append(dims, newChoiceField(p, d.Field, "assessments.dim."+d.Field, selected(cs, p.Form[d.Field])))
	}
	numbered := func(name, prefix string, n int, values ...string) choiceField {
		cs := []choice{{Value: "", Label: p.T("assessments.choose")}}
		for i := 1; i <= n; i++ {
			cs = append(cs, choice{Value: strconv.Itoa(i), Label: p.T(prefix + strconv.Itoa(i))})
		}
		if values == nil {
			values = []string{p.Form[name]}
		}
		return newChoiceField(p, name, "assessments."+name, selected(cs, values...))
	}
	inv := numbered("civil_invalidity", "assessments.civil_invalidity.", assessment.CivilInvalidities, strings.Split(p.Form["civil_invalidity"], ",")...)
	inv.Choices = inv.Choices[1:]
	var sinba []choiceField
	var sinbaText []field
	for _, f := range assessment.SINBAFields() {
		name := "sinba." + f.Name
		if f.Kind != assessment.KindCode {
			sinbaText = append(sinbaText, field{ID: "f-" + name, Name: name, Type: "text", Label: f.Name + sinbaRequired(p, f),
				Value: p.Form[name], Error: p.Errors[name], Hint: p.T("assessments.sinba.kind." + strconv.Itoa(int(f.Kind))), Page: p})
			continue
		}
		cs := []choice{{Value: "", Label: p.T("assessments.choose")}}
		for _, code := range f.Codes {
			cs = append(cs, choice{Value: code.Value, Label: code.Value + " — " + code.Label})
		}
		cf := choiceField{ID: "f-" + name, Name: name, Label: f.Name + sinbaRequired(p, f), Error: p.Errors[name], Choices: selected(cs, p.Form[name])}
		sinba = append(sinba, cf)
	}
	var fam []choice
	for _, code := range assessment.FamilyCodes() {
		fam = append(fam, choice{Value: code.Value, Label: code.Label})
	}
	p.Data = map[string]any{
		"Subject": subj, "Action": assessmentsHref(p, id), "BackHref": assessmentsHref(p, id), "Dims": dims,
		"Source": numbered("source", "assessments.source.", assessment.Sources), "Instrument": numbered("instrument", "assessments.instrument.", assessment.Instruments),
		"CivilInvalidity": inv, "InvaliditySource": numbered("invalidity_source", "assessments.invalidity_source.", assessment.InvaliditySources),
		"SINBA": sinba, "SINBAText": sinbaText, "ShowSINBA": subj.Minor || p.Form["sinba"] == "1",
		"Family": newChoiceField(p, "sinba.family", "assessments.sinba.family", selected(fam, strings.Split(p.Form["sinba.family"], ",")...)),
	}
	s.render(c, status, "assessment_form.html", p)
	return nil
}

// sinbaRequired marks a SINBA field the schema requires.
func sinbaRequired(p Page, f assessment.SINBAField) string {
	if f.Required {
		return " (" + p.T("assessments.required") + ")"
	}
	return ""
}
