package access

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// clean trims the free-text fields and drops duplicate codes.
func (in *Input) clean() {
	for _, p := range []*string{&in.Channel, &in.Interlocutor, &in.InterlocutorName, &in.InterlocutorContact, &in.Reason,
		&in.SentBy, &in.ReferenceName, &in.ReferenceRelationship, &in.ReferenceContact, &in.Outcome, &in.OutcomeNotes,
		&in.ProposalArea, &in.Consent.Scope, &in.Referral.Kind, &in.Referral.HealthService, &in.Referral.Reason} {
		*p = strings.TrimSpace(*p)
	}
	in.Needs = uniq(in.Needs)
	in.Services = uniq(in.Services)
}

func uniq(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// check validates the fields of one wizard step ("" for all of them) without
// the database; the database checks (units, person, target) come in the
// transaction.
func (in *Input) check(step string, now time.Time) fieldErrors {
	var fe fieldErrors
	all := step == ""
	long := func(field, v string, max int) {
		if len([]rune(v)) > max {
			fe.add(field, "il testo è troppo lungo")
		}
	}
	if all || step == "interlocutor" {
		if in.UnitID == uuid.Nil {
			fe.add("unit_id", "indicare lo sportello che registra l'accesso")
		}
		if in.OccurredAt.After(now.Add(5 * time.Minute)) {
			fe.add("occurred_at", "la data dell'accesso non può essere nel futuro")
		}
		oneOf(&fe, "channel", in.Channel, Channels, "indicare il canale dell'accesso")
		oneOf(&fe, "interlocutor", in.Interlocutor, Interlocutors, "indicare chi si è rivolto al servizio")
		if in.Interlocutor != "" && in.Interlocutor != "self" && in.InterlocutorName == "" {
			fe.add("interlocutor_name", "indicare il nome dell'interlocutore")
		}
		oneOf(&fe, "reason", in.Reason, Reasons, "indicare il motivo dell'accesso")
		if in.Reason == "sent_by" && in.SentBy == "" {
			fe.add("sent_by", "indicare chi ha inviato la persona")
		}
		long("interlocutor_name", in.InterlocutorName, 200)
		long("interlocutor_contact", in.InterlocutorContact, 200)
		long("sent_by", in.SentBy, 200)
	}
	if all || step == "person" {
		if in.PersonID == uuid.Nil {
			fe.add("person_id", "cercare o registrare la persona")
		}
		if in.Consent.Given && in.Consent.Scope == "" {
			fe.add("consent_scope", "indicare per cosa è dato il consenso")
		}
		if in.Consent.Given && in.Consent.On.IsZero() {
			in.Consent.On = dateOf(now)
		}
		if !in.Consent.On.IsZero() && in.Consent.On.Time().After(now) {
			fe.add("consent_on", "la data del consenso non può essere nel futuro")
		}
		long("consent_scope", in.Consent.Scope, 300)
	}
	if all || step == "reference" {
		if (in.ReferenceRelationship != "" || in.ReferenceContact != "") && in.ReferenceName == "" {
			fe.add("reference_name", "indicare il nome della persona di riferimento")
		}
		long("reference_name", in.ReferenceName, 200)
		long("reference_relationship", in.ReferenceRelationship, 100)
		long("reference_contact", in.ReferenceContact, 200)
	}
	if all || step == "needs" {
		switch {
		case len(in.Needs) == 0:
			fe.add("needs", "indicare almeno un'area di bisogno")
		case !subset(in.Needs, UserAreas):
			fe.add("needs", "area di bisogno sconosciuta")
		}
	}
	if all || step == "services" {
		if !subset(in.Services, Services) {
			fe.add("services", "servizio sconosciuto")
		}
	}
	if all || step == "outcome" {
		oneOf(&fe, "outcome", in.Outcome, Outcomes, "indicare l'esito dell'accesso")
		long("outcome_notes", in.OutcomeNotes, 4000)
		switch in.Outcome {
		case "proposal":
			if in.ProposalUnit == nil {
				fe.add("proposal_unit", "indicare il servizio sociale a cui proporre la presa in carico")
			}
			if in.ProposalArea == "" && len(in.Needs) > 0 {
				in.ProposalArea = in.Needs[0]
			}
			oneOf(&fe, "proposal_area", in.ProposalArea, UserAreas, "indicare l'area d'utenza del caso")
		case "referral":
			in.Referral.check(&fe)
		}
	}
	return fe
}

// check validates where a referral goes.
func (r *ReferralTo) check(fe *fieldErrors) {
	oneOf(fe, "target_kind", r.Kind, TargetKinds, "indicare a chi è inviata la persona")
	switch r.Kind {
	case "unit":
		if r.UnitID == nil {
			fe.add("target_unit", "indicare l'unità a cui inviare")
		}
	case "ente":
		if r.TenantID == nil {
			fe.add("target_ente", "indicare l'ente a cui inviare")
		}
	case "health_service":
		if r.HealthService == "" {
			fe.add("health_service", "indicare il servizio sanitario a cui inviare")
		}
	}
	if r.Reason == "" {
		fe.add("referral_reason", "indicare il motivo dell'invio")
	} else if len([]rune(r.Reason)) > 2000 {
		fe.add("referral_reason", "il testo è troppo lungo")
	}
}

func oneOf(fe *fieldErrors, field, v string, codes []string, missing string) {
	switch {
	case v == "":
		fe.add(field, missing)
	case !slices.Contains(codes, v):
		fe.add(field, "valore non ammesso")
	}
}

func subset(xs, codes []string) bool {
	for _, x := range xs {
		if !slices.Contains(codes, x) {
			return false
		}
	}
	return true
}
