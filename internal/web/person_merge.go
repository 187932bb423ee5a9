package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// personMergeForm merges another record into this one in two steps: find the
// other record (?q=), then confirm with both records side by side (?drop=).
func (s *Server) personMergeForm(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	keep, _, err := s.opts.People.View(ctx, tenant, id, personActor(c), "merge")
	if err != nil {
		return err
	}
	p := s.formPage(c, "people.merge")
	if keep.MergedInto != nil {
		p.Errors[""] = domainMessage(people.ErrMerged, derrors.ErrConflict)
	}
	p.Data = map[string]any{"Keep": keep, "KeepRow": newPersonRow(p.Base, keep)}
	if dropID := c.Query("drop"); dropID != "" {
		did, err := uuid.Parse(dropID)
		if err != nil {
			return derrors.ErrNotFound
		}
		drop, _, err := s.opts.People.View(ctx, tenant, did, personActor(c), "merge")
		if err != nil {
			return err
		}
		p.Data["Drop"], p.Data["DropRow"] = drop, newPersonRow(p.Base, drop)
		s.render(c, http.StatusOK, "person_merge.html", p)
		return nil
	}
	q := strings.TrimSpace(c.Query("q"))
	p.Form["q"] = q
	var rows []personRow
	if q != "" {
		hits, err := s.opts.People.Find(ctx, tenant, people.Query{Text: q}, personActor(c))
		if err != nil {
			return err
		}
		for _, h := range hits {
			if h.Person.ID != id {
				rows = append(rows, newPersonRow(p.Base, &h.Person))
			}
		}
	}
	p.Data["Results"], p.Data["Searched"] = rows, q != ""
	s.render(c, http.StatusOK, "person_merge.html", p)
	return nil
}

// personMerge merges the record drop into this one.
func (s *Server) personMerge(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	drop, err := uuid.Parse(c.PostForm("drop"))
	if err != nil {
		return derrors.ErrNotFound
	}
	err = s.opts.People.Merge(c.Request.Context(), currentTenant(c).ID, id, drop, personActor(c))
	switch {
	case errors.Is(err, derrors.ErrConflict), errors.Is(err, derrors.ErrInvalid):
		p := s.formPage(c, "people.merge")
		p.Errors[""] = domainMessage(err, derrors.ErrConflict, derrors.ErrInvalid)
		p.Data = map[string]any{"Back": p.Base + "/people/" + id.String()}
		s.render(c, http.StatusConflict, "person_merge.html", p)
		return nil
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/people/"+id.String()+"?done=merged")
	return nil
}
