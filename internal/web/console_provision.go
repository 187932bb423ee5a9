package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/tenancy"
)

// consoleProvince is one choice of the province select.
type consoleProvince struct {
	Code, Name string // abbreviation (RM) and name (Roma)
	Comuni     int
}

// consoleProvisionForm shows the two ways of provisioning: one comune not yet
// provisioned, or a whole province.
func (s *Server) consoleProvisionForm(c *gin.Context) error {
	p := s.formPage(c, "console.provision.title")
	return s.renderProvision(c, http.StatusOK, p)
}

func (s *Server) renderProvision(c *gin.Context, status int, p Page) error {
	r := currentRegion(c)
	enti, err := s.opts.Registry.List(c.Request.Context(), r.Code)
	if err != nil {
		return err
	}
	provisioned := map[string]bool{}
	for _, t := range enti {
		if t.Kind == tenancy.KindComune {
			provisioned[t.ISTATCode] = true
		}
	}
	var missing []istat.Comune
	byProvince := map[string]*consoleProvince{}
	for _, cm := range istat.Filter(r.Code, "") {
		if !provisioned[cm.Code] {
			missing = append(missing, cm)
		}
		pr := byProvince[cm.Province]
		if pr == nil {
			pr = &consoleProvince{Code: cm.Province, Name: cm.ProvinceName}
			byProvince[cm.Province] = pr
		}
		pr.Comuni++
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i].Name < missing[j].Name })
	provinces := make([]*consoleProvince, 0, len(byProvince))
	for _, pr := range byProvince {
		provinces = append(provinces, pr)
	}
	sort.Slice(provinces, func(i, j int) bool { return provinces[i].Name < provinces[j].Name })
	p.Data = map[string]any{"Comuni": missing, "Provinces": provinces}
	s.render(c, status, "console_provision.html", p)
	return nil
}

// consoleProvisionComune enqueues the provisioning of one comune of the region.
func (s *Server) consoleProvisionComune(c *gin.Context) error {
	p := s.formPage(c, "console.provision.title")
	code := strings.TrimSpace(c.PostForm("comune"))
	p.Form["comune"] = code
	if code == "" {
		p.Errors["comune"] = p.T("console.provision.err.comune_required")
		return s.renderProvision(c, http.StatusUnprocessableEntity, p)
	}
	return s.enqueueProvision(c, p, tenancy.ProvisionRequest{Region: currentRegion(c).Code, Comuni: []string{code}})
}

// consoleProvisionProvince enqueues the provisioning of a whole province of
// the region.
func (s *Server) consoleProvisionProvince(c *gin.Context) error {
	p := s.formPage(c, "console.provision.title")
	prov := strings.ToUpper(strings.TrimSpace(c.PostForm("province")))
	p.Form["province"] = prov
	if prov == "" {
		p.Errors["province"] = p.T("console.provision.err.province_required")
		return s.renderProvision(c, http.StatusUnprocessableEntity, p)
	}
	return s.enqueueProvision(c, p, tenancy.ProvisionRequest{Region: currentRegion(c).Code, Province: prov})
}

// enqueueProvision checks req (the region's own comuni only), enqueues the
// job, records it as queued and sends the browser to its progress page.
func (s *Server) enqueueProvision(c *gin.Context, p Page, req tenancy.ProvisionRequest) error {
	ctx := c.Request.Context()
	comuni, err := req.ComuniOf()
	var fe *tenancy.FieldError
	switch {
	case errors.As(err, &fe) && fe.Path == "province":
		p.Errors["province"] = p.T("console.provision.err.province")
	case errors.Is(err, derrors.ErrInvalid):
		p.Errors["comune"] = p.T("console.provision.err.comune")
	case err != nil:
		return err
	}
	if len(p.Errors) > 0 {
		return s.renderProvision(c, http.StatusUnprocessableEntity, p)
	}
	payload, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("web.enqueueProvision(%s): %w", req.Region, err)
	}
	id, err := s.opts.Jobs.EnqueueConsole(ctx, tenancy.TaskProvision, payload)
	if err != nil {
		return err
	}
	if err := s.record(c, "ente.provision_requested", "job", id, map[string]any{"province": req.Province, "comuni": req.Comuni}); err != nil {
		return err
	}
	tr := tenancy.ProvisionTracker{RDB: s.opts.Redis}
	if err := tr.Queued(ctx, id, tenancy.ProvisionProgress{Region: req.Region, Province: req.Province, Total: len(comuni)}); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/provision/"+id)
	return nil
}
