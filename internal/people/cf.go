package people

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// TaxCode is a parsed codice fiscale: 16 characters, upper case, check character
// verified. Omocodic codes (digits replaced by letters when two people would
// otherwise share a code) are accepted; the accessors decode them.
type TaxCode string

// omocodic maps the letters that replace digits 0–9 in an omocodic code.
const omocodic = "LMNPQRSTUV"

// digitPositions are the positions that hold digits in a regular code and may
// hold omocodic letters instead.
var digitPositions = [...]int{6, 7, 9, 10, 12, 13, 14}

// monthLetters encode January to December.
const monthLetters = "ABCDEHLMPRST"

// oddValues are the check-character values of 0–9 and A–Z at odd (1st, 3rd…)
// positions; at even positions a digit is worth itself and a letter its place
// in the alphabet.
var oddValues = map[byte]int{
	'0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
	'A': 1, 'B': 0, 'C': 5, 'D': 7, 'E': 9, 'F': 13, 'G': 15, 'H': 17, 'I': 19, 'J': 21,
	'K': 2, 'L': 4, 'M': 18, 'N': 20, 'O': 11, 'P': 3, 'Q': 6, 'R': 8, 'S': 12, 'T': 14,
	'U': 16, 'V': 10, 'W': 22, 'X': 25, 'Y': 24, 'Z': 23,
}

// ParseTaxCode normalises s (upper case, spaces removed) and checks its format
// and check character. The error, matching derrors.ErrInvalid, says in Italian
// what is wrong.
func ParseTaxCode(s string) (TaxCode, error) {
	c := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(c) != 16 {
		return "", invalidf("il codice fiscale deve avere 16 caratteri (ne ha %d)", len(c))
	}
	for i := 0; i < 16; i++ {
		if !validAt(c, i) {
			return "", invalidf("il codice fiscale non è valido: carattere %q in posizione %d", c[i], i+1)
		}
	}
	if want := CheckChar(c[:15]); c[15] != want {
		return "", invalidf("il codice fiscale non è valido: il carattere di controllo dovrebbe essere %c", want)
	}
	tc := TaxCode(c)
	if d := tc.day(); d < 1 || d > 31 && d < 41 || d > 71 {
		return "", invalidf("il codice fiscale non è valido: giorno di nascita %02d impossibile", d)
	}
	if y, m, d := tc.yearDigits(), tc.month(), tc.day()%40; d > daysIn(m, y) {
		return "", invalidf("il codice fiscale non è valido: il %d/%d non esiste", d, int(m))
	}
	return tc, nil
}

// validAt reports whether c[i] may stand at position i of a tax code.
func validAt(c string, i int) bool {
	ch := c[i]
	switch {
	case i < 6 || i == 11 || i == 15:
		return ch >= 'A' && ch <= 'Z'
	case i == 8:
		return strings.IndexByte(monthLetters, ch) >= 0
	default: // a digit position
		return ch >= '0' && ch <= '9' || strings.IndexByte(omocodic, ch) >= 0
	}
}

// looksLikeTaxCodePrefix reports whether s (normalised) could be the start of
// a tax code and is long enough to reach the birth year, so that a surname is
// not mistaken for one.
func looksLikeTaxCodePrefix(s string) bool {
	if len(s) < 7 || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !validAt(s, i) {
			return false
		}
	}
	return true
}

// CheckChar computes the check character of the first 15 characters of a tax
// code (upper case).
func CheckChar(first15 string) byte {
	sum := 0
	for i := 0; i < 15 && i < len(first15); i++ {
		ch := first15[i]
		if i%2 == 0 { // 1st, 3rd… position
			sum += oddValues[ch]
			continue
		}
		if ch >= '0' && ch <= '9' {
			sum += int(ch - '0')
		} else {
			sum += int(ch - 'A')
		}
	}
	return byte('A' + sum%26)
}

// String returns the code as 16 characters.
func (t TaxCode) String() string { return string(t) }

// Surname returns the three letters encoding the surname.
func (t TaxCode) Surname() string { return string(t)[0:3] }

// Name returns the three letters encoding the first name.
func (t TaxCode) Name() string { return string(t)[3:6] }

// Sex returns "M" or "F" (women's birth day is increased by 40).
func (t TaxCode) Sex() string {
	if t.day() > 40 {
		return "F"
	}
	return "M"
}

// BirthDate returns the encoded birth date. The code holds two digits of the
// year; the century is the latest that does not put the birth after ref.
func (t TaxCode) BirthDate(ref time.Time) Date {
	yy := t.yearDigits()
	y := ref.Year()/100*100 + yy
	d := Date{Year: y, Month: t.month(), Day: t.day() % 40}
	if d.Time().After(ref) {
		d.Year -= 100
	}
	return d
}

// BirthPlace returns the Belfiore code of the birth place: a comune, or Z and
// three digits for a country.
func (t TaxCode) BirthPlace() string {
	return string(t)[11:12] + deomocode(string(t)[12:15])
}

// IsOmocodic reports whether digits were replaced by letters.
func (t TaxCode) IsOmocodic() bool {
	for _, i := range digitPositions {
		if c := string(t)[i]; c < '0' || c > '9' {
			return true
		}
	}
	return false
}

func (t TaxCode) yearDigits() int { return atoi(deomocode(string(t)[6:8])) }
func (t TaxCode) day() int        { return atoi(deomocode(string(t)[9:11])) }
func (t TaxCode) month() time.Month {
	return time.Month(strings.IndexByte(monthLetters, string(t)[8]) + 1)
}

// deomocode turns omocodic letters back into digits.
func deomocode(s string) string {
	b := []byte(s)
	for i, c := range b {
		if j := strings.IndexByte(omocodic, c); j >= 0 {
			b[i] = byte('0' + j)
		}
	}
	return string(b)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// daysIn is the number of days in month m of a year ending in yy; February 29
// is allowed whenever either century could make it a leap year.
func daysIn(m time.Month, yy int) int {
	if m == time.February {
		if yy%4 == 0 {
			return 29
		}
		return 28
	}
	return time.Date(2001, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Mismatch is a field of a person that disagrees with its tax code. Field is
// the person's field (last_name, first_name, birth_date, sex, birth_place).
type Mismatch struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Mismatches compares the code with p's surname, name, birth date, sex and
// birth place. An omocodic code compares by what it decodes to.
func (t TaxCode) Mismatches(p Person) []Mismatch {
	var out []Mismatch
	add := func(field, format string, args ...any) {
		out = append(out, Mismatch{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if want := SurnameCode(p.LastName); want != t.Surname() {
		add("last_name", "il cognome dà %s, il codice fiscale ha %s", want, t.Surname())
	}
	if want := NameCode(p.FirstName); want != t.Name() {
		add("first_name", "il nome dà %s, il codice fiscale ha %s", want, t.Name())
	}
	if !p.BirthDate.IsZero() {
		bd := p.BirthDate
		if bd.Year%100 != t.yearDigits() || bd.Month != t.month() || bd.Day != t.day()%40 {
			add("birth_date", "la data di nascita non corrisponde al codice fiscale (che indica il %02d/%02d/%02d)",
				t.day()%40, int(t.month()), t.yearDigits())
		}
	}
	if p.Sex != "" && p.Sex != t.Sex() {
		add("sex", "il sesso non corrisponde al codice fiscale (che indica %s)", t.Sex())
	}
	if p.BirthPlace != "" && p.BirthPlace != t.BirthPlace() {
		add("birth_place", "il luogo di nascita non corrisponde al codice fiscale (che indica %s)", t.BirthPlace())
	}
	return out
}

// SurnameCode returns the three letters a surname contributes to a tax code:
// its consonants, then its vowels, then X.
func SurnameCode(surname string) string {
	cons, vows := letters(surname)
	return pad3(cons + vows)
}

// NameCode returns the three letters a first name contributes to a tax code:
// the 1st, 3rd and 4th consonant when there are more than three, otherwise as
// for a surname.
func NameCode(name string) string {
	cons, vows := letters(name)
	if len(cons) > 3 {
		return cons[0:1] + cons[2:4]
	}
	return pad3(cons + vows)
}

// letters splits the letters of s (accents dropped, upper case; spaces and
// apostrophes ignored) into consonants and vowels, each in order.
func letters(s string) (cons, vows string) {
	var c, v strings.Builder
	for _, r := range asciiUpper(s) {
		switch {
		case strings.ContainsRune("AEIOU", r):
			v.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			c.WriteRune(r)
		}
	}
	return c.String(), v.String()
}

func pad3(s string) string {
	s += "XXX"
	return s[:3]
}

// asciiUpper drops accents and upper-cases s ("Niccolò D'Alò" → "NICCOLO D'ALO").
func asciiUpper(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}
