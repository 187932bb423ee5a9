package agenda

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestCalendarGolden: the calendar is byte for byte the golden file, which
// was checked by hand against RFC 5545: CRLF, escaped text, folded lines, UTC
// times, no person, case or notes.
func TestCalendarGolden(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, Rome)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	person, caseID := uuid.MustParse("aaaaaaaa-0000-4000-8000-000000000001"), uuid.MustParse("aaaaaaaa-0000-4000-8000-000000000002")
	cal := Calendar{
		Name:       "Agenda di Anna Verdi, SIGeSS",
		PlaceLabel: func(k string) string { return map[string]string{"office": "Ufficio", "home": "Domicilio"}[k] },
		Appointments: []Appointment{
			{ID: uuid.MustParse("11111111-1111-4111-8111-111111111111"), StartsAt: at("2026-11-24 09:30"), EndsAt: at("2026-11-24 10:15"),
				UpdatedAt: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC), Version: 1,
				PlaceKind: "office", Place: "Via Roma 1, stanza 3; piano terra", Title: `Colloquio: rinnovo, "ISEE"; verifica\documenti`,
				PersonID: &person, PersonName: "ROSSI MARIO", CaseID: &caseID, CaseNumber: "2026/000123", Notes: "Portare il verbale INPS"},
			// After the change back to winter time (+01:00); a long title
			// with accents is folded without splitting a character.
			{ID: uuid.MustParse("22222222-2222-4222-8222-222222222222"), StartsAt: at("2026-10-26 15:00"), EndsAt: at("2026-10-26 16:00"),
				UpdatedAt: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC), Version: 3, Outcome: "cancelled",
				PlaceKind: "home", Title: "Visita domiciliare per la verifica delle condizioni abitative: è necessaria la presenza\ndell'assistente sociale e dell'educatrice"},
		},
	}
	var b bytes.Buffer
	n, err := cal.WriteTo(&b)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("WriteTo: %d, %v (wrote %d)", n, err, b.Len())
	}
	golden := filepath.Join("testdata", "agenda.ics")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("calendar (-golden +got):\n%s", diff)
	}

	// The format, checked independently of the golden file.
	out := b.String()
	if !strings.HasSuffix(out, "\r\n") || strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Error("lines do not all end in CRLF")
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("line of %d octets (or splitting a character): %q", len(l), l)
		}
	}
	props := unfold(out)
	for _, must := range []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "X-WR-CALNAME:Agenda di Anna Verdi\\, SIGeSS",
		"UID:11111111-1111-4111-8111-111111111111@sigess", "DTSTAMP:20261120T080000Z",
		"DTSTART:20261124T083000Z", "DTEND:20261124T091500Z",
		`SUMMARY:Colloquio: rinnovo\, "ISEE"\; verifica\\documenti`,
		`LOCATION:Ufficio\, Via Roma 1\, stanza 3\; piano terra`, "STATUS:CONFIRMED",
		"DTSTART:20261026T140000Z", "DTEND:20261026T150000Z", "SEQUENCE:2", "STATUS:CANCELLED",
		`SUMMARY:Visita domiciliare per la verifica delle condizioni abitative: è necessaria la presenza\ndell'assistente sociale e dell'educatrice`,
		"LOCATION:Domicilio", "END:VCALENDAR",
	} {
		if !props[must] {
			t.Errorf("calendar lacks %q", must)
		}
	}
	for _, never := range []string{"ROSSI", "2026/000123", "verbale"} {
		if strings.Contains(out, never) {
			t.Errorf("the calendar carries %q: personal data must stay out of synced calendars", never)
		}
	}
	if strings.Count(out, "BEGIN:VEVENT") != 2 || strings.Count(out, "END:VEVENT") != 2 {
		t.Error("want two events")
	}
}

// unfold joins folded lines (RFC 5545 3.1) and returns the set of lines.
func unfold(s string) map[string]bool {
	s = strings.ReplaceAll(s, "\r\n ", "")
	out := map[string]bool{}
	for _, l := range strings.Split(s, "\r\n") {
		out[l] = true
	}
	return out
}

func TestEscapeText(t *testing.T) {
	for in, want := range map[string]string{
		"a,b;c\\d":      `a\,b\;c\\d`,
		"riga\r\nriga":  `riga\nriga`,
		"riga\rriga":    `riga\nriga`,
		"due punti: ok": "due punti: ok",
	} {
		if got := escapeText(in); got != want {
			t.Errorf("escapeText(%q) = %q; want %q", in, got, want)
		}
	}
}
