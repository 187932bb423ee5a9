package catalog

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sigess/sigess/internal/derrors"
)

// FieldError is one invalid input field (derrors.FieldError).
type FieldError = derrors.FieldError

// Field names, as the API, the forms and the templates' items name them.
const (
	FName          = "name"
	FINPSName      = "inps_name"
	FINPSCode      = "inps_code"
	FUserArea      = "user_area"
	FUnit          = "unit"
	FMeansTest     = "means_test"
	FISEEThreshold = "isee_threshold"
	FShareEnte     = "share_ente"
	FShareUser     = "share_user"
	FShareHealth   = "share_health"
	FCharacter     = "character"
	FDescription   = "description"
)

// FieldNames lists every field of an entry, in the order of the forms.
var FieldNames = []string{FName, FINPSName, FINPSCode, FUserArea, FUnit, FMeansTest, FISEEThreshold,
	FShareEnte, FShareUser, FShareHealth, FCharacter, FDescription}

// groups are fields that are checked together: an ente that overrides one of
// them overrides them all, so that a template's new values never mix with the
// ente's into something invalid (shares that do not sum to 100, a threshold
// without ISEE, a short name without its INPS name).
var groups = [][]string{
	{FShareEnte, FShareUser, FShareHealth},
	{FMeansTest, FISEEThreshold},
	{FName, FINPSName},
}

// group returns the fields checked together with field (field itself
// included).
func group(field string) []string {
	for _, g := range groups {
		if slices.Contains(g, field) {
			return g
		}
	}
	return []string{field}
}

var inpsCodeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9.]{4,9}$`)

// Limits.
const (
	maxName        = 200
	maxDescription = 2000
	maxThreshold   = 9999999999.99
)

// Check trims and normalises f (INPS code in capitals, amounts to two
// decimals) and checks it, returning a *derrors.Invalid naming every invalid
// field.
func (f *Fields) Check() error {
	var fe []FieldError
	add := func(field, msg string) { fe = append(fe, FieldError{Field: field, Message: msg}) }
	f.Name = strings.TrimSpace(f.Name)
	f.INPSName = strings.TrimSpace(f.INPSName)
	f.INPSCode = strings.ToUpper(strings.TrimSpace(f.INPSCode))
	f.Description = strings.TrimSpace(f.Description)
	if n := len([]rune(f.Name)); n < 3 || n > maxName {
		add(FName, "indicare il nome della prestazione, da 3 a 200 caratteri")
	}
	switch n := len([]rune(f.INPSName)); {
	case n > 0 && (n < 10 || n > maxName):
		add(FINPSName, "la denominazione INPS deve avere da 10 a 200 caratteri")
	case n == 0 && len([]rune(f.Name)) >= 3 && len([]rune(f.Name)) < 10:
		add(FINPSName, "il nome ha meno di 10 caratteri: indicare la denominazione INPS, da 10 a 200 caratteri")
	}
	if !inpsCodeRE.MatchString(f.INPSCode) {
		add(FINPSCode, "il codice INPS deve avere da 5 a 10 caratteri tra lettere, cifre e punti, per esempio A1.01")
	}
	if !slices.Contains(UserAreas, f.UserArea) {
		add(FUserArea, "scegliere l'area di utenza")
	}
	if !slices.Contains(Units, f.Unit) {
		add(FUnit, "scegliere l'unità di misura")
	}
	if !slices.Contains(MeansTests, f.MeansTest) {
		add(FMeansTest, "scegliere la prova dei mezzi")
	}
	if f.ISEEThreshold != nil {
		v := round2(*f.ISEEThreshold)
		f.ISEEThreshold = &v
		switch {
		case v < 0 || v > maxThreshold || math.IsNaN(v):
			add(FISEEThreshold, "la soglia ISEE deve essere un importo tra 0 e 9.999.999.999,99 euro")
		case f.MeansTest == "2" || f.MeansTest == "4":
			add(FISEEThreshold, "la soglia ISEE si indica solo per le prestazioni soggette a ISEE")
		}
	}
	shares := []struct {
		field string
		v     *float64
	}{{FShareEnte, &f.ShareEnte}, {FShareUser, &f.ShareUser}, {FShareHealth, &f.ShareHealth}}
	sharesOK := true
	for _, s := range shares {
		*s.v = round2(*s.v)
		if *s.v < 0 || *s.v > 100 || math.IsNaN(*s.v) {
			add(s.field, "la quota deve essere una percentuale tra 0 e 100")
			sharesOK = false
		}
	}
	if sharesOK && math.Abs(f.ShareEnte+f.ShareUser+f.ShareHealth-100) > 0.001 {
		add(FShareEnte, "le quote di ente, utente e servizio sanitario devono sommare a 100")
	}
	if !slices.Contains(Characters, f.Character) {
		add(FCharacter, "scegliere il carattere della prestazione")
	}
	if len([]rune(f.Description)) > maxDescription {
		add(FDescription, "la descrizione può avere al massimo 2000 caratteri")
	}
	if len(fe) > 0 {
		return &derrors.Invalid{Fields: fe}
	}
	return nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// formatNumber writes an amount as the templates and the change log keep it:
// "15000", "33.5".
func formatNumber(v float64) string { return strconv.FormatFloat(round2(v), 'f', -1, 64) }

// ParseNumber reads an amount typed in a form or kept in a template: digits
// with a comma or a point before the decimals ("1.234,50" and "1234.50" are
// the same amount).
func ParseNumber(s string) (float64, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, " ", ""))
	if strings.Contains(s, ",") {
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return v, nil
}

// Values writes f as a flat map of field to text, as a template item keeps
// it: "" for no ISEE threshold, amounts as formatNumber writes them.
func (f Fields) Values() map[string]string {
	th := ""
	if f.ISEEThreshold != nil {
		th = formatNumber(*f.ISEEThreshold)
	}
	return map[string]string{
		FName: f.Name, FINPSName: f.INPSName, FINPSCode: f.INPSCode, FUserArea: f.UserArea, FUnit: f.Unit,
		FMeansTest: f.MeansTest, FISEEThreshold: th, FShareEnte: formatNumber(f.ShareEnte),
		FShareUser: formatNumber(f.ShareUser), FShareHealth: formatNumber(f.ShareHealth),
		FCharacter: f.Character, FDescription: f.Description,
	}
}

// FromValues reads Fields from a flat map (a form, a template item), checks
// them and returns every invalid field, amounts that are not numbers
// included. Missing fields are empty.
func FromValues(vals map[string]string) (Fields, error) {
	f := Fields{
		Name: vals[FName], INPSName: vals[FINPSName], INPSCode: vals[FINPSCode], UserArea: vals[FUserArea],
		Unit: vals[FUnit], MeansTest: vals[FMeansTest], Character: vals[FCharacter], Description: vals[FDescription],
	}
	var bad []FieldError
	if s := strings.TrimSpace(vals[FISEEThreshold]); s != "" {
		if v, err := ParseNumber(s); err != nil {
			bad = append(bad, FieldError{Field: FISEEThreshold, Message: "indicare un importo, per esempio 15000 o 9.360,50"})
		} else {
			f.ISEEThreshold = &v
		}
	}
	for _, s := range []struct {
		field string
		v     *float64
	}{{FShareEnte, &f.ShareEnte}, {FShareUser, &f.ShareUser}, {FShareHealth, &f.ShareHealth}} {
		raw := strings.TrimSpace(vals[s.field])
		if raw == "" {
			raw = "0"
		}
		v, err := ParseNumber(raw)
		if err != nil {
			bad = append(bad, FieldError{Field: s.field, Message: "la quota deve essere una percentuale tra 0 e 100"})
			v = 0
		}
		*s.v = v
	}
	err := f.Check()
	if len(bad) > 0 {
		seen := map[string]bool{}
		for _, b := range bad {
			seen[b.Field] = true
			if b.Field == FShareUser || b.Field == FShareHealth {
				seen[FShareEnte] = true // the sum of shares that are not numbers says nothing
			}
		}
		for _, e := range derrors.Fields(err) {
			if !seen[e.Field] {
				bad = append(bad, e)
			}
		}
		return f, &derrors.Invalid{Fields: bad}
	}
	return f, err
}
