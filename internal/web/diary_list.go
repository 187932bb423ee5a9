package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/diary"
)

// diaryRow is one entry as the diary page lists it.
type diaryRow struct {
	Href, Kind, When, Author, Text string
	Reserved, Corrected            bool
}

// dateTimeLocal is the format of an <input type="datetime-local">.
const dateTimeLocal = "2006-01-02T15:04"

// diaryList is a case's diary, newest first, with the form of a new entry
// for who may write in it. Reading it is one diary.listed event.
func (s *Server) diaryList(c *gin.Context) error {
	p := s.formPage(c, "diary.title")
	if d := c.Query("done"); d != "" && catalog.Has(p.Locale, "diary.done."+d) {
		p.Flash = p.T("diary.done." + d)
	}
	return s.renderDiary(c, p, http.StatusOK)
}

// diaryAdd writes a new entry; invalid input is shown next to its field and
// nothing is written.
func (s *Server) diaryAdd(c *gin.Context) error {
	p := s.formPage(c, "diary.title")
	for _, f := range []string{"kind", "occurred_at", "text"} {
		p.Form[f] = c.PostForm(f)
	}
	if c.PostForm("reserved") == "1" {
		p.Form["reserved"] = "1"
	}
	in := diary.NewEntry{Kind: p.Form["kind"], Text: p.Form["text"], Reserved: p.Form["reserved"] == "1"}
	if v := strings.TrimSpace(p.Form["occurred_at"]); v != "" {
		t, err := time.ParseInLocation(dateTimeLocal, v, rome)
		if err != nil {
			p.Errors["occurred_at"] = p.T("diary.err.occurred_at")
		}
		in.OccurredAt = t
	}
	if len(p.Errors) > 0 {
		return s.renderDiary(c, p, http.StatusUnprocessableEntity)
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	if _, err := s.opts.Diary.Add(c.Request.Context(), currentTenant(c).ID, id, in, v); err != nil {
		if fieldErrors(err, p.Errors) {
			return s.renderDiary(c, p, http.StatusUnprocessableEntity)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, diaryHref(p, id)+"?done=added")
	return nil
}

// renderDiary draws a case's diary page; p.Errors and p.Form carry a refused
// new entry.
func (s *Server) renderDiary(c *gin.Context, p Page, status int) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	es, err := s.opts.Diary.List(c.Request.Context(), currentTenant(c).ID, id, v)
	if err != nil {
		return err
	}
	href := diaryHref(p, id)
	rows := make([]diaryRow, 0, len(es))
	for _, e := range es {
		rows = append(rows, diaryRow{Href: href + "/" + e.ID.String(), Kind: diaryKindLabel(p, e.Kind),
			When: e.OccurredAt.In(rome).Format("02/01/2006 15:04"), Author: e.AuthorName, Text: e.Text,
			Reserved: e.Reserved, Corrected: e.Corrected})
	}
	g := granted(c)
	kinds := []choice{{Value: "", Label: p.T("diary.choose")}}
	for _, k := range diary.Kinds {
		kinds = append(kinds, choice{Value: k, Label: diaryKindLabel(p, k)})
	}
	p.Errors = p.sentences(p.Errors) // as render shows them, for the select too
	p.Data = map[string]any{
		"Entries": rows, "Action": href, "CaseHref": p.Base + "/cases/" + id.String(),
		"CanWrite": g[authz.PermDiaryWrite], "CanReserve": g[authz.PermReservedRead],
		"Kind": newChoiceField(p, "kind", "diary.kind", selected(kinds, p.Form["kind"])),
	}
	s.render(c, status, "diary_list.html", p)
	return nil
}
