package catalog_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

var (
	ctx     = context.Background()
	manager = catalog.Actor{ID: uuid.New(), Email: "admin@ente.it", Perms: map[string]bool{authz.PermCatalogManage: true}}
	reader  = catalog.Actor{ID: uuid.New(), Email: "as@ente.it", Perms: map[string]bool{authz.PermInterventionsRead: true}}
	nobody  = catalog.Actor{ID: uuid.New(), Email: "x@ente.it", Perms: map[string]bool{"people:read": true}}
)

func sad() catalog.Fields {
	th := 15000.0
	return catalog.Fields{Name: "Assistenza domiciliare socio-assistenziale", INPSCode: "a2.01", UserArea: "2", Unit: "hours",
		MeansTest: "1", ISEEThreshold: &th, ShareEnte: 70, ShareUser: 30, Character: "1"}
}

func TestCatalogue(t *testing.T) {
	s := catalog.NewService(pg.DB, nil)
	ente, other := pg.NewTenant(t), pg.NewTenant(t)

	e, err := s.Create(ctx, ente, sad(), manager)
	if err != nil {
		t.Fatal(err)
	}
	if e.INPSCode != "A2.01" || e.ISEEThreshold == nil || *e.ISEEThreshold != 15000 || !e.Active || e.FromTemplate() {
		t.Errorf("created %+v", e)
	}
	if _, err := s.Create(ctx, ente, sad(), reader); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("Create by a reader: %v, want forbidden", err)
	}
	if _, err := s.List(ctx, ente, catalog.Filter{}, nobody); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("List without permission: %v, want forbidden", err)
	}
	if l, err := s.List(ctx, ente, catalog.Filter{}, reader); err != nil || len(l) != 1 {
		t.Errorf("List by a reader: %v, %v", l, err)
	}
	// Another ente does not see it.
	if _, err := s.Entry(ctx, other, e.ID, manager); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Entry from another ente: %v, want not found", err)
	}
	if _, err := s.Update(ctx, other, e.ID, sad(), 0, manager); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Update from another ente: %v, want not found", err)
	}
	if err := pg.DB.InTenant(ctx, other, func(tx pgx.Tx) error { _, err := catalog.Get(ctx, tx, e.ID); return err }); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Get from another ente: %v", err)
	}

	// Update, with a stale version refused.
	f := sad()
	f.Unit = "months"
	u, err := s.Update(ctx, ente, e.ID, f, e.Version, manager)
	if err != nil || u.Unit != "months" || u.Version != e.Version+1 || len(u.Overridden) != 0 {
		t.Fatalf("Update = %+v, %v", u, err)
	}
	if _, err := s.Update(ctx, ente, e.ID, sad(), e.Version, manager); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("stale Update: %v, want conflict", err)
	}

	// Deactivate: out of the active list, still readable.
	if d, err := s.SetActive(ctx, ente, e.ID, false, manager); err != nil || d.Active {
		t.Fatalf("SetActive = %+v, %v", d, err)
	}
	on := true
	if l, _ := s.List(ctx, ente, catalog.Filter{Active: &on}, manager); len(l) != 0 {
		t.Errorf("active list holds a deactivated entry: %+v", l)
	}
	if l, _ := s.List(ctx, ente, catalog.Filter{Query: "a2.0"}, manager); len(l) != 1 {
		t.Errorf("search by INPS code: %+v", l)
	}
}

func TestValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*catalog.Fields)
		fields []string
	}{
		{"short name needs an INPS name", func(f *catalog.Fields) { f.Name = "SAD" }, []string{"inps_name"}},
		{"short name with INPS name", func(f *catalog.Fields) { f.Name, f.INPSName = "SAD", "Assistenza domiciliare" }, nil},
		{"empty name", func(f *catalog.Fields) { f.Name = " " }, []string{"name"}},
		{"INPS code too short", func(f *catalog.Fields) { f.INPSCode = "A2" }, []string{"inps_code"}},
		{"INPS code with spaces", func(f *catalog.Fields) { f.INPSCode = "A2 01 02" }, []string{"inps_code"}},
		{"unknown area, unit, means test, character", func(f *catalog.Fields) {
			f.UserArea, f.Unit, f.MeansTest, f.Character = "9", "kg", "5", "3"
		}, []string{"user_area", "unit", "means_test", "character"}},
		{"threshold without ISEE", func(f *catalog.Fields) { f.MeansTest = "4" }, []string{"isee_threshold"}},
		{"negative threshold", func(f *catalog.Fields) { v := -1.0; f.ISEEThreshold = &v }, []string{"isee_threshold"}},
		{"shares not 100", func(f *catalog.Fields) { f.ShareUser = 20 }, []string{"share_ente"}},
		{"share out of range", func(f *catalog.Fields) { f.ShareHealth, f.ShareEnte = 130, -30 }, []string{"share_ente", "share_health"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := sad()
			tc.edit(&f)
			err := f.Check()
			var got []string
			for _, fe := range derrors.Fields(err) {
				got = append(got, fe.Field)
			}
			slices.Sort(got)
			slices.Sort(tc.fields)
			if !slices.Equal(got, tc.fields) {
				t.Errorf("fields = %v, want %v (%v)", got, tc.fields, err)
			}
		})
	}
	// A form's values: numbers with a comma, and numbers that are not.
	f, err := catalog.FromValues(map[string]string{"name": "Contributo economico", "inps_code": "A1.01", "user_area": "3",
		"unit": "euro", "means_test": "1", "isee_threshold": "9.360,50", "share_ente": "100", "character": "2"})
	if err != nil || *f.ISEEThreshold != 9360.5 || f.ShareEnte != 100 {
		t.Errorf("FromValues = %+v, %v", f, err)
	}
	_, err = catalog.FromValues(map[string]string{"name": "Contributo economico", "inps_code": "A1.01", "user_area": "3",
		"unit": "euro", "means_test": "1", "isee_threshold": "tanti", "share_ente": "cento", "character": "2"})
	var got []string
	for _, fe := range derrors.Fields(err) {
		got = append(got, fe.Field)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"isee_threshold", "share_ente"}) {
		t.Errorf("FromValues of words: %v", err)
	}
}
