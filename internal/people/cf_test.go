package people

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sigess/sigess/internal/derrors"
)

func TestParseTaxCode(t *testing.T) {
	ref := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) // before 9 April 2025: MRTMTT25… is 1925
	type decoded struct {
		Code, Surname, Name, Sex, BirthDate, BirthPlace string
		Omocodic                                        bool
	}
	for _, tc := range []struct {
		in      string
		want    decoded
		wantErr string // part of the message; "" for a valid code
	}{
		// The classic example; its check character computed independently.
		{in: "RSSMRA80A01H501U", want: decoded{"RSSMRA80A01H501U", "RSS", "MRA", "M", "1980-01-01", "H501", false}},
		{in: " rssmra80a01h501u ", want: decoded{"RSSMRA80A01H501U", "RSS", "MRA", "M", "1980-01-01", "H501", false}},
		{in: "RSSM RA80 A01H 501U", want: decoded{"RSSMRA80A01H501U", "RSS", "MRA", "M", "1980-01-01", "H501", false}},
		{in: "MRTMTT25D09F205Z", want: decoded{"MRTMTT25D09F205Z", "MRT", "MTT", "M", "1925-04-09", "F205", false}},
		// A woman (day + 40) born abroad (Z404, United States).
		{in: "BNCLRA85T52Z404Y", want: decoded{"BNCLRA85T52Z404Y", "BNC", "LRA", "F", "1985-12-12", "Z404", false}},
		// Omocodia: the last digit, then every digit, replaced by letters.
		{in: "RSSMRA80A01H50MM", want: decoded{"RSSMRA80A01H50MM", "RSS", "MRA", "M", "1980-01-01", "H501", true}},
		{in: "RSSMRAULALMHRLMD", want: decoded{"RSSMRAULALMHRLMD", "RSS", "MRA", "M", "1980-01-01", "H501", true}},
		// Two-digit year 03: 2003, not 1903, against a 2025 reference.
		{in: "RSSMRA03A01H501F", want: decoded{"RSSMRA03A01H501F", "RSS", "MRA", "M", "2003-01-01", "H501", false}},

		{in: "RSSMRA80A01H501A", wantErr: "il carattere di controllo dovrebbe essere U"},
		{in: "RSSMRA80A01H50MU", wantErr: "il carattere di controllo dovrebbe essere M"},
		{in: "RSSMRA80A01H501", wantErr: "16 caratteri (ne ha 15)"},
		{in: "RSSMRA80F01H501U", wantErr: "carattere 'F' in posizione 9"},
		{in: "RSSMRA8WA01H501U", wantErr: "carattere 'W' in posizione 8"},
		{in: "1SSMRA80A01H501U", wantErr: "carattere '1' in posizione 1"},
		{in: "RSSMRA80A35H501" + string(CheckChar("RSSMRA80A35H501")), wantErr: "giorno di nascita 35 impossibile"},
		{in: "RSSMRA81B29H501" + string(CheckChar("RSSMRA81B29H501")), wantErr: "il 29/2 non esiste"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTaxCode(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, derrors.ErrInvalid) {
					t.Fatalf("ParseTaxCode(%q) = %q, %v; want an ErrInvalid containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTaxCode(%q): %v", tc.in, err)
			}
			d := decoded{got.String(), got.Surname(), got.Name(), got.Sex(), got.BirthDate(ref).String(), got.BirthPlace(), got.IsOmocodic()}
			if diff := cmp.Diff(tc.want, d); diff != "" {
				t.Errorf("ParseTaxCode(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestBirthDateCentury(t *testing.T) {
	tc, err := ParseTaxCode("RSSMRA03A01H501F")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ref  time.Time
		want string
	}{
		{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "2003-01-01"},
		{time.Date(2002, 12, 31, 0, 0, 0, 0, time.UTC), "1903-01-01"}, // not yet born in 2003
		{time.Date(2003, 1, 1, 0, 0, 0, 0, time.UTC), "2003-01-01"},
	} {
		if got := tc.BirthDate(c.ref).String(); got != c.want {
			t.Errorf("BirthDate(%s) = %s, want %s", c.ref.Format(time.DateOnly), got, c.want)
		}
	}
}

func TestNameCodes(t *testing.T) {
	for _, tc := range []struct {
		name, surname, first string
	}{
		{"Rossi Mario", "RSS", "MRA"},
		{"Verdi Giuseppe (4 consonants: 1st, 3rd, 4th)", "VRD", "GPP"},
		{"Moretti Matteo", "MRT", "MTT"},
		{"Fo Ugo (padding with X)", "FOX", "GUO"},
		{"D'Alò Niccolò (apostrophe, accents)", "DLA", "NCL"},
		{"De Luca Anna Maria (spaces)", "DLC", "NMR"},
		{"Ng Li", "NGX", "LIX"},
	} {
		parts := strings.SplitN(strings.Split(tc.name, " (")[0], " ", 2)
		if parts[0] == "De" {
			parts = []string{"De Luca", "Anna Maria"}
		}
		if got := SurnameCode(parts[0]); got != tc.surname {
			t.Errorf("%s: SurnameCode(%q) = %s, want %s", tc.name, parts[0], got, tc.surname)
		}
		if got := NameCode(parts[1]); got != tc.first {
			t.Errorf("%s: NameCode(%q) = %s, want %s", tc.name, parts[1], got, tc.first)
		}
	}
}

func TestMismatches(t *testing.T) {
	code := TaxCode("RSSMRA80A01H501U")
	omocodic := TaxCode("RSSMRAULALMHRLMD")
	mario := Person{LastName: "Rossi", FirstName: "Mario", Sex: "M", BirthDate: Date{1980, 1, 1}, BirthPlace: "H501"}
	with := func(f func(p *Person)) Person { p := mario; f(&p); return p }
	fields := func(ms []Mismatch) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Field)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		code TaxCode
		p    Person
		want []string
	}{
		{"all agree", code, mario, nil},
		{"omocodic code agrees by what it decodes to", omocodic, mario, nil},
		{"birth in another century still agrees", code, with(func(p *Person) { p.BirthDate.Year = 1880 }), nil},
		{"surname", code, with(func(p *Person) { p.LastName = "Bianchi" }), []string{"last_name"}},
		{"name", code, with(func(p *Person) { p.FirstName = "Marco" }), []string{"first_name"}},
		{"birth date", omocodic, with(func(p *Person) { p.BirthDate.Day = 2 }), []string{"birth_date"}},
		{"sex", code, with(func(p *Person) { p.Sex = "F" }), []string{"sex"}},
		{"birth place", code, with(func(p *Person) { p.BirthPlace = "F205" }), []string{"birth_place"}},
		{"several", code, with(func(p *Person) { p.FirstName = "Giuseppe"; p.BirthPlace = "Z404" }), []string{"first_name", "birth_place"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := tc.code.Mismatches(tc.p)
			if diff := cmp.Diff(tc.want, fields(ms)); diff != "" {
				t.Errorf("Mismatches (-want +got):\n%s", diff)
			}
			for _, m := range ms {
				if m.Message == "" {
					t.Errorf("%s: no message", m.Field)
				}
			}
		})
	}
}

func TestLooksLikeTaxCodePrefix(t *testing.T) {
	for in, want := range map[string]bool{
		"RSSMRA80A01H501U":  true,
		"RSSMRA8":           true,
		"RSSMRAU":           true, // omocodic year digit
		"RSSMRA":            false,
		"ROSSIMARIO":        false,
		"MARIANNA":          false,
		"RSSMRA80A01H501UX": false,
	} {
		if got := looksLikeTaxCodePrefix(in); got != want {
			t.Errorf("looksLikeTaxCodePrefix(%q) = %v, want %v", in, got, want)
		}
	}
}
