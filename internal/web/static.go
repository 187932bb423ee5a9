package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sigess/sigess/internal/derrors"
)

// staticFS holds the CSS, scripts, fonts and images of the UI: the vendored
// Bootstrap Italia and htmx (static/vendor/README.md) and our own few files.
//
//go:embed static
var staticFS embed.FS

// staticFile is one embedded asset, read once at start.
type staticFile struct {
	body  []byte
	etag  string
	ctype string
}

// staticVersion names the current set of assets in their URLs
// (/static/{version}/…): it changes whenever any file changes, so a browser
// may keep what it fetched for a year and still never use a stale file.
var staticFiles, staticVersion = loadStatic()

// staticTypes are the content types of the files we ship, fixed here rather
// than taken from the host's mime database, which varies between machines.
var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
	".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
	".woff2": "font/woff2", ".woff": "font/woff", ".txt": "text/plain; charset=utf-8",
}

func loadStatic() (map[string]staticFile, string) {
	files := map[string]staticFile{}
	all := sha256.New()
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := strings.TrimPrefix(p, "static/")
		ctype, ok := staticTypes[path.Ext(name)]
		if !ok {
			ctype = "application/octet-stream"
		}
		if path.Base(name) == "LICENSE" || strings.HasSuffix(name, "README.md") {
			ctype = "text/plain; charset=utf-8"
		}
		files[name] = staticFile{body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: ctype}
		all.Write([]byte(name))
		all.Write(sum[:])
		return nil
	})
	if err != nil {
		panic("web: reading the embedded static files: " + err.Error()) // a build defect
	}
	return files, hex.EncodeToString(all.Sum(nil)[:6])
}

// staticURL is the URL of the embedded asset name ("vendor/htmx/htmx.min.js");
// the template function "static".
func staticURL(name string) string {
	return "/static/" + staticVersion + "/" + strings.TrimPrefix(name, "/")
}

// staticRoutes serves the embedded assets at /static/{version}/{path}, outside
// any ente: they are the same for all.
func (s *Server) staticRoutes() {
	s.engine.GET("/static/:version/*path", s.handle(serveStatic))
	s.engine.HEAD("/static/:version/*path", s.handle(serveStatic))
}

// serveStatic sends one asset. Under the current version it is immutable;
// under another (a page rendered by an older or newer instance during a
// deployment) it is served but must be revalidated, since its content may not
// be what that page expected.
func serveStatic(c *gin.Context) error {
	name := strings.TrimPrefix(c.Param("path"), "/")
	f, ok := staticFiles[name]
	if !ok {
		return derrors.ErrNotFound
	}
	h := c.Writer.Header()
	if c.Param("version") == staticVersion {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", f.etag)
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(f.body))
	return nil
}
