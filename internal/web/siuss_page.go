package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/siuss"
)

// siussOffice is what the administrative office's pages need of the SIUSS
// flows besides SIUSSFlows (siuss.Service implements both: the pages use
// Options.SIUSS through this interface, and are not there without it).
type siussOffice interface {
	Browse(ctx context.Context, tenant uuid.UUID, f siuss.OfficeFilter, v casefile.Viewer) ([]siuss.OfficeFlow, error)
	Open(ctx context.Context, tenant uuid.UUID, idFlusso string, v casefile.Viewer) (*siuss.OfficeFlow, error)
	Resend(ctx context.Context, tenant uuid.UUID, idFlusso string, v casefile.Viewer) (*siuss.Flow, error)
	List(ctx context.Context, tenant uuid.UUID, f siuss.Filter) ([]siuss.Flow, error)
	MissingFor(ctx context.Context, tenant, interventionID uuid.UUID) ([]derrors.FieldError, error)
}

// office is Options.SIUSS as the office's pages use it, or nil.
func (s *Server) siussOffice() siussOffice {
	o, _ := s.opts.SIUSS.(siussOffice)
	return o
}

// siussPageRoutes registers the administrative office's pages of the SIUSS
// flows on the ente's UI group: the list, a flow (its XML and outcome), its
// XML to download, and "Invia di nuovo" of a rejected flow. All need
// siuss:export.
func (s *Server) siussPageRoutes(ui *gin.RouterGroup) {
	export := s.require(authz.PermSIUSSExport)
	ui.GET("/siuss", s.requireLogin(), export, s.handle(s.siussList))
	ui.GET("/siuss/:flow", s.requireLogin(), export, s.handle(s.siussShow))
	ui.GET("/siuss/:flow/xml", s.requireLogin(), export, s.handle(s.siussXML))
	ui.POST("/siuss/:flow/resend", s.requireLogin(), export, s.handle(s.siussResend))
}

// siussRow is one flow as the list shows it.
type siussRow struct {
	IDFlusso, Href, Tipo, When, Operation, TipoOp, State, Badge, Description  string
	InterventionHref, Entry, Person, PersonHref, SupersededBy, SupersededHref string
	Superseded                                                                bool
}

func siussHref(p Page, idFlusso string) string {
	return p.Base + "/siuss/" + url.PathEscape(idFlusso)
}

// siussTime is ts_flusso in Rome, to the millisecond.
func siussTime(f siuss.Flow) string { return f.TSFlusso.In(rome).Format("02/01/2006 15:04:05.000") }

func siussBadge(state string) string {
	switch state {
	case siuss.StateAcquired:
		return "bg-success"
	case siuss.StateRejected:
		return "bg-danger"
	}
	return "bg-secondary"
}

// siussRowOf is f as a row; the beneficiary's name only for a viewer who may
// read people.
func siussRowOf(p Page, f siuss.OfficeFlow, g map[string]bool) siussRow {
	r := siussRow{IDFlusso: f.IDFlusso, Href: siussHref(p, f.IDFlusso), Tipo: f.Tipo, When: siussTime(f.Flow),
		Operation: p.T("siuss.operation." + f.Operation), TipoOp: f.TipoOperazione,
		State: p.T("siuss.state." + f.State), Badge: siussBadge(f.State),
		InterventionHref: interventionHref(p, f.InterventionID), Entry: f.CatalogName, SupersededBy: f.SupersededByID,
		Superseded: f.SupersededBy != nil}
	if r.TipoOp == "" {
		r.TipoOp = "—"
	}
	if f.Outcome != nil && f.State == siuss.StateRejected {
		r.Description = f.Outcome.Description
	}
	if g[authz.PermPeopleRead] {
		r.Person, r.PersonHref = f.PersonName, p.Base+"/people/"+f.PersonID.String()
	}
	if f.SupersededByID != "" {
		r.SupersededHref = siussHref(p, f.SupersededByID)
	}
	return r
}

// siussList is the ente's flows, newest first, filtered by state and
// intervention: one siuss.flows_listed audit event.
func (s *Server) siussList(c *gin.Context) error {
	o := s.siussOffice()
	if o == nil {
		return errNoRoute
	}
	p := s.formPage(c, "siuss.title")
	f := siuss.OfficeFilter{State: c.Query("state")}
	switch f.State {
	case "", siuss.StateWaiting, siuss.StateAcquired, siuss.StateRejected:
	default:
		f.State = ""
	}
	p.Form["state"], p.Form["intervention"] = f.State, strings.TrimSpace(c.Query("intervention"))
	if v := p.Form["intervention"]; v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			p.Errors["intervention"] = p.T("siuss.err.intervention")
		}
		f.InterventionID = id
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	flows, err := o.Browse(c.Request.Context(), currentTenant(c).ID, f, v)
	if err != nil {
		return err
	}
	g := granted(c)
	rows := make([]siussRow, 0, len(flows))
	for _, fl := range flows {
		rows = append(rows, siussRowOf(p, fl, g))
	}
	states := []choice{{Value: "", Label: p.T("siuss.all")}}
	for _, st := range []string{siuss.StateWaiting, siuss.StateAcquired, siuss.StateRejected} {
		states = append(states, choice{Value: st, Label: p.T("siuss.state." + st)})
	}
	p.Data = map[string]any{
		"Rows": rows, "State": newChoiceField(p, "state", "siuss.filter.state", selected(states, f.State)),
		"Max": siuss.OfficeMax, "Full": len(flows) >= siuss.OfficeMax, "People": g[authz.PermPeopleRead],
	}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(c, status, "siuss_list.html", p)
	return nil
}

// siussShow is a flow's page: its data, INPS's outcome, its XML, and for a
// rejected flow what to fix and "Invia di nuovo". One siuss.flow_viewed
// audit event.
func (s *Server) siussShow(c *gin.Context) error {
	p := s.formPage(c, "siuss.flow")
	if d := c.Query("done"); d == "resent" {
		p.Flash = p.T("siuss.done.resent")
	}
	return s.renderSIUSSFlow(c, p, http.StatusOK, nil)
}

// siussMissingRow is one datum INPS requires that is missing.
type siussMissingRow struct{ Label, Message string }

// siussMissingRows names each missing field in the page's language.
func siussMissingRows(p Page, fe []derrors.FieldError) []siussMissingRow {
	rows := make([]siussMissingRow, 0, len(fe))
	for _, f := range fe {
		label, key := f.Field, "siuss.field."+f.Field
		if after, ok := strings.CutPrefix(f.Field, "assessment.sinba."); ok && !catalog.Has(p.Locale, key) {
			label = p.T("siuss.field.assessment.sinba") + " — " + after
		} else if catalog.Has(p.Locale, key) {
			label = p.T(key)
		}
		rows = append(rows, siussMissingRow{Label: label, Message: p.Sentence(f.Message)})
	}
	return rows
}

// renderSIUSSFlow draws a flow's page; missing is what a refused resend
// lacks.
func (s *Server) renderSIUSSFlow(c *gin.Context, p Page, status int, missing []derrors.FieldError) error {
	o := s.siussOffice()
	if o == nil {
		return errNoRoute
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	f, err := o.Open(c.Request.Context(), currentTenant(c).ID, c.Param("flow"), v)
	if err != nil {
		return err
	}
	p.Title = p.T("siuss.flow") + " " + f.IDFlusso
	row := siussRowOf(p, *f, granted(c))
	p.Errors = p.sentences(p.Errors)
	p.Data = map[string]any{
		"F": f, "Row": row, "Href": siussHref(p, f.IDFlusso),
		"Rejected": f.State == siuss.StateRejected, "CanResend": f.State == siuss.StateRejected && f.SupersededBy == nil,
		"Missing": siussMissingRows(p, missing), "ShowMissing": len(missing) > 0,
	}
	if f.Outcome != nil {
		p.Data["Code"] = f.Outcome.Code
		if !f.Outcome.ReceivedAt.IsZero() {
			p.Data["Received"] = f.Outcome.ReceivedAt.In(rome).Format("02/01/2006 15:04:05")
		}
		if !f.Outcome.AcquiredAt.IsZero() {
			p.Data["Acquired"] = f.Outcome.AcquiredAt.In(rome).Format("02/01/2006 15:04:05")
		}
	}
	s.render(c, status, "siuss_show.html", p)
	return nil
}

// siussXML downloads a flow's XML, exactly as INPS gets it (decoded).
func (s *Server) siussXML(c *gin.Context) error {
	o := s.siussOffice()
	if o == nil {
		return errNoRoute
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	f, err := o.Open(c.Request.Context(), currentTenant(c).ID, c.Param("flow"), v)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="`+f.IDFlusso+`.xml"`)
	c.Data(http.StatusOK, "application/xml; charset=utf-8", []byte(f.XML))
	return nil
}

// siussResend sends a rejected flow again from the current data; data still
// missing are listed on the flow's page and nothing is sent.
func (s *Server) siussResend(c *gin.Context) error {
	o := s.siussOffice()
	if o == nil {
		return errNoRoute
	}
	p := s.formPage(c, "siuss.flow")
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	nf, err := o.Resend(c.Request.Context(), currentTenant(c).ID, c.Param("flow"), v)
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, siussHref(p, nf.IDFlusso)+"?done=resent")
		return nil
	case errors.Is(err, derrors.ErrInvalid) && len(derrors.Fields(err)) > 0:
		p.Errors[""] = p.T("siuss.err.missing")
		return s.renderSIUSSFlow(c, p, http.StatusUnprocessableEntity, derrors.Fields(err))
	case errors.Is(err, siuss.ErrNotRejected):
		p.Errors[""] = p.T("siuss.err.not_rejected")
		return s.renderSIUSSFlow(c, p, http.StatusConflict, nil)
	}
	return err
}

// siussInterventionBlock is the "Flussi SIUSS" section of an intervention's
// page: what INPS requires that the intervention lacks (for everyone who
// sees the page), and its flows with their states (for the administrative
// office: siuss:export). Nil when there is no SIUSS service.
func (s *Server) siussInterventionBlock(c *gin.Context, p Page, id uuid.UUID) (map[string]any, error) {
	o := s.siussOffice()
	if o == nil {
		return nil, nil
	}
	ctx, tenant := c.Request.Context(), currentTenant(c).ID
	missing, err := o.MissingFor(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"Missing": siussMissingRows(p, missing), "ShowMissing": len(missing) > 0,
		"ListHref": p.Base + "/siuss?intervention=" + id.String()}
	if !granted(c)[authz.PermSIUSSExport] {
		return out, nil
	}
	flows, err := o.List(ctx, tenant, siuss.Filter{InterventionID: id, Limit: siuss.MaxLimit})
	if err != nil {
		return nil, err
	}
	rows := make([]siussRow, 0, len(flows))
	for i := len(flows) - 1; i >= 0; i-- {
		rows = append(rows, siussRowOf(p, siuss.OfficeFlow{Flow: flows[i]}, nil))
	}
	out["Rows"], out["Office"] = rows, true
	return out, nil
}
