package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/access"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/people"
)

// referralAPIRoutes registers the referrals on the ente's API group.
func (s *Server) referralAPIRoutes(api *gin.RouterGroup) {
	write := s.require(authz.PermReferralsWrite)
	api.GET("/referrals", s.require(authz.PermAccessesRead, authz.PermReferralsWrite), s.handle(s.apiReferralList))
	api.POST("/referrals", write, s.handle(s.apiReferralSend))
	api.POST("/referrals/:id/answer", write, s.handle(s.apiReferralAnswer))
}

// apiReferralList is GET /referrals?box=incoming|outgoing.
func (s *Server) apiReferralList(c *gin.Context) error {
	box := c.DefaultQuery("box", "incoming")
	if box != "incoming" && box != "outgoing" {
		return invalidFields("parametri non validi", people.FieldError{Field: "box", Message: "indicare incoming o outgoing"})
	}
	items, err := s.opts.Accesses.Referrals(c.Request.Context(), currentTenant(c).ID, box, accessViewer(c))
	if err != nil {
		return err
	}
	apiItems(c, items)
	return nil
}

// sendBody is a referral a client sends from an access or a case.
type sendBody struct {
	AccessID *uuid.UUID `json:"access_id,omitempty"`
	CaseID   *uuid.UUID `json:"case_id,omitempty"`
	FromUnit *uuid.UUID `json:"from_unit,omitempty"`
	referralBody
}

// apiReferralSend is POST /referrals.
func (s *Server) apiReferralSend(c *gin.Context) error {
	var b sendBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	to, err := s.target(c.Request.Context(), &b.referralBody)
	if err != nil {
		return err
	}
	in := access.NewReferral{AccessID: b.AccessID, CaseID: b.CaseID, ReferralTo: to}
	if b.FromUnit != nil {
		in.FromUnit = *b.FromUnit
	}
	r, err := s.opts.Accesses.Send(c.Request.Context(), currentTenant(c).ID, in, accessViewer(c))
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusCreated, r)
	return nil
}

// answerBody accepts or refuses a referral received.
type answerBody struct {
	Accept *bool  `json:"accept"`
	Reason string `json:"reason"`
}

// apiReferralAnswer is POST /referrals/{id}/answer.
func (s *Server) apiReferralAnswer(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var b answerBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	b.Reason = strings.TrimSpace(b.Reason)
	var fields []people.FieldError
	if b.Accept == nil {
		fields = append(fields, people.FieldError{Field: "accept", Message: "indicare se l'invio è accolto"})
	} else if !*b.Accept && len([]rune(b.Reason)) < 3 {
		fields = append(fields, people.FieldError{Field: "reason", Message: "indicare il motivo del rifiuto"})
	}
	if len(fields) > 0 {
		return invalidFields("dati non validi", fields...)
	}
	r, err := s.opts.Accesses.Answer(c.Request.Context(), currentTenant(c).ID, id, *b.Accept, b.Reason, accessViewer(c))
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusOK, r)
	return nil
}
