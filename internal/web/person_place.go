package web

import (
	"strings"
	"sync"

	"github.com/sigess/sigess/internal/istat"
)

// comuneByName maps the names of comuni, upper case, to their Belfiore
// codes: "ROMA (RM)" always, "ROMA" when no other comune has the name.
var comuneByName = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	seen := map[string]int{}
	for _, c := range istat.All() {
		name := strings.ToUpper(c.Name)
		m[name+" ("+c.Province+")"] = c.Belfiore
		seen[name]++
		m[name] = c.Belfiore
	}
	for name, n := range seen {
		if n > 1 {
			delete(m, name)
		}
	}
	return m
})

// placeByBelfiore names comuni by Belfiore code: "Roma (RM)".
var placeByBelfiore = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, c := range istat.All() {
		m[c.Belfiore] = c.Name + " (" + c.Province + ")"
	}
	return m
})

// placeLabel names a birth place: the comune and its province, or the code
// itself (a country abroad, Z and three digits).
func placeLabel(code string) string {
	if name, ok := placeByBelfiore()[code]; ok {
		return name
	}
	return code
}

// comuneLabel names a comune by ISTAT code: "Roma (RM)", the code if unknown,
// "" for none.
func comuneLabel(code string) string {
	if c, ok := istat.ByCode(code); ok {
		return c.Name + " (" + c.Province + ")"
	}
	return code
}
