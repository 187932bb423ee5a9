package templates_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/templates"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

var (
	ctx     = context.Background()
	regionA = templates.Actor{ID: uuid.New(), Email: "regione@lazio.it"}
	admin   = catalog.Actor{ID: uuid.New(), Email: "admin@ente.it", Perms: map[string]bool{authz.PermCatalogManage: true}}
)

func services() (*templates.Service, *catalog.Service) {
	ts := templates.NewService(pg.DB, map[string]templates.Kind{templates.KindCatalog: catalog.TemplateKind{}})
	return ts, catalog.NewService(pg.DB, ts)
}

func item(name, code, unit string, ente, user float64) map[string]string {
	return catalog.Fields{Name: name, INPSCode: code, UserArea: "2", Unit: unit, MeansTest: "1",
		ShareEnte: ente, ShareUser: user, Character: "1"}.Values()
}

func mustSave(t *testing.T, ts *templates.Service, id uuid.UUID, key string, vals map[string]string) string {
	t.Helper()
	it, err := ts.SaveItem(ctx, "12", id, key, vals, regionA)
	if err != nil {
		t.Fatalf("SaveItem(%q): %v", key, err)
	}
	return it.Key
}

func byKey(t *testing.T, cs *catalog.Service, tenant uuid.UUID) map[string]catalog.Entry {
	t.Helper()
	es, err := cs.List(ctx, tenant, catalog.Filter{}, admin)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]catalog.Entry{}
	for _, e := range es {
		out[e.TemplateKey] = e
	}
	return out
}

func ensureRegion(t *testing.T, code, slug, name string) {
	t.Helper()
	if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, code, slug, name)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestAdoptionAndPropagation: v1 published, two enti adopt, one overrides a
// field of one entry; v2 changes that entry (the overridden field and
// another) and another entry, adds one and removes one: the overridden field
// is kept, the rest updated, the new entry added, the removed one deactivated,
// and the change log says it all.
func TestAdoptionAndPropagation(t *testing.T) {
	ts, cs := services()
	ente, other := pg.NewTenant(t), pg.NewTenant(t)

	tmpl, err := ts.Create(ctx, "12", templates.KindCatalog, "Catalogo regionale Lazio", "", regionA)
	if err != nil {
		t.Fatal(err)
	}
	sad := mustSave(t, ts, tmpl.ID, "", item("Assistenza domiciliare socio-assistenziale", "A2.01", "hours", 80, 20))
	pasti := mustSave(t, ts, tmpl.ID, "", item("Pasti a domicilio per anziani", "A2.05", "accesses", 50, 50))
	trasp := mustSave(t, ts, tmpl.ID, "", item("Trasporto sociale", "A2.07", "accesses", 100, 0))
	if !strings.HasPrefix(sad, "assistenza-domiciliare-socio") {
		t.Errorf("key made from the label: %q", sad)
	}

	// Not published yet: nothing to adopt.
	if _, err := ts.Adopt(ctx, ente, tmpl.ID, templates.Actor{}); !errors.Is(err, templates.ErrUnpublished) {
		t.Fatalf("Adopt before publishing: %v, want ErrUnpublished", err)
	}
	if v, res, err := ts.Publish(ctx, "12", tmpl.ID, "Prima versione", regionA); err != nil || v != 1 || len(res) != 0 {
		t.Fatalf("Publish v1 = %d, %v, %v", v, res, err)
	}
	for _, tenant := range []uuid.UUID{ente, other} {
		if _, err := ts.Adopt(ctx, tenant, tmpl.ID, templates.Actor{ID: admin.ID, Email: admin.Email}); err != nil {
			t.Fatalf("Adopt: %v", err)
		}
	}
	if _, err := ts.Adopt(ctx, ente, tmpl.ID, templates.Actor{}); !errors.Is(err, templates.ErrAdopted) {
		t.Errorf("second Adopt: %v, want ErrAdopted", err)
	}
	entries := byKey(t, cs, ente)
	if len(entries) != 3 || entries[sad].Name != "Assistenza domiciliare socio-assistenziale" || entries[sad].TemplateVersion != 1 {
		t.Fatalf("entries after adoption: %+v", entries)
	}
	changes, err := ts.Changes(ctx, ente, templates.ChangeFilter{})
	if err != nil || len(changes) != 3 || changes[0].Outcome != templates.OutcomeAdded {
		t.Fatalf("change log after adoption: %+v, %v", changes, err)
	}
	if n, err := ts.MarkRead(ctx, ente, "", templates.Actor{ID: admin.ID}); err != nil || n != 3 {
		t.Fatalf("MarkRead = %d, %v", n, err)
	}

	// The ente overrides the user share of SAD (and with it the other shares)
	// and adds a local entry.
	f := entries[sad].Fields
	f.ShareEnte, f.ShareUser = 70, 30
	if _, err := cs.Update(ctx, ente, entries[sad].ID, f, entries[sad].Version, admin); err != nil {
		t.Fatal(err)
	}
	local, err := cs.Create(ctx, ente, catalog.Fields{Name: "Contributo economico straordinario", INPSCode: "A1.04",
		UserArea: "3", Unit: "euro", MeansTest: "1", ISEEThreshold: ptr(9360), ShareEnte: 100, Character: "2"}, admin)
	if err != nil {
		t.Fatal(err)
	}

	// v2: SAD gets a new share split and a new name; pasti a new unit;
	// trasporto is removed; centro diurno is added.
	mustSave(t, ts, tmpl.ID, sad, item("Assistenza domiciliare (SAD)", "A2.01", "hours", 90, 10))
	mustSave(t, ts, tmpl.ID, pasti, item("Pasti a domicilio per anziani", "A2.05", "days", 50, 50))
	if err := ts.RemoveItem(ctx, "12", tmpl.ID, trasp, regionA); err != nil {
		t.Fatal(err)
	}
	diurno := mustSave(t, ts, tmpl.ID, "", item("Centro diurno per anziani", "A3.02", "days", 60, 40))
	v, res, err := ts.Publish(ctx, "12", tmpl.ID, "Seconda versione", regionA)
	if err != nil || v != 2 || len(res) != 2 {
		t.Fatalf("Publish v2 = %d, %+v, %v", v, res, err)
	}
	for _, r := range res {
		if r.Err != nil || r.From != 1 || r.To != 2 {
			t.Errorf("sync of %s: %+v", r.TenantID, r)
		}
	}

	entries = byKey(t, cs, ente)
	got := entries[sad]
	if got.Name != "Assistenza domiciliare (SAD)" {
		t.Errorf("SAD name (not overridden) = %q, want the template's", got.Name)
	}
	if got.ShareEnte != 70 || got.ShareUser != 30 || got.ShareHealth != 0 {
		t.Errorf("SAD shares (overridden) = %v/%v/%v, want the ente's 70/30/0", got.ShareEnte, got.ShareUser, got.ShareHealth)
	}
	if got.TemplateVersion != 2 || !slices.Equal(got.Overridden, []string{"share_ente", "share_health", "share_user"}) {
		t.Errorf("SAD version %d, overridden %v", got.TemplateVersion, got.Overridden)
	}
	if entries[pasti].Unit != "days" || !entries[pasti].Active {
		t.Errorf("pasti: %+v", entries[pasti])
	}
	if entries[trasp].Active {
		t.Errorf("trasporto removed from the template is still active")
	}
	if e, ok := entries[diurno]; !ok || !e.Active || e.TemplateVersion != 2 {
		t.Errorf("centro diurno: %+v (present %v)", e, ok)
	}
	if e := entries[""]; e.ID != local.ID || !e.Active || e.Name != "Contributo economico straordinario" {
		t.Errorf("local entry: %+v", e)
	}
	// The other ente overrode nothing: it has the template's values.
	if e := byKey(t, cs, other)[sad]; e.ShareEnte != 90 || e.ShareUser != 10 || e.Name != "Assistenza domiciliare (SAD)" {
		t.Errorf("other ente's SAD: %+v", e)
	}

	changes, err = ts.Changes(ctx, ente, templates.ChangeFilter{UnreadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	type line struct{ key, field, old, new, outcome string }
	var lines []line
	for _, c := range changes {
		if c.Version != 2 || c.TemplateName != "Catalogo regionale Lazio" {
			t.Errorf("change %+v", c)
		}
		lines = append(lines, line{c.ItemKey, c.Field, deref(c.Old), deref(c.New), c.Outcome})
	}
	want := []line{
		{sad, "name", "Assistenza domiciliare socio-assistenziale", "Assistenza domiciliare (SAD)", "applied"},
		{sad, "share_ente", "70", "90", "kept"},
		{sad, "share_user", "30", "10", "kept"},
		{diurno, "", "", "", "added"},
		{pasti, "unit", "accesses", "days", "applied"},
		{trasp, "", "", "", "deactivated"},
	}
	for _, w := range want {
		if !slices.Contains(lines, w) {
			t.Errorf("change log lacks %+v; has %+v", w, lines)
		}
	}
	if len(lines) != len(want) {
		t.Errorf("change log has %d lines, want %d: %+v", len(lines), len(want), lines)
	}
	if n, _ := ts.Unread(ctx, ente, templates.KindCatalog); n != len(want) {
		t.Errorf("Unread = %d", n)
	}

	// Sync again: nothing to do, nothing logged.
	if r, err := ts.Sync(ctx, ente, tmpl.ID, templates.Actor{}); err != nil || r.Changes != 0 || r.To != 2 {
		t.Errorf("Sync when up to date = %+v, %v", r, err)
	}
	// The region sees both adopters at version 2.
	ads, err := ts.Adopters(ctx, "12", tmpl.ID)
	if err != nil || len(ads) != 2 || ads[0].Version != 2 || ads[1].Version != 2 {
		t.Errorf("Adopters = %+v, %v", ads, err)
	}

	// Restoring the overridden shares gives back the template's (v2) values.
	e, err := cs.Restore(ctx, ente, got.ID, "share_user", admin)
	if err != nil || e.ShareEnte != 90 || e.ShareUser != 10 || len(e.Overridden) != 0 {
		t.Errorf("Restore = %+v, %v", e, err)
	}

	// The trail records the adoption, the sync and the entries' changes.
	var actions []string
	if err := pg.DB.InTenant(ctx, ente, func(tx pgx.Tx) error {
		rs, err := audit.List(ctx, tx, ente, audit.Filter{})
		for _, r := range rs {
			actions = append(actions, r.Action)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"template.adopted", "template.synced", "catalog.entry_created", "catalog.entry_updated", "catalog.entry_restored", "template.changes_read"} {
		if !slices.Contains(actions, a) {
			t.Errorf("audit trail lacks %s: %v", a, actions)
		}
	}
}

// TestOverrideDeactivation: an ente that deactivates a template entry keeps it
// inactive when a new version changes it; a template that removes and then
// brings back an item reactivates the ente's copy.
func TestOverrideDeactivation(t *testing.T) {
	ts, cs := services()
	ente := pg.NewTenant(t)
	tmpl, err := ts.Create(ctx, "12", templates.KindCatalog, "Catalogo", "", regionA)
	if err != nil {
		t.Fatal(err)
	}
	a := mustSave(t, ts, tmpl.ID, "sad", item("Assistenza domiciliare", "A2.01", "hours", 100, 0))
	b := mustSave(t, ts, tmpl.ID, "rsa", item("Retta in struttura residenziale", "A3.10", "days", 50, 50))
	if _, _, err := ts.Publish(ctx, "12", tmpl.ID, "", regionA); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Adopt(ctx, ente, tmpl.ID, templates.Actor{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.SetActive(ctx, ente, byKey(t, cs, ente)[a].ID, false, admin); err != nil {
		t.Fatal(err)
	}
	if err := ts.RemoveItem(ctx, "12", tmpl.ID, b, regionA); err != nil {
		t.Fatal(err)
	}
	mustSave(t, ts, tmpl.ID, a, item("Assistenza domiciliare", "A2.01", "months", 100, 0))
	if _, _, err := ts.Publish(ctx, "12", tmpl.ID, "", regionA); err != nil {
		t.Fatal(err)
	}
	got := byKey(t, cs, ente)
	if got[a].Active || got[a].Unit != "months" || got[b].Active {
		t.Fatalf("after v2: sad %+v, rsa %+v", got[a], got[b])
	}
	// The template brings the removed item back: the ente's copy is active
	// again; the entry the ente deactivated stays inactive.
	mustSave(t, ts, tmpl.ID, b, item("Retta in struttura residenziale", "A3.10", "days", 50, 50))
	if _, _, err := ts.Publish(ctx, "12", tmpl.ID, "", regionA); err != nil {
		t.Fatal(err)
	}
	got = byKey(t, cs, ente)
	if got[a].Active || !got[b].Active || got[b].TemplateVersion != 3 {
		t.Fatalf("after v3: sad %+v, rsa %+v", got[a], got[b])
	}
	changes, err := ts.Changes(ctx, ente, templates.ChangeFilter{})
	if err != nil || changes[0].Outcome != templates.OutcomeReactivated || changes[0].ItemKey != b {
		t.Errorf("change log after v3: %+v, %v", changes, err)
	}
	// Invalid items are refused with their fields named.
	bad := item("SAD", "A2", "litri", 50, 20)
	_, err = ts.SaveItem(ctx, "12", tmpl.ID, "", bad, regionA)
	var fields []string
	for _, f := range derrors.Fields(err) {
		fields = append(fields, f.Field)
	}
	for _, f := range []string{"inps_name", "inps_code", "unit", "share_ente"} {
		if !slices.Contains(fields, f) {
			t.Errorf("invalid item: fields %v lack %s (%v)", fields, f, err)
		}
	}
}

// TestRegionsAreSeparate: another region neither sees nor changes nor
// publishes this region's templates; an ente of another region cannot adopt
// them.
func TestRegionsAreSeparate(t *testing.T) {
	ts, _ := services()
	ensureRegion(t, "03", "lombardia", "Lombardia")
	tmpl, err := ts.Create(ctx, "12", templates.KindCatalog, "Catalogo Lazio", "", regionA)
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, ts, tmpl.ID, "sad", item("Assistenza domiciliare", "A2.01", "hours", 100, 0))
	if _, _, err := ts.Publish(ctx, "12", tmpl.ID, "", regionA); err != nil {
		t.Fatal(err)
	}
	list, err := ts.List(ctx, "03", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range list {
		if l.ID == tmpl.ID {
			t.Errorf("region 03 lists region 12's template")
		}
	}
	if _, _, err := ts.Get(ctx, "03", tmpl.ID); !errors.Is(err, templates.ErrNotFound) {
		t.Errorf("Get from region 03: %v", err)
	}
	if _, _, err := ts.Publish(ctx, "03", tmpl.ID, "", regionA); !errors.Is(err, templates.ErrNotFound) {
		t.Errorf("Publish from region 03: %v", err)
	}
	if _, err := ts.SaveItem(ctx, "03", tmpl.ID, "sad", item("Assistenza domiciliare", "A2.01", "days", 100, 0), regionA); !errors.Is(err, templates.ErrNotFound) {
		t.Errorf("SaveItem from region 03: %v", err)
	}
	if err := ts.RemoveItem(ctx, "03", tmpl.ID, "sad", regionA); !errors.Is(err, templates.ErrNotFound) {
		t.Errorf("RemoveItem from region 03: %v", err)
	}
	if _, err := ts.Adopters(ctx, "03", tmpl.ID); !errors.Is(err, templates.ErrNotFound) {
		t.Errorf("Adopters from region 03: %v", err)
	}
	lombardo := uuid.New()
	if err := pg.DB.InPlatform(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, slug, name, kind, region_code) VALUES ($1, $2, 'Ambito lombardo', 'ambito', '03')`,
			lombardo, "l-"+lombardo.String()[:8])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Adopt(ctx, lombardo, tmpl.ID, templates.Actor{}); !errors.Is(err, templates.ErrNotFound) {
		t.Errorf("Adopt by an ente of region 03: %v", err)
	}
	if offers, err := ts.Offers(ctx, lombardo, ""); err != nil || len(offers) != 0 {
		t.Errorf("Offers to an ente of region 03: %+v, %v", offers, err)
	}
	// The region's unchanged: still version 1, one item.
	got, items, err := ts.Get(ctx, "12", tmpl.ID)
	if err != nil || got.LatestVersion != 1 || len(items) != 1 || items[0].Values["unit"] != "hours" {
		t.Errorf("template after region 03's attempts: %+v %+v %v", got, items, err)
	}
}

func ptr(v float64) *float64 { return &v }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
