package people

import (
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/sigess/sigess/internal/istat"
)

var (
	belfioreOnce sync.Once
	belfiore     map[string]bool

	abroadPattern  = regexp.MustCompile(`^Z[0-9]{3}$`)
	countryPattern = regexp.MustCompile(`^[0-9]{3}$`)
	emailPattern   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phonePattern   = regexp.MustCompile(`^\+?[0-9][0-9 ./-]{4,19}$`)
)

// knownBirthPlace reports whether code is the Belfiore code of a comune in the
// ISTAT list or of a foreign country (Z and three digits).
func knownBirthPlace(code string) bool {
	belfioreOnce.Do(func() {
		belfiore = map[string]bool{}
		for _, c := range istat.All() {
			belfiore[c.Belfiore] = true
		}
	})
	return belfiore[code] || abroadPattern.MatchString(code)
}

// validate checks in and returns the record it describes (without identity,
// version or times). Errors in the fields come first; disagreements with the
// tax code follow, and alone they are Confirmable (AcceptMismatch accepts them,
// and they are returned in Person.Mismatches).
func (in Input) validate(now time.Time) (Person, error) {
	p := Person{
		FirstName:         cleanName(in.FirstName),
		LastName:          cleanName(in.LastName),
		Sex:               strings.ToUpper(strings.TrimSpace(in.Sex)),
		BirthDate:         in.BirthDate,
		BirthPlace:        strings.ToUpper(strings.TrimSpace(in.BirthPlace)),
		Citizenship:       strings.TrimSpace(in.Citizenship),
		SecondCitizenship: strings.TrimSpace(in.SecondCitizenship),
		Residence:         strings.TrimSpace(in.Residence),
		Domicile:          strings.TrimSpace(in.Domicile),
		Phone:             strings.TrimSpace(in.Phone),
		Email:             strings.ToLower(strings.TrimSpace(in.Email)),
		Details:           in.Details,
	}
	if p.Citizenship == "" {
		p.Citizenship = "380"
	}
	var fe fieldErrors
	checkName := func(field, v, what string) {
		switch {
		case v == "":
			fe.add(field, "indica il "+what)
		case len([]rune(v)) > 100:
			fe.add(field, "il "+what+" è troppo lungo (al massimo 100 caratteri)")
		case !nameChars(v):
			fe.add(field, "il "+what+" può contenere solo lettere, spazi, apostrofi, trattini e punti")
		}
	}
	checkName("last_name", p.LastName, "cognome")
	checkName("first_name", p.FirstName, "nome")
	if p.Sex != "M" && p.Sex != "F" {
		fe.add("sex", "indica il sesso (M o F)")
	}
	switch {
	case p.BirthDate.IsZero():
		fe.add("birth_date", "indica la data di nascita")
	case p.BirthDate.Time().After(now):
		fe.add("birth_date", "la data di nascita è nel futuro")
	case p.BirthDate.Year < 1880:
		fe.add("birth_date", "la data di nascita è troppo lontana")
	}
	switch {
	case p.BirthPlace == "":
		fe.add("birth_place", "indica il luogo di nascita (codice catastale del comune o dello Stato estero)")
	case !knownBirthPlace(p.BirthPlace):
		fe.add("birth_place", "codice catastale sconosciuto: usa quello di un comune italiano o Z seguito da tre cifre per uno Stato estero")
	}
	if !countryPattern.MatchString(p.Citizenship) {
		fe.add("citizenship", "la cittadinanza è il codice numerico ISO 3166 dello Stato (380 per l'Italia)")
	}
	if p.SecondCitizenship != "" && !countryPattern.MatchString(p.SecondCitizenship) {
		fe.add("second_citizenship", "la cittadinanza è il codice numerico ISO 3166 dello Stato")
	}
	for _, f := range []struct{ field, code string }{{"residence", p.Residence}, {"domicile", p.Domicile}} {
		if _, ok := istat.ByCode(f.code); f.code != "" && !ok {
			fe.add(f.field, "codice ISTAT del comune sconosciuto")
		}
	}
	if p.Phone != "" && !phonePattern.MatchString(p.Phone) {
		fe.add("phone", "numero di telefono non valido")
	}
	if p.Email != "" && !emailPattern.MatchString(p.Email) {
		fe.add("email", "indirizzo e-mail non valido")
	}

	var mismatches []Mismatch
	if strings.TrimSpace(in.TaxCode) != "" {
		tc, err := ParseTaxCode(in.TaxCode)
		if err != nil {
			fe.add("tax_code", userMessage(err))
		} else {
			p.TaxCode = tc.String()
			mismatches = tc.Mismatches(p)
		}
	}
	if len(fe) > 0 {
		// A disagreement of a field that is wrong anyway is noise.
		bad := map[string]bool{}
		for _, f := range fe {
			bad[f.Field] = true
		}
		for _, m := range mismatches {
			if !bad[m.Field] {
				fe.add(m.Field, m.Message)
			}
		}
		return Person{}, fe.err()
	}
	if len(mismatches) > 0 {
		if !in.AcceptMismatch {
			ve := &ValidationError{Confirmable: true}
			for _, m := range mismatches {
				ve.Fields = append(ve.Fields, FieldError{Field: m.Field, Message: m.Message})
			}
			return Person{}, ve
		}
		p.Mismatches = mismatches
	}
	return p, nil
}

// cleanName trims a name and collapses its inner spaces.
func cleanName(s string) string { return strings.Join(strings.Fields(s), " ") }

func nameChars(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && !strings.ContainsRune(" '’-.", r) {
			return false
		}
	}
	return true
}

// nameKey is the form of a name that search compares: "SURNAME NAME", upper
// case, accents dropped, every run of other characters one space.
func nameKey(last, first string) string {
	return searchKey(last + " " + first)
}

func searchKey(s string) string {
	return strings.Join(strings.FieldsFunc(asciiUpper(s), func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}), " ")
}

// Check validates in as Create and Update do, without touching the registry,
// so that a form that has errors of its own (a date that does not parse)
// can show every other field's error at once.
func Check(in Input) error {
	_, err := in.validate(time.Now())
	return err
}
