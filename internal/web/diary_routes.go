package web

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/diary"
)

// Diary is what the web layer needs of the case diaries (diary.Service
// implements it). Who may read and write is decided there, from the Viewer;
// every read and change writes the access trail.
type Diary interface {
	List(ctx context.Context, tenant, caseID uuid.UUID, v casefile.Viewer) ([]diary.Entry, error)
	Entry(ctx context.Context, tenant, caseID, id uuid.UUID, v casefile.Viewer) (*diary.Entry, []diary.Revision, error)
	Add(ctx context.Context, tenant, caseID uuid.UUID, in diary.NewEntry, v casefile.Viewer) (*diary.Entry, error)
	Correct(ctx context.Context, tenant, caseID, id uuid.UUID, in diary.Correction, v casefile.Viewer) (*diary.Entry, error)
}

// diaryRoutes registers a case's diary pages on the ente's UI group.
func (s *Server) diaryRoutes(ui *gin.RouterGroup) {
	g := ui.Group("/cases/:id/diary", s.requireLogin())
	read, write := s.require(authz.PermDiaryRead), s.require(authz.PermDiaryWrite)
	g.GET("", read, s.handle(s.diaryList))
	g.POST("", write, s.handle(s.diaryAdd))
	g.GET("/:entry", read, s.handle(s.diaryEntry))
	g.POST("/:entry/revisions", write, s.handle(s.diaryCorrect))
}

// diaryEntryID is the :entry of the path; a malformed one is not found.
func diaryEntryID(c *gin.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("entry"))
	if err != nil {
		return uuid.Nil, diary.ErrNotFound
	}
	return id, nil
}

// diaryKindLabel names an entry's kind in the page's language.
func diaryKindLabel(p Page, kind string) string {
	return p.T("diary.kind." + kind)
}

// diaryHref is the diary page of a case.
func diaryHref(p Page, caseID uuid.UUID) string {
	return fmt.Sprintf("%s/cases/%s/diary", p.Base, caseID)
}
