package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/documents"
)

// documentOwner is what the documents of a page are filed on.
type documentOwner struct {
	Kind string // "case" or "person"
	ID   uuid.UUID
}

// href is the owner's documents page.
func (o documentOwner) href(p Page) string {
	if o.Kind == "case" {
		return fmt.Sprintf("%s/cases/%s/documents", p.Base, o.ID)
	}
	return fmt.Sprintf("%s/people/%s/documents", p.Base, o.ID)
}

// documentRow is one document as the list shows it.
type documentRow struct {
	ID, Href, WithdrawHref, Title, Kind, Type, Size, Uploader, Uploaded, Filename string
	Reserved, Withdrawn                                                           bool
}

// documentCaseList lists a case's documents, with the upload form.
func (s *Server) documentCaseList(c *gin.Context) error {
	return s.documentList(c, "case")
}

// documentPersonList lists a person's documents, with the upload form.
func (s *Server) documentPersonList(c *gin.Context) error {
	return s.documentList(c, "person")
}

func (s *Server) documentList(c *gin.Context, kind string) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p := s.formPage(c, "documents.title")
	if d := c.Query("done"); d != "" && catalog.Has(p.Locale, "documents.done."+d) {
		p.Flash = p.T("documents.done." + d)
	}
	return s.renderDocuments(c, p, documentOwner{Kind: kind, ID: id}, http.StatusOK)
}

// renderDocuments draws the documents page of o; p.Errors and p.Form carry a
// refused upload.
func (s *Server) renderDocuments(c *gin.Context, p Page, o documentOwner, status int) error {
	ctx := c.Request.Context()
	tenant := currentTenant(c).ID
	v, err := s.caseViewer(c)
	if err != nil {
		return err
	}
	var ds []documents.Document
	if o.Kind == "case" {
		ds, err = s.opts.Documents.ListCase(ctx, tenant, o.ID, v)
	} else {
		ds, err = s.opts.Documents.ListPerson(ctx, tenant, o.ID, v)
	}
	if err != nil {
		return err
	}
	rows := make([]documentRow, 0, len(ds))
	for _, d := range ds {
		rows = append(rows, documentRow{ID: d.ID.String(), Href: documentHref(p, d.ID),
			WithdrawHref: fmt.Sprintf("%s/documents/%s/withdraw", p.Base, d.ID),
			Title:        d.Title, Kind: p.T("documents.kind." + d.Kind), Type: d.ContentType, Filename: d.Filename,
			Size: humanBytes(d.Size), Uploader: d.Uploader, Uploaded: d.UploadedAt.In(rome).Format("02/01/2006 15:04"),
			Reserved: d.Reserved, Withdrawn: d.WithdrawnAt != nil})
	}
	g := granted(c)
	canWrite := g[authz.PermPeopleWrite]
	back, backLabel := fmt.Sprintf("%s/people/%s", p.Base, o.ID), "documents.back_person"
	if o.Kind == "case" {
		canWrite = g[authz.PermCasesWrite]
		back, backLabel = fmt.Sprintf("%s/cases/%s", p.Base, o.ID), "documents.back_case"
	}
	kinds := []choice{}
	for _, k := range documents.Kinds {
		kinds = append(kinds, choice{Value: k, Label: p.T("documents.kind." + k)})
	}
	kind := p.Form["kind"]
	if kind == "" {
		kind = "other"
	}
	p.Errors = p.sentences(p.Errors) // as render shows them, for the select too
	p.Data = map[string]any{
		"Documents": rows, "Action": o.href(p), "Back": back, "BackLabel": backLabel,
		"CanWrite": canWrite, "CanReserve": g[authz.PermReservedRead],
		"Kind":    newChoiceField(p, "kind", "documents.kind", selected(kinds, kind)),
		"MaxSize": humanBytes(s.opts.Documents.MaxBytes()),
	}
	s.render(c, status, "document_list.html", p)
	return nil
}

// humanBytes is a size as people read it.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
