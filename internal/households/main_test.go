package households

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

var operator = Actor{ID: uuid.MustParse("00000000-0000-4000-8000-0000000000b1"), Email: "bruno@comune.example.it", IP: "192.0.2.8"}

// newService is a Service whose today is 2025-03-10 in Rome.
func newService() *Service {
	s := NewService(pg.DB, people.NewService(pg.DB))
	s.now = func() time.Time { return time.Date(2025, 3, 10, 9, 0, 0, 0, rome) }
	return s
}

// person registers someone without a tax code and returns their id.
func person(t *testing.T, tenant uuid.UUID, last, first string) uuid.UUID {
	t.Helper()
	p, _, err := people.NewService(pg.DB).Create(context.Background(), tenant, people.Input{
		FirstName: first, LastName: last, Sex: "F", BirthDate: people.Date{Year: 1980, Month: 1, Day: 1}, BirthPlace: "H501",
	}, people.Actor{Email: "test"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// trail returns tenant's audit actions on object type typ, oldest first.
func trail(t *testing.T, tenant uuid.UUID, typ string) []audit.Record {
	t.Helper()
	ctx := context.Background()
	var rs []audit.Record
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		rs, err = audit.List(ctx, tx, tenant, audit.Filter{ObjectType: typ, Limit: audit.MaxLimit})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return rs
}

func actions(rs []audit.Record) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Action)
	}
	return out
}

func fieldNames(err error) []string {
	var out []string
	for _, f := range Fields(err) {
		out = append(out, f.Field)
	}
	return out
}

func day(y int, m time.Month, d int) people.Date { return people.Date{Year: y, Month: m, Day: d} }
