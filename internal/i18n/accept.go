package i18n

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// FromAcceptLanguage picks the supported locale the browser prefers most from
// an Accept-Language header ("en-GB,en;q=0.9,it;q=0.8" → "en"), or "" when
// the browser asks for none of them.
func FromAcceptLanguage(header string) string {
	type pref struct {
		locale string
		q      float64
		pos    int
	}
	var prefs []pref
	for i, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if q > 0 && Supported(primary) {
			prefs = append(prefs, pref{primary, q, i})
		}
	}
	if len(prefs) == 0 {
		return ""
	}
	best := slices.MinFunc(prefs, func(a, b pref) int {
		return cmp.Or(cmp.Compare(b.q, a.q), cmp.Compare(a.pos, b.pos))
	})
	return best.locale
}
