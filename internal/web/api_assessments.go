package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/assessment"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/people"
)

// assessmentAPIRoutes registers the assessments on the ente's API group:
// internal/web/openapi/assessments.yaml describes them.
func (s *Server) assessmentAPIRoutes(api *gin.RouterGroup) {
	read, write := s.require(caseReaders...), s.require(authz.PermAssessmentsWrite)
	api.GET("/cases/:id/assessments", read, s.handle(s.apiAssessmentList))
	api.POST("/cases/:id/assessments", write, s.handle(s.apiAssessmentCreate))
	api.GET("/assessments", read, s.handle(s.apiAssessmentQuery))
	api.GET("/assessments/:id", read, s.handle(s.apiAssessmentGet))
}

// assessmentBody is an assessment as a client sends it, the date as text so
// that a bad one is an error of its field.
type assessmentBody struct {
	AssessedOn string            `json:"assessed_on"`
	SINA       assessment.SINA   `json:"sina"`
	SINBA      *assessment.SINBA `json:"sinba"`
	Notes      string            `json:"notes"`
}

// apiAssessmentList is GET /cases/{id}/assessments: latest first.
func (s *Server) apiAssessmentList(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return s.apiAssessmentsOf(c, id)
}

// apiAssessmentQuery is GET /assessments?case_id=.
func (s *Server) apiAssessmentQuery(c *gin.Context) error {
	id, err := uuid.Parse(c.Query("case_id"))
	if err != nil {
		return invalidFields("indicare case_id", people.FieldError{Field: "case_id", Message: "indicare il caso"})
	}
	return s.apiAssessmentsOf(c, id)
}

func (s *Server) apiAssessmentsOf(c *gin.Context, caseID uuid.UUID) error {
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	_, as, err := s.opts.Assessments.List(c.Request.Context(), currentTenant(c).ID, caseID, v)
	if err != nil {
		return apiError(err)
	}
	apiItems(c, as)
	return nil
}

// apiAssessmentGet is GET /assessments/{id}.
func (s *Server) apiAssessmentGet(c *gin.Context) error {
	return apiByID(s, c, s.opts.Assessments.Get, apiError)
}

// apiAssessmentCreate is POST /cases/{id}/assessments.
func (s *Server) apiAssessmentCreate(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var b assessmentBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	errs := map[string]string{}
	in := assessment.Input{AssessedOn: parseDateField(b.AssessedOn, "assessed_on", errs), SINA: b.SINA, SINBA: b.SINBA, Notes: b.Notes}
	if m, ok := errs["assessed_on"]; ok {
		return invalidFields("dati non validi", people.FieldError{Field: "assessed_on", Message: m})
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	a, err := s.opts.Assessments.Create(c.Request.Context(), currentTenant(c).ID, id, in, v)
	if err != nil {
		return apiError(err)
	}
	c.Header("Location", basePath(c)+"/api/v1/assessments/"+a.ID.String())
	c.JSON(http.StatusCreated, a)
	return nil
}
