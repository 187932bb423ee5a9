package access

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

func newService() *Service {
	ppl := people.NewService(pg.DB)
	return NewService(pg.DB, ppl, casefile.NewService(pg.DB, ppl))
}

// ente is a tenant with a PUA, a social service unit and an office.
type ente struct {
	ID                  uuid.UUID
	PUA, Social, Office uuid.UUID
}

func newEnte(t *testing.T) ente {
	t.Helper()
	e := ente{ID: pg.NewTenant(t), PUA: uuid.New(), Social: uuid.New(), Office: uuid.New()}
	pg.Exec(t, e.ID, `INSERT INTO units (tenant_id, id, code, kind, name) VALUES
		($1, $2, 'pua', 'pua', 'PUA Centro'),
		($1, $3, 'ss', 'social_service', 'Servizio sociale'),
		($1, $4, 'uf', 'office', 'Ufficio disabili')`, e.ID, e.PUA, e.Social, e.Office)
	return e
}

// operator is a member of the ente working in units, with perms.
func operator(t *testing.T, tenant uuid.UUID, units ...uuid.UUID) Viewer {
	t.Helper()
	id := uuid.New()
	pg.Exec(t, tenant, `WITH o AS (INSERT INTO operators (id, email, name) VALUES ($2, $3, 'Op'))
		INSERT INTO memberships (tenant_id, operator_id, roles) VALUES ($1, $2, '{intake_operator}')`, tenant, id, id.String()+"@example.it")
	for _, u := range units {
		pg.Exec(t, tenant, `INSERT INTO operator_units (tenant_id, operator_id, unit_id) VALUES ($1, $2, $3)`, tenant, id, u)
	}
	return Viewer{ID: id, Email: id.String()[:8] + "@example.it", IP: "192.0.2.1",
		Perms: map[string]bool{"accesses:read": true, "accesses:write": true, "referrals:write": true, "cases:exists": true}}
}

func count(t *testing.T, tenant uuid.UUID, q string, args ...any) int {
	t.Helper()
	var n int
	if err := pg.DB.InTenant(context.Background(), tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), q, args...).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func person(t *testing.T, tenant uuid.UUID, last, first string) uuid.UUID {
	t.Helper()
	p, _, err := people.NewService(pg.DB).Create(context.Background(), tenant, people.Input{
		FirstName: first, LastName: last, Sex: "F", BirthDate: people.Date{Year: 1950, Month: 1, Day: 1}, BirthPlace: "H501",
	}, people.Actor{Email: "test"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// actions is tenant's audit trail on typ, oldest first.
func actions(t *testing.T, tenant uuid.UUID, typ string) []string {
	t.Helper()
	ctx := context.Background()
	var rs []audit.Record
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		rs, err = audit.List(ctx, tx, tenant, audit.Filter{ObjectType: typ, Limit: audit.MaxLimit})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for i := len(rs) - 1; i >= 0; i-- {
		out = append(out, rs[i].Action)
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
