package agenda

import (
	"fmt"
	"time"
	_ "time/tzdata" // the agenda's weeks are Rome's, whatever the host has installed
)

// Rome is the time zone of the agenda's days and weeks.
var Rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err) // embedded by time/tzdata
	}
	return l
}()

// Week is an ISO 8601 week (Monday to Sunday) in Europe/Rome: 2026-W48.
type Week struct {
	Year, Number int
}

// WeekOf is the week t falls in, in Rome.
func WeekOf(t time.Time) Week {
	y, n := t.In(Rome).ISOWeek()
	return Week{y, n}
}

// ParseWeek reads "2026-W48" (as an <input type="week"> sends it).
func ParseWeek(s string) (Week, error) {
	var w Week
	if _, err := fmt.Sscanf(s, "%4d-W%2d", &w.Year, &w.Number); err != nil || len(s) != 8 ||
		w.Year < 2000 || w.Year > 2100 || w.Number < 1 || w.Number > 53 {
		return Week{}, fmt.Errorf("agenda.ParseWeek(%q): not a week like 2026-W48", s)
	}
	if WeekOf(w.Start()) != w { // week 53 of a year that has 52
		return Week{}, fmt.Errorf("agenda.ParseWeek(%q): %d has no week %d", s, w.Year, w.Number)
	}
	return w, nil
}

// String is the week as ParseWeek reads it.
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Number) }

// Start is the week's Monday at midnight in Rome.
func (w Week) Start() time.Time {
	// 4 January is always in week 1; its Monday starts week 1.
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, Rome)
	back := (int(jan4.Weekday()) + 6) % 7
	return time.Date(w.Year, time.January, 4-back+7*(w.Number-1), 0, 0, 0, 0, Rome)
}

// End is the next Monday at midnight in Rome: days are counted on the
// calendar, so a week that changes to or from summer time has 167 or 169 hours.
func (w Week) End() time.Time { return w.Day(7) }

// Day is the i-th day of the week (0 Monday … 6 Sunday) at midnight in Rome.
func (w Week) Day(i int) time.Time {
	s := w.Start()
	return time.Date(s.Year(), s.Month(), s.Day()+i, 0, 0, 0, 0, Rome)
}

// Prev is the week before.
func (w Week) Prev() Week { return WeekOf(w.Day(-7)) }

// Next is the week after.
func (w Week) Next() Week { return WeekOf(w.Day(7)) }
