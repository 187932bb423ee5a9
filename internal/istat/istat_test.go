package istat_test

import (
	"testing"

	"github.com/sigess/sigess/internal/istat"
)

func TestList(t *testing.T) {
	all := istat.All()
	if len(all) != 7904 {
		t.Errorf("%d comuni; want 7,904 (ISTAT, 2020-01-01)", len(all))
	}
	if n := len(istat.Filter("12", "")); n != 378 {
		t.Errorf("Lazio has %d comuni; want 378", n)
	}
	if n := len(istat.Filter("12", "rm")); n != 121 {
		t.Errorf("province of Roma has %d comuni; want 121", n)
	}
	slugs := map[string]string{}
	for _, c := range all {
		if prev, ok := slugs[c.Slug]; ok {
			t.Errorf("slug %s is shared by %s and %s", c.Slug, prev, c.Code)
		}
		slugs[c.Slug] = c.Code
	}
	roma, ok := istat.ByCode("058091")
	if !ok || roma.Belfiore != "H501" || roma.Slug != "roma" || roma.Province != "RM" {
		t.Errorf("Roma = %+v", roma)
	}
	// Castro is a comune in Bergamo and in Lecce: each carries its province.
	for code, want := range map[string]string{"016065": "castro-bg", "075096": "castro-le"} {
		if c, _ := istat.ByCode(code); c.Slug != want {
			t.Errorf("%s slug = %q; want %q", code, c.Slug, want)
		}
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Agliè":                 "aglie",
		"Albiano d'Ivrea":       "albiano-d-ivrea",
		"Cisterna di Latina":    "cisterna-di-latina",
		"Reggio nell'Emilia":    "reggio-nell-emilia",
		"Bolzano/Bozen":         "bolzano-bozen",
		"  San Donà di Piave  ": "san-dona-di-piave",
	} {
		if got := istat.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q; want %q", in, got, want)
		}
	}
}
