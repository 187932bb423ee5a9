package catalog

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/templates"
)

// TemplateKind is the catalogue as a kind of regional template
// (templates.KindCatalog): an item is an entry's Fields as Values writes them;
// the ente's copies are its entries with the template's id.
type TemplateKind struct{}

var _ templates.Kind = TemplateKind{}

// Check reads and checks an item's values.
func (TemplateKind) Check(values map[string]string) (map[string]string, error) {
	f, err := FromValues(values)
	if err != nil {
		return nil, err
	}
	return f.Values(), nil
}

// Label is the item's name and INPS code.
func (TemplateKind) Label(values map[string]string) string {
	if values[FINPSCode] == "" {
		return values[FName]
	}
	return values[FName] + " (" + values[FINPSCode] + ")"
}

// Copies returns the ente's entries copied from template, by item key.
func (TemplateKind) Copies(ctx context.Context, tx pgx.Tx, template uuid.UUID) (map[string]templates.Copy, error) {
	rows, err := tx.Query(ctx, `SELECT `+entryColumns+` FROM catalog_entries WHERE template_id = $1`, template)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]templates.Copy{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out[e.TemplateKey] = templates.Copy{ID: e.ID, Key: e.TemplateKey, Values: e.Fields.Values(),
			Overridden: e.Overridden, Active: e.Active}
	}
	return out, rows.Err()
}

// Add creates the ente's entry for a new item and writes
// catalog.entry_created.
func (TemplateKind) Add(ctx context.Context, tx pgx.Tx, tenant, template uuid.UUID, version int, key string, values map[string]string) (uuid.UUID, error) {
	f, err := FromValues(values)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := insert(ctx, tx, tenant, f, &template, key, version, uuid.Nil)
	if err != nil {
		return uuid.Nil, fmt.Errorf("catalog: add template item %q: %w", key, err)
	}
	return id, audit.Write(ctx, tx, tenant, event("catalog.entry_created", Actor{}, id, map[string]any{
		"name": f.Name, "inps_code": f.INPSCode, "template_id": template.String(), "template_key": key, "template_version": version}))
}

// Apply writes the template's new values into the ente's entry, and writes
// catalog.entry_updated when anything but the version changed.
func (TemplateKind) Apply(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, c templates.Copy, version int, set map[string]string, active *bool) error {
	cur, err := locked(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	vals := cur.Fields.Values()
	for f, v := range set {
		vals[f] = v
	}
	f, err := FromValues(vals)
	if err != nil {
		return fmt.Errorf("catalog: template values for %s: %w", c.ID, err)
	}
	on := cur.Active
	if active != nil {
		on = *active
	}
	if err := write(ctx, tx, c.ID, f, on, cur.Overridden, &version, uuid.Nil); err != nil {
		return err
	}
	if len(set) == 0 && on == cur.Active {
		return nil
	}
	fields := make([]string, 0, len(set))
	for _, n := range FieldNames {
		if _, ok := set[n]; ok {
			fields = append(fields, n)
		}
	}
	return audit.Write(ctx, tx, tenant, event("catalog.entry_updated", Actor{}, c.ID, map[string]any{
		"fields": fields, "active": on, "template_version": version}))
}

// WithTemplates returns the catalogues over d and the regional templates
// serving the catalogue kind, wired to each other.
func WithTemplates(d *db.DB) (*Service, *templates.Service) {
	ts := templates.NewService(d, map[string]templates.Kind{templates.KindCatalog: TemplateKind{}})
	return NewService(d, ts), ts
}
