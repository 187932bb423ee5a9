package web

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/tenancy"
)

// pageData is what every page template receives.
type pageData struct {
	Title  string
	Tenant *tenancy.Tenant // nil on platform pages
	Data   map[string]any
}

var templateFuncs = template.FuncMap{
	"unitKind": func(kind string) string {
		return map[string]string{
			"district": "Municipio", "pua": "Punto Unico di Accesso", "secretariat": "Segretariato sociale",
			"social_service": "Servizio sociale professionale", "office": "Ufficio",
		}[kind]
	},
	// color is safe for a style attribute: settings validation admits only #RRGGBB.
	"color": func(t *tenancy.Tenant) template.CSS {
		if t == nil {
			return "#0066CC"
		}
		return template.CSS(t.Settings.Branding.PrimaryColor)
	},
}

// render executes a page into a buffer first, so that a template error becomes
// a clean 500 rather than half a page.
func (s *Server) render(c *gin.Context, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, d); err != nil {
		slog.ErrorContext(c.Request.Context(), "render", "template", name, "err", err)
		c.String(http.StatusInternalServerError, "Errore interno")
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}
