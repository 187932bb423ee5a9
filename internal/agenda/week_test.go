package agenda

import (
	"testing"
	"time"
)

func TestParseWeek(t *testing.T) {
	for _, tc := range []struct {
		in        string
		start     string // Monday, in Rome
		hours     float64
		prev, nxt string
	}{
		{"2026-W48", "2026-11-23", 168, "2026-W47", "2026-W49"},
		{"2026-W01", "2025-12-29", 168, "2025-W52", "2026-W02"},
		{"2026-W53", "2026-12-28", 168, "2026-W52", "2027-W01"},
		// Summer time starts on the last Sunday of March and ends on the last
		// Sunday of October: those weeks are an hour shorter and longer.
		{"2026-W13", "2026-03-23", 167, "2026-W12", "2026-W14"},
		{"2026-W43", "2026-10-19", 169, "2026-W42", "2026-W44"},
	} {
		w, err := ParseWeek(tc.in)
		if err != nil {
			t.Fatalf("ParseWeek(%q): %v", tc.in, err)
		}
		s := w.Start()
		if got := s.Format("2006-01-02 15:04"); got != tc.start+" 00:00" || s.Location() != Rome || s.Weekday() != time.Monday {
			t.Errorf("%s starts %s (%s); want %s 00:00 Monday in Rome", tc.in, got, s.Location(), tc.start)
		}
		if h := w.End().Sub(s).Hours(); h != tc.hours {
			t.Errorf("%s lasts %v hours; want %v", tc.in, h, tc.hours)
		}
		if w.String() != tc.in || w.Prev().String() != tc.prev || w.Next().String() != tc.nxt {
			t.Errorf("%s: String %s, Prev %s, Next %s; want %s, %s, %s", tc.in, w, w.Prev(), w.Next(), tc.in, tc.prev, tc.nxt)
		}
		if d := w.Day(6); d.Weekday() != time.Sunday || d.Hour() != 0 {
			t.Errorf("%s: day 6 is %s", tc.in, d)
		}
	}
	for _, bad := range []string{"", "2026-48", "2026-W54", "2026-W00", "2025-W53", "2026-W4", "2026-W488", "26-W48", "1999-W10"} {
		if _, err := ParseWeek(bad); err == nil {
			t.Errorf("ParseWeek(%q) accepted", bad)
		}
	}
	// Sunday 25 October 2026 at 23:30 in Rome (after the change back) is
	// still week 43; Monday 00:30 is week 44.
	sun := time.Date(2026, 10, 25, 23, 30, 0, 0, Rome)
	if w := WeekOf(sun); w.String() != "2026-W43" {
		t.Errorf("WeekOf(%s) = %s", sun, w)
	}
	if w := WeekOf(sun.Add(time.Hour)); w.String() != "2026-W44" {
		t.Errorf("WeekOf(%s) = %s", sun.Add(time.Hour), w)
	}
}
