package assessment

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Code is one value of a schema enumeration and its label in the schema.
type Code struct {
	Value, Label string
}

// Kind is what a SINBA attribute holds.
type Kind int

// The kinds of SINBA attribute.
const (
	KindCode        Kind = iota // one of Codes
	KindMonth                   // MM/AAAA (DataMeseAnnoType)
	KindCitizenship             // an ISTAT country code, three digits
	KindRegion                  // an ISTAT region code, two digits
)

// SINBAField is one attribute of SinbaType an assessment may give.
type SINBAField struct {
	Name     string
	Required bool
	Kind     Kind
	Codes    []Code
}

// SINBAFields are the SinbaType attributes an assessment keeps, in the
// schema's order.
func SINBAFields() []SINBAField { return sinbaFields }

// FamilyCodes are the codes of ComposizioneFamiglia.
func FamilyCodes() []Code { return familyCodes }

var (
	monthYear   = regexp.MustCompile(`^(0[1-9]|1[0-2])/(19|20)[0-9]{2}$`)
	threeDigits = regexp.MustCompile(`^[0-9]{3}$`)
	twoDigits   = regexp.MustCompile(`^[0-9]{2}$`)
)

// sinbaRequiredWhen are attributes the schema leaves optional that a given
// answer makes necessary: a court report needs its date, a court order its
// date, authority and kind, a disability its kind.
var sinbaRequiredWhen = []struct{ If, Is, Then string }{
	{"Disabilita", "1", "TipoDisabilita"},
	{"SegnalazioneAutoritaGiudiziaria", "1", "DataSegnalazione"},
	{"ProvvedimentoGiudiziario", "1", "DataProvvedimentoGiudiziario"},
	{"ProvvedimentoGiudiziario", "1", "AutoritaProvvedimento"},
	{"ProvvedimentoGiudiziario", "1", "TipoProvvedimentoGiudiziario"},
}

// check trims the SINBA data, drops empty attributes and returns the errors
// of its fields, named "sinba.<Attribute>" and "sinba.family".
func (s *SINBA) check() []FieldError {
	var fe []FieldError
	clean := map[string]string{}
	for k, v := range s.Attributes {
		if v = strings.TrimSpace(v); v != "" {
			clean[k] = v
		}
	}
	s.Attributes = clean
	known := map[string]bool{}
	for _, f := range sinbaFields {
		known[f.Name] = true
		v, ok := clean[f.Name]
		name := "sinba." + f.Name
		switch {
		case !ok && f.Required:
			fe = append(fe, FieldError{Field: name, Message: "dato obbligatorio per il flusso SINBA"})
		case !ok:
		case f.Kind == KindCode && !slices.ContainsFunc(f.Codes, func(c Code) bool { return c.Value == v }):
			fe = append(fe, FieldError{Field: name, Message: "valore non previsto"})
		case f.Kind == KindMonth && !monthYear.MatchString(v):
			fe = append(fe, FieldError{Field: name, Message: "indicare mese e anno come MM/AAAA"})
		case f.Kind == KindCitizenship && !threeDigits.MatchString(v):
			fe = append(fe, FieldError{Field: name, Message: "indicare il codice ISTAT dello Stato (tre cifre)"})
		case f.Kind == KindRegion && !twoDigits.MatchString(v):
			fe = append(fe, FieldError{Field: name, Message: "indicare il codice ISTAT della regione (due cifre)"})
		}
	}
	for _, r := range sinbaRequiredWhen {
		if clean[r.If] == r.Is && clean[r.Then] == "" && !slices.ContainsFunc(fe, func(f FieldError) bool { return f.Field == "sinba."+r.Then }) {
			fe = append(fe, FieldError{Field: "sinba." + r.Then, Message: fmt.Sprintf("obbligatorio quando %s è «%s»", r.If, label(r.If, r.Is))})
		}
	}
	for k := range clean {
		if !known[k] {
			fe = append(fe, FieldError{Field: "sinba." + k, Message: "attributo SINBA sconosciuto"})
		}
	}
	fam := make([]string, 0, len(s.Family))
	for _, v := range s.Family {
		if !slices.ContainsFunc(familyCodes, func(c Code) bool { return c.Value == v }) {
			fe = append(fe, FieldError{Field: "sinba.family", Message: "composizione del nucleo non prevista"})
			break
		}
		if !slices.Contains(fam, v) {
			fam = append(fam, v)
		}
	}
	slices.Sort(fam)
	s.Family = fam
	if len(fam) > maxSINBAFamilyCodes {
		fe = append(fe, FieldError{Field: "sinba.family", Message: "composizione del nucleo non valida"})
	}
	return fe
}

// label is the schema's label of attribute's code v.
func label(attribute, v string) string {
	for _, f := range sinbaFields {
		if f.Name != attribute {
			continue
		}
		for _, c := range f.Codes {
			if c.Value == v {
				return c.Label
			}
		}
	}
	return v
}
