package interventions

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sigess/sigess/internal/derrors"
)

// Limits of an intervention's text fields.
const (
	maxProtocol    = 32 // ProtocolloDomanda
	maxDSUProtocol = 30 // NumeroProtocolloDSU
	maxNotes       = 4000
	maxReason      = 2000
	maxProvider    = 200
	maxHours       = 744 // the hours of a month
)

// check trims d and checks each field on its own (what a state needs is
// Missing's): lengths, codes, ranges, dates in order.
func (d *Data) check() []derrors.FieldError {
	var fe []derrors.FieldError
	add := func(field, msg string) { fe = append(fe, derrors.FieldError{Field: field, Message: msg}) }
	d.ApplicationProtocol = strings.TrimSpace(d.ApplicationProtocol)
	d.DSUProtocol = strings.TrimSpace(d.DSUProtocol)
	d.Notes = strings.TrimSpace(d.Notes)
	if n := len([]rune(d.ApplicationProtocol)); n > maxProtocol {
		add("application_protocol", fmt.Sprintf("il protocollo della domanda è troppo lungo (al massimo %d caratteri)", maxProtocol))
	}
	if n := len([]rune(d.DSUProtocol)); n > maxDSUProtocol {
		add("dsu_protocol", fmt.Sprintf("il protocollo DSU è troppo lungo (al massimo %d caratteri)", maxDSUProtocol))
	}
	if len([]rune(d.Notes)) > maxNotes {
		add("notes", fmt.Sprintf("le note sono troppo lunghe (al massimo %d caratteri)", maxNotes))
	}
	if d.Character != "" && d.Character != CharacterPeriodic && d.Character != CharacterOccasional {
		add("character", "scegliere periodico od occasionale")
	}
	if d.MeansTest != "" && !slices.Contains(MeansTests, d.MeansTest) {
		add("means_test", "scegliere la prova dei mezzi")
	}
	checkDate := func(field string, v interface{ IsZero() bool }, year int) {
		if !v.IsZero() && (year < 1990 || year > 2100) {
			add(field, "data non valida")
		}
	}
	checkDate("start_date", d.StartDate, d.StartDate.Year)
	checkDate("end_date", d.EndDate, d.EndDate.Year)
	checkDate("dsu_date", d.DSUDate, d.DSUDate.Year)
	if !d.StartDate.IsZero() && !d.EndDate.IsZero() && d.EndDate.Time().Before(d.StartDate.Time()) {
		add("end_date", "la data di fine precede quella di inizio")
	}
	for _, a := range []struct {
		field string
		v     *int64
	}{{"monthly_amount_cents", d.MonthlyAmountCents}, {"total_amount_cents", d.TotalAmountCents},
		{"requested_amount_cents", d.RequestedAmountCents}, {"isee_value_cents", d.ISEEValueCents}} {
		if a.v != nil && *a.v < 0 {
			add(a.field, "l'importo non può essere negativo")
		}
	}
	if d.PeriodMonths != nil && (*d.PeriodMonths < 1 || *d.PeriodMonths > 12) {
		add("period_months", "il periodo di erogazione va da 1 a 12 mesi")
	}
	for _, sh := range []struct {
		field string
		v     *float64
	}{{"share_ente", d.ShareEnte}, {"share_user", d.ShareUser}, {"share_health", d.ShareHealth}} {
		if sh.v != nil && (*sh.v < 0 || *sh.v > 100) {
			add(sh.field, "la quota è una percentuale da 0 a 100")
		}
	}
	if d.MonthlyHours != nil && (*d.MonthlyHours < 0 || *d.MonthlyHours > maxHours) {
		add("monthly_hours", fmt.Sprintf("le ore mensili vanno da 0 a %d", maxHours))
	}
	if d.DSUYear != nil && (*d.DSUYear < 1990 || *d.DSUYear > 2100) {
		add("dsu_year", "anno non valido")
	}
	return fe
}

// defaults fills what a request left empty from the catalogue entry: the
// shares (all three, when none was given), the means test and the character.
func (d *Data) defaults(e Entry) {
	if d.ShareEnte == nil && d.ShareUser == nil && d.ShareHealth == nil {
		ente, user, health := e.ShareEnte, e.ShareUser, e.ShareHealth
		d.ShareEnte, d.ShareUser, d.ShareHealth = &ente, &user, &health
	}
	if d.MeansTest == "" {
		d.MeansTest = e.MeansTest
	}
	if d.Character == "" {
		d.Character = e.Character
	}
}
