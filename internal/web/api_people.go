package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// maxAPIBodyBytes bounds a JSON request body of the API.
const maxAPIBodyBytes = 256 << 10

// personAPIRoutes registers the people resource on the ente's API group
// (after the bearer middleware): internal/web/openapi/people.yaml describes it.
func (s *Server) personAPIRoutes(api *gin.RouterGroup) {
	read, write := s.require(authz.PermPeopleRead), s.require(authz.PermPeopleWrite)
	api.GET("/people", read, s.handle(s.apiPersonSearch))
	api.POST("/people", write, s.handle(s.apiPersonCreate))
	api.GET("/people/:id", read, s.handle(s.apiPersonGet))
	api.PUT("/people/:id", write, s.handle(s.apiPersonUpdate))
	api.POST("/people/:id/merge", write, s.handle(s.apiPersonMerge))
	api.GET("/people/:id/versions", read, s.handle(s.apiPersonVersions))
	api.GET("/people/:id/trail", s.require(authz.PermAuditRead), s.handle(s.apiPersonTrail))
}

// personBody is a person as a client sends it: the domain's input with the
// birth date as text (so that a bad one is an error of its field) and the
// confirmation of probable duplicates.
type personBody struct {
	people.Input
	BirthDate string `json:"birth_date"`
	Force     bool   `json:"force"`
}

// invalidFields is a 422 problem listing fields.
func invalidFields(detail string, fields ...people.FieldError) error {
	return &problemError{kind: derrors.ErrInvalid, detail: detail, ext: map[string]any{"errors": fields}}
}

// decodeJSON reads the request's JSON body into v, refusing unknown fields:
// a body that cannot be read is 422 with the offending field when known.
func decodeJSON(c *gin.Context, v any) error {
	if mt, _, err := mime.ParseMediaType(c.ContentType()); err != nil || mt != "application/json" {
		return invalidFields("il corpo della richiesta deve essere application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxAPIBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		return invalidFields("dati non validi", people.FieldError{Field: te.Field, Message: "tipo di valore non valido"})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalidFields("dati non validi", people.FieldError{Field: name, Message: "campo sconosciuto"})
	case errors.Is(err, io.EOF):
		return invalidFields("il corpo della richiesta è vuoto")
	}
	return invalidFields("il corpo della richiesta non è JSON valido")
}

// input is the domain's input of b; a birth date that is not YYYY-MM-DD is a
// field error.
func (b personBody) input() (people.Input, error) {
	in := b.Input
	if b.BirthDate != "" {
		d, err := people.ParseDate(b.BirthDate)
		if err != nil {
			return in, invalidFields("dati non validi", people.FieldError{Field: "birth_date", Message: "data non valida: scrivila come AAAA-MM-GG"})
		}
		in.BirthDate = d
	}
	return in, nil
}

// personAPIError turns the registry's refusals into problems with a detail
// for the client; field errors travel in "errors".
func personAPIError(err error) error {
	var ve *people.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ve):
		detail := "dati non validi"
		if ve.Confirmable {
			detail = "i dati non corrispondono al codice fiscale: se sono corretti, invia di nuovo la richiesta con accept_mismatch"
		}
		return &problemError{kind: derrors.ErrInvalid, detail: detail, ext: problemExtensions(err)}
	case errors.Is(err, derrors.ErrConflict):
		return &problemError{kind: derrors.ErrConflict, detail: domainMessage(err, derrors.ErrConflict)}
	case errors.Is(err, derrors.ErrInvalid):
		return &problemError{kind: derrors.ErrInvalid, detail: domainMessage(err, derrors.ErrInvalid)}
	}
	return err
}

// apiPersonSearch is GET /people?q=&birth_year=&limit=.
func (s *Server) apiPersonSearch(c *gin.Context) error {
	q := strings.TrimSpace(c.Query("q"))
	var fields []people.FieldError
	if q == "" {
		fields = append(fields, people.FieldError{Field: "q", Message: "indica il codice fiscale, una sua parte o il nome"})
	}
	year, ok := parseBirthYear(c.Query("birth_year"))
	if !ok {
		fields = append(fields, people.FieldError{Field: "birth_year", Message: fmt.Sprintf("l'anno di nascita va da 1880 a %d", time.Now().Year())})
	}
	limit := 0
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > people.MaxLimit {
			fields = append(fields, people.FieldError{Field: "limit", Message: fmt.Sprintf("il limite va da 1 a %d", people.MaxLimit)})
		}
		limit = n
	}
	if len(fields) > 0 {
		return invalidFields("parametri di ricerca non validi", fields...)
	}
	hits, err := s.opts.People.Find(c.Request.Context(), currentTenant(c).ID,
		people.Query{Text: q, BirthYear: year, Limit: limit}, personActor(c))
	if err != nil {
		return err
	}
	apiItems(c, hits)
	return nil
}

// apiPersonCreate is POST /people.
func (s *Server) apiPersonCreate(c *gin.Context) error {
	var b personBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	in, err := b.input()
	if err != nil {
		return err
	}
	per, candidates, err := s.opts.People.Create(c.Request.Context(), currentTenant(c).ID, in, personActor(c), b.Force)
	if err != nil {
		return personAPIError(err)
	}
	if len(candidates) > 0 {
		return &problemError{kind: derrors.ErrConflict,
			detail: "esistono probabili duplicati: se è un'altra persona, invia di nuovo la richiesta con force",
			ext:    map[string]any{"candidates": candidates}}
	}
	c.Header("Location", basePath(c)+"/api/v1/people/"+per.ID.String())
	c.JSON(http.StatusCreated, per)
	return nil
}

// apiPathID is the :id of an API path; a malformed one is 404.
func apiPathID(c *gin.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, fmt.Errorf("%w: persona non trovata", derrors.ErrNotFound)
	}
	return id, nil
}

// apiPersonGet is GET /people/{id}.
func (s *Server) apiPersonGet(c *gin.Context) error {
	id, err := apiPathID(c)
	if err != nil {
		return err
	}
	per, _, err := s.opts.People.View(c.Request.Context(), currentTenant(c).ID, id, personActor(c), "api")
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, per)
	return nil
}

// apiPersonUpdate is PUT /people/{id}.
func (s *Server) apiPersonUpdate(c *gin.Context) error {
	id, err := apiPathID(c)
	if err != nil {
		return err
	}
	var b personBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.Force {
		return invalidFields("dati non validi", people.FieldError{Field: "force", Message: "campo sconosciuto"})
	}
	if b.Version < 1 {
		return invalidFields("dati non validi", people.FieldError{Field: "version", Message: "indica la versione della scheda su cui si basa la modifica"})
	}
	in, err := b.input()
	if err != nil {
		return err
	}
	per, err := s.opts.People.Update(c.Request.Context(), currentTenant(c).ID, id, in, personActor(c))
	if err != nil {
		return personAPIError(err)
	}
	c.JSON(http.StatusOK, per)
	return nil
}

// apiPersonMerge is POST /people/{id}/merge {"drop": id}.
func (s *Server) apiPersonMerge(c *gin.Context) error {
	id, err := apiPathID(c)
	if err != nil {
		return err
	}
	var b struct {
		Drop string `json:"drop"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	drop, err := uuid.Parse(b.Drop)
	if err != nil {
		return invalidFields("dati non validi", people.FieldError{Field: "drop", Message: "indica l'id della scheda da unificare con questa"})
	}
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	if err := s.opts.People.Merge(ctx, tenant, id, drop, personActor(c)); err != nil {
		return personAPIError(err)
	}
	per, _, err := s.opts.People.View(ctx, tenant, id, personActor(c), "api")
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, per)
	return nil
}

// apiPersonVersions is GET /people/{id}/versions.
func (s *Server) apiPersonVersions(c *gin.Context) error {
	id, err := apiPathID(c)
	if err != nil {
		return err
	}
	_, vs, err := s.opts.People.View(c.Request.Context(), currentTenant(c).ID, id, personActor(c), "api.versions")
	if err != nil {
		return err
	}
	apiItems(c, vs)
	return nil
}

// auditEventJSON is an audit event as the API shows it.
type auditEventJSON struct {
	Seq     int64          `json:"seq"`
	At      time.Time      `json:"at"`
	Action  string         `json:"action"`
	ActorID *uuid.UUID     `json:"actor_id,omitempty"`
	Actor   string         `json:"actor,omitempty"`
	IP      string         `json:"ip,omitempty"`
	Details map[string]any `json:"details,omitempty"`
}

// apiPersonTrail is GET /people/{id}/trail: who looked at and changed the
// person.
func (s *Server) apiPersonTrail(c *gin.Context) error {
	id, err := apiPathID(c)
	if err != nil {
		return err
	}
	limit := 100
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			return invalidFields("parametri non validi", people.FieldError{Field: "limit", Message: "il limite va da 1 a 1000"})
		}
	}
	recs, err := s.opts.People.Trail(c.Request.Context(), currentTenant(c).ID, id, limit)
	if err != nil {
		return err
	}
	items := make([]auditEventJSON, 0, len(recs))
	for _, r := range recs {
		e := auditEventJSON{Seq: r.Seq, At: r.At, Action: r.Action, Actor: r.Actor, IP: r.IP, Details: r.Details}
		if r.ActorID != uuid.Nil {
			e.ActorID = &r.ActorID
		}
		items = append(items, e)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
	return nil
}
