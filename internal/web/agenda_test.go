package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/agenda"
)

// appointmentCount is how many appointments operator's agenda holds.
func appointmentCount(t *testing.T, tenant, operator uuid.UUID) int {
	t.Helper()
	var n int
	if err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM appointments WHERE operator_id = $1`, operator).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

var appointmentLink = regexp.MustCompile(`/agenda/([0-9a-f-]{36})"`)

// nextWeekAt is a day of next week at hh:mm in Rome, as a form writes it.
func nextWeekAt(hhmm string) string {
	d := agenda.WeekOf(time.Now()).Next().Day(1) // Tuesday
	return d.Format("2006-01-02") + "T" + hhmm
}

// TestAgendaPages: a social worker adds an appointment (refused first for
// bad times and a case they may not read), finds it in its week, edits it
// and records its outcome; their coordinator sees their agenda, a worker of
// another unit and another ente do not find it; who has no agenda:use is
// refused.
func TestAgendaPages(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	sw := a.client(t)
	sw.login("/t/latina", w.swA)

	r := sw.get("/t/latina/agenda")
	must(t, r, http.StatusOK, "Settimana da lunedì", `aria-current="date"`, "Scarica il calendario (.ics)", `href="/t/latina/agenda"`)
	if n := strings.Count(r.Body, `<section class="agenda-day`); n != 7 {
		t.Errorf("%d days in the week", n)
	}
	sw.get("/t/latina/agenda/new")
	form := url.Values{"title": {"Colloquio di verifica"}, "starts_at": {nextWeekAt("10:00")}, "ends_at": {nextWeekAt("09:00")},
		"place_kind": {"office"}, "place": {"Stanza 4"}, "case_number": {w.c2.Number}}
	r = sw.post("/t/latina/agenda", form)
	must(t, r, http.StatusUnprocessableEntity, `id="f-ends_at-error"`, "La fine deve seguire l&#39;inizio.", `value="Colloquio di verifica"`)
	form.Set("ends_at", nextWeekAt("11:00"))
	r = sw.post("/t/latina/agenda", form)
	must(t, r, http.StatusUnprocessableEntity, `id="f-case_number-error"`, "Cartella non trovata o non accessibile.")
	form.Set("starts_at", "domani")
	must(t, sw.post("/t/latina/agenda", form), http.StatusUnprocessableEntity, `id="f-starts_at-error"`, "Data e ora non valide.")
	if n := appointmentCount(t, w.tenant, w.swA.ID); n != 0 {
		t.Fatalf("%d appointments after refused forms", n)
	}
	form.Set("starts_at", nextWeekAt("10:00"))
	form.Set("case_number", w.c1.Number)
	r = sw.post("/t/latina/agenda", form)
	must(t, r, http.StatusSeeOther)
	week := agenda.WeekOf(time.Now()).Next()
	if want := "/t/latina/agenda?week=" + week.String() + "&done=created"; r.Location != want {
		t.Fatalf("after creating: %s; want %s", r.Location, want)
	}
	r = sw.get(r.Location)
	must(t, r, http.StatusOK, "Appuntamento aggiunto all&#39;agenda.", "10:00–11:00", "Colloquio di verifica", "Ufficio, Stanza 4",
		`href="/t/latina/cases/`+w.c1.ID.String()+`">`+w.c1.Number, "martedì")
	m := appointmentLink.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no link to the appointment\n%s", r.Body)
	}
	page := "/t/latina/agenda/" + m[1]

	r = sw.get(page)
	must(t, r, http.StatusOK, `value="Colloquio di verifica"`, `value="`+w.c1.Number+`"`, "Esito")
	form.Set("title", "Colloquio spostato")
	form.Set("keep_person", "1")
	r = sw.post(page, form)
	must(t, r, http.StatusSeeOther)
	must(t, sw.get(r.Location), http.StatusOK, "Appuntamento aggiornato.", "Colloquio spostato")
	sw.get(page)
	r = sw.post(page+"/outcome", url.Values{"outcome": {"held"}})
	must(t, r, http.StatusUnprocessableEntity, `id="f-outcome-error"`, "non è ancora iniziato")
	r = sw.post(page+"/outcome", url.Values{"outcome": {"cancelled"}, "outcome_notes": {"Rinviato dalla famiglia"}})
	must(t, r, http.StatusSeeOther)
	must(t, sw.get(r.Location), http.StatusOK, "Esito registrato.", "Rinviato dalla famiglia")

	// The coordinator of the worker's unit sees and opens their agenda.
	coord := a.client(t)
	coord.login("/t/latina", w.coordX)
	r = coord.get("/t/latina/agenda?week=" + week.String() + "&operator=" + w.swA.ID.String())
	must(t, r, http.StatusOK, "Colloquio spostato", "Annullato", `name="operator"`)
	must(t, coord.get(page), http.StatusOK)
	must(t, coord.get("/t/latina/agenda?operator="+w.swY.ID.String()), http.StatusForbidden)

	// A worker of another unit, an auditor and another ente.
	other := a.client(t)
	other.login("/t/latina", w.swY)
	must(t, other.get(page), http.StatusNotFound)
	must(t, other.get("/t/latina/agenda?operator="+w.swA.ID.String()), http.StatusForbidden)
	if r := other.get("/t/latina/agenda?week=" + week.String()); strings.Contains(r.Body, "Colloquio spostato") {
		t.Error("another worker's week shows the appointment")
	}
	aud := a.client(t)
	aud.login("/t/latina", w.auditor)
	must(t, aud.get("/t/latina/agenda"), http.StatusForbidden)
	if r := aud.get("/t/latina/"); strings.Contains(r.Body, `href="/t/latina/agenda"`) {
		t.Error("the auditor's navigation offers the agenda")
	}
	vit := a.client(t)
	vit.login("/t/viterbo", a.seed(t, "viterbo", false, "coordinator"))
	must(t, vit.get("/t/viterbo/agenda/"+m[1]), http.StatusNotFound)

	// A bad week is a page that does not exist.
	must(t, sw.get("/t/latina/agenda?week=2026-W60"), http.StatusNotFound)
}

// TestAgendaWeekAcrossDST: the week of the change back to winter time lists
// Sunday 23:30 on Sunday and Monday 00:30 in the next week.
func TestAgendaWeekAcrossDST(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	sw := a.client(t)
	sw.login("/t/latina", w.swA)
	sw.get("/t/latina/agenda/new")
	for _, s := range []struct{ title, start, end string }{
		{"Tardi la domenica", "2026-10-25T23:30", "2026-10-25T23:50"},
		{"Presto il lunedì", "2026-10-26T00:30", "2026-10-26T00:50"},
	} {
		must(t, sw.post("/t/latina/agenda", url.Values{"title": {s.title}, "starts_at": {s.start}, "ends_at": {s.end}, "place_kind": {"phone"}}), http.StatusSeeOther)
	}
	r := sw.get("/t/latina/agenda?week=2026-W43")
	must(t, r, http.StatusOK, "lunedì 19 ottobre 2026", "domenica 25 ottobre 2026", "Tardi la domenica", "23:30–23:50")
	if strings.Contains(r.Body, "Presto il lunedì") {
		t.Error("week 43 shows Monday 26 October")
	}
	sunday := r.Body[strings.Index(r.Body, "domenica 25 ottobre 2026"):]
	if !strings.Contains(sunday, "Tardi la domenica") {
		t.Error("the Sunday appointment is not under Sunday")
	}
	must(t, sw.get("/t/latina/agenda?week=2026-W44"), http.StatusOK, "Presto il lunedì", "00:30–00:50", `href="/t/latina/agenda?week=2026-W43"`, `href="/t/latina/agenda?week=2026-W45"`)
}

// TestAgendaICS: the calendar file is text/calendar with CRLF lines and
// carries the title and place, never the person or the case.
func TestAgendaICS(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	sw := a.client(t)
	sw.login("/t/latina", w.swA)
	sw.get("/t/latina/agenda/new")
	must(t, sw.post("/t/latina/agenda", url.Values{"title": {"Visita, verifica; casa"}, "starts_at": {nextWeekAt("15:00")},
		"ends_at": {nextWeekAt("16:00")}, "place_kind": {"home"}, "case_number": {w.c1.Number}, "notes": {"Nota privata"}}), http.StatusSeeOther)
	r := sw.get("/t/latina/agenda.ics")
	must(t, r, http.StatusOK, "BEGIN:VCALENDAR\r\n", "SUMMARY:Visita\\, verifica\\; casa\r\n", "LOCATION:Domicilio\r\n", "END:VCALENDAR\r\n")
	if ct := r.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	start, _ := time.ParseInLocation("2006-01-02T15:04", nextWeekAt("15:00"), agenda.Rome)
	if want := "DTSTART:" + start.UTC().Format("20060102T150405Z") + "\r\n"; !strings.Contains(r.Body, want) {
		t.Errorf("calendar lacks %q\n%s", want, r.Body)
	}
	for _, never := range []string{w.c1.Number, "Ada", "Nota privata"} {
		if strings.Contains(r.Body, never) {
			t.Errorf("the calendar carries %q", never)
		}
	}
	other := a.client(t)
	other.login("/t/latina", w.swY)
	if r := other.get("/t/latina/agenda.ics"); r.Status != http.StatusOK || strings.Contains(r.Body, "VEVENT") {
		t.Errorf("another worker's calendar: %d\n%s", r.Status, r.Body)
	}
}

// TestAPIAppointments holds the appointments API to the document: the
// client names the operator; bad input is 422 naming the fields; a case the
// client may not read is refused; another ente's client gets 404; a client
// without agenda:use gets 403.
func TestAPIAppointments(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	tok := a.token(t, "latina", a.newAPIClient(t, "latina", "coordinator"))
	base := "/t/latina/api/v1/appointments"
	start := agenda.WeekOf(time.Now()).Next().Day(2).Add(9 * time.Hour)
	body := map[string]any{"title": "Colloquio", "place_kind": "office",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(-time.Hour).Format(time.RFC3339)}

	fieldsOf := func(r response) []string {
		var out []string
		for _, f := range decode[problemJSON](t, r).Errors {
			out = append(out, f.Field)
		}
		return out
	}
	r := a.apiCall(t, http.MethodPost, base, tok, body)
	if f := fieldsOf(r); r.Status != 422 || strings.Join(f, ",") != "ends_at" {
		t.Errorf("end before start: %d %v", r.Status, f)
	}
	body["ends_at"] = start.Add(time.Hour).Format(time.RFC3339)
	r = a.apiCall(t, http.MethodPost, base, tok, body)
	if f := fieldsOf(r); r.Status != 422 || strings.Join(f, ",") != "operator_id" {
		t.Errorf("no operator: %d %v", r.Status, f)
	}
	body["operator_id"] = w.swA.ID.String()
	body["case_id"] = w.c1.ID.String() // the client has no unit: it may not read c1
	r = a.apiCall(t, http.MethodPost, base, tok, body)
	if f := fieldsOf(r); r.Status != 422 || strings.Join(f, ",") != "case_id" {
		t.Errorf("a case the client may not read: %d %v", r.Status, f)
	}
	if n := appointmentCount(t, w.tenant, w.swA.ID); n != 0 {
		t.Fatalf("%d appointments after refused requests", n)
	}
	delete(body, "case_id")
	body["person_id"] = w.person.String()
	r = a.apiCall(t, http.MethodPost, base, tok, body)
	type apptJSON struct {
		ID         string `json:"id"`
		OperatorID string `json:"operator_id"`
		PersonName string `json:"person_name"`
		Title      string `json:"title"`
		Outcome    string `json:"outcome"`
		Version    int    `json:"version"`
	}
	created := decode[apptJSON](t, r)
	if r.Status != http.StatusCreated || created.OperatorID != w.swA.ID.String() || created.PersonName == "" || r.Location != base+"/"+created.ID {
		t.Fatalf("create: %d %+v %s", r.Status, created, r.Location)
	}
	week := agenda.WeekOf(start)
	r = a.apiCall(t, http.MethodGet, base+"?from="+week.Start().Format("2006-01-02")+"&to="+week.End().Format("2006-01-02")+"&operator_id="+w.swA.ID.String(), tok, nil)
	if r.Status != 200 || !strings.Contains(r.Body, created.ID) {
		t.Errorf("list: %d %s", r.Status, r.Body)
	}
	r = a.apiCall(t, http.MethodGet, base+"?from=ieri&to=2026-01-01", tok, nil)
	if f := fieldsOf(r); r.Status != 422 || strings.Join(f, ",") != "from" {
		t.Errorf("bad period: %d %v", r.Status, f)
	}
	r = a.apiCall(t, http.MethodPatch, base+"/"+created.ID, tok, map[string]any{"title": "Colloquio spostato", "outcome": "cancelled", "outcome_notes": "Malattia"})
	got := decode[apptJSON](t, r)
	if r.Status != 200 || got.Title != "Colloquio spostato" || got.Outcome != "cancelled" || got.Version != 3 {
		t.Errorf("patch: %d %+v", r.Status, got)
	}
	r = a.apiCall(t, http.MethodPatch, base+"/"+created.ID, tok, map[string]any{"outcome": "held"})
	if f := fieldsOf(r); r.Status != 422 || strings.Join(f, ",") != "outcome" {
		t.Errorf("held before it started: %d %v", r.Status, f)
	}
	if got := decode[apptJSON](t, a.apiCall(t, http.MethodGet, base+"/"+created.ID, tok, nil)); got.Title != "Colloquio spostato" || got.Outcome != "cancelled" {
		t.Errorf("get: %+v", got)
	}

	noAgenda := a.token(t, "latina", a.newAPIClient(t, "latina", "auditor", "tenant_admin"))
	if r := a.apiCall(t, http.MethodGet, base+"/"+created.ID, noAgenda, nil); r.Status != http.StatusForbidden {
		t.Errorf("a client without agenda:use: %d", r.Status)
	}
	other := a.token(t, "viterbo", a.newAPIClient(t, "viterbo", "coordinator"))
	if r := a.apiCall(t, http.MethodGet, "/t/viterbo/api/v1/appointments/"+created.ID, other, nil); r.Status != http.StatusNotFound {
		t.Errorf("another ente's client: %d", r.Status)
	}
	if r := a.apiCall(t, http.MethodPatch, "/t/viterbo/api/v1/appointments/"+created.ID, other, map[string]any{"title": "x"}); r.Status != http.StatusNotFound {
		t.Errorf("another ente's client patching: %d", r.Status)
	}
}

// TestAgendaHome: the operator's home lists today's appointments; an
// operator without agenda:use has no such section.
func TestAgendaHome(t *testing.T) {
	a := newApp(t)
	w := newCaseWorld(t, a)
	sw := a.client(t)
	sw.login("/t/latina", w.swA)
	today := time.Now().In(agenda.Rome).Format("2006-01-02")
	sw.get("/t/latina/agenda/new")
	must(t, sw.post("/t/latina/agenda", url.Values{"title": {"Riunione di équipe"}, "starts_at": {today + "T12:00"},
		"ends_at": {today + "T13:00"}, "place_kind": {"office"}}), http.StatusSeeOther)
	must(t, sw.get("/t/latina/"), http.StatusOK, "I tuoi appuntamenti di oggi", "12:00–13:00 Riunione di équipe")
	aud := a.client(t)
	aud.login("/t/latina", w.auditor)
	if r := aud.get("/t/latina/"); strings.Contains(r.Body, "I tuoi appuntamenti di oggi") {
		t.Error("an operator without agenda:use is shown today's appointments")
	}
}
