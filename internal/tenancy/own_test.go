package tenancy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sigess/sigess/internal/tenancy"
)

// TestOwnSettingsAndLogo: an ente's admin changes its own settings and coat of
// arms, in its own scope, and nothing of another ente.
func TestOwnSettingsAndLogo(t *testing.T) {
	reset(t)
	ctx := context.Background()
	svc := tenancy.NewService(pg.DB, nil)
	if err := svc.Apply(ctx, plan(t, svc, repoTenants(t))); err != nil {
		t.Fatal(err)
	}
	latina, _ := svc.Get(ctx, "latina")
	viterbo, _ := svc.Get(ctx, "viterbo")

	diff, err := svc.UpdateOwnSettings(ctx, latina.ID, []tenancy.KeyValue{{Key: "branding.primary_color", Value: "#1A4D2E"}})
	if err != nil || len(diff) != 1 {
		t.Fatalf("UpdateOwnSettings: diff %v, err %v", diff, err)
	}
	_, err = svc.UpdateOwnSettings(ctx, latina.ID, []tenancy.KeyValue{{Key: "branding.primary_color", Value: "#FFFF00"}})
	var fe *tenancy.FieldError
	if !errors.As(err, &fe) || fe.Path != "branding.primary_color" || !errors.Is(err, tenancy.ErrInvalid) {
		t.Errorf("a colour without contrast: err %v; want a field error on branding.primary_color", err)
	}
	if got, _ := svc.Get(ctx, "latina"); got.Settings.Branding.PrimaryColor != "#1A4D2E" {
		t.Errorf("primary colour %s after a refused change; want #1A4D2E", got.Settings.Branding.PrimaryColor)
	}

	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	digest, err := svc.SetLogo(ctx, latina.ID, png)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Get(ctx, "latina"); got.Settings.Branding.Logo != digest {
		t.Errorf("branding.logo = %q, want %q", got.Settings.Branding.Logo, digest)
	}
	a, err := svc.Asset(ctx, latina.ID, "logo")
	if err != nil || a.ContentType != "image/png" || a.Digest != digest {
		t.Errorf("Asset: %+v, %v", a, err)
	}
	if _, err := svc.Asset(ctx, viterbo.ID, "logo"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("Viterbo reading a logo: err %v; want not found (Latina's is not Viterbo's)", err)
	}
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>`)
	if _, err := svc.SetLogo(ctx, viterbo.ID, svg); err != nil {
		t.Errorf("SVG coat of arms: %v", err)
	}
	for name, data := range map[string][]byte{"text": []byte("just text, not an image"), "empty": nil, "too big": make([]byte, tenancy.MaxLogoBytes+1)} {
		if _, err := svc.SetLogo(ctx, viterbo.ID, data); !errors.Is(err, tenancy.ErrInvalid) {
			t.Errorf("%s as a logo: err %v; want invalid", name, err)
		}
	}
}

// TestSaveUnitAndRegions: a tenant admin adds and moves units; the platform adds
// regions; bad input is refused field by field.
func TestSaveUnitAndRegions(t *testing.T) {
	reset(t)
	ctx := context.Background()
	svc := tenancy.NewService(pg.DB, nil)
	if err := svc.Apply(ctx, plan(t, svc, repoTenants(t))); err != nil {
		t.Fatal(err)
	}
	latina, _ := svc.Get(ctx, "latina")
	viterbo, _ := svc.Get(ctx, "viterbo")
	parent, err := svc.SaveUnit(ctx, latina.ID, tenancy.Unit{UnitSpec: tenancy.UnitSpec{Code: "sede-nord", Kind: "office", Name: "Sede nord"}})
	if err != nil {
		t.Fatal(err)
	}
	child, err := svc.SaveUnit(ctx, latina.ID, tenancy.Unit{UnitSpec: tenancy.UnitSpec{Code: "sportello-nord", Kind: "secretariat", Name: "Sportello nord", Parent: "sede-nord"}})
	if err != nil {
		t.Fatal(err)
	}
	parent.Parent = "sportello-nord"
	if _, err := svc.SaveUnit(ctx, latina.ID, *parent); !errors.Is(err, tenancy.ErrInvalid) {
		t.Errorf("a unit inside its own child: err %v; want invalid", err)
	}
	if _, err := svc.SaveUnit(ctx, latina.ID, tenancy.Unit{UnitSpec: tenancy.UnitSpec{Code: "sede-nord", Kind: "office", Name: "Doppia"}}); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("a second unit with one code: err %v; want conflict", err)
	}
	if _, err := svc.SaveUnit(ctx, viterbo.ID, *child); !errors.Is(err, tenancy.ErrInvalid) && !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("Viterbo changing Latina's unit: err %v; want refused", err)
	}
	child.Name = "Sportello Latina nord"
	child.Parent = ""
	if _, err := svc.SaveUnit(ctx, latina.ID, *child); err != nil {
		t.Errorf("renaming a unit: %v", err)
	}

	if _, err := svc.CreateRegion(ctx, "03", "lombardia", "Lombardia"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateRegion(ctx, "03", "lombardia-2", "Lombardia"); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("a region code twice: err %v; want conflict", err)
	}
	if _, err := svc.CreateRegion(ctx, "3", "x", "X"); !errors.Is(err, tenancy.ErrInvalid) {
		t.Errorf("a one-digit region code: err %v; want invalid", err)
	}
	if r, err := svc.Region(ctx, "lombardia"); err != nil || r.Code != "03" {
		t.Errorf("Region(lombardia) = %v, %v", r, err)
	}
}
