package people

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

var operator = Actor{ID: uuid.MustParse("00000000-0000-4000-8000-0000000000a1"), Email: "anna@comune.example.it", IP: "192.0.2.7"}

func mario() Input {
	return Input{TaxCode: "RSSMRA80A01H501U", FirstName: "Mario", LastName: "Rossi", Sex: "M",
		BirthDate: Date{1980, 1, 1}, BirthPlace: "H501", Residence: "058091"}
}

// create creates in (forced past duplicates) or fails the test.
func create(t *testing.T, s *Service, tenant uuid.UUID, in Input) *Person {
	t.Helper()
	p, cs, err := s.Create(context.Background(), tenant, in, operator, true)
	if err != nil || p == nil {
		t.Fatalf("Create(%s %s): %v (candidates %d)", in.LastName, in.FirstName, err, len(cs))
	}
	return p
}

// trail returns tenant's audit events, oldest first.
func trail(t *testing.T, tenant uuid.UUID) []audit.Record {
	t.Helper()
	ctx := context.Background()
	var rs []audit.Record
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		rs, err = audit.List(ctx, tx, tenant, audit.Filter{Limit: audit.MaxLimit})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return rs
}
