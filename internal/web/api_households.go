package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/households"
	"github.com/sigess/sigess/internal/people"
)

// householdAPIRoutes registers the households resource on the ente's API
// group (after the bearer middleware): internal/web/openapi/households.yaml
// describes it. A membership is never deleted: PUT on it sets its end.
func (s *Server) householdAPIRoutes(api *gin.RouterGroup) {
	read, write := s.require(authz.PermPeopleRead), s.require(authz.PermPeopleWrite)
	api.GET("/households", read, s.handle(s.apiHouseholdList))
	api.POST("/households", write, s.handle(s.apiHouseholdCreate))
	api.GET("/households/:id", read, s.handle(s.apiHouseholdGet))
	api.PUT("/households/:id", write, s.handle(s.apiHouseholdUpdate))
	api.POST("/households/:id/members", write, s.handle(s.apiHouseholdMemberAdd))
	api.PUT("/households/:id/members/:member_id", write, s.handle(s.apiHouseholdMemberEnd))
	api.GET("/households/:id/isee", read, s.handle(s.apiHouseholdISEEList))
	api.POST("/households/:id/isee", write, s.handle(s.apiHouseholdISEECreate))
}

// apiHouseholdList is GET /households?person_id=: the person's households.
func (s *Server) apiHouseholdList(c *gin.Context) error {
	person, err := uuid.Parse(c.Query("person_id"))
	if err != nil {
		return apiError(&households.ValidationError{Fields: []households.FieldError{
			{Field: "person_id", Message: "indica l'id della persona"}}})
	}
	sums, err := s.opts.Households.List(c.Request.Context(), currentTenant(c).ID, person, householdActor(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"households": sums})
	return nil
}

// apiHouseholdCreate is POST /households.
func (s *Server) apiHouseholdCreate(c *gin.Context) error {
	var in households.NewHousehold
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	h, err := s.opts.Households.Create(c.Request.Context(), currentTenant(c).ID, in, householdActor(c))
	if err != nil {
		return apiError(err)
	}
	c.Header("Location", basePath(c)+"/api/v1/households/"+h.ID.String())
	c.JSON(http.StatusCreated, h)
	return nil
}

// apiHouseholdGet is GET /households/{id}: members and ISEE history.
func (s *Server) apiHouseholdGet(c *gin.Context) error {
	id, err := householdParam(c, "id")
	if err != nil {
		return err
	}
	h, err := s.opts.Households.Get(c.Request.Context(), currentTenant(c).ID, id, householdActor(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, h)
	return nil
}

// apiHouseholdUpdate is PUT /households/{id}: name and address.
func (s *Server) apiHouseholdUpdate(c *gin.Context) error {
	id, err := householdParam(c, "id")
	if err != nil {
		return err
	}
	var d households.Details
	if err := decodeJSON(c, &d); err != nil {
		return err
	}
	h, err := s.opts.Households.Update(c.Request.Context(), currentTenant(c).ID, id, d, householdActor(c))
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusOK, h)
	return nil
}

// apiHouseholdMemberAdd is POST /households/{id}/members.
func (s *Server) apiHouseholdMemberAdd(c *gin.Context) error {
	id, err := householdParam(c, "id")
	if err != nil {
		return err
	}
	var in households.MemberInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := s.opts.Households.AddMember(c.Request.Context(), currentTenant(c).ID, id, in, householdActor(c))
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusCreated, m)
	return nil
}

// memberEnd is the body of PUT /households/{id}/members/{member}: the day
// the person left.
type memberEnd struct {
	To people.Date `json:"to"`
}

// apiHouseholdMemberEnd is PUT /households/{id}/members/{member}: it ends
// the membership, which stays in the household's history.
func (s *Server) apiHouseholdMemberEnd(c *gin.Context) error {
	id, err := householdParam(c, "id")
	if err != nil {
		return err
	}
	member, err := householdParam(c, "member_id")
	if err != nil {
		return err
	}
	var b memberEnd
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	m, err := s.opts.Households.EndMember(c.Request.Context(), currentTenant(c).ID, id, member, b.To, householdActor(c))
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusOK, m)
	return nil
}

// apiHouseholdISEEList is GET /households/{id}/isee: the history, newest
// first.
func (s *Server) apiHouseholdISEEList(c *gin.Context) error {
	id, err := householdParam(c, "id")
	if err != nil {
		return err
	}
	rs, err := s.opts.Households.ISEEHistory(c.Request.Context(), currentTenant(c).ID, id, householdActor(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"isee": rs})
	return nil
}

// apiHouseholdISEECreate is POST /households/{id}/isee.
func (s *Server) apiHouseholdISEECreate(c *gin.Context) error {
	id, err := householdParam(c, "id")
	if err != nil {
		return err
	}
	var in households.ISEEInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r, err := s.opts.Households.RecordISEE(c.Request.Context(), currentTenant(c).ID, id, in, householdActor(c))
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusCreated, r)
	return nil
}
