package tenancy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
)

// Change is one difference between the files and the database.
type Change struct {
	Op     string   // create or update
	Object string   // region lazio, ente roma, unit roma/municipio-01
	Fields []string // what changes, "key: old → new"
}

func (c Change) String() string {
	sign := map[string]string{"create": "+", "update": "~"}[c.Op]
	s := fmt.Sprintf("%s %s %s", sign, c.Op, c.Object)
	for _, f := range c.Fields {
		s += "\n    " + f
	}
	return s
}

// Plan is what applying a Desired state would change.
type Plan struct {
	Changes []Change

	regions []regionOp
	tenants []tenantOp
	units   []unitOp
}

type regionOp struct {
	r      *Region
	create bool
}

type tenantOp struct {
	t       *Tenant
	create  bool
	oldSlug string // to invalidate caches when a slug changes
}

type unitOp struct {
	tenant uuid.UUID
	u      Unit
	parent uuid.UUID // uuid.Nil when the unit has none
	create bool
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// Plan compares d with the database and returns the changes needed. Units that
// exist in the database but not in the files are left alone: units are also
// managed in the UI and may be referenced by case files.
func (s *Service) Plan(ctx context.Context, d *Desired) (*Plan, error) {
	p := &Plan{}
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) error {
		regions, err := listRegions(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range d.Regions {
			p.planRegion(regions[r.Code], r)
		}
		current, err := listTenants(ctx, tx, "")
		if err != nil {
			return err
		}
		bySlug, byComune := map[string]*Tenant{}, map[string]*Tenant{}
		for _, t := range current {
			bySlug[t.Slug] = t
			if t.Kind == KindComune {
				byComune[t.ISTATCode] = t
			}
		}
		var existing []uuid.UUID
		matched := make([]*Tenant, len(d.Enti))
		for i, e := range d.Enti {
			old := bySlug[e.Tenant.Slug]
			if old == nil && e.Tenant.Kind == KindComune {
				old = byComune[e.Tenant.ISTATCode]
			}
			if old != nil {
				matched[i] = old
				existing = append(existing, old.ID)
			}
		}
		units, err := unitsOfMany(ctx, tx, existing)
		if err != nil {
			return err
		}
		for i, e := range d.Enti {
			// The files hold secrets in plain: compare and write them sealed.
			sealed, old := *e, Settings{}
			if matched[i] != nil {
				old = matched[i].Settings
			}
			sealed.Tenant.Settings = s.sealSecrets(old, e.Tenant.Settings)
			p.planEnte(matched[i], &sealed, units)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy.Plan: %w", err)
	}
	return p, nil
}

func (p *Plan) planRegion(old, r *Region) {
	if old == nil {
		p.regions = append(p.regions, regionOp{r: r, create: true})
		p.Changes = append(p.Changes, Change{Op: "create", Object: "region " + r.Slug})
		return
	}
	var fields []string
	fields = diffField(fields, "slug", old.Slug, r.Slug)
	fields = diffField(fields, "name", old.Name, r.Name)
	if a, b := templateJSON(old.Template), templateJSON(r.Template); a != b {
		fields = append(fields, "template: changed")
	}
	if len(fields) > 0 {
		p.regions = append(p.regions, regionOp{r: r})
		p.Changes = append(p.Changes, Change{Op: "update", Object: "region " + r.Slug, Fields: fields})
	}
}

func templateJSON(t Template) string {
	b, _ := json.Marshal(t) // maps marshal with sorted keys
	return string(b)
}

func (p *Plan) planEnte(old *Tenant, e *DesiredEnte, units map[uuid.UUID][]Unit) {
	t := e.Tenant
	if old == nil {
		t.ID = uuid.New()
		p.tenants = append(p.tenants, tenantOp{t: &t, create: true})
		p.Changes = append(p.Changes, Change{Op: "create", Object: "ente " + t.Slug,
			Fields: []string{fmt.Sprintf("%s %s (ISTAT %s), %d units", t.Kind, t.Name, t.ISTATCode, len(e.Units))}})
	} else {
		t.ID = old.ID
		if fields := diffTenant(old, &t); len(fields) > 0 {
			p.tenants = append(p.tenants, tenantOp{t: &t, oldSlug: old.Slug})
			p.Changes = append(p.Changes, Change{Op: "update", Object: "ente " + t.Slug, Fields: fields})
		}
	}
	p.planUnits(&t, e.Units, units[t.ID])
}

func diffTenant(old, t *Tenant) []string {
	var f []string
	f = diffField(f, "slug", old.Slug, t.Slug)
	f = diffField(f, "name", old.Name, t.Name)
	f = diffField(f, "kind", string(old.Kind), string(t.Kind))
	f = diffField(f, "istat_code", old.ISTATCode, t.ISTATCode)
	f = diffField(f, "belfiore_code", old.BelfioreCode, t.BelfioreCode)
	f = diffField(f, "region", old.Region, t.Region)
	f = diffField(f, "status", string(old.Status), string(t.Status))
	f = diffField(f, "members", strings.Join(old.Members, ","), strings.Join(t.Members, ","))
	return append(f, DiffSettings(old.Settings, t.Settings)...)
}

// DiffSettings lists the settings that differ, "key: old → new", sorted.
func DiffSettings(old, s Settings) []string {
	a, b := old.Flatten(), s.Flatten()
	var f []string
	for k, v := range b {
		if strings.HasSuffix(k, "secret") && a[k] != v {
			// A secret's change is shown, never its value.
			f = append(f, fmt.Sprintf("settings.%s: changed", k))
			continue
		}
		f = diffField(f, "settings."+k, a[k], v)
	}
	sort.Strings(f)
	return f
}

func diffField(f []string, name, old, new string) []string {
	if old == new {
		return f
	}
	return append(f, fmt.Sprintf("%s: %q → %q", name, old, new))
}

func (p *Plan) planUnits(t *Tenant, want []UnitSpec, have []Unit) {
	ids := map[string]uuid.UUID{}
	byCode := map[string]Unit{}
	for _, u := range have {
		ids[u.Code], byCode[u.Code] = u.ID, u
	}
	for _, spec := range want {
		old, exists := byCode[spec.Code]
		if !exists {
			ids[spec.Code] = uuid.New()
		}
		op := unitOp{tenant: t.ID, u: Unit{ID: ids[spec.Code], UnitSpec: spec}, parent: ids[spec.Parent], create: !exists}
		object := "unit " + t.Slug + "/" + spec.Code
		if !exists {
			p.units = append(p.units, op)
			p.Changes = append(p.Changes, Change{Op: "create", Object: object, Fields: []string{fmt.Sprintf("%s %q", spec.Kind, spec.Name)}})
			continue
		}
		var f []string
		f = diffField(f, "kind", old.Kind, spec.Kind)
		f = diffField(f, "name", old.Name, spec.Name)
		f = diffField(f, "parent", old.Parent, spec.Parent)
		f = diffField(f, "address", old.Address, spec.Address)
		if len(f) > 0 {
			p.units = append(p.units, op)
			p.Changes = append(p.Changes, Change{Op: "update", Object: object, Fields: f})
		}
	}
}

// Apply carries out a plan in one transaction: all of it, or nothing.
func (s *Service) Apply(ctx context.Context, p *Plan) error {
	if p.Empty() {
		return nil
	}
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, op := range p.regions {
			tpl, _ := json.Marshal(op.r.Template)
			b.Queue(`INSERT INTO regions (code, slug, name, template) VALUES ($1, $2, $3, $4)
				ON CONFLICT (code) DO UPDATE SET slug = $2, name = $3, template = $4, updated_at = now()`,
				op.r.Code, op.r.Slug, op.r.Name, tpl)
		}
		for _, op := range p.tenants {
			if op.create {
				b.Queue(insertTenantSQL, tenantArgs(op.t)...)
			} else {
				b.Queue(updateTenantSQL, tenantArgs(op.t)...)
			}
		}
		queueUnits(b, p.units)
		return runBatch(ctx, tx, b)
	})
	if err != nil {
		return fmt.Errorf("tenancy.Apply: %w", err)
	}
	s.changed(ctx, p.changedSlugs()...)
	return nil
}

// queueUnits writes units tenant by tenant, parents before children, switching
// the transaction's tenant for row-level security.
func queueUnits(b *pgx.Batch, ops []unitOp) {
	// Creates first (in file order, so parents come first), then updates, whose
	// new parents may be among the creates.
	sorted := slices.Clone(ops)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].tenant != sorted[j].tenant {
			return sorted[i].tenant.String() < sorted[j].tenant.String()
		}
		return sorted[i].create && !sorted[j].create
	})
	var current uuid.UUID
	for _, op := range sorted {
		if op.tenant != current {
			current = op.tenant
			b.Queue(db.SwitchTenantSQL, current.String())
		}
		var parent any
		if op.parent != uuid.Nil {
			parent = op.parent
		}
		if op.create {
			b.Queue(insertUnitSQL, op.tenant, op.u.ID, op.u.Code, parent, op.u.Kind, op.u.Name, op.u.Address)
		} else {
			b.Queue(updateUnitSQL, op.tenant, op.u.ID, parent, op.u.Kind, op.u.Name, op.u.Address)
		}
	}
}

func runBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

func (p *Plan) changedSlugs() []string {
	if len(p.tenants) > 50 || len(p.units) > 500 {
		return []string{AllTenants}
	}
	var slugs []string
	for _, op := range p.tenants {
		slugs = append(slugs, op.t.Slug)
		if op.oldSlug != "" && op.oldSlug != op.t.Slug {
			slugs = append(slugs, op.oldSlug)
		}
	}
	return slugs
}

// unitsOfMany reads the units of many tenants in one round trip.
func unitsOfMany(ctx context.Context, tx pgx.Tx, tenants []uuid.UUID) (map[uuid.UUID][]Unit, error) {
	out := map[uuid.UUID][]Unit{}
	if len(tenants) == 0 {
		return out, nil
	}
	b := &pgx.Batch{}
	for _, id := range tenants {
		b.Queue(db.SwitchTenantSQL, id.String())
		b.Queue(unitsSQL, id).Query(func(rows pgx.Rows) error {
			units, err := collectUnits(rows)
			out[id] = units
			return err
		})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("unitsOfMany: %w", err)
	}
	if _, err := tx.Exec(ctx, db.SwitchTenantSQL, ""); err != nil {
		return nil, fmt.Errorf("unitsOfMany: %w", err)
	}
	return out, nil
}
