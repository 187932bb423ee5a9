package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/access"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// accessAPIRoutes registers the accesses and referrals on the ente's API
// group (after the bearer middleware): internal/web/openapi/accesses.yaml
// describes them.
func (s *Server) accessAPIRoutes(api *gin.RouterGroup) {
	read, write := s.require(authz.PermAccessesRead), s.require(authz.PermAccessesWrite)
	api.GET("/accesses", read, s.handle(s.apiAccessList))
	api.POST("/accesses", write, s.handle(s.apiAccessCreate))
	api.GET("/accesses/:id", read, s.handle(s.apiAccessGet))
	api.POST("/accesses/:id/state", write, s.handle(s.apiAccessState))
	s.referralAPIRoutes(api)
}

// accessBody is an access as a client sends it: the domain's input, with
// the ente a referral goes to named by its slug.
type accessBody struct {
	UnitID              uuid.UUID      `json:"unit_id"`
	OccurredAt          *time.Time     `json:"occurred_at,omitempty"`
	Channel             string         `json:"channel"`
	Interlocutor        string         `json:"interlocutor"`
	InterlocutorName    string         `json:"interlocutor_name"`
	InterlocutorContact string         `json:"interlocutor_contact"`
	Reason              string         `json:"reason"`
	SentBy              string         `json:"sent_by"`
	PersonID            uuid.UUID      `json:"person_id"`
	Consent             access.Consent `json:"consent"`
	ReferenceName       string         `json:"reference_name"`
	ReferenceRelation   string         `json:"reference_relationship"`
	ReferenceContact    string         `json:"reference_contact"`
	Needs               []string       `json:"needs"`
	Services            []string       `json:"services"`
	Outcome             string         `json:"outcome"`
	OutcomeNotes        string         `json:"outcome_notes"`
	ProposalUnit        *uuid.UUID     `json:"proposal_unit,omitempty"`
	ProposalArea        string         `json:"proposal_area,omitempty"`
	Referral            *referralBody  `json:"referral,omitempty"`
}

// referralBody is where a referral goes, as a client sends it.
type referralBody struct {
	Kind          string     `json:"target_kind"`
	UnitID        *uuid.UUID `json:"target_unit,omitempty"`
	Ente          string     `json:"target_ente,omitempty"` // the ente's slug
	HealthService string     `json:"health_service,omitempty"`
	Reason        string     `json:"reason"`
}

// target is the domain's ReferralTo of b; an ente slug that names no active
// ente is an error of the field target_ente.
func (s *Server) target(ctx context.Context, b *referralBody) (access.ReferralTo, error) {
	if b == nil {
		return access.ReferralTo{}, nil
	}
	r := access.ReferralTo{Kind: b.Kind, UnitID: b.UnitID, HealthService: b.HealthService, Reason: b.Reason}
	if slug := strings.ToLower(strings.TrimSpace(b.Ente)); slug != "" {
		t, err := s.opts.Tenants.Resolve(ctx, slug)
		if errors.Is(err, derrors.ErrNotFound) {
			return r, invalidFields("dati non validi", people.FieldError{Field: "target_ente", Message: "ente non trovato"})
		} else if err != nil {
			return r, err
		}
		r.TenantID = &t.ID
	}
	return r, nil
}

// apiAccessList is GET /accesses?state=&mine=.
func (s *Server) apiAccessList(c *gin.Context) error {
	f := access.Filter{State: c.Query("state"), Mine: c.Query("mine") == "true"}
	items, err := s.opts.Accesses.List(c.Request.Context(), currentTenant(c).ID, f, accessViewer(c))
	if err != nil {
		return apiError(err)
	}
	apiItems(c, items)
	return nil
}

// apiAccessCreate is POST /accesses: a whole access at once.
func (s *Server) apiAccessCreate(c *gin.Context) error {
	var b accessBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	ref, err := s.target(c.Request.Context(), b.Referral)
	if err != nil {
		return err
	}
	in := access.Input{UnitID: b.UnitID, Channel: b.Channel, Interlocutor: b.Interlocutor, InterlocutorName: b.InterlocutorName,
		InterlocutorContact: b.InterlocutorContact, Reason: b.Reason, SentBy: b.SentBy, PersonID: b.PersonID, Consent: b.Consent,
		ReferenceName: b.ReferenceName, ReferenceRelationship: b.ReferenceRelation, ReferenceContact: b.ReferenceContact,
		Needs: b.Needs, Services: b.Services, Outcome: b.Outcome, OutcomeNotes: b.OutcomeNotes, ProposalUnit: b.ProposalUnit,
		ProposalArea: b.ProposalArea, Referral: ref}
	if b.OccurredAt != nil {
		in.OccurredAt = *b.OccurredAt
	}
	a, err := s.opts.Accesses.Create(c.Request.Context(), currentTenant(c).ID, in, accessViewer(c))
	if err != nil {
		return apiError(err)
	}
	c.Header("Location", basePath(c)+"/api/v1/accesses/"+a.ID.String())
	c.JSON(http.StatusCreated, a)
	return nil
}

// apiAccessGet is GET /accesses/{id}.
func (s *Server) apiAccessGet(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a, err := s.opts.Accesses.Get(c.Request.Context(), currentTenant(c).ID, id, accessViewer(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, a)
	return nil
}

// stateBody accepts or rejects an access.
type stateBody struct {
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// apiAccessState is POST /accesses/{id}/state.
func (s *Server) apiAccessState(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var b stateBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	a, err := s.opts.Accesses.SetState(c.Request.Context(), currentTenant(c).ID, id, b.State, strings.TrimSpace(b.Reason), accessViewer(c))
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusOK, a)
	return nil
}
