package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// pngBytes is the start of a PNG file: enough for the type to be sniffed.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)

// multipartBody encodes fields and one file.
func multipartBody(t *testing.T, fields map[string]string, filename string, content []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(content)
	}
	mw.Close()
	return mw.FormDataContentType(), &buf
}

// upload posts a file to a documents page with the CSRF token of the last
// page shown.
func (c *client) upload(path string, fields map[string]string, filename string, content []byte) response {
	c.t.Helper()
	if fields == nil {
		fields = map[string]string{}
	}
	fields["csrf"] = c.csrf()
	ct, body := multipartBody(c.t, fields, filename, content)
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, body)
	req.Header.Set("Content-Type", ct)
	return c.do(req)
}

// documentCount is how many documents a case has.
func documentCount(t *testing.T, tenant, caseID uuid.UUID) int {
	t.Helper()
	var n int
	if err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM documents WHERE case_id = $1`, caseID).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

var downloadLink = regexp.MustCompile(`/documents/([0-9a-f-]{36})/content"`)

// TestDocumentPages: a PNG named .pdf is stored as image/png and downloaded
// as an attachment; an .exe and a file over the limit are refused next to
// the file field, storing nothing; another ente gets 404.
func TestDocumentPages(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	sw := a.client(t)
	sw.login("/t/latina", w.swA)
	page := "/t/latina/cases/" + w.c1.ID.String() + "/documents"

	must(t, sw.get(page), http.StatusOK, "Nessun documento.", `enctype="multipart/form-data"`)
	r := sw.upload(page, map[string]string{"title": "Programma", "kind": "report"}, "setup.exe", append([]byte("MZ\x90\x00\x03"), bytes.Repeat([]byte{0}, 200)...))
	must(t, r, http.StatusUnprocessableEntity, `id="f-file-error"`, "Tipo di file non ammesso", `value="Programma"`)
	sw.get(page)
	r = sw.upload(page, map[string]string{"kind": "report"}, "big.txt", bytes.Repeat([]byte("a"), testDocumentMax+10))
	must(t, r, http.StatusRequestEntityTooLarge, `id="f-file-error"`, "Il file supera il limite di 1 MiB.")
	if n := documentCount(t, w.tenant, w.c1.ID); n != 0 {
		t.Fatalf("%d documents after refused uploads", n)
	}

	sw.get(page)
	r = sw.upload(page, map[string]string{"title": "Carta d'identità", "kind": "identity"}, "scansione è.pdf", pngBytes)
	must(t, r, http.StatusSeeOther)
	r = sw.get(r.Location)
	must(t, r, http.StatusOK, "Documento caricato.", "image/png", "Carta d&#39;identità", "Documento d&#39;identità")
	m := downloadLink.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no download link\n%s", r.Body)
	}
	dl := sw.get("/t/latina/documents/" + m[1] + "/content")
	for _, h := range []struct{ name, want string }{
		{"Content-Type", "image/png"},
		{"Content-Disposition", `attachment; filename="scansione _.pdf"; filename*=UTF-8''scansione%20%C3%A8.pdf`},
		{"X-Content-Type-Options", "nosniff"},
	} {
		if got := dl.Header.Get(h.name); got != h.want {
			t.Errorf("download %s: %q, want %q", h.name, got, h.want)
		}
	}
	if dl.Status != http.StatusOK || dl.Body != string(pngBytes) {
		t.Errorf("download: %d, %d bytes; want the %d bytes uploaded", dl.Status, len(dl.Body), len(pngBytes))
	}

	other := a.client(t)
	other.login("/t/viterbo", a.seed(t, "viterbo", false, "coordinator"))
	must(t, other.get("/t/viterbo/documents/"+m[1]+"/content"), http.StatusNotFound)
	must(t, other.get("/t/viterbo/cases/"+w.c1.ID.String()+"/documents"), http.StatusNotFound)

	// Withdrawn: still listed, no longer offered.
	sw.get(page)
	must(t, sw.post("/t/latina/documents/"+m[1]+"/withdraw", nil), http.StatusSeeOther)
	r = sw.get(page)
	must(t, r, http.StatusOK, "Ritirato")
	if downloadLink.MatchString(r.Body) {
		t.Error("a withdrawn document is still offered for download")
	}
	must(t, sw.get("/t/latina/documents/"+m[1]+"/content"), http.StatusConflict)
}

// TestAPIDocuments: upload (multipart) on a case, refused for a file type
// not allowed (422 on file) and over the limit (413); metadata through the
// document; bytes as an attachment.
func TestAPIDocuments(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	tok := a.token(t, "latina", a.newAPIClient(t, "latina", "coordinator"))
	post := func(fields map[string]string, filename string, content []byte) response {
		ct, body := multipartBody(t, fields, filename, content)
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/t/latina/api/v1/documents", body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+tok)
		return a.client(t).do(req)
	}
	person := map[string]string{"person_id": w.person.String(), "kind": "identity"}
	r := post(person, "x.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"))
	if p := decode[problemJSON](t, r); r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "file" ||
		r.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("exe: %d %+v", r.Status, p)
	}
	r = post(person, "big.txt", bytes.Repeat([]byte("a"), testDocumentMax+1))
	if p := decode[problemJSON](t, r); r.Status != http.StatusRequestEntityTooLarge || len(p.Errors) != 1 || p.Errors[0].Field != "file" {
		t.Errorf("too large: %d %+v", r.Status, p)
	}
	r = post(map[string]string{"kind": "identity"}, "a.png", pngBytes)
	if p := decode[problemJSON](t, r); r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "case_id" {
		t.Errorf("neither case nor person: %d %+v", r.Status, p)
	}

	r = post(person, "carta.pdf", pngBytes)
	var d struct {
		ID          string `json:"id"`
		ContentType string `json:"content_type"`
		SHA256      string `json:"sha256"`
	}
	if err := json.Unmarshal([]byte(r.Body), &d); err != nil || r.Status != http.StatusCreated || d.ContentType != "image/png" || len(d.SHA256) != 64 {
		t.Fatalf("upload: %d %v %s", r.Status, err, r.Body)
	}
	r = a.apiCall(t, http.MethodGet, "/t/latina/api/v1/documents/"+d.ID, tok, nil)
	if r.Status != 200 || !strings.Contains(r.Body, `"filename":"carta.pdf"`) {
		t.Errorf("get: %d %s", r.Status, r.Body)
	}
	r = a.apiCall(t, http.MethodGet, "/t/latina/api/v1/documents/"+d.ID+"/content", tok, nil)
	if r.Status != 200 || r.Body != string(pngBytes) || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("content: %d %v", r.Status, r.Header)
	}
	other := a.token(t, "viterbo", a.newAPIClient(t, "viterbo", "coordinator"))
	if r := a.apiCall(t, http.MethodGet, "/t/viterbo/api/v1/documents/"+d.ID, other, nil); r.Status != http.StatusNotFound {
		t.Errorf("another ente's client: %d", r.Status)
	}
	r = a.apiCall(t, http.MethodPost, "/t/latina/api/v1/documents/"+d.ID+"/withdraw", tok, nil)
	if r.Status != 200 || !strings.Contains(r.Body, "withdrawn_at") {
		t.Errorf("withdraw: %d %s", r.Status, r.Body)
	}
}
