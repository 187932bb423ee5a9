package bench

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/onboarding"
	"github.com/sigess/sigess/internal/testenv"
)

// importRows is how many people BenchmarkImportPeople imports.
var importRows = flag.Int("import-rows", 1_000_000, "people in BenchmarkImportPeople's file")

// BenchmarkImportPeople compares the onboarding import of a file of people
// (`sigess import --kind people`: read, validate every row with the
// registry's rules, check external ids and tax codes, write people, versions,
// external ids and one audit event in one transaction as the runtime role)
// with a plain COPY of the same rows into people as the owner (row-level
// security lifted, as PostgreSQL refuses COPY FROM under it). Each is timed
// in a freshly migrated database of its own; the figures are rows per second
// and their ratio (target: import at least 0.3 of COPY).
func BenchmarkImportPeople(b *testing.B) {
	ctx := context.Background()
	n := *importRows
	g := newPersonGen(7)
	rows := make([]person, n)
	var file bytes.Buffer
	file.WriteString("external_id;tax_code;last_name;first_name;sex;birth_date;birth_place\n")
	for i := range rows {
		p := g.next()
		rows[i] = p
		fmt.Fprintf(&file, "L-%d;%s;%s;%s;%s;%s;%s\n", i, p.taxCode, p.last, p.first, p.sex, p.birth.Format(time.DateOnly), p.place)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		copyRate := timeCopy(b, ctx, rows)
		importRate := timeImport(b, ctx, file.Bytes(), n)
		b.StartTimer()
		b.ReportMetric(copyRate, "copy-rows/s")
		b.ReportMetric(importRate, "import-rows/s")
		b.ReportMetric(importRate/copyRate, "ratio")
	}
}

// newEnte makes one ente in pg and returns its id.
func newEnte(b *testing.B, ctx context.Context, pg *testenv.Postgres) uuid.UUID {
	b.Helper()
	id := uuid.New()
	err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ('12', 'lazio', 'Lazio')`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, region_code) VALUES ($1, 'grande', 'Ente di prova', 'ambito', '12')`, id)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return id
}

// timeCopy COPYs rows into people of a new ente, in one transaction, as the
// owner, and returns rows per second.
func timeCopy(b *testing.B, ctx context.Context, rows []person) float64 {
	pg := newPostgres(b)
	defer pg.Close()
	tenant := newEnte(b, ctx, pg)
	if _, err := pg.Admin.Exec(ctx, `ALTER TABLE people NO FORCE ROW LEVEL SECURITY`); err != nil {
		b.Fatal(err)
	}
	data := make([][]any, len(rows))
	for i, p := range rows {
		data[i] = []any{tenant, [16]byte(uuid.New()), p.taxCode, p.first, p.last, strings.ToUpper(p.key), p.sex, p.birth, p.place}
	}
	start := time.Now()
	err := pgx.BeginFunc(ctx, pg.Admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, db.SwitchTenantSQL, tenant.String()); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"people"},
			[]string{"tenant_id", "id", "tax_code", "first_name", "last_name", "name_key", "sex", "birth_date", "birth_place"},
			pgx.CopyFromRows(data))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return float64(len(rows)) / time.Since(start).Seconds()
}

// timeImport imports file into a new ente as `sigess import` does and
// returns rows per second.
func timeImport(b *testing.B, ctx context.Context, file []byte, n int) float64 {
	pg := newPostgres(b)
	defer pg.Close()
	tenant := newEnte(b, ctx, pg)
	start := time.Now()
	res, err := onboarding.NewService(pg.DB).Import(ctx, tenant, onboarding.KindPeople, bytes.NewReader(file), uuid.Nil,
		onboarding.Actor{Email: "bench"}, nil)
	if err != nil {
		if res != nil && len(res.Errors) > 0 {
			b.Fatalf("%v: %+v", err, res.Errors[:min(5, len(res.Errors))])
		}
		b.Fatal(err)
	}
	if res.Created != n {
		b.Fatalf("imported %d of %d", res.Created, n)
	}
	return float64(n) / time.Since(start).Seconds()
}
