package access

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/derrors"
)

func TestWizardStepsAndDrafts(t *testing.T) {
	ctx := context.Background()
	s := newService()
	e := newEnte(t)
	op := operator(t, e.ID, e.PUA)
	other := operator(t, e.ID, e.PUA)
	anna := person(t, e.ID, "Verdi", "Anna")

	// Invalid first step: field errors, nothing written.
	_, err := s.SaveStep(ctx, e.ID, uuid.Nil, "interlocutor", Input{UnitID: e.Social, Interlocutor: "relative", Reason: "sent_by"}, op)
	if diff := cmp.Diff([]string{"channel", "interlocutor_name", "sent_by"}, fieldNames(err)); diff != "" {
		t.Fatalf("static checks (-want +got):\n%s", diff)
	}
	_, err = s.SaveStep(ctx, e.ID, uuid.Nil, "interlocutor", Input{UnitID: e.Social, Channel: "phone", Interlocutor: "self", Reason: "spontaneous"}, op)
	if diff := cmp.Diff([]string{"unit_id"}, fieldNames(err)); diff != "" {
		t.Fatalf("a social service unit is no desk (-want +got):\n%s", diff)
	}
	if n := count(t, e.ID, `SELECT count(*) FROM accesses`); n != 0 {
		t.Fatalf("%d accesses after invalid steps", n)
	}

	d, err := s.SaveStep(ctx, e.ID, uuid.Nil, "interlocutor", Input{UnitID: e.PUA, Channel: "phone", Interlocutor: "self", Reason: "spontaneous"}, op)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != Draft || d.Step != "person" {
		t.Fatalf("draft %s at %s", d.State, d.Step)
	}
	// A draft is its author's only.
	if _, err := s.Draft(ctx, e.ID, d.ID, other); !errors.Is(err, derrors.ErrNotFound) {
		t.Fatalf("another operator's draft: %v", err)
	}
	if _, err := s.SaveStep(ctx, e.ID, d.ID, "person", Input{PersonID: anna}, other); !errors.Is(err, derrors.ErrNotFound) {
		t.Fatalf("another operator saves my draft: %v", err)
	}
	// An invalid step keeps what the draft had.
	if _, err := s.SaveStep(ctx, e.ID, d.ID, "person", Input{PersonID: uuid.New(), Consent: Consent{Given: true}}, op); !cmp.Equal(fieldNames(err), []string{"consent_scope"}) {
		t.Fatalf("person step: %v", err)
	}
	if _, err := s.SaveStep(ctx, e.ID, d.ID, "person", Input{PersonID: uuid.New()}, op); !cmp.Equal(fieldNames(err), []string{"person_id"}) {
		t.Fatalf("unknown person: %v", err)
	}
	if d, err = s.Draft(ctx, e.ID, d.ID, op); err != nil || d.PersonID != nil || d.Step != "person" {
		t.Fatalf("draft after invalid steps: %+v %v", d, err)
	}
	steps := []struct {
		step string
		in   Input
	}{
		{"person", Input{PersonID: anna, Consent: Consent{Given: true, Scope: "trattamento dati per la presa in carico"}}},
		{"reference", Input{ReferenceName: "Marco Verdi", ReferenceRelationship: "figlio", ReferenceContact: "333 1234567"}},
		{"needs", Input{Needs: []string{"elderly", "disability"}}},
		{"services", Input{Services: []string{"home_care"}}},
		{"outcome", Input{Outcome: "information", OutcomeNotes: "Informata sull'assistenza domiciliare"}},
	}
	for _, st := range steps {
		if d, err = s.SaveStep(ctx, e.ID, d.ID, st.step, st.in, op); err != nil {
			t.Fatalf("%s: %v", st.step, err)
		}
	}
	// Still nothing created until confirmed: no list shows it.
	if sums, err := s.List(ctx, e.ID, Filter{}, op); err != nil || len(sums) != 0 {
		t.Fatalf("list before confirm: %v %v", sums, err)
	}
	a, err := s.Confirm(ctx, e.ID, d.ID, op)
	if err != nil {
		t.Fatal(err)
	}
	if a.State != Created || !a.Consent.Given || a.Consent.On.IsZero() || a.PersonName != "Verdi Anna" ||
		!cmp.Equal(a.Needs, []string{"elderly", "disability"}) || a.ReferenceName != "Marco Verdi" {
		t.Fatalf("created access: %+v", a)
	}
	if _, err := s.Confirm(ctx, e.ID, d.ID, op); !errors.Is(err, derrors.ErrNotFound) {
		t.Fatalf("confirm twice: %v", err)
	}
	// The colleague of the unit opens it: seen; then rejects without reason (refused) and accepts.
	if got, err := s.Get(ctx, e.ID, a.ID, other); err != nil || got.State != Seen {
		t.Fatalf("colleague opens: %v %v", got, err)
	}
	if _, err := s.SetState(ctx, e.ID, a.ID, Rejected, "", other); !cmp.Equal(fieldNames(err), []string{"reason"}) {
		t.Fatalf("reject without reason: %v", err)
	}
	if got, err := s.SetState(ctx, e.ID, a.ID, Accepted, "", other); err != nil || got.State != Accepted {
		t.Fatalf("accept: %v %v", got, err)
	}
	// An operator of another unit does not see it.
	stranger := operator(t, e.ID, e.Office)
	if _, err := s.Get(ctx, e.ID, a.ID, stranger); !errors.Is(err, derrors.ErrNotFound) {
		t.Fatalf("stranger: %v", err)
	}
	want := []string{"access.created", "access.viewed", "access.seen", "access.accepted", "access.listed"}
	got := actions(t, e.ID, "access")
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("trail %v lacks %s", got, w)
		}
	}
	// Another ente does not see it.
	if _, err := s.Get(ctx, newEnte(t).ID, a.ID, op); !errors.Is(err, derrors.ErrNotFound) {
		t.Fatalf("other ente: %v", err)
	}
}

func TestProposalOpensCase(t *testing.T) {
	ctx := context.Background()
	s := newService()
	e := newEnte(t)
	op := operator(t, e.ID, e.PUA)
	in := Input{UnitID: e.PUA, Channel: "in_person", Interlocutor: "self", Reason: "spontaneous", PersonID: person(t, e.ID, "Neri", "Luca"),
		Needs: []string{"poverty_adults"}, Outcome: "proposal", ProposalUnit: &e.PUA}
	if _, err := s.Create(ctx, e.ID, in, op); !cmp.Equal(fieldNames(err), []string{"proposal_unit"}) {
		t.Fatalf("proposal to a PUA: %v", err)
	}
	in.ProposalUnit = &e.Social
	a, err := s.Create(ctx, e.ID, in, op)
	if err != nil {
		t.Fatal(err)
	}
	if a.CaseID == nil || a.ProposalArea != "poverty_adults" {
		t.Fatalf("no case: %+v", a)
	}
	if n := count(t, e.ID, `SELECT count(*) FROM cases WHERE id = $1 AND origin_access = $2 AND unit_id = $3 AND user_area = 'poverty_adults'`,
		*a.CaseID, a.ID, e.Social); n != 1 {
		t.Fatalf("case rows %d", n)
	}
}

func TestReferrals(t *testing.T) {
	ctx := context.Background()
	s := newService()
	e, f := newEnte(t), newEnte(t)
	op := operator(t, e.ID, e.PUA)
	office := operator(t, e.ID, e.Office)
	fOp := operator(t, f.ID, f.PUA)
	person := person(t, e.ID, "Bruni", "Ada")
	base := Input{UnitID: e.PUA, Channel: "phone", Interlocutor: "self", Reason: "spontaneous", PersonID: person,
		Needs: []string{"disability"}, Outcome: "referral"}

	for _, tc := range []struct {
		name   string
		to     ReferralTo
		fields []string
	}{
		{"no target", ReferralTo{Kind: "unit", Reason: "x"}, []string{"target_unit"}},
		{"no reason", ReferralTo{Kind: "health_service", HealthService: "ASL"}, []string{"referral_reason"}},
		{"unknown unit", ReferralTo{Kind: "unit", UnitID: &f.PUA, Reason: "x"}, []string{"target_unit"}},
		{"unknown ente", ReferralTo{Kind: "ente", TenantID: ptr(uuid.New()), Reason: "x"}, []string{"target_ente"}},
	} {
		in := base
		in.Referral = tc.to
		if _, err := s.Create(ctx, e.ID, in, op); !cmp.Equal(fieldNames(err), tc.fields) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if n := count(t, e.ID, `SELECT count(*) FROM accesses`); n != 0 {
		t.Fatalf("%d accesses after invalid referrals", n)
	}

	// To a unit: the office answers; the sender cannot.
	in := base
	in.Referral = ReferralTo{Kind: "unit", UnitID: &e.Office, Reason: "Valutazione invalidità"}
	a, err := s.Create(ctx, e.ID, in, op)
	if err != nil || len(a.Referrals) != 1 {
		t.Fatalf("create: %+v %v", a, err)
	}
	r := a.Referrals[0]
	if _, err := s.Answer(ctx, e.ID, r.ID, true, "", op); !errors.Is(err, derrors.ErrForbidden) {
		t.Fatalf("sender answers: %v", err)
	}
	if _, err := s.Answer(ctx, e.ID, r.ID, false, "", office); !cmp.Equal(fieldNames(err), []string{"reason"}) {
		t.Fatalf("refuse without reason: %v", err)
	}
	if got, err := s.Get(ctx, e.ID, a.ID, office); err != nil || got.State != Seen {
		t.Fatalf("the receiving unit opens the access: %v %v", got, err)
	}
	if got, err := s.Answer(ctx, e.ID, r.ID, false, "Non di competenza", office); err != nil || got.State != "refused" {
		t.Fatalf("refuse: %v %v", got, err)
	}
	if _, err := s.Answer(ctx, e.ID, r.ID, true, "", office); !errors.Is(err, derrors.ErrConflict) {
		t.Fatalf("answer twice: %v", err)
	}

	// To the health service: the sender records the answer.
	in.Referral = ReferralTo{Kind: "health_service", HealthService: "ASL Roma 1", Reason: "UVM"}
	a, err = s.Create(ctx, e.ID, in, op)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Answer(ctx, e.ID, a.Referrals[0].ID, true, "", op); err != nil || got.State != "accepted" {
		t.Fatalf("health service answer: %v %v", got, err)
	}

	// To another ente: the receiver gets its own row with the person's name
	// only; its answer reaches the sender.
	in.Referral = ReferralTo{Kind: "ente", TenantID: &f.ID, Reason: "Trasferimento di residenza"}
	a, err = s.Create(ctx, e.ID, in, op)
	if err != nil {
		t.Fatal(err)
	}
	r = a.Referrals[0]
	inbox, err := s.Referrals(ctx, f.ID, "incoming", fOp)
	if err != nil || len(inbox) != 1 {
		t.Fatalf("receiver's inbox: %v %v", inbox, err)
	}
	recv := inbox[0]
	if recv.ID != r.ID || recv.PersonName != "Bruni Ada" || recv.PersonID != nil || recv.AccessID != nil || recv.Direction != "received" {
		t.Fatalf("received row: %+v", recv)
	}
	if _, err := s.Answer(ctx, e.ID, r.ID, true, "", op); !errors.Is(err, derrors.ErrForbidden) {
		t.Fatalf("sender answers its ente referral: %v", err)
	}
	if _, err := s.Get(ctx, f.ID, a.ID, fOp); !errors.Is(err, derrors.ErrNotFound) {
		t.Fatalf("receiver reads the sender's access: %v", err)
	}
	if _, err := s.Answer(ctx, f.ID, r.ID, true, "Presa in carico dal nostro segretariato", fOp); err != nil {
		t.Fatal(err)
	}
	out, err := s.Referrals(ctx, e.ID, "outgoing", op)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, x := range out {
		states[x.TargetKind] = x.State
	}
	if diff := cmp.Diff(map[string]string{"unit": "refused", "health_service": "accepted", "ente": "accepted"}, states); diff != "" {
		t.Errorf("sender's outgoing (-want +got):\n%s", diff)
	}
	if got := actions(t, f.ID, "referral"); !cmp.Equal(got, []string{"referral.received", "referral.listed", "referral.answered"}) {
		t.Errorf("receiver's trail %v", got)
	}
	// A third ente sees nothing of it.
	g := newEnte(t)
	if rs, err := s.Referrals(ctx, g.ID, "incoming", operator(t, g.ID, g.PUA)); err != nil || len(rs) != 0 {
		t.Fatalf("third ente: %v %v", rs, err)
	}
}

func TestAwaitingFor(t *testing.T) {
	ctx := context.Background()
	s := newService()
	e := newEnte(t)
	op := operator(t, e.ID, e.PUA)
	colleague := operator(t, e.ID, e.PUA, e.Office)
	in := Input{UnitID: e.PUA, Channel: "phone", Interlocutor: "self", Reason: "spontaneous", PersonID: person(t, e.ID, "Gallo", "Rita"),
		Needs: []string{"elderly"}, Outcome: "referral", Referral: ReferralTo{Kind: "unit", UnitID: &e.Office, Reason: "Telesoccorso"}}
	if _, err := s.Create(ctx, e.ID, in, op); err != nil {
		t.Fatal(err)
	}
	mine, err := s.AwaitingFor(ctx, e.ID, op.ID, []uuid.UUID{e.PUA})
	if err != nil || len(mine) != 0 {
		t.Fatalf("the author awaits their own access: %v %v", mine, err)
	}
	theirs, err := s.AwaitingFor(ctx, e.ID, colleague.ID, []uuid.UUID{e.PUA, e.Office})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, sm := range theirs {
		kinds = append(kinds, sm.Kind+":"+sm.PersonName)
	}
	if diff := cmp.Diff([]string{"access:Gallo Rita", "referral:Gallo Rita"}, kinds); diff != "" {
		t.Errorf("awaiting (-want +got):\n%s", diff)
	}
}

func ptr[T any](v T) *T { return &v }

func TestReferralFromCase(t *testing.T) {
	ctx := context.Background()
	s := newService()
	e := newEnte(t)
	c := pg.NewCase(t, e.ID) // person, unit and case share the id
	to := ReferralTo{Kind: "health_service", HealthService: "ASL Roma 1", Reason: "UVM"}
	in := NewReferral{CaseID: &c, ReferralTo: to}

	// The intake operator knows the case exists, not its content: refused.
	intake := operator(t, e.ID, e.PUA)
	if _, err := s.Send(ctx, e.ID, in, intake); !errors.Is(err, derrors.ErrForbidden) {
		t.Fatalf("intake operator sends a case: %v", err)
	}
	// Who may not even know of it, or names a case that is not there: the
	// field is wrong.
	stranger := operator(t, e.ID, e.Office)
	delete(stranger.Perms, "cases:exists")
	other := uuid.New()
	for name, tc := range map[string]struct {
		v  Viewer
		id *uuid.UUID
	}{"stranger": {stranger, &c}, "no such case": {intake, &other}} {
		in := in
		in.CaseID = tc.id
		if _, err := s.Send(ctx, e.ID, in, tc.v); !cmp.Equal(fieldNames(err), []string{"case_id"}) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := count(t, e.ID, `SELECT count(*) FROM referrals`); n != 0 {
		t.Fatalf("%d referrals after refusals", n)
	}

	// The social worker who reads it sends it, from the case's unit.
	social := operator(t, e.ID, e.Social)
	social.Perms["cases:read_all"] = true
	r, err := s.Send(ctx, e.ID, in, social)
	if err != nil {
		t.Fatal(err)
	}
	if r.PersonID == nil || *r.PersonID != c || r.CaseID == nil || *r.CaseID != c || r.FromUnit == nil || *r.FromUnit != c {
		t.Errorf("referral %+v: want person, case and sending unit %s", r, c)
	}
}
