package households

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sigess/sigess/internal/people"
)

// dsuPattern is the protocol INPS gives a DSU, printed at the top right of
// the attestation: "INPS-ISEE-", the year, nine digits or capital letters
// (the DSU number) and a two-digit progressive ("-00" for the first
// attestation of that DSU), for example "INPS-ISEE-2024-12345A789-00".
var dsuPattern = regexp.MustCompile(`^INPS-ISEE-([0-9]{4})-[0-9A-Z]{9}-[0-9]{2}$`)

// NormalizeDSUProtocol returns p in capitals without spaces, and the year it
// carries, or false if it is not a DSU protocol.
func NormalizeDSUProtocol(p string) (string, int, bool) {
	p = strings.ToUpper(strings.Join(strings.Fields(p), ""))
	m := dsuPattern.FindStringSubmatch(p)
	if m == nil {
		return p, 0, false
	}
	y, _ := strconv.Atoi(m[1])
	return p, y, true
}

// DefaultExpiry is when an ISEE signed on signed expires, by the rules in
// force since 2020: a DSU is valid until 31 December of the year it was
// signed; an ISEE corrente for six months from signing. An attestation that
// says otherwise is recorded with its own ExpiresOn.
func DefaultExpiry(kind string, signed people.Date) people.Date {
	if kind == KindCorrente {
		return people.DateOf(signed.Time().AddDate(0, 6, 0))
	}
	return people.Date{Year: signed.Year, Month: 12, Day: 31}
}

// MaxValueCents bounds an ISEE value: ten million euro is no means test.
const MaxValueCents = 10_000_000_00

// ParseEuro reads an amount in euro as written in Italy or in English:
// "12.345,67", "12345,67", "12345.67", "12 345" → cents. At most two decimals.
func ParseEuro(s string) (int64, error) {
	t := strings.NewReplacer(" ", "", "€", "", "\u00a0", "").Replace(strings.TrimSpace(s))
	if t == "" {
		return 0, fmt.Errorf("households.ParseEuro(%q): empty", s)
	}
	// The last separator followed by one or two digits is the decimal one;
	// any other is a thousands separator.
	intPart, frac := t, ""
	if i := strings.LastIndexAny(t, ".,"); i >= 0 && len(t)-i-1 <= 2 && len(t)-i-1 > 0 {
		intPart, frac = t[:i], t[i+1:]
	}
	intPart = strings.NewReplacer(".", "", ",", "").Replace(intPart)
	if intPart == "" {
		intPart = "0"
	}
	for len(frac) < 2 {
		frac += "0"
	}
	euro, err1 := strconv.ParseUint(intPart, 10, 40)
	cents, err2 := strconv.ParseUint(frac, 10, 8)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("households.ParseEuro(%q): not an amount", s)
	}
	return int64(euro)*100 + int64(cents), nil
}

// FormatEuro writes cents as Italians read an amount: "12.345,67".
func FormatEuro(cents int64) string {
	euro := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range euro {
		if i > 0 && (len(euro)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s,%02d", b.String(), cents%100)
}

// validate checks in, filling the defaults, against today.
func (in *ISEEInput) validate(today people.Date) error {
	var fe fieldErrors
	in.Kind = strings.TrimSpace(in.Kind)
	if !known(Kinds, in.Kind) {
		fe.add("kind", "scegliere il tipo di ISEE")
	}
	switch {
	case in.ValueCents < 0:
		fe.add("value", "il valore ISEE non può essere negativo")
	case in.ValueCents > MaxValueCents:
		fe.add("value", "il valore ISEE è troppo alto")
	}
	protocol, year, ok := NormalizeDSUProtocol(in.DSUProtocol)
	in.DSUProtocol = protocol
	switch {
	case protocol == "":
		fe.add("dsu_protocol", "indicare il protocollo della DSU")
	case !ok:
		fe.add("dsu_protocol", "il protocollo DSU ha la forma INPS-ISEE-AAAA-XXXXXXXXX-NN")
	case in.Year == 0:
		in.Year = year
	case in.Year != year:
		fe.add("year", fmt.Sprintf("l'anno non coincide con quello del protocollo DSU (%d)", year))
		ok = false
	}
	if ok && (in.Year < 2015 || in.Year > today.Year+1) {
		fe.add("year", "anno della DSU non valido")
	}
	switch {
	case in.SignedOn.IsZero():
		fe.add("signed_on", "indicare la data di sottoscrizione della DSU")
	case in.SignedOn.Time().After(today.Time()):
		fe.add("signed_on", "la data di sottoscrizione è futura")
	case ok && in.Year != 0 && (in.SignedOn.Year < in.Year-1 || in.SignedOn.Year > in.Year):
		fe.add("signed_on", "la data di sottoscrizione non è dell'anno della DSU")
	}
	if in.ExpiresOn.IsZero() && !in.SignedOn.IsZero() {
		in.ExpiresOn = DefaultExpiry(in.Kind, in.SignedOn)
	}
	if !in.ExpiresOn.IsZero() && !in.SignedOn.IsZero() && in.ExpiresOn.Time().Before(in.SignedOn.Time()) {
		fe.add("expires_on", "la scadenza precede la sottoscrizione")
	}
	return fe.err()
}
