package interventions

import (
	"fmt"
	"math"
	"slices"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/derrors"
)

// Transition is one move the state machine allows: from a state to another,
// by holders of Perm; NeedsReason moves are refused without a reason.
type Transition struct {
	From, To    string
	Perm        string
	NeedsReason bool
}

// transitions is the state machine, whole: every move an intervention may
// make and the permission it needs. Approving, ranking and refusing are the
// coordinator's (interventions:authorise); activating, suspending, resuming
// (suspended → active) and closing are the administrative office's
// (interventions:deliver). Requesting is Create (interventions:request).
var transitions = []Transition{
	{StateRequested, StateApproved, authz.PermInterventionsAuthorise, false},
	{StateRequested, StateRefused, authz.PermInterventionsAuthorise, true},
	{StateApproved, StateRanked, authz.PermInterventionsAuthorise, false},
	{StateApproved, StateActive, authz.PermInterventionsDeliver, false},
	{StateApproved, StateRefused, authz.PermInterventionsAuthorise, true},
	{StateRanked, StateActive, authz.PermInterventionsDeliver, false},
	{StateRanked, StateRefused, authz.PermInterventionsAuthorise, true},
	{StateActive, StateSuspended, authz.PermInterventionsDeliver, true},
	{StateActive, StateClosed, authz.PermInterventionsDeliver, true},
	{StateSuspended, StateActive, authz.PermInterventionsDeliver, false},
	{StateSuspended, StateClosed, authz.PermInterventionsDeliver, true},
}

// targetPerm is the permission that moves an intervention into each state,
// whatever the state it comes from: a caller without it is refused (403)
// before the state is looked at.
var targetPerm = map[string]string{
	StateApproved:  authz.PermInterventionsAuthorise,
	StateRanked:    authz.PermInterventionsAuthorise,
	StateRefused:   authz.PermInterventionsAuthorise,
	StateActive:    authz.PermInterventionsDeliver,
	StateSuspended: authz.PermInterventionsDeliver,
	StateClosed:    authz.PermInterventionsDeliver,
}

// Allowed lists the moves from state from that holders of perms may make, in
// the table's order.
func Allowed(from string, perms map[string]bool) []Transition {
	var out []Transition
	for _, t := range transitions {
		if t.From == from && perms[t.Perm] {
			out = append(out, t)
		}
	}
	return out
}

// Terminal reports whether state ends the intervention's path.
func Terminal(state string) bool { return state == StateClosed || state == StateRefused }

// checkMove decides whether holders of perms may move an intervention from
// state from to state to: an unknown target is invalid, a target their
// permissions do not reach forbidden, a move the table lacks a conflict.
func checkMove(from, to string, perms map[string]bool) (Transition, error) {
	if !slices.Contains(States, to) {
		return Transition{}, &derrors.Invalid{Fields: []derrors.FieldError{{Field: "to", Message: "stato di destinazione sconosciuto"}}}
	}
	if p, ok := targetPerm[to]; !ok || !perms[p] {
		if !ok {
			return Transition{}, fmt.Errorf("%w: un intervento non torna allo stato «%s»", derrors.ErrConflict, to)
		}
		return Transition{}, ErrMoveForbidden
	}
	for _, t := range transitions {
		if t.From == from && t.To == to {
			return t, nil
		}
	}
	return Transition{}, fmt.Errorf("%w: un intervento nello stato «%s» non può passare a «%s»", derrors.ErrConflict, from, to)
}

// Entry is a catalogue entry as an intervention needs it: its name and codes,
// unit of measure, means test and threshold, and default shares.
type Entry struct {
	ID                 uuid.UUID
	Name               string
	INPSCode           string
	UserArea           string
	Unit               string
	MeansTest          string
	ISEEThresholdCents *int64
	ShareEnte          float64
	ShareUser          float64
	ShareHealth        float64
	Character          string
	Active             bool
}

// Missing lists what it lacks for an intervention to become active, each with
// its field and an Italian message for the form: the application protocol and
// start date, the amounts the entry's unit needs, shares summing to 100, the
// means test with the DSU data an ISEE test needs (and the ISEE value within
// the entry's threshold), and a beneficiary with a tax code — SIUSS does not
// accept provisional identifiers.
func Missing(it *Intervention, e Entry) []derrors.FieldError {
	var out []derrors.FieldError
	add := func(field, msg string) { out = append(out, derrors.FieldError{Field: field, Message: msg}) }
	d := it.Data
	if d.ApplicationProtocol == "" {
		add("application_protocol", "indicare il protocollo della domanda")
	}
	if d.StartDate.IsZero() {
		add("start_date", "indicare la data di inizio")
	}
	if d.Character == "" {
		add("character", "indicare se l'intervento è periodico od occasionale")
	}
	if e.Unit == UnitHours {
		if d.MonthlyHours == nil || *d.MonthlyHours <= 0 {
			add("monthly_hours", "indicare le ore mensili di servizio")
		}
	} else if positive(d.MonthlyAmountCents) == 0 && positive(d.TotalAmountCents) == 0 {
		add("monthly_amount_cents", "indicare l'importo mensile o l'importo totale")
	}
	if d.Character == CharacterPeriodic && positive(d.MonthlyAmountCents) > 0 && d.PeriodMonths == nil {
		add("period_months", "indicare per quanti mesi è erogato l'importo mensile")
	}
	if d.ShareEnte == nil || d.ShareUser == nil || d.ShareHealth == nil {
		add("share_ente", "indicare le quote di ente, utente e servizio sanitario")
	} else if math.Abs(*d.ShareEnte+*d.ShareUser+*d.ShareHealth-100) > 0.001 {
		add("share_ente", "le quote di ente, utente e servizio sanitario devono sommare a 100")
	}
	switch d.MeansTest {
	case "":
		add("means_test", "indicare la prova dei mezzi")
	case MeansTestISEE:
		if d.DSUProtocol == "" {
			add("dsu_protocol", "indicare il protocollo della DSU")
		}
		if d.DSUYear == nil {
			add("dsu_year", "indicare l'anno del protocollo DSU")
		}
		if d.DSUDate.IsZero() {
			add("dsu_date", "indicare la data della DSU")
		}
		if e.ISEEThresholdCents != nil {
			switch {
			case d.ISEEValueCents == nil:
				add("isee_value_cents", "indicare il valore ISEE: l'intervento ha una soglia")
			case *d.ISEEValueCents > *e.ISEEThresholdCents:
				add("isee_value_cents", fmt.Sprintf("il valore ISEE supera la soglia dell'intervento (%s)", Euro(*e.ISEEThresholdCents)))
			}
		}
	}
	if it.PersonTaxCode == "" {
		add("person_tax_code", "il beneficiario non ha un codice fiscale: SIUSS non accetta identificativi provvisori")
	}
	return out
}

// Euro writes cents as an amount in euro, Italian style: "€ 1.234,50".
func Euro(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := fmt.Sprint(cents / 100)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "." + whole[i:]
	}
	return fmt.Sprintf("%s€ %s,%02d", sign, whole, cents%100)
}

func positive(p *int64) int64 {
	if p == nil || *p < 0 {
		return 0
	}
	return *p
}
