package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
)

// diaryCount is how many entries and revisions a case's diary holds.
func diaryCount(t *testing.T, tenant, caseID uuid.UUID) (entries, revisions int) {
	t.Helper()
	if err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM diary_entries WHERE case_id = $1),
			(SELECT count(*) FROM diary_revisions r JOIN diary_entries e ON e.id = r.entry_id WHERE e.case_id = $1)`,
			caseID).Scan(&entries, &revisions)
	}); err != nil {
		t.Fatal(err)
	}
	return entries, revisions
}

var diaryEntryLink = regexp.MustCompile(`/diary/([0-9a-f-]{36})"`)

// TestDiaryPages: a social worker adds an entry (refused first without kind
// and text) and corrects it (refused first without a reason); the history
// keeps every text, the list shows the latest marked corrected.
func TestDiaryPages(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	sw := a.client(t)
	sw.login("/t/latina", w.swA)
	page := "/t/latina/cases/" + w.c1.ID.String() + "/diary"

	must(t, sw.get(page), http.StatusOK, "Il diario non ha ancora voci")
	r := sw.post(page, url.Values{"kind": {"note"}, "text": {"Nota"}, "occurred_at": {"ieri"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-occurred_at-error"`, "Data non valida.", ">Nota</textarea>")
	r = sw.post(page, url.Values{"kind": {""}, "text": {"  "}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-kind-error"`, `id="f-text-error"`, "Scrivere il testo della voce.")
	if e, rv := diaryCount(t, w.tenant, w.c1.ID); e+rv != 0 {
		t.Fatalf("after refused entries the diary holds %d entries, %d revisions", e, rv)
	}

	r = sw.post(page, url.Values{"kind": {"interview"}, "occurred_at": {"2026-01-12T10:00"}, "text": {"Colloquio con la madre."}})
	must(t, r, http.StatusSeeOther)
	if want := page + "?done=added"; r.Location != want {
		t.Fatalf("after adding: %s, want %s", r.Location, want)
	}
	r = sw.get(r.Location)
	must(t, r, http.StatusOK, "Voce aggiunta al diario.", "Colloquio con la madre.", "12/01/2026 10:00", "Colloquio")
	m := diaryEntryLink.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no link to the entry\n%s", r.Body)
	}
	entry := page + "/" + m[1]

	sw.get(entry)
	r = sw.post(entry+"/revisions", url.Values{"text": {"Colloquio con il padre."}, "reason": {""}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-reason-error"`, "Indicare il motivo della correzione.", "Colloquio con il padre.")
	if e, rv := diaryCount(t, w.tenant, w.c1.ID); e != 1 || rv != 1 {
		t.Fatalf("after a refused correction: %d entries, %d revisions; want 1, 1", e, rv)
	}
	r = sw.post(entry+"/revisions", url.Values{"text": {"Colloquio con il padre."}, "reason": {"refuso"}})
	must(t, r, http.StatusSeeOther)
	r = sw.get(r.Location)
	must(t, r, http.StatusOK, "Correzione salvata")
	var history []string
	for _, row := range regexp.MustCompile(`(?s)<tr class="diary-revision"><td>(\d+)</td>.*?<td[^>]*>([^<]*)</td><td>([^<]*)</td></tr>`).FindAllStringSubmatch(r.Body, -1) {
		history = append(history, row[1]+" "+row[2]+" "+row[3])
	}
	want := []string{"2 Colloquio con il padre. refuso", "1 Colloquio con la madre. "}
	if diff := cmp.Diff(want, history); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	r = sw.get(page)
	must(t, r, http.StatusOK, "Colloquio con il padre.", "Corretta")
	if strings.Contains(r.Body, "Colloquio con la madre.") {
		t.Error("the list shows the corrected text, not the latest")
	}
	if e, rv := diaryCount(t, w.tenant, w.c1.ID); e != 1 || rv != 2 {
		t.Errorf("after the correction: %d entries, %d revisions; want 1, 2", e, rv)
	}
}

// TestDiaryPagesRefusals: administrative staff may not read a diary (403); a
// reserved entry written by the coordinator is not shown to the social
// worker, not even by its address; a case of another ente is not found.
func TestDiaryPagesRefusals(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	page := "/t/latina/cases/" + w.c1.ID.String() + "/diary"

	clerk := a.client(t)
	clerk.login("/t/latina", a.seed(t, "latina", false, "administrative"))
	must(t, clerk.get(page), http.StatusForbidden)

	coord := a.client(t)
	coord.login("/t/latina", w.coordX)
	coord.get(page)
	must(t, coord.post(page, url.Values{"kind": {"note"}, "text": {"Nota aperta"}}), http.StatusSeeOther)
	must(t, coord.post(page, url.Values{"kind": {"home_visit"}, "text": {"Visita riservata"}, "reserved": {"1"}}), http.StatusSeeOther)
	r := coord.get(page)
	must(t, r, http.StatusOK, "Nota aperta", "Visita riservata", "Riservata")
	var reserved string
	for _, m := range regexp.MustCompile(`(?s)/diary/([0-9a-f-]{36})".*?</tr>`).FindAllStringSubmatch(r.Body, -1) {
		if strings.Contains(m[0], "Visita riservata") {
			reserved = m[1]
		}
	}
	if reserved == "" {
		t.Fatal("no link to the reserved entry")
	}

	// A reader of every case's diary who is not on the case's team and has no
	// reserved:read.
	if err := a.Authz.SaveRole(context.Background(), w.tenant, authz.Role{Name: "lettore_diari", LabelIT: "Lettore dei diari",
		Permissions: []string{authz.PermCasesReadAll, authz.PermDiaryRead}}); err != nil {
		t.Fatal(err)
	}
	reader := a.client(t)
	reader.login("/t/latina", a.seed(t, "latina", false, "lettore_diari"))
	r = reader.get(page)
	must(t, r, http.StatusOK, "Nota aperta")
	if strings.Contains(r.Body, "Visita riservata") {
		t.Error("a reader without reserved access sees the reserved entry")
	}
	if strings.Contains(r.Body, `name="text"`) {
		t.Error("a reader without diary:write is shown the new entry form")
	}
	must(t, reader.get(page+"/"+reserved), http.StatusNotFound)

	other := a.client(t)
	other.login("/t/viterbo", a.seed(t, "viterbo", false, "coordinator"))
	must(t, other.get("/t/viterbo/cases/"+w.c1.ID.String()+"/diary"), http.StatusNotFound)
}

// TestAPIDiary holds the diary API to the document: add (refused without
// fields, then written), correct, read with its revisions; another ente's
// client gets 404.
func TestAPIDiary(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	if err := a.Authz.SaveRole(context.Background(), w.tenant, authz.Role{Name: "diarista", LabelIT: "Diarista",
		Permissions: []string{authz.PermCasesReadAll, authz.PermCasesWrite, authz.PermDiaryRead, authz.PermDiaryWrite}}); err != nil {
		t.Fatal(err)
	}
	coord := a.token(t, "latina", a.newAPIClient(t, "latina", "diarista"))
	base := "/t/latina/api/v1/cases/" + w.c1.ID.String() + "/diary"

	r := a.apiCall(t, http.MethodPost, base, coord, map[string]any{"kind": "nope", "text": "", "occurred_at": "ieri"})
	if p := decode[problemJSON](t, r); r.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "occurred_at" {
		t.Errorf("bad date: %d %+v", r.Status, p)
	}
	r = a.apiCall(t, http.MethodPost, base, coord, map[string]any{"kind": "nope", "text": ""})
	p := decode[problemJSON](t, r)
	var fields []string
	for _, f := range p.Errors {
		fields = append(fields, f.Field)
	}
	if diff := cmp.Diff([]string{"kind", "text"}, fields); r.Status != 422 || diff != "" {
		t.Errorf("bad entry: %d, fields (-want +got):\n%s", r.Status, diff)
	}
	if e, _ := diaryCount(t, w.tenant, w.c1.ID); e != 0 {
		t.Fatalf("%d entries after refused requests", e)
	}

	r = a.apiCall(t, http.MethodPost, base, coord, map[string]any{"kind": "call", "text": "Telefonata", "occurred_at": "2026-01-12T10:00:00+01:00"})
	type entryJSON struct {
		ID        string `json:"id"`
		Text      string `json:"text"`
		Revision  int    `json:"revision"`
		Revisions []struct {
			Text   string `json:"text"`
			Reason string `json:"reason"`
		} `json:"revisions"`
	}
	e := decode[entryJSON](t, r)
	if r.Status != http.StatusCreated || e.Revision != 1 {
		t.Fatalf("add: %d %+v", r.Status, e)
	}
	r = a.apiCall(t, http.MethodPost, base+"/"+e.ID+"/revisions", coord, map[string]any{"text": "Telefonata al padre", "reason": "precisazione"})
	if r.Status != http.StatusCreated {
		t.Fatalf("correct: %d %s", r.Status, r.Body)
	}
	got := decode[entryJSON](t, a.apiCall(t, http.MethodGet, base+"/"+e.ID, coord, nil))
	if got.Text != "Telefonata al padre" || got.Revision != 2 || len(got.Revisions) != 2 || got.Revisions[0].Text != "Telefonata" || got.Revisions[1].Reason != "precisazione" {
		t.Errorf("entry after the correction: %+v", got)
	}
	if r := a.apiCall(t, http.MethodGet, base, coord, nil); r.Status != 200 || !strings.Contains(r.Body, "Telefonata al padre") {
		t.Errorf("list: %d %s", r.Status, r.Body)
	}

	other := a.token(t, "viterbo", a.newAPIClient(t, "viterbo", "coordinator"))
	if r := a.apiCall(t, http.MethodGet, "/t/viterbo/api/v1/cases/"+w.c1.ID.String()+"/diary", other, nil); r.Status != http.StatusNotFound {
		t.Errorf("another ente's client: %d", r.Status)
	}
}
