package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/people"
)

// interventionAPIRoutes registers the interventions on the ente's API group
// (after the bearer middleware): internal/web/openapi/interventions.yaml
// describes them.
func (s *Server) interventionAPIRoutes(api *gin.RouterGroup) {
	read := s.require(authz.PermInterventionsRead)
	api.GET("/interventions", read, s.handle(s.apiInterventionList))
	api.POST("/interventions", s.require(authz.PermInterventionsRequest), s.handle(s.apiInterventionCreate))
	api.GET("/interventions/:id", read, s.handle(s.apiInterventionGet))
	api.PATCH("/interventions/:id", read, s.handle(s.apiInterventionPatch))
	api.POST("/interventions/:id/transitions", read, s.handle(s.apiInterventionTransition))
	api.GET("/interventions/:id/deliveries", read, s.handle(s.apiInterventionDeliveries))
	api.POST("/interventions/:id/deliveries", s.require(authz.PermInterventionsDeliver), s.handle(s.apiInterventionDeliveryAdd))
	api.POST("/interventions/:id/deliveries/:delivery/cancellation", s.require(authz.PermInterventionsDeliver), s.handle(s.apiInterventionDeliveryCancel))
}

// apiInterventionList is GET /interventions?case_id=&state=&catalog_entry_id=&unit_id=.
func (s *Server) apiInterventionList(c *gin.Context) error {
	f := interventions.Filter{State: c.Query("state")}
	for name, into := range map[string]*uuid.UUID{"case_id": &f.CaseID, "catalog_entry_id": &f.CatalogEntryID, "unit_id": &f.UnitID} {
		if q := c.Query(name); q != "" {
			id, err := uuid.Parse(q)
			if err != nil {
				return invalidFields("dati non validi", people.FieldError{Field: name, Message: "identificativo non valido"})
			}
			*into = id
		}
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	its, err := s.opts.Interventions.List(c.Request.Context(), currentTenant(c).ID, f, v)
	if err != nil {
		return apiError(err)
	}
	apiItems(c, its)
	return nil
}

// apiInterventionCreate is POST /interventions.
func (s *Server) apiInterventionCreate(c *gin.Context) error {
	var in interventions.NewIntervention
	if err := decodeInterventionJSON(c, &in); err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	it, err := s.opts.Interventions.Create(c.Request.Context(), currentTenant(c).ID, in, v)
	if err != nil {
		return apiError(err)
	}
	c.Header("Location", basePath(c)+"/api/v1/interventions/"+it.ID.String())
	c.JSON(http.StatusCreated, it)
	return nil
}

// apiInterventionGet is GET /interventions/{id}: the intervention with its
// history and what it lacks to become active.
func (s *Server) apiInterventionGet(c *gin.Context) error {
	return apiByID(s, c, s.opts.Interventions.Get, apiError)
}

// interventionPatch is a PATCH body: the version the client read, and the
// data fields it changes (the others keep their value; null clears one).
type interventionPatch struct {
	Version *int `json:"version"`
}

// apiInterventionPatch is PATCH /interventions/{id}: the body's fields are
// laid over the intervention's current data.
func (s *Server) apiInterventionPatch(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	raw, err := readJSONBody(c)
	if err != nil {
		return err
	}
	var p interventionPatch
	if err := json.Unmarshal(raw, &p); err != nil || p.Version == nil {
		return invalidFields("dati non validi", people.FieldError{Field: "version", Message: "indicare la versione letta (version)"})
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	ctx, tenant := c.Request.Context(), currentTenant(c).ID
	cur, err := s.opts.Interventions.Get(ctx, tenant, id, v)
	if err != nil {
		return apiError(err)
	}
	d := cur.Data
	if err := strictDecode(raw, &struct {
		*interventions.Data
		*interventionPatch
	}{&d, &p}); err != nil {
		return invalidFields("dati non validi", people.FieldError{Field: "body", Message: jsonProblem(err)})
	}
	it, err := s.opts.Interventions.Update(ctx, tenant, id, *p.Version, d, v)
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusOK, it)
	return nil
}

// transitionBody is a move: the target state and its reason.
type transitionBody struct {
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// apiInterventionTransition is POST /interventions/{id}/transitions: 200 with
// the intervention; 403 a move the role may not make, 409 one the state does
// not allow, 422 one the data does not support, naming what is missing.
func (s *Server) apiInterventionTransition(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var b transitionBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	return apiAsViewer(s, c, http.StatusOK, func(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) (*interventions.Intervention, error) {
		return s.opts.Interventions.Transition(ctx, tenant, id, b.To, b.Reason, v)
	}, apiError)
}

// apiInterventionDeliveries is GET /interventions/{id}/deliveries.
func (s *Server) apiInterventionDeliveries(c *gin.Context) error {
	return apiListByID(s, c, s.opts.Interventions.Deliveries)
}

// apiInterventionDeliveryAdd is POST /interventions/{id}/deliveries.
func (s *Server) apiInterventionDeliveryAdd(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in interventions.NewDelivery
	if err := decodeInterventionJSON(c, &in); err != nil {
		return err
	}
	return apiAsViewer(s, c, http.StatusCreated, func(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) (*interventions.Delivery, error) {
		return s.opts.Interventions.AddDelivery(ctx, tenant, id, in, v)
	}, apiError)
}

// apiInterventionDeliveryCancel is POST
// /interventions/{id}/deliveries/{delivery}/cancellation {"reason": "..."}.
func (s *Server) apiInterventionDeliveryCancel(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	did, err := deliveryID(c)
	if err != nil {
		return err
	}
	var b struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	return apiAsViewer(s, c, http.StatusOK, func(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) (*interventions.Delivery, error) {
		return s.opts.Interventions.CancelDelivery(ctx, tenant, id, did, b.Reason, v)
	}, apiError)
}

// maxInterventionBody is the largest JSON body the interventions accept.
const maxInterventionBody = 64 << 10

// readJSONBody reads an application/json body.
func readJSONBody(c *gin.Context) ([]byte, error) {
	if c.ContentType() != "application/json" {
		return nil, invalidFields("il corpo della richiesta deve essere application/json")
	}
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, maxInterventionBody+1))
	if err != nil || len(raw) > maxInterventionBody {
		return nil, invalidFields("il corpo della richiesta è troppo grande o illeggibile")
	}
	return raw, nil
}

// decodeInterventionJSON decodes a body into v, unknown fields refused; a
// malformed value (a date, a number) is an error naming its field.
func decodeInterventionJSON(c *gin.Context, v any) error {
	raw, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if err := strictDecode(raw, v); err != nil {
		return invalidFields("dati non validi", people.FieldError{Field: jsonField(err), Message: jsonProblem(err)})
	}
	return nil
}

func strictDecode(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// jsonField is the field a decoding error is about, "body" when unknown.
func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	return "body"
}

// jsonProblem says what is wrong with a body, for the client.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "valore non valido: atteso " + te.Type.String()
	}
	return "JSON non valido: " + err.Error()
}
