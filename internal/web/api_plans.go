package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/plans"
)

// planAPIRoutes registers the plans on the ente's API group:
// internal/web/openapi/plans.yaml describes them.
func (s *Server) planAPIRoutes(api *gin.RouterGroup) {
	read, write := s.require(caseReaders...), s.require(authz.PermPlansWrite)
	api.GET("/cases/:id/plans", read, s.handle(s.apiPlanList))
	api.POST("/cases/:id/plans", write, s.handle(s.apiPlanCreate))
	api.GET("/plans", read, s.handle(s.apiPlanQuery))
	api.GET("/plans/:id", read, s.handle(s.apiPlanGet))
	api.PATCH("/plans/:id", write, s.handle(s.apiPlanPatch))
	api.POST("/plans/:id/reviews", write, s.handle(s.apiPlanReview))
}

// consentBody is a plan's consent as a client sends it.
type consentBody struct {
	By     string `json:"by"`
	On     string `json:"on"`
	Signed bool   `json:"signed"`
}

// planBody is a plan as a client creates or changes it: in a PATCH, what is
// left out stays as it is.
type planBody struct {
	ReviewMonths  *int               `json:"review_months"`
	NextReviewOn  *string            `json:"next_review_on"`
	Goals         *[]plans.GoalInput `json:"goals"`
	Beneficiaries *[]uuid.UUID       `json:"beneficiaries"`
	Consent       *consentBody       `json:"consent"`
	State         *string            `json:"state"`
	CloseReason   string             `json:"close_reason"`
}

// reviewBody is a review as a client sends it.
type reviewBody struct {
	ReviewedOn   string               `json:"reviewed_on"`
	Notes        string               `json:"notes"`
	Outcomes     map[uuid.UUID]string `json:"outcomes"`
	NextReviewOn string               `json:"next_review_on"`
}

// dates reads the body's dates; a bad one is a 422 naming its field.
func apiDates(fields map[string]string) (map[string]people.Date, error) {
	out, errs := map[string]people.Date{}, map[string]string{}
	for name, v := range fields {
		out[name] = parseDateField(v, name, errs)
	}
	var fe []people.FieldError
	for name, m := range errs {
		fe = append(fe, people.FieldError{Field: name, Message: m})
	}
	if len(fe) > 0 {
		return nil, invalidFields("dati non validi", fe...)
	}
	return out, nil
}

// patch turns the body into a plans.Patch.
func (b planBody) patch() (plans.Patch, error) {
	in := map[string]string{}
	if b.NextReviewOn != nil {
		in["next_review_on"] = *b.NextReviewOn
	}
	if b.Consent != nil {
		in["consent.on"] = b.Consent.On
	}
	d, err := apiDates(in)
	if err != nil {
		return plans.Patch{}, err
	}
	p := plans.Patch{ReviewMonths: b.ReviewMonths, Goals: b.Goals, Beneficiaries: b.Beneficiaries, State: b.State, CloseReason: b.CloseReason}
	if b.NextReviewOn != nil {
		next := d["next_review_on"]
		p.NextReviewOn = &next
	}
	if b.Consent != nil {
		p.Consent = &plans.Consent{By: b.Consent.By, On: d["consent.on"], Signed: b.Consent.Signed}
	}
	return p, nil
}

// apiPlanList is GET /cases/{id}/plans: newest first.
func (s *Server) apiPlanList(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return s.apiPlansOf(c, id)
}

// apiPlanQuery is GET /plans?case_id=.
func (s *Server) apiPlanQuery(c *gin.Context) error {
	id, err := uuid.Parse(c.Query("case_id"))
	if err != nil {
		return invalidFields("indicare case_id", people.FieldError{Field: "case_id", Message: "indicare il caso"})
	}
	return s.apiPlansOf(c, id)
}

func (s *Server) apiPlansOf(c *gin.Context, caseID uuid.UUID) error {
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	_, ps, err := s.opts.Plans.List(c.Request.Context(), currentTenant(c).ID, caseID, v)
	if err != nil {
		return apiError(err)
	}
	apiItems(c, ps)
	return nil
}

// apiPlanGet is GET /plans/{id}.
func (s *Server) apiPlanGet(c *gin.Context) error {
	return apiByID(s, c, func(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*plans.Plan, error) {
		p, _, err := s.opts.Plans.Get(ctx, tenant, id, "", v)
		return p, err
	}, apiError)
}

// apiPlanCreate is POST /cases/{id}/plans: a draft.
func (s *Server) apiPlanCreate(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var b planBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	pt, err := b.patch()
	if err != nil {
		return err
	}
	in := plans.Input{}
	if pt.ReviewMonths != nil {
		in.ReviewMonths = *pt.ReviewMonths
	}
	if pt.NextReviewOn != nil {
		in.NextReviewOn = *pt.NextReviewOn
	}
	if pt.Goals != nil {
		in.Goals = *pt.Goals
	}
	if pt.Beneficiaries != nil {
		in.Beneficiaries = *pt.Beneficiaries
	}
	if pt.Consent != nil {
		in.Consent = *pt.Consent
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	p, err := s.opts.Plans.Create(c.Request.Context(), currentTenant(c).ID, id, in, v)
	if err != nil {
		return apiError(err)
	}
	c.Header("Location", basePath(c)+"/api/v1/plans/"+p.ID.String())
	c.JSON(http.StatusCreated, p)
	return nil
}

// apiPlanPatch is PATCH /plans/{id}.
func (s *Server) apiPlanPatch(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var b planBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	pt, err := b.patch()
	if err != nil {
		return err
	}
	return apiAsViewer(s, c, http.StatusOK, func(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) (*plans.Plan, error) {
		return s.opts.Plans.Update(ctx, tenant, id, pt, v)
	}, apiError)
}

// apiPlanReview is POST /plans/{id}/reviews.
func (s *Server) apiPlanReview(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var b reviewBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	d, err := apiDates(map[string]string{"reviewed_on": b.ReviewedOn, "next_review_on": b.NextReviewOn})
	if err != nil {
		return err
	}
	in := plans.ReviewInput{ReviewedOn: d["reviewed_on"], Notes: b.Notes, Outcomes: b.Outcomes, NextReviewOn: d["next_review_on"]}
	return apiAsViewer(s, c, http.StatusCreated, func(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) (*plans.Plan, error) {
		return s.opts.Plans.AddReview(ctx, tenant, id, in, v)
	}, apiError)
}
