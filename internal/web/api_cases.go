package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/people"
)

// caseAPIRoutes registers the cases resource on the ente's API group (after
// the bearer middleware): internal/web/openapi/cases.yaml describes it.
func (s *Server) caseAPIRoutes(api *gin.RouterGroup) {
	know := s.require(authz.PermCasesExists, authz.PermCasesReadOwn, authz.PermCasesReadUnit, authz.PermCasesReadAll)
	write := s.require(authz.PermCasesWrite)
	api.GET("/cases", know, s.handle(s.apiCaseList))
	api.POST("/cases", write, s.handle(s.apiCaseOpen))
	api.GET("/cases/:id", know, s.handle(s.apiCaseGet))
	api.POST("/cases/:id/transitions", write, s.handle(s.apiCaseTransition))
	api.POST("/cases/:id/assignment", s.require(authz.PermCasesAssign), s.handle(s.apiCaseAssign))
	api.GET("/cases/:id/team", know, s.handle(s.apiCaseTeam))
	api.POST("/cases/:id/team", write, s.handle(s.apiCaseTeamChange))
	api.GET("/cases/:id/trail", s.require(authz.PermAuditRead), s.handle(s.apiCaseTrail))
}

// apiCaseID is the :id of a case path; a malformed one is 404.
func apiCaseID(c *gin.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, casefile.ErrCaseNotFound
	}
	return id, nil
}

// apiCaseList is GET /cases: the cases the client reads, filtered; with
// person_id also those it may only know of (content false).
func (s *Server) apiCaseList(c *gin.Context) error {
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	f := casefile.Filter{State: c.Query("state"), Mine: c.Query("mine") == "true", Unassigned: c.Query("unassigned") == "true"}
	var bad []people.FieldError
	for name, into := range map[string]*uuid.UUID{"person_id": &f.PersonID, "responsible_id": &f.Responsible} {
		if q := c.Query(name); q != "" {
			if *into, err = uuid.Parse(q); err != nil {
				bad = append(bad, people.FieldError{Field: name, Message: "identificativo non valido"})
			}
		}
	}
	if q := c.Query("unit_id"); q != "" {
		u, err := uuid.Parse(q)
		if err != nil {
			bad = append(bad, people.FieldError{Field: "unit_id", Message: "identificativo non valido"})
		}
		f.UnitIDs = []uuid.UUID{u}
	}
	if q := c.Query("limit"); q != "" {
		if f.Limit, err = strconv.Atoi(q); err != nil || f.Limit < 1 || f.Limit > casefile.MaxList {
			bad = append(bad, people.FieldError{Field: "limit", Message: fmt.Sprintf("il limite va da 1 a %d", casefile.MaxList)})
		}
	}
	if len(bad) > 0 {
		return invalidFields("parametri non validi", bad...)
	}
	ls, err := s.opts.Cases.List(c.Request.Context(), currentTenant(c).ID, f, v)
	if err != nil {
		return apiError(err)
	}
	apiItems(c, ls)
	return nil
}

// apiCaseOpen is POST /cases: a case opened directly.
func (s *Server) apiCaseOpen(c *gin.Context) error {
	var in casefile.OpenInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	cs, err := s.opts.Cases.Open(c.Request.Context(), currentTenant(c).ID, in, v)
	if err != nil {
		return apiError(err)
	}
	c.Header("Location", basePath(c)+"/api/v1/cases/"+cs.ID.String())
	c.JSON(http.StatusCreated, cs)
	return nil
}

// apiCaseGet is GET /cases/{id}: the case as the client may see it, its
// access, and with content its team and history (one case.viewed event).
func (s *Server) apiCaseGet(c *gin.Context) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	view, err := s.opts.Cases.Get(c.Request.Context(), currentTenant(c).ID, id, v, "api")
	if err != nil {
		return apiError(err)
	}
	if view.Team == nil {
		view.Team = []casefile.Member{}
	}
	if view.Events == nil {
		view.Events = []casefile.Event{}
	}
	c.JSON(http.StatusOK, view)
	return nil
}

// apiCaseTransition is POST /cases/{id}/transitions {"to", "reason"}.
func (s *Server) apiCaseTransition(c *gin.Context) error {
	var body struct {
		To     string `json:"to"`
		Reason string `json:"reason"`
	}
	return s.apiCaseChange(c, &body, func(id uuid.UUID, v casefile.Viewer) (*casefile.Case, error) {
		if body.To == "" {
			return nil, &casefile.ValidationError{Fields: []casefile.FieldError{{Field: "to", Message: "indicare lo stato di arrivo"}}}
		}
		return s.opts.Cases.Transition(c.Request.Context(), currentTenant(c).ID, id, body.To, body.Reason, v)
	})
}

// apiCaseAssign is POST /cases/{id}/assignment {"responsible_id"}.
func (s *Server) apiCaseAssign(c *gin.Context) error {
	var body struct {
		ResponsibleID uuid.UUID `json:"responsible_id"`
	}
	return s.apiCaseChange(c, &body, func(id uuid.UUID, v casefile.Viewer) (*casefile.Case, error) {
		return s.opts.Cases.Assign(c.Request.Context(), currentTenant(c).ID, id, body.ResponsibleID, v)
	})
}

// apiCaseTeamChange is POST /cases/{id}/team {"operator_id", "role"}, or
// {"operator_id", "removed": true} to take someone off the team.
func (s *Server) apiCaseTeamChange(c *gin.Context) error {
	var body struct {
		OperatorID uuid.UUID `json:"operator_id"`
		Role       string    `json:"role"`
		Removed    bool      `json:"removed"`
	}
	return s.apiCaseChange(c, &body, func(id uuid.UUID, v casefile.Viewer) (*casefile.Case, error) {
		if body.Removed {
			return s.opts.Cases.RemoveMember(c.Request.Context(), currentTenant(c).ID, id, body.OperatorID, v)
		}
		return s.opts.Cases.AddMember(c.Request.Context(), currentTenant(c).ID, id, body.OperatorID, body.Role, v)
	})
}

// apiCaseChange decodes the body into body, runs change and answers the case
// after it.
func (s *Server) apiCaseChange(c *gin.Context, body any, change func(id uuid.UUID, v casefile.Viewer) (*casefile.Case, error)) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	if err := decodeJSON(c, body); err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	cs, err := change(id, v)
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusOK, cs)
	return nil
}

// apiCaseTeam is GET /cases/{id}/team: the team, current and past.
func (s *Server) apiCaseTeam(c *gin.Context) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	view, err := s.opts.Cases.Get(c.Request.Context(), currentTenant(c).ID, id, v, "api")
	if err != nil {
		return apiError(err)
	}
	if !view.Access.Content {
		return apiError(casefile.ErrNoContent)
	}
	apiItems(c, view.Team)
	return nil
}

// apiCaseTrail is GET /cases/{id}/trail: who looked at and changed the case
// (audit:read).
func (s *Server) apiCaseTrail(c *gin.Context) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	limit := 100
	if q := c.Query("limit"); q != "" {
		if limit, err = strconv.Atoi(q); err != nil || limit < 1 || limit > 1000 {
			return invalidFields("parametri non validi", people.FieldError{Field: "limit", Message: "il limite va da 1 a 1000"})
		}
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	recs, err := s.opts.Cases.Trail(c.Request.Context(), currentTenant(c).ID, id, v, limit)
	if err != nil {
		return apiError(err)
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
