package bench

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/tenancy"
	"github.com/sigess/sigess/internal/testenv"
)

// tenantsDir is a tenants/ folder for all of Italy: 20 region folders, each
// with a _template.yaml, and one file per comune (7,904).
type tenantsDir struct {
	fsys fs.FS  // the folder above it, as `sigess tenants apply DIR` reads it
	dir  string // its name in fsys
}

var italyFiles fixture[tenantsDir]

func italyTenantsDir(b *testing.B) tenantsDir {
	return italyFiles.get(b, func() (tenantsDir, error) {
		root, err := os.MkdirTemp("", "sigess-bench-")
		if err != nil {
			return tenantsDir{}, err
		}
		atExit(func() { os.RemoveAll(root) })
		if err := writeTenantsDir(filepath.Join(root, "tenants"), istat.All()); err != nil {
			return tenantsDir{}, err
		}
		return tenantsDir{fsys: os.DirFS(root), dir: "tenants"}, nil
	})
}

// writeTenantsDir writes the region folders and ente files of comuni under dir,
// in the format of tenants/lazio: every comune gets the region's three units
// and an Ufficio di Piano; every other one also a Sportello sociale under its
// servizio sociale, so that parents are exercised too.
func writeTenantsDir(dir string, comuni []istat.Comune) error {
	byRegion := map[string][]istat.Comune{}
	for _, c := range comuni {
		byRegion[c.RegionCode] = append(byRegion[c.RegionCode], c)
	}
	for code, cs := range byRegion {
		regionDir := filepath.Join(dir, istat.Slugify(cs[0].RegionName))
		if err := os.MkdirAll(regionDir, 0o755); err != nil {
			return err
		}
		tpl := fmt.Sprintf(templateYAML, code, istat.Slugify(cs[0].RegionName), cs[0].RegionName)
		if err := os.WriteFile(filepath.Join(regionDir, tenancy.TemplateFile), []byte(tpl), 0o644); err != nil {
			return err
		}
		for i, c := range cs {
			var e strings.Builder
			fmt.Fprintf(&e, enteYAML, c.Slug, "Comune di "+c.Name, c.Code, c.Belfiore)
			if i%2 == 0 {
				e.WriteString(sportelloYAML)
			}
			if err := os.WriteFile(filepath.Join(regionDir, c.Slug+".yaml"), []byte(e.String()), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// Strings are written with %q: Go's double-quoted strings are valid YAML ones.
const templateYAML = `region:
  code: %q
  slug: %s
  name: %q
settings:
  locale: it
  branding:
    primary_color: "#0066CC"
  security:
    session_idle_minutes: 30
    session_absolute_hours: 12
units:
  - code: segretariato
    kind: secretariat
    name: Segretariato sociale
  - code: pua
    kind: pua
    name: Punto Unico di Accesso
  - code: servizio-sociale
    kind: social_service
    name: Servizio sociale professionale
`

const enteYAML = `slug: %s
name: %[2]q
kind: comune
istat_code: %q
belfiore_code: %s
settings:
  branding:
    display_name: %[2]q
units:
  - code: ufficio-di-piano
    kind: office
    name: Ufficio di Piano
`

const sportelloYAML = `  - code: sportello-sociale
    kind: office
    name: Sportello sociale
    parent: servizio-sociale
`

// appliedItaly is a database into which italyTenantsDir has been applied.
type appliedItaly struct {
	files tenantsDir
	svc   *tenancy.Service
}

var appliedFiles fixture[appliedItaly]

func appliedItalyDB(b *testing.B) appliedItaly {
	files := italyTenantsDir(b)
	return appliedFiles.get(b, func() (appliedItaly, error) {
		ctx := context.Background()
		pg, err := testenv.NewPostgres(ctx)
		if err != nil {
			return appliedItaly{}, err
		}
		atExit(pg.Close)
		svc := tenancy.NewService(pg.DB, nil)
		if _, err := applyAll(ctx, svc, files); err != nil {
			return appliedItaly{}, err
		}
		return appliedItaly{files: files, svc: svc}, nil
	})
}

// applyAll does what `sigess tenants apply` does on an empty database, and
// checks that it created every region and ente.
func applyAll(ctx context.Context, svc *tenancy.Service, files tenantsDir) (*tenancy.Plan, error) {
	d, err := tenancy.LoadDir(files.fsys, files.dir)
	if err != nil {
		return nil, err
	}
	plan, err := svc.Plan(ctx, d)
	if err != nil {
		return nil, err
	}
	creates := map[string]int{}
	for _, c := range plan.Changes {
		if c.Op == "create" {
			creates[strings.Fields(c.Object)[0]]++
		}
	}
	if creates["region"] != 20 || creates["ente"] != len(istat.All()) {
		return nil, fmt.Errorf("first apply would create %d regions and %d enti, want 20 and %d",
			creates["region"], creates["ente"], len(istat.All()))
	}
	if err := svc.Apply(ctx, plan); err != nil {
		return nil, err
	}
	return plan, nil
}

// BenchmarkApplyNoChange is `sigess tenants apply` over a folder of all 7,904
// comuni that the database already matches: load the files, compare them with
// the database, find nothing to do.
func BenchmarkApplyNoChange(b *testing.B) {
	ctx := context.Background()
	f := appliedItalyDB(b)
	var load, plan time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		d, err := tenancy.LoadDir(f.files.fsys, f.files.dir)
		if err != nil {
			b.Fatal(err)
		}
		loaded := time.Now()
		p, err := f.svc.Plan(ctx, d)
		if err != nil {
			b.Fatal(err)
		}
		load, plan = load+loaded.Sub(start), plan+time.Since(loaded)
		if !p.Empty() {
			b.Fatalf("the plan over unchanged files has %d changes; the first: %s", len(p.Changes), p.Changes[0])
		}
		if len(d.Enti) != len(istat.All()) {
			b.Fatalf("loaded %d enti, want %d", len(d.Enti), len(istat.All()))
		}
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(n), "ms/op")
	b.ReportMetric(float64(load.Milliseconds())/float64(n), "load-ms/op")
	b.ReportMetric(float64(plan.Milliseconds())/float64(n), "plan-ms/op")
}

// BenchmarkApplyAllCreates is the first `sigess tenants apply` of that folder,
// into an empty database: every region, ente and unit is created, in one
// transaction. Making and dropping the database is not timed.
func BenchmarkApplyAllCreates(b *testing.B) {
	ctx := context.Background()
	files := italyTenantsDir(b)
	n := 0
	for b.Loop() {
		b.StopTimer()
		pg := newPostgres(b)
		svc := tenancy.NewService(pg.DB, nil)
		b.StartTimer()

		_, err := applyAll(ctx, svc, files)

		b.StopTimer()
		pg.Close()
		if err != nil {
			b.Fatal(err)
		}
		n++
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(n), "ms/op")
	b.ReportMetric(float64(n*len(istat.All()))/b.Elapsed().Seconds(), "enti/s")
}
