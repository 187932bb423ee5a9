package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/people"
	"github.com/sigess/sigess/internal/testenv"
	"github.com/sigess/sigess/migrations"
)

// The person registry of the search benchmark: one large ente with a million
// people among 5,000,000 on the platform.
const (
	bigEnte        = 1_000_000
	smallEnti      = 400
	smallEnte      = 10_000
	peopleDatabase = "sigess_bench_people"
	// peopleDataVersion names the generator below: change it when the data
	// changes, and the cached database is made again.
	peopleDataVersion = "people-v1: 1x1000000 + 400x10000"
)

// peopleRegistry is the cached database and what the benchmark asks of it.
type peopleRegistry struct {
	pg  *testenv.Postgres
	big uuid.UUID // the ente with a million people
}

var peopleFixture fixture[*peopleRegistry]

func peopleSetup(b *testing.B) *peopleRegistry {
	return peopleFixture.get(b, func() (*peopleRegistry, error) {
		ctx := context.Background()
		pg, err := cachedPostgres(ctx, peopleDatabase, peopleDataVersion, fillPeople)
		if err != nil {
			return nil, err
		}
		atExit(func() { closeCached(pg) })
		r := &peopleRegistry{pg: pg}
		// The large ente is the only one with the slug "grande".
		err = pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT id FROM tenants WHERE slug = 'grande'`).Scan(&r.big)
		})
		if err != nil {
			return nil, fmt.Errorf("people bench: %w", err)
		}
		return r, nil
	})
}

// fillPeople makes the enti and COPYs their people in, two batches at a time,
// as the owner; the indexes are built once at the end. PostgreSQL refuses COPY
// FROM into a table under row-level security, so the load lifts FORCE ROW
// LEVEL SECURITY (the owner then bypasses the policy) and puts it back.
func fillPeople(pg *testenv.Postgres) error {
	ctx := context.Background()
	tenants := []uuid.UUID{uuid.New()}
	sizes := []int{bigEnte}
	for range smallEnti {
		tenants, sizes = append(tenants, uuid.New()), append(sizes, smallEnte)
	}
	err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ('12', 'lazio', 'Lazio')`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, region_code)
			SELECT id, CASE WHEN n = 1 THEN 'grande' ELSE 'ente-' || n END, 'Ente di prova', 'ambito', '12'
			FROM unnest($1::uuid[]) WITH ORDINALITY AS t (id, n)`, tenants)
		return err
	})
	if err != nil {
		return err
	}
	type batch struct {
		tenant uuid.UUID
		n      int
	}
	var batches []batch
	for i, t := range tenants {
		for part := 0; part*100_000 < sizes[i]; part++ {
			batches = append(batches, batch{t, min(100_000, sizes[i]-part*100_000)})
		}
	}
	// A tax code is unique per ente: each ente's codes are drawn by one
	// generator, which its batches take in turn.
	gens := map[uuid.UUID]*personGen{}
	for _, t := range tenants {
		gens[t] = newPersonGen(uint64(len(gens)))
	}
	if _, err := pg.Admin.Exec(ctx, `ALTER TABLE people NO FORCE ROW LEVEL SECURITY`); err != nil {
		return err
	}
	err = withoutIndexes(ctx, pg.Admin, []string{"people"}, func() error {
		work := make(chan batch)
		errs := make(chan error, 2)
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				for bt := range work {
					if err := copyPeople(ctx, pg.Admin, bt.tenant, gens[bt.tenant], bt.n); err != nil {
						errs <- err
						for range work {
						}
						return
					}
				}
			})
		}
		go func() {
			defer close(work)
			for _, bt := range batches {
				work <- bt
			}
		}()
		wg.Wait()
		close(errs)
		return <-errs
	})
	if _, ferr := pg.Admin.Exec(ctx, `ALTER TABLE people FORCE ROW LEVEL SECURITY`); err == nil {
		err = ferr
	}
	return err
}

// copyPeople inserts n people of tenant drawn by g.
func copyPeople(ctx context.Context, admin *pgxpool.Pool, tenant uuid.UUID, g *personGen, n int) error {
	return pgx.BeginFunc(ctx, admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, db.SwitchTenantSQL, tenant.String()); err != nil {
			return err
		}
		g.mu.Lock()
		rows := make([][]any, n)
		for i := range rows {
			p := g.next()
			rows[i] = []any{tenant, uuid.New(), p.taxCode, p.first, p.last, p.key, p.sex, p.birth, p.place}
		}
		g.mu.Unlock()
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"people"},
			[]string{"tenant_id", "id", "tax_code", "first_name", "last_name", "name_key", "sex", "birth_date", "birth_place"},
			pgx.CopyFromRows(rows))
		return err
	})
}

// person is one generated registry row.
type person struct {
	taxCode, first, last, key, sex, place string
	birth                                 time.Time
}

// personGen draws realistic people: common surnames and names, the frequent
// ones more often, born 1930–2023, a third of them in Rome, each with the tax
// code their data gives (distinct within the generator: a clash takes the
// next day of birth).
type personGen struct {
	mu     sync.Mutex
	rng    *rand.Rand
	seen   map[string]bool
	places []string
}

func newPersonGen(seed uint64) *personGen {
	g := &personGen{rng: rand.New(rand.NewPCG(seed, 42)), seen: map[string]bool{}}
	for _, c := range istat.All() {
		g.places = append(g.places, c.Belfiore)
	}
	return g
}

// skewed draws an index below n, low ones far more often (rank-frequency of
// names).
func skewed(rng *rand.Rand, n int) int { return int(float64(n) * math.Pow(rng.Float64(), 2.2)) }

func (g *personGen) next() person {
	var p person
	p.last = strings.ReplaceAll(surnames[skewed(g.rng, len(surnames))], "_", " ")
	if g.rng.IntN(2) == 0 {
		p.sex, p.first = "M", maleNames[skewed(g.rng, len(maleNames))]
	} else {
		p.sex, p.first = "F", femaleNames[skewed(g.rng, len(femaleNames))]
	}
	p.key = strings.ReplaceAll(p.last, "'", " ") + " " + p.first
	p.place = "H501"
	if g.rng.IntN(3) != 0 {
		p.place = g.places[g.rng.IntN(len(g.places))]
	}
	p.birth = time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(94*365))
	for {
		p.taxCode = taxCode(p)
		if !g.seen[p.taxCode] {
			g.seen[p.taxCode] = true
			return p
		}
		p.birth = p.birth.AddDate(0, 0, 1)
	}
}

// taxCode computes p's codice fiscale.
func taxCode(p person) string {
	day := p.birth.Day()
	if p.sex == "F" {
		day += 40
	}
	s := fmt.Sprintf("%s%s%02d%c%02d%s", people.SurnameCode(p.last), people.NameCode(p.first),
		p.birth.Year()%100, "ABCDEHLMPRST"[p.birth.Month()-1], day, p.place)
	return s + string(people.CheckChar(s))
}

// searchKind is one kind of query the benchmark asks.
type searchKind struct {
	name  string
	query func(rng *rand.Rand, p person) people.Query
}

var searchKinds = []searchKind{
	{"cf", func(_ *rand.Rand, p person) people.Query { return people.Query{Text: p.taxCode} }},
	{"cf-prefix", func(_ *rand.Rand, p person) people.Query { return people.Query{Text: p.taxCode[:11]} }},
	{"name", func(rng *rand.Rand, p person) people.Query { return people.Query{Text: typed(rng, p)} }},
	{"name+year", func(rng *rand.Rand, p person) people.Query {
		return people.Query{Text: typed(rng, p), BirthYear: p.birth.Year()}
	}},
	{"absent", func(rng *rand.Rand, p person) people.Query {
		other := strings.ReplaceAll(surnames[skewed(rng, len(surnames))], "_", " ")
		return people.Query{Text: p.last + " " + other}
	}},
}

// typed is how an operator types p's name: "Rossi Mario" or "Mario Rossi",
// in mixed case, with one typo (a letter dropped, doubled or swapped) in half
// of the queries.
func typed(rng *rand.Rand, p person) string {
	last, first := []rune(strings.ToLower(p.last)), []rune(strings.ToLower(p.first))
	if rng.IntN(2) == 0 {
		w := &last
		if rng.IntN(2) == 0 {
			w = &first
		}
		*w = typo(rng, *w)
	}
	title := func(r []rune) string { return strings.ToUpper(string(r[:1])) + string(r[1:]) }
	if rng.IntN(3) == 0 {
		return title(first) + " " + title(last)
	}
	return title(last) + " " + title(first)
}

// typo drops, doubles or swaps one letter of w, never the first.
func typo(rng *rand.Rand, w []rune) []rune {
	i := 1 + rng.IntN(len(w)-2)
	switch rng.IntN(3) {
	case 0:
		return slices.Delete(w, i, i+1)
	case 1:
		return slices.Insert(w, i, w[i])
	default:
		w[i], w[i+1] = w[i+1], w[i]
		return w
	}
}

// sample draws n people of the large ente, in a fixed order.
func (r *peopleRegistry) sample(ctx context.Context, n int) ([]person, error) {
	var out []person
	err := r.pg.DB.InTenant(ctx, r.big, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT tax_code, first_name, last_name, sex, birth_date FROM people
			WHERE tenant_id = $1 ORDER BY hashtext(tax_code) LIMIT $2`, r.big, n)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (person, error) {
			var p person
			err := row.Scan(&p.taxCode, &p.first, &p.last, &p.sex, &p.birth)
			return p, err
		})
		return err
	})
	return out, err
}

// BenchmarkPersonSearch is one search of the person registry as the people
// page makes it, people.(*Service).Find (the search and its audit row, in one
// transaction), in the ente with 1,000,000 people among 5,000,000 on the
// platform, for each kind of query: a full tax code, its first 11 characters,
// a surname and name as typed (either order, a typo in half of them), the same
// with the birth year, and a surname with a first name nobody in the ente
// has (two common surnames: the search then reads every name that starts with
// either). The people asked about are 500 drawn from the ente. Reports the
// median and 95th percentile latency. Target: p95 under 50 ms.
func BenchmarkPersonSearch(b *testing.B) {
	for _, kind := range searchKinds {
		b.Run("kind="+kind.name, func(b *testing.B) {
			r := peopleSetup(b)
			benchSearch(b, r, kind, people.NewService(r.pg.DB).Find)
		})
	}
}

// benchSearch times find over 500 queries of one kind.
func benchSearch(b *testing.B, r *peopleRegistry, kind searchKind,
	find func(context.Context, uuid.UUID, people.Query, people.Actor) ([]people.Hit, error)) {
	ctx := context.Background()
	sample, err := r.sample(ctx, 500)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	queries := make([]people.Query, len(sample))
	for i, p := range sample {
		queries[i] = kind.query(rng, p)
	}
	by := people.Actor{ID: uuid.New(), Email: "bench@example.it", IP: "127.0.0.1"}
	var (
		took  []time.Duration
		found int
	)
	i := 0
	for b.Loop() {
		q, want := queries[i%len(queries)], sample[i%len(sample)].taxCode
		start := time.Now()
		hits, err := find(ctx, r.big, q, by)
		took = append(took, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if slices.ContainsFunc(hits, func(h people.Hit) bool { return h.Person.TaxCode == want }) {
			found++
		}
		i++
	}
	slices.Sort(took)
	b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
	b.ReportMetric(ms(took[len(took)*95/100]), "p95-ms")
	b.ReportMetric(float64(found)/float64(len(took))*100, "%found")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// surnames are common Italian surnames, most frequent first (roughly).
var surnames = strings.Fields(`ROSSI RUSSO FERRARI ESPOSITO BIANCHI ROMANO COLOMBO RICCI MARINO GRECO
BRUNO GALLO CONTI DE_LUCA MANCINI COSTA GIORDANO RIZZO LOMBARDI MORETTI BARBIERI FONTANA SANTORO
MARIANI RINALDI CARUSO FERRARA GALLI MARTINI LEONE LONGO GENTILE MARTINELLI VITALE LOMBARDO SERRA
COPPOLA DE_SANTIS D'ANGELO MARCHETTI PARISI VILLA CONTE FERRARO FERRI FABBRI BIANCO MARINI GRASSO
VALENTINI MESSINA SALA DE_ANGELIS GATTI PELLEGRINI PALUMBO SANNA FARINA RIZZI MONTI CATTANEO MORELLI
AMATO SILVESTRI MAZZA TESTA GRASSI PELLEGRINO CARBONE GIULIANI BENEDETTI BARONE ROSSETTI CAPUTO
MONTANARI GUERRA PALMIERI BERNARDI MARTINO FIORE DE_ROSA FERRETTI BELLINI BASILE RIVA DONATI PIRAS
VITALI BATTAGLIA SARTORI NERI COSTANTINI MILANI PAGANO RUGGIERO SORRENTINO D'AMICO ORLANDO DAMICO
NEGRI MAZZONI FARAONE CRISTIANI FUSCO CASTELLI RUGGERI BRAMBILLA MARCHI LUCCHESI ORLANDI GAGLIARDI
BELLI PACE MELE RICCIARDI FERRANTE PIAZZA CARLI DI_STEFANO PAOLETTI MOLINARI GUIDI CIRILLO MONACO
DE_SIMONE RIGHI FIORENTINO GRIMALDI CASALE VENTURA NAPOLITANO MAZZOLA BONI BASSI SANTI CARLINI
VILLANI MARRA SPINELLI CALABRESE ARENA DI_MARTINO GIORGI FALCO BENETTI MARCHESE LORENZI MEDICI
PAGANI FRANCO ZANETTI MARRONE BERTOLINI POLI SIMONETTI PETRUCCI DI_GIOVANNI BONETTI TOSI NOTO
DE_MARCO DELL'ANNA LA_ROSA RUSSI ROSATI CIPRIANI PIRAS CANTONI AMORUSO ZANELLA GRIECO BELLUCCI
GIACOMELLI SALVI BIONDI CARDINALI MATTEI SPADA BARBATO TOMMASI MELIS VACCA D'ALESSANDRO MARCHI
PERRONE GUARINO PALMA CORSI PIERI FABBRI CECCHI MORRA LENZI PAOLINI VIOLA TRAVERSO DI_BENEDETTO
SCOTTI BALDI MARTELLI POZZI PIRRONE ANGELINI SCARPA GIANNINI CASTIGLIONE BERTI COLONNA FIORI
MARINELLI IACONO TAGLIAFERRI ZAMPIERI CAPUANO ALBANESE FRANCESCHINI CAROLI FERRUCCI BOSCO DE_LUCIA
CORRADI LANDI NARDI MANCUSO PIACENTINI QUARTA SCHIAVONE MAGGI RAIMONDI CAPPELLI CORTESE SIMONE`)

// maleNames and femaleNames are common Italian first names, most frequent
// first (roughly).
var maleNames = strings.Fields(`GIUSEPPE GIOVANNI ANTONIO MARIO LUIGI FRANCESCO ANGELO VINCENZO PIETRO
SALVATORE CARLO FRANCO DOMENICO BRUNO PAOLO MICHELE GIORGIO ALDO SERGIO LUCIANO MARCO ALESSANDRO
ANDREA ROBERTO STEFANO MASSIMO LUCA DAVIDE MATTEO LORENZO LEONARDO FRANCESCO GABRIELE RICCARDO
TOMMASO EDOARDO FEDERICO GIACOMO SIMONE EMANUELE NICOLA FABIO CLAUDIO ENRICO GIANNI MAURIZIO
RAFFAELE GAETANO UMBERTO ROCCO ALBERTO DANIELE CRISTIAN DIEGO FILIPPO SAMUELE PIERO RENATO
ENZO ERNESTO ARMANDO ALFREDO EMILIO GUIDO IVAN MIRKO OMAR YOUSSEF MOHAMED AHMED ION ANDREI`)

var femaleNames = strings.Fields(`MARIA ANNA GIUSEPPINA ROSA ANGELA GIOVANNA TERESA LUCIA CARMELA
CATERINA FRANCESCA ANTONIETTA CARLA ELENA CONCETTA RITA MARGHERITA FRANCA PAOLA LAURA SOFIA
GIULIA AURORA ALICE GINEVRA EMMA GIORGIA BEATRICE MARTINA CHIARA SARA ALESSIA VALENTINA FEDERICA
SILVIA ELISA MONICA BARBARA CRISTINA SIMONA DANIELA ROBERTA PATRIZIA LORENZA LUISA ADRIANA
GRAZIA NADIA ORNELLA MIRELLA SERENA ILARIA NOEMI GRETA VIOLA MATILDE IRENE ARIANNA FATIMA
ELENA IOANA MARIANA AMINA KHADIJA`)

// The roles of the cached databases: those testenv uses (scripts/services.sh
// makes them).
const (
	cachedAdminURL   = "postgres://sigess_owner:sigess_owner@127.0.0.1:5432/%s?sslmode=disable"
	cachedRuntimeURL = "postgres://sigess_app:sigess_app@127.0.0.1:5432/%s?sslmode=disable"
)

// cachedPostgres opens the database name, kept between runs because its data
// takes minutes to make. It is migrated to the current schema each time, as a
// production database would be, keeping its data; fill runs, on an empty
// migrated database, only when the database is missing or was filled by
// another version of the generator (dataVersion). At exit the pools are
// closed and the database is kept.
func cachedPostgres(ctx context.Context, name, dataVersion string, fill func(*testenv.Postgres) error) (*testenv.Postgres, error) {
	adminURL, runtimeURL := fmt.Sprintf(cachedAdminURL, name), fmt.Sprintf(cachedRuntimeURL, name)
	var have string
	if conn, err := pgx.Connect(ctx, adminURL); err == nil {
		conn.QueryRow(ctx, `SELECT version FROM bench_fixture`).Scan(&have) //nolint:errcheck // none: fill again
		conn.Close(ctx)
	}
	fresh := have != dataVersion
	if fresh {
		server, err := pgx.Connect(ctx, fmt.Sprintf(cachedAdminURL, "postgres"))
		if err != nil {
			return nil, fmt.Errorf("cachedPostgres(%s): %w", name, err)
		}
		ident := pgx.Identifier{name}.Sanitize()
		_, err = server.Exec(ctx, `DROP DATABASE IF EXISTS `+ident+` WITH (FORCE)`)
		if err == nil {
			_, err = server.Exec(ctx, `CREATE DATABASE `+ident)
		}
		server.Close(ctx)
		if err != nil {
			return nil, fmt.Errorf("cachedPostgres(%s): %w", name, err)
		}
	}
	ms, err := db.LoadMigrations(migrations.FS)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx, adminURL, runtimeURL, ms); err != nil {
		return nil, fmt.Errorf("cachedPostgres(%s): %w", name, err)
	}
	pg := &testenv.Postgres{Name: name, AdminURL: adminURL, RuntimeURL: runtimeURL}
	if pg.DB, err = db.Open(ctx, runtimeURL, 32); err != nil {
		return nil, fmt.Errorf("cachedPostgres(%s): %w", name, err)
	}
	if pg.Admin, err = pgxpool.New(ctx, adminURL); err != nil {
		pg.DB.Close()
		return nil, fmt.Errorf("cachedPostgres(%s): %w", name, err)
	}
	if !fresh {
		return pg, nil
	}
	start := time.Now()
	err = fill(pg)
	if err == nil {
		_, err = pg.Admin.Exec(ctx, `VACUUM ANALYZE`)
	}
	if err == nil {
		_, err = pg.Admin.Exec(ctx, `CREATE TABLE bench_fixture (version text NOT NULL, filled_in interval NOT NULL)`)
	}
	if err == nil {
		_, err = pg.Admin.Exec(ctx, `INSERT INTO bench_fixture VALUES ($1, $2)`, dataVersion, time.Since(start))
	}
	if err != nil {
		closeCached(pg)
		return nil, fmt.Errorf("cachedPostgres(%s): fill: %w", name, err)
	}
	return pg, nil
}

// closeCached closes pg's pools without dropping the database.
func closeCached(pg *testenv.Postgres) {
	pg.DB.Close()
	pg.Admin.Close()
}

// withoutIndexes runs load with the secondary indexes of tables dropped (not
// those behind a constraint), and makes them again afterwards from their own
// definitions: one build is much faster than millions of insertions.
func withoutIndexes(ctx context.Context, admin *pgxpool.Pool, tables []string, load func() error) error {
	rows, err := admin.Query(ctx, `SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i WHERE i.indrelid = ANY($1::regclass[])
		  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, tables)
	if err != nil {
		return err
	}
	type index struct{ Name, Def string }
	indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
	if err != nil {
		return err
	}
	for _, ix := range indexes {
		if _, err := admin.Exec(ctx, `DROP INDEX `+ix.Name); err != nil {
			return err
		}
	}
	if err := load(); err != nil {
		return err
	}
	conn, err := admin.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET maintenance_work_mem = '1GB'`); err != nil {
		return err
	}
	for _, ix := range indexes {
		if _, err := conn.Exec(ctx, ix.Def); err != nil {
			return fmt.Errorf("%s: %w", ix.Def, err)
		}
	}
	return nil
}
