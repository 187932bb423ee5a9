package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/agenda"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
)

// appointmentAPIRoutes registers /appointments on the ente's API group
// (after the bearer middleware): internal/web/openapi/appointments.yaml
// describes it. An API client is not an operator: it names the agenda
// (operator_id) of what it writes, and with agenda:use manages any agenda of
// the ente.
func (s *Server) appointmentAPIRoutes(api *gin.RouterGroup) {
	use := s.require(authz.PermAgendaUse)
	api.GET("/appointments", use, s.handle(s.apiAppointmentList))
	api.POST("/appointments", use, s.handle(s.apiAppointmentCreate))
	api.GET("/appointments/:id", use, s.handle(s.apiAppointmentGet))
	api.PATCH("/appointments/:id", use, s.handle(s.apiAppointmentPatch))
}

// appointmentBody is an appointment as a client sends it: times as text so
// that a bad one is an error of its field; person_id and case_id may be null
// in a PATCH to remove them.
type appointmentBody struct {
	OperatorID   *uuid.UUID `json:"operator_id"`
	PersonID     optionalID `json:"person_id"`
	CaseID       optionalID `json:"case_id"`
	StartsAt     *string    `json:"starts_at"`
	EndsAt       *string    `json:"ends_at"`
	PlaceKind    *string    `json:"place_kind"`
	Place        *string    `json:"place"`
	Title        *string    `json:"title"`
	Notes        *string    `json:"notes"`
	Outcome      *string    `json:"outcome"`
	OutcomeNotes *string    `json:"outcome_notes"`
}

// optionalID is an id that may be absent (Set false), null or given.
type optionalID struct {
	Set bool
	ID  *uuid.UUID
}

// UnmarshalJSON reads null or an id.
func (o *optionalID) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(b, []byte("null")) {
		o.ID = nil
		return nil
	}
	var id uuid.UUID
	if err := json.Unmarshal(b, &id); err != nil {
		return err
	}
	o.ID = &id
	return nil
}

// apply lays the body's fields over in; times that do not parse are field
// errors.
func (b appointmentBody) apply(in *agenda.Input) []derrors.FieldError {
	var fe []derrors.FieldError
	if b.OperatorID != nil {
		in.OperatorID = *b.OperatorID
	}
	if b.PersonID.Set {
		in.PersonID = b.PersonID.ID
	}
	if b.CaseID.Set {
		in.CaseID = b.CaseID.ID
	}
	for _, t := range []struct {
		name string
		v    *string
		into *time.Time
	}{{"starts_at", b.StartsAt, &in.StartsAt}, {"ends_at", b.EndsAt, &in.EndsAt}} {
		if t.v == nil {
			continue
		}
		v, err := time.Parse(time.RFC3339, *t.v)
		if err != nil {
			fe = append(fe, derrors.FieldError{Field: t.name, Message: "data non valida: usare il formato RFC 3339 (2026-11-24T09:30:00+01:00)"})
			continue
		}
		*t.into = v
	}
	for _, f := range []struct {
		v    *string
		into *string
	}{{b.PlaceKind, &in.PlaceKind}, {b.Place, &in.Place}, {b.Title, &in.Title}, {b.Notes, &in.Notes}} {
		if f.v != nil {
			*f.into = *f.v
		}
	}
	return fe
}

// apiAppointmentList is GET /appointments?from=&to=[&operator_id=].
func (s *Server) apiAppointmentList(c *gin.Context) error {
	var f agenda.Filter
	var fe []derrors.FieldError
	for _, q := range []struct {
		name string
		into *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		v, err := apiTime(c.Query(q.name))
		if err != nil {
			fe = append(fe, derrors.FieldError{Field: q.name, Message: "indicare una data (2026-11-23) o un istante RFC 3339"})
		}
		*q.into = v
	}
	if q := c.Query("operator_id"); q != "" {
		id, err := uuid.Parse(q)
		if err != nil {
			fe = append(fe, derrors.FieldError{Field: "operator_id", Message: "operatore non trovato"})
		}
		f.OperatorID = &id
	}
	if len(fe) > 0 {
		return apiInvalid(fe...)
	}
	v, err := s.agendaViewer(c)
	if err != nil {
		return err
	}
	as, err := s.opts.Agenda.List(c.Request.Context(), currentTenant(c).ID, f, v)
	if err != nil {
		return apiError(err)
	}
	apiItems(c, as)
	return nil
}

// apiTime reads a day (midnight in Rome) or an RFC 3339 instant.
func apiTime(s string) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", s, agenda.Rome); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// apiAppointmentCreate is POST /appointments.
func (s *Server) apiAppointmentCreate(c *gin.Context) error {
	var b appointmentBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	var in agenda.Input
	fe := b.apply(&in)
	if b.Outcome != nil || b.OutcomeNotes != nil {
		fe = append(fe, derrors.FieldError{Field: "outcome", Message: "l'esito si registra dopo l'appuntamento"})
	}
	if len(fe) > 0 {
		return apiInvalid(fe...)
	}
	v, err := s.agendaViewer(c)
	if err != nil {
		return err
	}
	a, err := s.opts.Agenda.Create(c.Request.Context(), currentTenant(c).ID, in, v)
	if err != nil {
		return apiError(err)
	}
	c.Header("Location", basePath(c)+"/api/v1/appointments/"+a.ID.String())
	c.JSON(http.StatusCreated, a)
	return nil
}

// apiAppointmentGet is GET /appointments/{id}.
func (s *Server) apiAppointmentGet(c *gin.Context) error {
	a, err := s.agendaOf(c)
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusOK, a)
	return nil
}

// apiAppointmentPatch is PATCH /appointments/{id}: the fields given change
// (the appointment is checked whole), then the outcome, if given, is
// recorded.
func (s *Server) apiAppointmentPatch(c *gin.Context) error {
	var b appointmentBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	a, err := s.agendaOf(c)
	if err != nil {
		return apiError(err)
	}
	in := agenda.Input{OperatorID: a.OperatorID, PersonID: a.PersonID, CaseID: a.CaseID, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
		PlaceKind: a.PlaceKind, Place: a.Place, Title: a.Title, Notes: a.Notes}
	if fe := b.apply(&in); len(fe) > 0 {
		return apiInvalid(fe...)
	}
	if b.OutcomeNotes != nil && b.Outcome == nil {
		return apiInvalid(derrors.FieldError{Field: "outcome", Message: "scegliere l'esito"})
	}
	v, err := s.agendaViewer(c)
	if err != nil {
		return err
	}
	ctx, tenant := c.Request.Context(), currentTenant(c).ID
	changed := b.OperatorID != nil || b.PersonID.Set || b.CaseID.Set || b.StartsAt != nil || b.EndsAt != nil ||
		b.PlaceKind != nil || b.Place != nil || b.Title != nil || b.Notes != nil
	if changed {
		if a, err = s.opts.Agenda.Update(ctx, tenant, a.ID, in, v); err != nil {
			return apiError(err)
		}
	}
	if b.Outcome != nil {
		o := agenda.Outcome{Outcome: *b.Outcome}
		if b.OutcomeNotes != nil {
			o.Notes = *b.OutcomeNotes
		}
		if a, err = s.opts.Agenda.SetOutcome(ctx, tenant, a.ID, o, v); err != nil {
			return apiError(err)
		}
	}
	c.JSON(http.StatusOK, a)
	return nil
}

// apiInvalid is a 422 problem listing fields.
func apiInvalid(fe ...derrors.FieldError) error { return apiError(&derrors.Invalid{Fields: fe}) }
