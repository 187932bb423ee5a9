package casefile

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// world is one ente with two social service units X and Y, a PUA, and an
// operator per role: coordinators of X and of Y, two social workers of X, one
// of Y, an intake operator, an administrative officer, an auditor.
type world struct {
	tenant                      uuid.UUID
	unitX, unitY, pua           uuid.UUID
	coordX, coordY, swA, swB    Viewer
	swY, intake, admin, auditor Viewer
	person                      uuid.UUID
	svc                         *Service
}

// viewer is an operator holding the built-in role's permissions.
func viewer(id uuid.UUID, role string) Viewer {
	v := Viewer{ID: id, Email: role + "@comune.example.it", IP: "192.0.2.9", Perms: map[string]bool{}, Roles: []string{role}}
	for _, r := range authz.Builtin() {
		if r.Name == role {
			for _, p := range r.Permissions {
				v.Perms[p] = true
			}
		}
	}
	return v
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{tenant: uuid.New(), unitX: uuid.New(), unitY: uuid.New(), pua: uuid.New()}
	w.svc = NewService(pg.DB, people.NewService(pg.DB))
	err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ('12', 'lazio', 'Lazio') ON CONFLICT DO NOTHING`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, members, region_code)
			VALUES ($1, $2, 'Ambito di prova', 'ambito', '{058091}', '12')`, w.tenant, "t-"+w.tenant.String()[:8])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
		for _, u := range []struct {
			id         uuid.UUID
			code, kind string
		}{{w.unitX, "ss-x", "social_service"}, {w.unitY, "ss-y", "social_service"}, {w.pua, "pua", "pua"}} {
			if _, err := tx.Exec(ctx, `INSERT INTO units (tenant_id, id, code, kind, name) VALUES ($1, $2, $3, $4, $3)`,
				w.tenant, u.id, u.code, u.kind); err != nil {
				return err
			}
		}
		for _, o := range []struct {
			v    *Viewer
			role string
			unit uuid.UUID
		}{
			{&w.coordX, "coordinator", w.unitX}, {&w.coordY, "coordinator", w.unitY},
			{&w.swA, "social_worker", w.unitX}, {&w.swB, "social_worker", w.unitX}, {&w.swY, "social_worker", w.unitY},
			{&w.intake, "intake_operator", w.pua}, {&w.admin, "administrative", w.unitX}, {&w.auditor, "auditor", w.unitX},
		} {
			*o.v = viewer(uuid.New(), o.role)
			if _, err := tx.Exec(ctx, `WITH o AS (INSERT INTO operators (id, email, name) VALUES ($2, $3, $4)),
				m AS (INSERT INTO memberships (tenant_id, operator_id, roles) VALUES ($1, $2, ARRAY[$5]))
				INSERT INTO operator_units (tenant_id, operator_id, unit_id) VALUES ($1, $2, $6)`,
				w.tenant, o.v.ID, o.v.ID.String()+"@example.it", o.role+" "+o.v.ID.String()[:4], o.role, o.unit); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := people.NewService(pg.DB).Create(ctx, w.tenant, people.Input{
		FirstName: "Ada", LastName: "Neri", Sex: "F", BirthDate: people.Date{Year: 1980, Month: 1, Day: 1}, BirthPlace: "H501",
	}, people.Actor{Email: "test"}, true)
	if err != nil {
		t.Fatal(err)
	}
	w.person = p.ID
	return w
}

// open opens a case of w.person in unit as coordinator by, or fails the test.
func (w *world) open(t *testing.T, unit uuid.UUID, by Viewer, reserved bool, responsible *uuid.UUID) *Case {
	t.Helper()
	c, err := w.svc.Open(context.Background(), w.tenant, OpenInput{PersonID: w.person, UserArea: "elderly", UnitID: unit,
		Reserved: reserved, Summary: "Anziana sola", ResponsibleID: responsible}, by)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// actions returns tenant's audit actions on case id, oldest first.
func actions(t *testing.T, tenant, id uuid.UUID) []string {
	t.Helper()
	ctx := context.Background()
	var rs []audit.Record
	if err := pg.DB.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		rs, err = audit.List(ctx, tx, tenant, audit.Filter{ObjectType: "case", ObjectID: id.String(), Limit: audit.MaxLimit})
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

func ptr[T any](v T) *T { return &v }
