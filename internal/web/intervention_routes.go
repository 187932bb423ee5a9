package web

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/people"
)

// Interventions is what the web layer needs of the interventions
// (interventions.Service implements it). Who may see and move each one is
// decided there, from the Viewer; every read and change writes the trail.
type Interventions interface {
	List(ctx context.Context, tenant uuid.UUID, f interventions.Filter, v casefile.Viewer) ([]interventions.Intervention, error)
	Get(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*interventions.View, error)
	Create(ctx context.Context, tenant uuid.UUID, in interventions.NewIntervention, v casefile.Viewer) (*interventions.Intervention, error)
	Update(ctx context.Context, tenant, id uuid.UUID, version int, d interventions.Data, v casefile.Viewer) (*interventions.Intervention, error)
	Transition(ctx context.Context, tenant, id uuid.UUID, to, reason string, v casefile.Viewer) (*interventions.Intervention, error)
	Entries(ctx context.Context, tenant uuid.UUID) ([]interventions.Option, error)
	Deliveries(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) ([]interventions.Delivery, error)
	AddDelivery(ctx context.Context, tenant, id uuid.UUID, in interventions.NewDelivery, v casefile.Viewer) (*interventions.Delivery, error)
	CancelDelivery(ctx context.Context, tenant, id, delivery uuid.UUID, reason string, v casefile.Viewer) (*interventions.Delivery, error)
	ListByPlan(ctx context.Context, tenant, planID uuid.UUID, v casefile.Viewer) ([]interventions.Intervention, error)
	ActiveLoad(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) ([]interventions.Load, error)
}

// interventionRoutes registers the interventions' pages on the ente's UI
// group: the ente-wide list, an intervention's page and its actions, and the
// request form of a case.
func (s *Server) interventionRoutes(ui *gin.RouterGroup) {
	read := s.require(authz.PermInterventionsRead)
	request := s.require(authz.PermInterventionsRequest)
	deliver := s.require(authz.PermInterventionsDeliver)
	ui.GET("/interventions", s.requireLogin(), read, s.handle(s.interventionList))
	ui.GET("/interventions/:id", s.requireLogin(), read, s.handle(s.interventionShow))
	ui.POST("/interventions/:id", s.requireLogin(), read, s.handle(s.interventionEdit))
	ui.POST("/interventions/:id/transitions", s.requireLogin(), read, s.handle(s.interventionTransition))
	ui.POST("/interventions/:id/deliveries", s.requireLogin(), deliver, s.handle(s.interventionDeliveryAdd))
	ui.POST("/interventions/:id/deliveries/:delivery/cancellation", s.requireLogin(), deliver, s.handle(s.interventionDeliveryCancel))
	ui.GET("/cases/:id/interventions/new", s.requireLogin(), request, s.handle(s.interventionNew))
	ui.POST("/cases/:id/interventions", s.requireLogin(), request, s.handle(s.interventionCreate))
}

// interventionHref is an intervention's page.
func interventionHref(p Page, id uuid.UUID) string {
	return fmt.Sprintf("%s/interventions/%s", p.Base, id)
}

// deliveryID is the :delivery of the path; a malformed one is not found.
func deliveryID(c *gin.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("delivery"))
	if err != nil {
		return uuid.Nil, interventions.ErrDeliveryNotFound
	}
	return id, nil
}

// interventionFormFields are the form's inputs of an intervention's data, in
// the order the form shows them. Amounts are typed in euro: the domain's
// *_cents fields are these names without the suffix.
var interventionFormFields = []string{"application_protocol", "start_date", "end_date", "character", "monthly_amount",
	"total_amount", "period_months", "share_ente", "share_user", "share_health", "requested_amount", "monthly_hours",
	"means_test", "dsu_protocol", "dsu_year", "dsu_date", "isee_value", "taken_in_charge", "notes"}

// formField is the form's name of a domain field.
func formField(field string) string { return strings.TrimSuffix(field, "_cents") }

// interventionForm is d as the form shows it.
func interventionForm(d interventions.Data) map[string]string {
	f := map[string]string{
		"application_protocol": d.ApplicationProtocol, "start_date": formDate(d.StartDate), "end_date": formDate(d.EndDate),
		"character": d.Character, "monthly_amount": formCents(d.MonthlyAmountCents), "total_amount": formCents(d.TotalAmountCents),
		"period_months": formInt(d.PeriodMonths), "share_ente": formFloat(d.ShareEnte), "share_user": formFloat(d.ShareUser),
		"share_health": formFloat(d.ShareHealth), "requested_amount": formCents(d.RequestedAmountCents),
		"monthly_hours": formFloat(d.MonthlyHours), "means_test": d.MeansTest, "dsu_protocol": d.DSUProtocol,
		"dsu_year": formInt(d.DSUYear), "dsu_date": formDate(d.DSUDate), "isee_value": formCents(d.ISEEValueCents),
		"notes": d.Notes,
	}
	if d.TakenInCharge {
		f["taken_in_charge"] = "1"
	}
	return f
}

// interventionData reads the form's data into d, putting each unreadable
// value's error in errs under its form name.
func interventionData(p Page, c *gin.Context, errs map[string]string) interventions.Data {
	for _, f := range interventionFormFields {
		p.Form[f] = strings.TrimSpace(c.PostForm(f))
	}
	if c.PostForm("taken_in_charge") != "1" {
		p.Form["taken_in_charge"] = ""
	}
	f := p.Form
	d := interventions.Data{ApplicationProtocol: f["application_protocol"], Character: f["character"], MeansTest: f["means_test"],
		DSUProtocol: f["dsu_protocol"], Notes: f["notes"], TakenInCharge: f["taken_in_charge"] == "1"}
	date := func(name string) people.Date {
		if f[name] == "" {
			return people.Date{}
		}
		v, err := people.ParseDate(f[name])
		if err != nil {
			errs[name] = p.T("interventions.err.date")
		}
		return v
	}
	cents := func(name string) *int64 {
		v, ok := parseCents(f[name])
		if !ok {
			errs[name] = p.T("interventions.err.amount")
		}
		return v
	}
	number := func(name string) *float64 {
		v, ok := parseNumber(f[name])
		if !ok {
			errs[name] = p.T("interventions.err.number")
		}
		return v
	}
	integer := func(name string) *int {
		if f[name] == "" {
			return nil
		}
		v, err := strconv.Atoi(f[name])
		if err != nil {
			errs[name] = p.T("interventions.err.number")
			return nil
		}
		return &v
	}
	d.StartDate, d.EndDate, d.DSUDate = date("start_date"), date("end_date"), date("dsu_date")
	d.MonthlyAmountCents, d.TotalAmountCents = cents("monthly_amount"), cents("total_amount")
	d.RequestedAmountCents, d.ISEEValueCents = cents("requested_amount"), cents("isee_value")
	d.ShareEnte, d.ShareUser, d.ShareHealth = number("share_ente"), number("share_user"), number("share_health")
	d.MonthlyHours = number("monthly_hours")
	d.PeriodMonths, d.DSUYear = integer("period_months"), integer("dsu_year")
	return d
}

// parseNumber reads a decimal number written the Italian way ("12,5") or
// the English way ("12.5"); "" is nil.
func parseNumber(s string) (*float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	if strings.Contains(s, ",") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, false
	}
	return &v, true
}

// parseCents reads an amount in euro ("1.234,50", "1234.5", "€ 80") as
// cents; "" is nil.
func parseCents(s string) (*int64, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	v, ok := parseNumber(s)
	if !ok || v == nil {
		return nil, ok
	}
	if math.Abs(*v) > 1e12 {
		return nil, false
	}
	c := int64(math.Round(*v * 100))
	return &c, true
}

func formDate(d people.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func formCents(c *int64) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("%d,%02d", *c/100, abs64(*c%100))
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func formFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return strings.ReplaceAll(strconv.FormatFloat(*f, 'f', -1, 64), ".", ",")
}

func formInt(i *int) string {
	if i == nil {
		return ""
	}
	return strconv.Itoa(*i)
}

// showDate is a date as pages show it, "" when unset.
func showDate(d people.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("02/01/2006")
}

// showCents is an amount as pages show it, "" when unset.
func showCents(c *int64) string {
	if c == nil {
		return ""
	}
	return interventions.Euro(*c)
}

// interventionStateBadge is the Bootstrap Italia badge class of a state.
func interventionStateBadge(state string) string {
	switch state {
	case interventions.StateActive:
		return "bg-success"
	case interventions.StateRequested, interventions.StateApproved, interventions.StateRanked:
		return "bg-primary"
	case interventions.StateSuspended:
		return "bg-warning text-dark"
	case interventions.StateRefused:
		return "bg-danger"
	}
	return "bg-secondary"
}
