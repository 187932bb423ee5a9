package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/diary"
)

// diaryRevisionRow is one revision as the entry's history shows it.
type diaryRevisionRow struct {
	N                  int
	When, Author, Text string
	Reason             string
}

// diaryEntry is one entry with its revisions, oldest first, and the form to
// correct it. Reading it is one diary.entry_viewed event.
func (s *Server) diaryEntry(c *gin.Context) error {
	p := s.formPage(c, "diary.entry")
	if c.Query("done") == "corrected" {
		p.Flash = p.T("diary.done.corrected")
	}
	return s.renderDiaryEntry(c, p, http.StatusOK)
}

// diaryCorrect adds a revision to an entry: its new text and the reason. The
// earlier text stays in the history.
func (s *Server) diaryCorrect(c *gin.Context) error {
	p := s.formPage(c, "diary.entry")
	p.Form["text"], p.Form["reason"] = c.PostForm("text"), c.PostForm("reason")
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
	in := diary.Correction{Text: p.Form["text"], Reason: p.Form["reason"]}
	if _, err := s.opts.Diary.Correct(c.Request.Context(), currentTenant(c).ID, id, entry, in, v); err != nil {
		if fieldErrors(err, p.Errors) {
			return s.renderDiaryEntry(c, p, http.StatusUnprocessableEntity)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, diaryHref(p, id)+"/"+entry.String()+"?done=corrected")
	return nil
}

// renderDiaryEntry draws an entry's page; p.Errors and p.Form carry a
// refused correction.
func (s *Server) renderDiaryEntry(c *gin.Context, p Page, status int) error {
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
		return err
	}
	if _, ok := p.Form["text"]; !ok {
		p.Form["text"] = e.Text
	}
	rows := make([]diaryRevisionRow, 0, len(revs))
	for i := len(revs) - 1; i >= 0; i-- {
		r := revs[i]
		rows = append(rows, diaryRevisionRow{N: r.Revision, When: r.CreatedAt.In(rome).Format("02/01/2006 15:04"),
			Author: r.AuthorName, Text: r.Text, Reason: r.Reason})
	}
	p.Data = map[string]any{
		"Entry": e, "Kind": diaryKindLabel(p, e.Kind), "When": e.OccurredAt.In(rome).Format("02/01/2006 15:04"),
		"Revisions": rows, "DiaryHref": diaryHref(p, id), "Action": diaryHref(p, id) + "/" + e.ID.String() + "/revisions",
		"CanWrite": granted(c)[authz.PermDiaryWrite],
	}
	s.render(c, status, "diary_entry.html", p)
	return nil
}
