package agenda

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// Calendar is an agenda as an iCalendar (RFC 5545) file for a calendar
// application. Calendars are synced to phones and to third-party services,
// so an event carries what the operator typed as its title and its place
// only: never the person's name or tax code, the case number or the notes.
type Calendar struct {
	Name string // X-WR-CALNAME: the calendar's name in the application
	// PlaceLabel names a place kind ("office" → "Ufficio") for LOCATION.
	PlaceLabel   func(kind string) string
	Appointments []Appointment
}

// icsTime is the UTC form of DATE-TIME (RFC 5545 3.3.5, form #2).
const icsTime = "20060102T150405Z"

// WriteTo writes the calendar: CRLF line ends, text escaped (3.3.11) and
// lines folded at 75 octets (3.1) without splitting a UTF-8 character. A
// cancelled appointment stays, with STATUS:CANCELLED, so that a synced
// calendar removes it.
func (c Calendar) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: bufio.NewWriter(w)}
	line := func(name, value string) { cw.line(name + ":" + value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//SIGeSS//Agenda//IT")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", escapeText(c.Name))
	for _, a := range c.Appointments {
		line("BEGIN", "VEVENT")
		line("UID", a.ID.String()+"@sigess")
		line("DTSTAMP", a.UpdatedAt.UTC().Format(icsTime))
		line("DTSTART", a.StartsAt.UTC().Format(icsTime))
		line("DTEND", a.EndsAt.UTC().Format(icsTime))
		line("SEQUENCE", fmt.Sprint(max(a.Version-1, 0)))
		line("SUMMARY", escapeText(a.Title))
		loc := a.PlaceKind
		if c.PlaceLabel != nil {
			loc = c.PlaceLabel(a.PlaceKind)
		}
		if a.Place != "" {
			loc += ", " + a.Place
		}
		line("LOCATION", escapeText(loc))
		status := "CONFIRMED"
		if a.Outcome == "cancelled" || a.Outcome == "rescheduled" {
			status = "CANCELLED"
		}
		line("STATUS", status)
		line("CLASS", "PRIVATE")
		line("TRANSP", "OPAQUE")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	if cw.err == nil {
		cw.err = cw.w.(*bufio.Writer).Flush()
	}
	return cw.n, cw.err
}

// escapeText escapes a TEXT value: backslash, semicolon, comma and line
// breaks (as \n).
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, "\n", `\n`).Replace(s)
}

// countWriter writes folded content lines, remembering the first error.
type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

// line writes one content line folded at 75 octets: each continuation line
// starts with a space, which counts in its 75.
func (cw *countWriter) line(s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		cw.write(s[:cut] + "\r\n ")
		s = s[cut:]
		limit = 74
	}
	cw.write(s + "\r\n")
}

func (cw *countWriter) write(s string) {
	if cw.err != nil {
		return
	}
	n, err := io.WriteString(cw.w, s)
	cw.n += int64(n)
	cw.err = err
}

// utf8Start reports whether b begins a UTF-8 character (is not a
// continuation byte).
func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// ICSFilename is the name of a calendar file downloaded at t.
func ICSFilename(t time.Time) string { return "agenda-" + t.In(Rome).Format("20060102") + ".ics" }
