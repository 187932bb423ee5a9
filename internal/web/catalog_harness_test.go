package web_test

import (
	"sync"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/templates"
)

// testCatalogs are the catalogue and template services of the test servers,
// built once over the package's database.
var testCatalogs = sync.OnceValues(func() (*catalog.Service, *templates.Service) {
	c, t := catalog.WithTemplates(pg.DB)
	t.Register(templates.KindWorkflow, casefile.WorkflowTemplateKind{})
	return c, t
})

func testCatalog() *catalog.Service { c, _ := testCatalogs(); return c }

func testTemplates() *templates.Service { _, t := testCatalogs(); return t }
