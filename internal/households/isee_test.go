package households

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/derrors"
)

func TestRecordISEEValidation(t *testing.T) {
	ctx := context.Background()
	s := newService()
	tenant := pg.NewTenant(t)
	h, err := s.Create(ctx, tenant, NewHousehold{Name: "Nucleo"}, operator)
	if err != nil {
		t.Fatal(err)
	}
	ok := ISEEInput{Kind: KindOrdinario, ValueCents: 1234567, DSUProtocol: "INPS-ISEE-2025-12345A789-00", SignedOn: day(2025, 2, 3)}
	with := func(f func(in *ISEEInput)) ISEEInput { in := ok; f(&in); return in }
	for _, tc := range []struct {
		name string
		in   ISEEInput
		want []string
	}{
		{"empty", ISEEInput{}, []string{"kind", "dsu_protocol", "signed_on"}},
		{"protocol without the year", with(func(in *ISEEInput) { in.DSUProtocol = "INPS-ISEE-12345A789-00" }), []string{"dsu_protocol"}},
		{"protocol too short", with(func(in *ISEEInput) { in.DSUProtocol = "INPS-ISEE-2025-1234-00" }), []string{"dsu_protocol"}},
		{"year not the protocol's", with(func(in *ISEEInput) { in.Year = 2024 }), []string{"year"}},
		{"negative value", with(func(in *ISEEInput) { in.ValueCents = -1 }), []string{"value"}},
		{"unknown kind", with(func(in *ISEEInput) { in.Kind = "straordinario" }), []string{"kind"}},
		{"signed in the future", with(func(in *ISEEInput) { in.SignedOn = day(2025, 3, 11) }), []string{"signed_on"}},
		{"signed years before its DSU", with(func(in *ISEEInput) { in.SignedOn = day(2022, 3, 1) }), []string{"signed_on"}},
		{"expires before signing", with(func(in *ISEEInput) { in.ExpiresOn = day(2025, 1, 1) }), []string{"expires_on"}},
		{"protocol from the future", with(func(in *ISEEInput) {
			in.DSUProtocol, in.SignedOn = "INPS-ISEE-2030-12345A789-00", day(2025, 1, 1)
		}), []string{"year", "signed_on"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := s.RecordISEE(ctx, tenant, h.ID, tc.in, operator)
			if r != nil || !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("RecordISEE = %v, %v; want invalid", r, err)
			}
			if diff := cmp.Diff(tc.want, fieldNames(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	if got, _ := s.ISEEHistory(ctx, tenant, h.ID, operator); len(got) != 0 {
		t.Errorf("invalid records written: %+v", got)
	}
	if _, err := s.RecordISEE(ctx, tenant, uuid.New(), ok, operator); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("ISEE of an unknown household: %v; want not found", err)
	}
}

func TestISEEHistory(t *testing.T) {
	ctx := context.Background()
	s := newService()
	tenant := pg.NewTenant(t)
	h, err := s.Create(ctx, tenant, NewHousehold{Name: "Nucleo"}, operator)
	if err != nil {
		t.Fatal(err)
	}
	old, err := s.RecordISEE(ctx, tenant, h.ID, ISEEInput{Kind: KindOrdinario, ValueCents: 900000,
		DSUProtocol: " inps-isee-2024-000123456-00 ", SignedOn: day(2024, 1, 15)}, operator)
	if err != nil {
		t.Fatal(err)
	}
	if old.DSUProtocol != "INPS-ISEE-2024-000123456-00" || old.Year != 2024 || old.ExpiresOn != day(2024, 12, 31) {
		t.Errorf("recorded %s year %d expires %s; want the protocol in capitals, its year, 31 December", old.DSUProtocol, old.Year, old.ExpiresOn)
	}
	cur, err := s.RecordISEE(ctx, tenant, h.ID, ISEEInput{Kind: KindCorrente, ValueCents: 500000,
		DSUProtocol: "INPS-ISEE-2025-000999888-00", SignedOn: day(2025, 1, 20)}, operator)
	if err != nil {
		t.Fatal(err)
	}
	if cur.ExpiresOn != day(2025, 7, 20) {
		t.Errorf("ISEE corrente expires %s; want six months after signing", cur.ExpiresOn)
	}
	// A correction is a new record naming the old one.
	fix, err := s.RecordISEE(ctx, tenant, h.ID, ISEEInput{Kind: KindOrdinario, ValueCents: 950000,
		DSUProtocol: "INPS-ISEE-2024-000123456-01", SignedOn: day(2024, 1, 15), Corrects: &old.ID}, operator)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := s.Create(ctx, tenant, NewHousehold{Name: "Altro"}, operator)
	if _, err := s.RecordISEE(ctx, tenant, other.ID, ISEEInput{Kind: KindOrdinario, DSUProtocol: "INPS-ISEE-2024-000123456-02",
		SignedOn: day(2024, 1, 15), Corrects: &old.ID}, operator); !cmp.Equal(fieldNames(err), []string{"corrects"}) {
		t.Errorf("correcting another household's ISEE: %v; want a field error on corrects", err)
	}

	hist, err := s.ISEEHistory(ctx, tenant, h.ID, operator)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID       uuid.UUID
		Value    int64
		Corrects *uuid.UUID
		By       string
	}
	var got []row
	for _, r := range hist {
		got = append(got, row{r.ID, r.ValueCents, r.Corrects, r.CreatedByName})
	}
	want := []row{{cur.ID, 500000, nil, operator.Email}, {fix.ID, 950000, &old.ID, operator.Email}, {old.ID, 900000, nil, operator.Email}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if !cur.Valid(day(2025, 3, 10)) || old.Valid(day(2025, 3, 10)) {
		t.Errorf("Valid: current %v, 2024's %v; want true, false", cur.Valid(day(2025, 3, 10)), old.Valid(day(2025, 3, 10)))
	}
	ev := actions(trail(t, tenant, "household"))
	want2 := []string{"household.created", "isee.recorded", "isee.recorded", "isee.recorded", "household.created", "isee.viewed"}
	if diff := cmp.Diff(want2, ev); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

func TestEuro(t *testing.T) {
	for _, tc := range []struct {
		in    string
		cents int64
		bad   bool
	}{
		{"12.345,67", 1234567, false},
		{"12345,6", 1234560, false},
		{"12345.67", 1234567, false},
		{"12 345", 1234500, false},
		{"1.234.567", 123456700, false},
		{"€ 0,5", 50, false},
		{"", 0, true},
		{"dodici", 0, true},
		{"-5", 0, true},
	} {
		got, err := ParseEuro(tc.in)
		if (err != nil) != tc.bad || got != tc.cents {
			t.Errorf("ParseEuro(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.cents, tc.bad)
		}
	}
	if got := FormatEuro(123456789); got != "1.234.567,89" {
		t.Errorf("FormatEuro = %q", got)
	}
}
