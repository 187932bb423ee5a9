package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/diary"
	"github.com/sigess/sigess/internal/households"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/testenv"
)

// The case files of the case page benchmark: one ente with 100,000 cases, each
// of its own person, two people to a household, 5 diary entries and 2 history
// events to a case, 50 social workers responsible for them in turn. Every id
// is md5 of a name and a number ("case-17"), so that bench/casepage.sql can
// name them too.
const (
	caseCount         = 100_000
	caseWorkers       = 50
	casesDatabase     = "sigess_bench_cases"
	casesDataVersion  = "cases-v1: 100000 cases, 5 entries each"
	casePageScript    = "casepage.sql"
	casePageSeconds   = 10
	casePageConnCount = 8
)

// caseFile is the cached database of case files.
type caseFile struct {
	pg     *testenv.Postgres
	tenant uuid.UUID
}

var caseFixture fixture[*caseFile]

func caseSetup(b *testing.B) *caseFile {
	return caseFixture.get(b, func() (*caseFile, error) {
		ctx := context.Background()
		pg, err := cachedPostgres(ctx, casesDatabase, casesDataVersion, fillCases)
		if err != nil {
			return nil, err
		}
		atExit(func() { closeCached(pg) })
		f := &caseFile{pg: pg}
		err = pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT id FROM tenants WHERE slug = 'casi'`).Scan(&f.tenant)
		})
		if err != nil {
			return nil, fmt.Errorf("case bench: %w", err)
		}
		return f, nil
	})
}

// fillCases writes the ente's case files with INSERT … SELECT, as the owner in
// the ente's scope.
func fillCases(pg *testenv.Postgres) error {
	ctx := context.Background()
	tenant := uuid.New()
	err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ('12', 'lazio', 'Lazio')`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, region_code) VALUES ($1, 'casi', 'Ente dei casi', 'ambito', '12')`, tenant)
		return err
	})
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pg.Admin, func(tx pgx.Tx) error {
		for _, sql := range []string{
			db.SwitchTenantSQL,
			`INSERT INTO units (tenant_id, id, code, kind, name) VALUES ($1, md5('unit')::uuid, 'servizio-sociale', 'social_service', 'Servizio sociale')`,
			`INSERT INTO operators (id, email, name) SELECT md5('op-' || i)::uuid, 'op' || i || '@casi.example.it', 'Assistente ' || i
				FROM generate_series(1, ` + strconv.Itoa(caseWorkers) + `) i`,
			`INSERT INTO memberships (tenant_id, operator_id, roles) SELECT $1, md5('op-' || i)::uuid, '{social_worker}'
				FROM generate_series(1, ` + strconv.Itoa(caseWorkers) + `) i`,
			`INSERT INTO people (tenant_id, id, provisional_id, first_name, last_name, name_key, sex, birth_date, birth_place)
				SELECT $1, md5('person-' || i)::uuid, 'PROV-' || substr(lpad(i::text, 8, '0'), 1, 4) || '-' || substr(lpad(i::text, 8, '0'), 5, 4),
					'MARIO', 'ROSSI' || i, 'ROSSI' || i || ' MARIO', 'M', date '1950-01-01' + i % 20000, 'H501'
				FROM generate_series(1, $2) i`,
			`INSERT INTO households (tenant_id, id, name) SELECT $1, md5('household-' || h)::uuid, 'Nucleo ' || h
				FROM generate_series(1, ($2 + 1) / 2) h`,
			`INSERT INTO household_members (tenant_id, household_id, person_id, relationship, cohabiting, valid_from)
				SELECT $1, md5('household-' || (i + 1) / 2)::uuid, md5('person-' || i)::uuid,
					CASE WHEN i % 2 = 1 THEN 'head' ELSE 'spouse' END, true, date '2020-01-01'
				FROM generate_series(1, $2) i`,
			`INSERT INTO cases (tenant_id, id, number, person_id, household_id, user_area, state, unit_id, responsible_id, summary, opened_at, taken_at)
				SELECT $1, md5('case-' || i)::uuid, '2026/' || lpad(i::text, 6, '0'), md5('person-' || i)::uuid,
					md5('household-' || (i + 1) / 2)::uuid, 'family_minors', 'taken_in_charge', md5('unit')::uuid,
					md5('op-' || (i % ` + strconv.Itoa(caseWorkers) + ` + 1))::uuid, 'Presa in carico del nucleo', now() - interval '1 year', now() - interval '300 days'
				FROM generate_series(1, $2) i`,
			`INSERT INTO case_team (tenant_id, case_id, operator_id, role)
				SELECT $1, md5('case-' || i)::uuid, md5('op-' || (i % ` + strconv.Itoa(caseWorkers) + ` + 1))::uuid, 'responsible'
				FROM generate_series(1, $2) i`,
			`INSERT INTO case_events (tenant_id, case_id, seq, kind, from_state, to_state)
				SELECT $1, md5('case-' || i)::uuid, s, CASE s WHEN 1 THEN 'opened' ELSE 'transition' END,
					CASE s WHEN 1 THEN '' ELSE 'assigned' END, CASE s WHEN 1 THEN 'assigned' ELSE 'taken_in_charge' END
				FROM generate_series(1, $2) i, generate_series(1, 2) s`,
			`INSERT INTO diary_entries (tenant_id, id, case_id, kind, occurred_at, author_id)
				SELECT $1, md5('entry-' || i || '-' || j)::uuid, md5('case-' || i)::uuid, 'interview',
					now() - j * interval '30 days', md5('op-' || (i % ` + strconv.Itoa(caseWorkers) + ` + 1))::uuid
				FROM generate_series(1, $2) i, generate_series(1, 5) j`,
			`INSERT INTO diary_revisions (tenant_id, entry_id, revision, text, author_id)
				SELECT $1, md5('entry-' || i || '-' || j)::uuid, 1, 'Colloquio con la persona e il nucleo: situazione stabile.',
					md5('op-' || (i % ` + strconv.Itoa(caseWorkers) + ` + 1))::uuid
				FROM generate_series(1, $2) i, generate_series(1, 5) j`,
		} {
			var args []any
			switch {
			case sql == db.SwitchTenantSQL:
				args = []any{tenant.String()}
			case strings.Contains(sql, "$2"):
				args = []any{tenant, caseCount}
			case strings.Contains(sql, "$1"):
				args = []any{tenant}
			}
			if _, err := tx.Exec(ctx, sql, args...); err != nil {
				return fmt.Errorf("%.60s…: %w", sql, err)
			}
		}
		return nil
	})
}

// casePage is what one view of a case's page reads, as the case page and the
// pages it is made of call the services: the case with its team and history
// (casefile.Get, which writes case.viewed), the ente's workflow, the person,
// the person's households (household.listed) and the diary (diary.listed).
type casePage struct {
	cases *casefile.Service
	ppl   *people.Service
	hh    *households.Service
	dia   *diary.Service
}

func newCasePage(d *db.DB) *casePage {
	ppl := people.NewService(d)
	cases := casefile.NewService(d, ppl)
	return &casePage{cases: cases, ppl: ppl, hh: households.NewService(d, ppl), dia: diary.NewService(d, cases)}
}

// caseIDs are the ids of case n and of its responsible, who views it.
type caseIDs struct{ Case, Operator uuid.UUID }

func (p *casePage) view(ctx context.Context, tenant uuid.UUID, ids caseIDs) error {
	v := casefile.Viewer{ID: ids.Operator, Email: "assistente@casi.example.it", IP: "10.0.0.7", Roles: []string{"social_worker"},
		Perms: map[string]bool{authz.PermCasesReadOwn: true, authz.PermCasesWrite: true, authz.PermDiaryRead: true,
			authz.PermDiaryWrite: true, authz.PermPeopleRead: true}}
	view, err := p.cases.Get(ctx, tenant, ids.Case, v, "page")
	if err != nil {
		return err
	}
	if !view.Access.Content {
		return fmt.Errorf("case %s: no content for its responsible", ids.Case)
	}
	if _, err := p.cases.Workflow(ctx, tenant); err != nil {
		return err
	}
	if _, err := p.ppl.Get(ctx, tenant, view.Case.PersonID); err != nil {
		return err
	}
	if _, err := p.hh.List(ctx, tenant, view.Case.PersonID, households.Actor{ID: v.ID, Email: v.Email, IP: v.IP}); err != nil {
		return err
	}
	entries, err := p.dia.List(ctx, tenant, ids.Case, v)
	if err != nil {
		return err
	}
	if len(entries) != 5 {
		return fmt.Errorf("case %s: %d diary entries, want 5", ids.Case, len(entries))
	}
	return nil
}

// BenchmarkCasePage is a case's page under load: casePageConnCount
// goroutines, each viewing random cases through the services for
// casePageSeconds, over a pool of as many connections; then pgbench running
// the same statements (bench/casepage.sql) over as many connections for as
// long, on the same database. Reports both in page views per second and their
// ratio. Target: go/pgbench at least 0.4. The operation timed by the testing
// package is the whole pair of runs: read the metrics, not ns/op.
func BenchmarkCasePage(b *testing.B) {
	ctx := context.Background()
	f := caseSetup(b)
	if _, err := exec.LookPath("pgbench"); err != nil {
		b.Fatalf("pgbench is not installed (it comes with postgresql-client): %v", err)
	}
	d, err := db.Open(ctx, f.pg.RuntimeURL, casePageConnCount)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	page := newCasePage(d)
	// The ids of every case and responsible, as md5 names them.
	ids := make([]caseIDs, caseCount)
	rows, err := f.pg.Admin.Query(ctx, `SELECT md5('case-' || i)::uuid, md5('op-' || (i % $2 + 1))::uuid
		FROM generate_series(1, $1) i`, caseCount, caseWorkers)
	if err != nil {
		b.Fatal(err)
	}
	ids, err = pgx.CollectRows(rows, pgx.RowToStructByPos[caseIDs])
	if err != nil {
		b.Fatal(err)
	}
	if err := page.view(ctx, f.tenant, ids[0]); err != nil {
		b.Fatal(err)
	}
	var goRate, pgRate float64
	for b.Loop() {
		goRate, err = goViews(ctx, page, f.tenant, ids)
		if err != nil {
			b.Fatal(err)
		}
		pgRate, err = pgbenchViews(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(goRate, "go-views/s")
	b.ReportMetric(pgRate, "pgbench-views/s")
	b.ReportMetric(goRate/pgRate, "ratio")
}

// goViews views random cases from casePageConnCount goroutines for
// casePageSeconds and returns the views per second.
func goViews(ctx context.Context, page *casePage, tenant uuid.UUID, ids []caseIDs) (float64, error) {
	var (
		views    atomic.Int64
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	deadline := time.Now().Add(casePageSeconds * time.Second)
	start := time.Now()
	for w := range casePageConnCount {
		wg.Go(func() {
			rng := uint64(w)*0x9e3779b97f4a7c15 + 1
			for time.Now().Before(deadline) {
				rng ^= rng << 13
				rng ^= rng >> 7
				rng ^= rng << 17
				if err := page.view(ctx, tenant, ids[rng%uint64(len(ids))]); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				views.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(views.Load()) / time.Since(start).Seconds(), firstErr
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// pgbenchViews runs bench/casepage.sql (one page view a transaction) over
// casePageConnCount connections for casePageSeconds and returns its tps.
func pgbenchViews(ctx context.Context, f *caseFile) (float64, error) {
	cmd := exec.CommandContext(ctx, "pgbench", "-n", "-M", "prepared", "-c", strconv.Itoa(casePageConnCount), "-j", "2",
		"-T", strconv.Itoa(casePageSeconds), "-f", casePageScript, "-D", "tenant="+f.tenant.String(),
		"-D", "auditkey=audit:audit_events:"+f.tenant.String(), "-D", "cases="+strconv.Itoa(caseCount), "-D", "workers="+strconv.Itoa(caseWorkers), f.pg.RuntimeURL)
	cmd.Env = append(os.Environ(), "PGAPPNAME=sigess-bench")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %w\n%s", err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench: no tps in\n%s", out)
	}
	if strings.Contains(string(out), "failed: ") && !strings.Contains(string(out), "failed: 0 ") {
		return 0, fmt.Errorf("pgbench: failed transactions\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
