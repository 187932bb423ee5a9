package tenancy_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/tenancy"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// reset empties the registry (as the owner: the runtime role may not delete).
func reset(t *testing.T) {
	t.Helper()
	if _, err := pg.Admin.Exec(context.Background(), `TRUNCATE outbox, units, tenants, regions CASCADE`); err != nil {
		t.Fatal(err)
	}
}

func repoTenants(t *testing.T) string {
	return filepath.Join(testenv.RepoRoot(), "tenants")
}

// copyTenants copies the repository's tenants folder to a temporary one.
func copyTenants(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(repoTenants(t), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		rel, _ := filepath.Rel(repoTenants(t), p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755) //nolint:errcheck
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func plan(t *testing.T, svc *tenancy.Service, dir string) *tenancy.Plan {
	t.Helper()
	d, err := tenancy.LoadDir(os.DirFS(dir), ".")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Plan(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestApplyIsIdempotent(t *testing.T) {
	reset(t)
	ctx := context.Background()
	svc := tenancy.NewService(pg.DB, nil)
	first := plan(t, svc, repoTenants(t))
	if first.Empty() {
		t.Fatal("first plan is empty")
	}
	if err := svc.Apply(ctx, first); err != nil {
		t.Fatal(err)
	}
	if again := plan(t, svc, repoTenants(t)); !again.Empty() {
		t.Errorf("second plan has %d changes, want none: %v", len(again.Changes), again.Changes)
	}

	roma, err := svc.Get(ctx, "roma")
	if err != nil {
		t.Fatal(err)
	}
	if roma.BelfioreCode != "H501" || roma.ISTATCode != "058091" || roma.Settings.Branding.PrimaryColor != "#8C1D40" {
		t.Errorf("roma = %s %s %s", roma.ISTATCode, roma.BelfioreCode, roma.Settings.Branding.PrimaryColor)
	}
	units, err := svc.Units(ctx, roma.ID)
	if err != nil {
		t.Fatal(err)
	}
	districts, children := 0, map[string]int{}
	for _, u := range units {
		if u.Kind == "district" {
			districts++
		}
		if u.Parent != "" {
			children[u.Parent]++
		}
	}
	if districts != 15 {
		t.Errorf("roma has %d municipi, want 15", districts)
	}
	for i := 1; i <= 15; i++ {
		code := "municipio-" + twoDigits(i)
		if children[code] < 2 {
			t.Errorf("%s has %d child units, want its PUA and segretariato at least", code, children[code])
		}
	}
	ambito, err := svc.Get(ctx, "ambito-lt1")
	if err != nil {
		t.Fatal(err)
	}
	if ambito.Kind != tenancy.KindAmbito || len(ambito.Members) < 2 {
		t.Errorf("ambito-lt1: kind %s, members %v", ambito.Kind, ambito.Members)
	}
}

func twoDigits(i int) string {
	return string([]byte{byte('0' + i/10), byte('0' + i%10)})
}

func TestApplyChangesWhatChanged(t *testing.T) {
	reset(t)
	ctx := context.Background()
	svc := tenancy.NewService(pg.DB, nil)
	dir := copyTenants(t)
	if err := svc.Apply(ctx, plan(t, svc, dir)); err != nil {
		t.Fatal(err)
	}
	latina := filepath.Join(dir, "lazio", "latina.yaml")
	b, _ := os.ReadFile(latina)
	b = []byte(strings.Replace(string(b), "#1F4E8C", "#123456", 1) + `
  - code: sportello-borgo-grappa
    kind: office
    name: Sportello sociale di Borgo Grappa
`)
	if err := os.WriteFile(latina, b, 0o644); err != nil {
		t.Fatal(err)
	}
	p := plan(t, svc, dir)
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.String())
	}
	want := []string{
		"~ update ente latina\n    settings.branding.primary_color: \"#1F4E8C\" → \"#123456\"",
		"+ create unit latina/sportello-borgo-grappa\n    office \"Sportello sociale di Borgo Grappa\"",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}

// TestApplyAllOrNothing: a bad file stops the whole run before anything is
// written, and a failure inside the transaction leaves nothing behind either.
func TestApplyAllOrNothing(t *testing.T) {
	reset(t)
	ctx := context.Background()
	svc := tenancy.NewService(pg.DB, nil)
	dir := copyTenants(t)
	bad := filepath.Join(dir, "lazio", "cori.yaml")
	os.WriteFile(bad, []byte("slug: cori\nname: Comune di Cori\nkind: comune\nistat_code: \"059006\"\nstatus: closed\n"), 0o644) //nolint:errcheck
	_, err := tenancy.LoadDir(os.DirFS(dir), ".")
	var fe *tenancy.FileError
	if !errors.As(err, &fe) || fe.File != "lazio/cori.yaml" || fe.Line != 5 || !strings.Contains(fe.Reason, "status") {
		t.Fatalf("LoadDir error = %v; want lazio/cori.yaml:5 about status", err)
	}
	os.Remove(bad)

	// The database refuses the last write of the plan: nothing may remain.
	p := plan(t, svc, dir)
	if _, err := pg.Admin.Exec(ctx, `SET app.platform = 'on'; INSERT INTO regions (code, slug, name) VALUES ('12', 'lazio', 'Lazio');
		INSERT INTO tenants (slug, name, kind, istat_code, belfiore_code, region_code) VALUES ('viterbo', 'Intruso', 'comune', '056001', 'A040', '12')`); err != nil {
		t.Fatal(err)
	}
	if err := svc.Apply(ctx, p); err == nil {
		t.Fatal("Apply succeeded over a conflicting slug")
	}
	ts, err := svc.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].Name != "Intruso" {
		t.Errorf("after a failed apply the registry holds %d enti; want only the one that was there", len(ts))
	}
}

func TestLoadDirErrors(t *testing.T) {
	template := "region:\n  code: \"12\"\n  slug: lazio\n  name: Lazio\n"
	for _, tc := range []struct {
		name, file, content, want string
	}{
		{"unknown key", "roma.yaml", "slug: roma\nname: Roma\nkind: comune\nistat_code: \"058091\"\ncolour: red\n",
			"lazio/roma.yaml:5: field colour is not a known key"},
		{"slug not the file name", "roma.yaml", "slug: rome\nname: Roma\nkind: comune\nistat_code: \"058091\"\n",
			"lazio/roma.yaml:1: slug \"rome\" must match the file name"},
		{"wrong belfiore", "roma.yaml", "slug: roma\nname: Roma\nkind: comune\nistat_code: \"058091\"\nbelfiore_code: F205\n",
			"lazio/roma.yaml:5: belfiore_code F205 does not match Roma (H501"},
		{"comune of another region", "milano.yaml", "slug: milano\nname: Milano\nkind: comune\nistat_code: \"015146\"\n",
			"lazio/milano.yaml:4: istat_code 015146 is Milano, in region 03, not 12"},
		{"bad setting", "roma.yaml", "slug: roma\nname: Roma\nkind: comune\nistat_code: \"058091\"\nsettings:\n  branding:\n    primary_color: blue\n",
			"lazio/roma.yaml:7: settings.branding.primary_color: must be a colour"},
		{"unknown setting", "roma.yaml", "slug: roma\nname: Roma\nkind: comune\nistat_code: \"058091\"\nsettings:\n  modules:\n    teleport: true\n",
			"lazio/roma.yaml:7: settings.modules.teleport: is not a setting"},
		{"unit parent missing", "roma.yaml", "slug: roma\nname: Roma\nkind: comune\nistat_code: \"058091\"\nunits:\n  - code: m1-pua\n    kind: pua\n    name: PUA\n    parent: m1\n",
			"lazio/roma.yaml:9: parent \"m1\" of unit m1-pua must be a unit defined before it"},
		{"unit kind", "roma.yaml", "slug: roma\nname: Roma\nkind: comune\nistat_code: \"058091\"\nunits:\n  - code: x\n    kind: castle\n    name: X\n",
			"lazio/roma.yaml:7: unit kind \"castle\" must be one of"},
		{"ambito member elsewhere", "a.yaml", "slug: a\nname: A\nkind: ambito\nistat_code: \"058091\"\nmembers: [\"058091\", \"015146\"]\n",
			"lazio/a.yaml:5: member \"015146\" is not a comune of region 12"},
		{"yaml syntax", "roma.yaml", "slug: roma\nname: [Roma\n", "lazio/roma.yaml:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "lazio"), 0o755)                                      //nolint:errcheck
			os.WriteFile(filepath.Join(dir, "lazio", "_template.yaml"), []byte(template), 0o644) //nolint:errcheck
			os.WriteFile(filepath.Join(dir, "lazio", tc.file), []byte(tc.content), 0o644)        //nolint:errcheck
			_, err := tenancy.LoadDir(os.DirFS(dir), ".")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestProvisionISTATIsIdempotent(t *testing.T) {
	reset(t)
	ctx := context.Background()
	svc := tenancy.NewService(pg.DB, nil)
	if err := svc.Apply(ctx, plan(t, svc, repoTenants(t))); err != nil {
		t.Fatal(err)
	}
	latina := istat.Filter("12", "LT")
	var calls int
	res, err := svc.ProvisionISTAT(ctx, latina, func(done, total int) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	// Latina itself is a declarative ente already.
	if res.Created != len(latina)-1 || res.Existing != 1 || calls < 2 {
		t.Errorf("first run: %+v, %d progress calls; want %d created, 1 existing", res, calls, len(latina)-1)
	}
	res, err = svc.ProvisionISTAT(ctx, latina, nil)
	if err != nil || res.Created != 0 || res.Existing != len(latina) {
		t.Errorf("second run: %+v, %v; want nothing created", res, err)
	}
	cori, err := svc.Get(ctx, "cori")
	if err != nil {
		t.Fatal(err)
	}
	units, _ := svc.Units(ctx, cori.ID)
	// The region template (tenants/lazio/_template.yaml) gave Cori its units and settings.
	if len(units) != 3 || cori.Settings.Security.SessionIdleMinutes != 30 || cori.BelfioreCode != "D003" {
		t.Errorf("cori: %d units, settings %+v, belfiore %s", len(units), cori.Settings.Security, cori.BelfioreCode)
	}
	if again := plan(t, svc, repoTenants(t)); !again.Empty() {
		t.Errorf("after provisioning, the files' plan is not empty: %v", again.Changes)
	}
}

func TestSetSettings(t *testing.T) {
	reset(t)
	ctx := context.Background()
	svc := tenancy.NewService(pg.DB, nil)
	if err := svc.Apply(ctx, plan(t, svc, repoTenants(t))); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kv      []string
		wantErr string
		changes int
	}{
		{[]string{"waas.pdnd.issuer=https://auth.interop.pagopa.it", "waas.pdnd.audience=sigess-viterbo"}, "", 2},
		{[]string{"waas.pdnd.issuer=https://auth.interop.pagopa.it"}, "", 0},
		{[]string{"branding.primary_color=#FFFF00"}, "contrast", 0},
		{[]string{"security.session_idle_minutes=abc"}, "whole number", 0},
		{[]string{"security.session_idle_minutes=2"}, "between 5 and 480", 0},
		{[]string{"modules.siuss=maybe"}, "true or false", 0},
		{[]string{"waas.pdnd.jwks_url=http://insecure.example/jwks"}, "https", 0},
		{[]string{"waas.operator_tax_code=0243875058"}, "codice fiscale", 0},
		{[]string{"waas.operator_tax_code=02438750586"}, "", 1},
		{[]string{"branding=red"}, "group of settings", 0},
		{[]string{"status=gone"}, "active or suspended", 0},
		// All or none: the valid first key is not kept when the second is bad.
		{[]string{"locale=en", "contacts.email=nope"}, "e-mail", 0},
	} {
		kvs, err := tenancy.ParseKeyValues(tc.kv)
		if err != nil {
			t.Fatal(err)
		}
		diff, err := svc.SetSettings(ctx, "viterbo", kvs)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, tenancy.ErrInvalid) {
				t.Errorf("%v: err %v; want invalid, %q", tc.kv, err, tc.wantErr)
			}
			continue
		}
		if err != nil || len(diff) != tc.changes {
			t.Errorf("%v: %v, err %v; want %d changes", tc.kv, diff, err, tc.changes)
		}
	}
	v, _ := svc.Get(ctx, "viterbo")
	if v.Settings.Locale != "it" {
		t.Errorf("locale = %s after a refused change; want it", v.Settings.Locale)
	}
	if _, err := svc.SetSettings(ctx, "atlantide", []tenancy.KeyValue{{"locale", "en"}}); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("unknown ente: err %v; want not found", err)
	}
}

// TestResolverInvalidation: two instances cache an ente; a change made through
// a third is seen by both once Redis carries the news.
func TestResolverInvalidation(t *testing.T) {
	reset(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, err := testenv.RedisURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opt, _ := redis.ParseURL(url)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	writer := tenancy.NewService(pg.DB, tenancy.Publisher{RDB: rdb})
	if err := writer.Apply(ctx, plan(t, writer, repoTenants(t))); err != nil {
		t.Fatal(err)
	}
	var instances []*tenancy.Resolver
	for i := 0; i < 2; i++ {
		r := tenancy.NewResolver(tenancy.NewService(pg.DB, nil), time.Hour)
		go r.Listen(ctx, rdb)
		instances = append(instances, r)
	}
	time.Sleep(200 * time.Millisecond) // let both subscriptions settle
	for _, r := range instances {
		if tt, err := r.Resolve(ctx, "latina"); err != nil || tt.Status != tenancy.StatusActive {
			t.Fatalf("resolve latina: %v %v", tt, err)
		}
	}
	if _, err := writer.SetSettings(ctx, "latina", []tenancy.KeyValue{{"status", "suspended"}}); err != nil {
		t.Fatal(err)
	}
	for i, r := range instances {
		deadline := time.Now().Add(5 * time.Second)
		for {
			tt, err := r.Resolve(ctx, "latina")
			if err == nil && tt.Status == tenancy.StatusSuspended {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance %d still sees latina as %s after the change", i, tt.Status)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Without a message, the cache holds (so it is really a cache) until its TTL.
	quiet := tenancy.NewService(pg.DB, nil)
	r := instances[0]
	if _, err := quiet.SetSettings(ctx, "latina", []tenancy.KeyValue{{"status", "active"}}); err != nil {
		t.Fatal(err)
	}
	if tt, _ := r.Resolve(ctx, "latina"); tt.Status != tenancy.StatusSuspended {
		t.Errorf("an unannounced change reached the cache at once; the cache is not in use")
	}
	r.Invalidate("latina")
	if tt, _ := r.Resolve(ctx, "latina"); tt.Status != tenancy.StatusActive {
		t.Errorf("after Invalidate, latina is %s; want active", tt.Status)
	}
	if _, err := r.Resolve(ctx, "atlantide"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("unknown slug: %v; want not found", err)
	}
}
