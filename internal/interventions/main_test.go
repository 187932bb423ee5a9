package interventions

import (
	"context"
	"strings"
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

// world is an ente with a case (person with a tax code, unit, responsible
// social worker), a reserved case of the same unit, a catalogue entry in euro
// with an ISEE threshold and one in hours, and one operator of each role.
type world struct {
	tenant                             uuid.UUID
	caseID, reservedCase, unit, person uuid.UUID
	euro, hours                        uuid.UUID
	coord, sw, swOther, admin, intake  casefile.Viewer
	svc                                *Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{tenant: pg.NewTenant(t)}
	w.caseID = pg.NewCase(t, w.tenant)
	w.unit, w.person = w.caseID, w.caseID
	w.svc = NewService(pg.DB, casefile.NewService(pg.DB, people.NewService(pg.DB)))
	op := func(role string, inUnit bool) casefile.Viewer {
		id := uuid.New()
		pg.Exec(t, w.tenant, `WITH o AS (INSERT INTO operators (id, email, name) VALUES ($2, $3, $4))
			INSERT INTO memberships (tenant_id, operator_id, roles) VALUES ($1, $2, ARRAY[$5])`,
			w.tenant, id, id.String()+"@comune.it", "Operatore "+role, role)
		if inUnit {
			pg.Exec(t, w.tenant, `INSERT INTO operator_units (tenant_id, operator_id, unit_id) VALUES ($1, $2, $3)`, w.tenant, id, w.unit)
		}
		return casefile.Viewer{ID: id, Email: role + "@comune.it", IP: "10.0.0.1", Perms: permsOf(t, role), Roles: []string{role}}
	}
	w.coord, w.sw, w.swOther = op("coordinator", true), op("social_worker", true), op("social_worker", true)
	w.admin, w.intake = op("administrative", false), op("intake_operator", true)
	pg.Exec(t, w.tenant, `UPDATE people SET tax_code = $2 WHERE id = $1`, w.person, "RSSMRA80A01H501U")
	pg.Exec(t, w.tenant, `UPDATE cases SET responsible_id = $2 WHERE id = $1`, w.caseID, w.sw.ID)
	w.reservedCase = uuid.New()
	pg.Exec(t, w.tenant, `INSERT INTO cases (tenant_id, id, number, person_id, user_area, state, unit_id, reserved, responsible_id)
		VALUES ($1, $2, '2026/' || lpad((random() * 999999)::int::text, 6, '0'), $3, 'elderly', 'open', $4, true, $5)`,
		w.tenant, w.reservedCase, w.person, w.unit, w.swOther.ID)
	w.euro, w.hours = uuid.New(), uuid.New()
	pg.Exec(t, w.tenant, `INSERT INTO catalog_entries (tenant_id, id, name, inps_code, user_area, unit, means_test, isee_threshold,
			share_ente, share_user, share_health, character)
		VALUES ($1, $2, 'Contributo economico affitto', 'A1.04', '3', 'euro', '1', 15000.00, 100, 0, 0, '2'),
			($1, $3, 'Assistenza domiciliare', 'A2.01', '2', 'hours', '4', NULL, 70, 20, 10, '1')`, w.tenant, w.euro, w.hours)
	return w
}

// request is a minimal request of the euro entry on the world's case.
func (w *world) request(t *testing.T) *Intervention {
	t.Helper()
	it, err := w.svc.Create(context.Background(), w.tenant, NewIntervention{PersonID: w.person, CaseID: w.caseID,
		CatalogEntryID: w.euro, Data: Data{StartDate: people.Date{Year: 2026, Month: 1, Day: 1}}}, w.sw)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// count is a count(*) query in the world's ente.
func (w *world) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	err := pg.DB.InTenant(context.Background(), w.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), q, args...).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// trail is the actions of the audit events about case, oldest first.
func (w *world) trail(t *testing.T, caseID uuid.UUID) string {
	t.Helper()
	var out []string
	err := pg.DB.InTenant(context.Background(), w.tenant, func(tx pgx.Tx) error {
		rs, err := audit.List(context.Background(), tx, w.tenant, audit.Filter{ObjectType: "case", ObjectID: caseID.String()})
		for i := len(rs) - 1; i >= 0; i-- {
			out = append(out, rs[i].Action)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " ")
}
