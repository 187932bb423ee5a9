package web

import (
	"time"

	"github.com/gin-gonic/gin"
)

// planDueRow is one plan whose review falls due, as the home page lists it.
type planDueRow struct {
	Href, Number, Person, When string
	Overdue                    bool
}

// planDueDays is how far ahead the home page looks for reviews.
const planDueDays = 14

// planDueHome is the "PAI reviews due" section of the operator's home: the
// active plans, of the cases the operator may read, whose next review is
// within two weeks or overdue; nil for who may read no case.
func (s *Server) planDueHome(c *gin.Context) ([]planDueRow, error) {
	if s.opts.Plans == nil || !anyGranted(granted(c), caseReaders) {
		return nil, nil
	}
	v, err := s.caseViewer(c)
	if err != nil {
		return nil, err
	}
	ds, err := s.opts.Plans.DueReviews(c.Request.Context(), currentTenant(c).ID, v, time.Now().In(rome).AddDate(0, 0, planDueDays))
	if err != nil {
		return nil, err
	}
	p := s.page(c, "")
	out := make([]planDueRow, 0, len(ds))
	for _, d := range ds {
		out = append(out, planDueRow{Href: plansHref(p, d.CaseID) + "/" + d.PlanID.String(), Number: d.CaseNumber,
			Person: d.PersonName, When: d.NextReviewOn.Time().Format("02/01/2006"), Overdue: d.Overdue})
	}
	return out, nil
}
