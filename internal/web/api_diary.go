package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/diary"
	"github.com/sigess/sigess/internal/people"
)

// diaryAPIRoutes registers cases/{id}/diary on the ente's API group (after
// the bearer middleware): internal/web/openapi/diary.yaml describes it.
func (s *Server) diaryAPIRoutes(api *gin.RouterGroup) {
	read, write := s.require(authz.PermDiaryRead), s.require(authz.PermDiaryWrite)
	api.GET("/cases/:id/diary", read, s.handle(s.apiDiaryList))
	api.POST("/cases/:id/diary", write, s.handle(s.apiDiaryAdd))
	api.GET("/cases/:id/diary/:entry", read, s.handle(s.apiDiaryEntry))
	api.POST("/cases/:id/diary/:entry/revisions", write, s.handle(s.apiDiaryCorrect))
}

// diaryEntryBody is an entry as a client sends it, the time as text so that
// a bad one is an error of its field.
type diaryEntryBody struct {
	Kind       string `json:"kind"`
	OccurredAt string `json:"occurred_at"`
	Reserved   bool   `json:"reserved"`
	Text       string `json:"text"`
}

// apiDiaryList is GET /cases/{id}/diary.
func (s *Server) apiDiaryList(c *gin.Context) error {
	return apiListByID(s, c, s.opts.Diary.List)
}

// apiDiaryAdd is POST /cases/{id}/diary.
func (s *Server) apiDiaryAdd(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var b diaryEntryBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	in := diary.NewEntry{Kind: b.Kind, Reserved: b.Reserved, Text: b.Text}
	if b.OccurredAt != "" {
		if in.OccurredAt, err = time.Parse(time.RFC3339, b.OccurredAt); err != nil {
			return invalidFields("dati non validi", people.FieldError{Field: "occurred_at", Message: "data non valida: usare il formato RFC 3339 (2026-01-12T10:00:00+01:00)"})
		}
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	e, err := s.opts.Diary.Add(c.Request.Context(), currentTenant(c).ID, id, in, v)
	if err != nil {
		return apiError(err)
	}
	c.Header("Location", basePath(c)+"/api/v1/cases/"+id.String()+"/diary/"+e.ID.String())
	c.JSON(http.StatusCreated, e)
	return nil
}

// diaryEntryJSON is an entry with its revisions, oldest first.
type diaryEntryJSON struct {
	*diary.Entry
	Revisions []diary.Revision `json:"revisions"`
}

// apiDiaryEntry is GET /cases/{id}/diary/{entry}.
func (s *Server) apiDiaryEntry(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	entry, err := diaryEntryID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	e, revs, err := s.opts.Diary.Entry(c.Request.Context(), currentTenant(c).ID, id, entry, v)
	if err != nil {
		return apiError(err)
	}
	c.JSON(http.StatusOK, diaryEntryJSON{Entry: e, Revisions: revs})
	return nil
}

// apiDiaryCorrect is POST /cases/{id}/diary/{entry}/revisions.
func (s *Server) apiDiaryCorrect(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	entry, err := diaryEntryID(c)
	if err != nil {
		return err
	}
	var in diary.Correction
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	return apiAsViewer(s, c, http.StatusCreated, func(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) (*diary.Entry, error) {
		return s.opts.Diary.Correct(ctx, tenant, id, entry, in, v)
	}, apiError)
}
