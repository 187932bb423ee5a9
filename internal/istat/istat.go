// Package istat is the ISTAT list of Italian municipalities (comuni), embedded in
// the binary with its attribution (ATTRIBUTION.md, CC BY 3.0 IT, ISTAT), and the
// slugs SIGeSS derives from their names.
package istat

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

//go:embed comuni-istat.csv
var comuniCSV []byte

// Attribution is the credit line that must accompany the list.
const Attribution = "Elenco dei comuni: ISTAT, CC BY 3.0 IT"

// Comune is one Italian municipality.
type Comune struct {
	Code           string // ISTAT code, 6 digits
	Name           string
	Belfiore       string // cadastral code, e.g. H501
	Province       string // abbreviation, e.g. RM
	ProvinceCode   string
	ProvinceName   string
	RegionCode     string // 2 digits, e.g. 12
	RegionName     string
	Population2011 int
	Slug           string // unique across Italy
}

var (
	loadOnce sync.Once
	all      []Comune
	byCode   map[string]*Comune
)

func load() {
	r := csv.NewReader(bytes.NewReader(comuniCSV))
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		panic(fmt.Sprintf("istat: embedded list is unreadable: %v", err)) // a build defect
	}
	all = make([]Comune, 0, len(rows)-1)
	seen := map[string]int{}
	for _, row := range rows[1:] {
		var pop int
		fmt.Sscanf(row[8], "%d", &pop)
		c := Comune{Code: row[0], Name: row[1], Belfiore: row[2], Province: row[3], ProvinceCode: row[4],
			ProvinceName: row[5], RegionCode: row[6], RegionName: row[7], Population2011: pop, Slug: Slugify(row[1])}
		seen[c.Slug]++
		all = append(all, c)
	}
	byCode = make(map[string]*Comune, len(all))
	for i := range all {
		// A few names recur across Italy (Castro BG and LE, Samone TO and TN…):
		// those comuni carry their province in the slug, wherever they are.
		if seen[all[i].Slug] > 1 {
			all[i].Slug += "-" + strings.ToLower(all[i].Province)
		}
		byCode[all[i].Code] = &all[i]
	}
}

// All returns every comune, in ISTAT code order.
func All() []Comune {
	loadOnce.Do(load)
	return all
}

// ByCode finds a comune by its ISTAT code.
func ByCode(code string) (Comune, bool) {
	loadOnce.Do(load)
	c, ok := byCode[code]
	if !ok {
		return Comune{}, false
	}
	return *c, true
}

// Filter returns the comuni of a region and, if province is not empty, of one
// province (its abbreviation, e.g. RM) only.
func Filter(region, province string) []Comune {
	var out []Comune
	for _, c := range All() {
		if (region == "" || c.RegionCode == region) && (province == "" || strings.EqualFold(c.Province, province)) {
			out = append(out, c)
		}
	}
	return out
}

// RegionName returns the name of a region by its two-digit code.
func RegionName(code string) (string, bool) {
	for _, c := range All() {
		if c.RegionCode == code {
			return c.RegionName, true
		}
	}
	return "", false
}

// Slugify turns a name into a tenant slug: lower case, accents dropped, every run
// of other characters one hyphen ("Albiano d'Ivrea" → "albiano-d-ivrea").
func Slugify(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// combining accent: dropped
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
	}
	return b.String()
}
