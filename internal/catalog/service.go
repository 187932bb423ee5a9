package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// Actor is who reads or changes the catalogue, with their permissions in the
// ente.
type Actor struct {
	ID    uuid.UUID
	Email string
	IP    string
	Perms map[string]bool
}

// The refusals of the catalogue.
var (
	// ErrNoRead is a caller who may neither manage the catalogue nor read
	// interventions.
	ErrNoRead = fmt.Errorf("%w: non è consentito consultare il catalogo", derrors.ErrForbidden)
	// ErrNoManage is a caller who may not manage the catalogue.
	ErrNoManage = fmt.Errorf("%w: non è consentito gestire il catalogo", derrors.ErrForbidden)
	// ErrStale is a change made on a version of the entry that is no longer
	// the latest.
	ErrStale = fmt.Errorf("%w: la voce è stata modificata nel frattempo, ricaricare la pagina", derrors.ErrConflict)
	// ErrNotOverridden is a field to restore that the ente did not change.
	ErrNotOverridden = fmt.Errorf("%w: il campo non è stato modificato rispetto al modello", derrors.ErrConflict)
)

// Templates gives the values of a template item the ente follows
// (templates.Service implements it), inside the caller's transaction.
type Templates interface {
	ItemValues(ctx context.Context, tx pgx.Tx, template uuid.UUID, key string) (map[string]string, error)
}

// Service is the catalogues of every ente.
type Service struct {
	db        *db.DB
	templates Templates
}

// NewService returns the catalogues over d; templates (may be nil) lets an
// ente restore a field of a template entry to the template's value.
func NewService(d *db.DB, templates Templates) *Service {
	return &Service{db: d, templates: templates}
}

func mayRead(a Actor) bool {
	return a.Perms[authz.PermCatalogManage] || a.Perms[authz.PermInterventionsRead]
}

func event(action string, a Actor, id uuid.UUID, details map[string]any) audit.Event {
	return audit.Event{Action: action, ActorID: a.ID, Actor: a.Email, IP: a.IP,
		ObjectType: "catalog_entry", ObjectID: id.String(), Details: details}
}

// List returns the ente's entries, active first, by name.
func (s *Service) List(ctx context.Context, tenant uuid.UUID, f Filter, a Actor) ([]Entry, error) {
	if !mayRead(a) {
		return nil, fmt.Errorf("catalog.List(%s): %w", tenant, ErrNoRead)
	}
	var out []Entry
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		out, err = list(ctx, tx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("catalog.List(%s): %w", tenant, err)
	}
	return out, nil
}

// Entry returns one entry of the ente.
func (s *Service) Entry(ctx context.Context, tenant, id uuid.UUID, a Actor) (*Entry, error) {
	if !mayRead(a) {
		return nil, fmt.Errorf("catalog.Entry(%s, %s): %w", tenant, id, ErrNoRead)
	}
	var e *Entry
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		e, err = Get(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("catalog.Entry(%s, %s): %w", tenant, id, err)
	}
	return e, nil
}

// Create adds a local entry to the ente's catalogue and writes
// catalog.entry_created.
func (s *Service) Create(ctx context.Context, tenant uuid.UUID, in Fields, a Actor) (*Entry, error) {
	if !a.Perms[authz.PermCatalogManage] {
		return nil, fmt.Errorf("catalog.Create(%s): %w", tenant, ErrNoManage)
	}
	if err := in.Check(); err != nil {
		return nil, fmt.Errorf("catalog.Create(%s): %w", tenant, err)
	}
	var e *Entry
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		id, err := insert(ctx, tx, tenant, in, nil, "", 0, a.ID)
		if err != nil {
			return err
		}
		if e, err = Get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("catalog.entry_created", a, id, map[string]any{
			"name": in.Name, "inps_code": in.INPSCode}))
	})
	if err != nil {
		return nil, fmt.Errorf("catalog.Create(%s): %w", tenant, err)
	}
	return e, nil
}

func insert(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, in Fields, template *uuid.UUID, key string, version int, by uuid.UUID) (uuid.UUID, error) {
	var keyArg, versionArg any
	if template != nil {
		keyArg, versionArg = key, version
	}
	var id uuid.UUID
	err := tx.QueryRow(ctx, `INSERT INTO catalog_entries (tenant_id, name, inps_name, inps_code, user_area, unit, means_test,
			isee_threshold, share_ente, share_user, share_health, character, description,
			template_id, template_key, template_version, created_by, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id`,
		tenant, in.Name, in.INPSName, in.INPSCode, in.UserArea, in.Unit, in.MeansTest, in.ISEEThreshold,
		in.ShareEnte, in.ShareUser, in.ShareHealth, in.Character, in.Description,
		template, keyArg, versionArg, nilIfZero(by)).Scan(&id)
	return id, err
}

func write(ctx context.Context, tx pgx.Tx, id uuid.UUID, in Fields, active bool, overridden []string, templateVersion *int, by uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE catalog_entries SET name = $2, inps_name = $3, inps_code = $4, user_area = $5, unit = $6,
			means_test = $7, isee_threshold = $8, share_ente = $9, share_user = $10, share_health = $11, character = $12,
			description = $13, active = $14, overridden = $15, template_version = coalesce($16, template_version),
			version = version + 1, updated_by = $17, updated_at = now()
		WHERE id = $1`,
		id, in.Name, in.INPSName, in.INPSCode, in.UserArea, in.Unit, in.MeansTest, in.ISEEThreshold,
		in.ShareEnte, in.ShareUser, in.ShareHealth, in.Character, in.Description, active, overridden, templateVersion, nilIfZero(by))
	return err
}

// locked reads an entry after taking the entry's lock: changes to one entry
// take turns.
func locked(ctx context.Context, tx pgx.Tx, id uuid.UUID) (*Entry, error) {
	e, err := scanEntry(tx.QueryRow(ctx, `SELECT `+entryColumns+` FROM catalog_entries WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return e, err
}

// changed lists the fields whose values differ between a and b, in the order
// of FieldNames.
func changed(a, b Fields) []string {
	va, vb := a.Values(), b.Values()
	var out []string
	for _, f := range FieldNames {
		if va[f] != vb[f] {
			out = append(out, f)
		}
	}
	return out
}

// withOverrides adds to overridden the fields changed and those checked with
// them (see groups).
func withOverrides(overridden, changed []string) []string {
	out := slices.Clone(overridden)
	for _, f := range changed {
		for _, g := range group(f) {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Update replaces the values of an entry and writes catalog.entry_updated with
// the fields changed. version is the entry's version the caller edited (0 to
// skip the check). On an entry from a template, the fields changed become
// overridden: a later version of the template leaves them as the ente set them.
func (s *Service) Update(ctx context.Context, tenant, id uuid.UUID, in Fields, version int, a Actor) (*Entry, error) {
	if !a.Perms[authz.PermCatalogManage] {
		return nil, fmt.Errorf("catalog.Update(%s, %s): %w", tenant, id, ErrNoManage)
	}
	if err := in.Check(); err != nil {
		return nil, fmt.Errorf("catalog.Update(%s, %s): %w", tenant, id, err)
	}
	var e *Entry
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		cur, err := locked(ctx, tx, id)
		if err != nil {
			return err
		}
		if version != 0 && version != cur.Version {
			return ErrStale
		}
		diff := changed(cur.Fields, in)
		if len(diff) == 0 {
			e = cur
			return nil
		}
		overridden := cur.Overridden
		if cur.FromTemplate() {
			overridden = withOverrides(overridden, diff)
		}
		if err := write(ctx, tx, id, in, cur.Active, overridden, nil, a.ID); err != nil {
			return err
		}
		if e, err = Get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("catalog.entry_updated", a, id, map[string]any{
			"fields": diff, "overridden": cur.FromTemplate()}))
	})
	if err != nil {
		return nil, fmt.Errorf("catalog.Update(%s, %s): %w", tenant, id, err)
	}
	return e, nil
}

// SetActive deactivates (or reactivates) an entry and writes
// catalog.entry_deactivated (catalog.entry_reactivated). On an entry from a
// template it is an override: a later version of the template does not
// reactivate it.
func (s *Service) SetActive(ctx context.Context, tenant, id uuid.UUID, active bool, a Actor) (*Entry, error) {
	if !a.Perms[authz.PermCatalogManage] {
		return nil, fmt.Errorf("catalog.SetActive(%s, %s): %w", tenant, id, ErrNoManage)
	}
	var e *Entry
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		cur, err := locked(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Active == active {
			e = cur
			return nil
		}
		overridden := cur.Overridden
		if cur.FromTemplate() && !slices.Contains(overridden, "active") {
			overridden = append(slices.Clone(overridden), "active")
			slices.Sort(overridden)
		}
		if err := write(ctx, tx, id, cur.Fields, active, overridden, nil, a.ID); err != nil {
			return err
		}
		if e, err = Get(ctx, tx, id); err != nil {
			return err
		}
		action := "catalog.entry_deactivated"
		if active {
			action = "catalog.entry_reactivated"
		}
		return audit.Write(ctx, tx, tenant, event(action, a, id, nil))
	})
	if err != nil {
		return nil, fmt.Errorf("catalog.SetActive(%s, %s): %w", tenant, id, err)
	}
	return e, nil
}

// Restore gives back to an entry from a template the template's value of field
// (and of the fields checked with it), in the version the ente follows, and
// stops overriding them; it writes catalog.entry_restored.
func (s *Service) Restore(ctx context.Context, tenant, id uuid.UUID, field string, a Actor) (*Entry, error) {
	if !a.Perms[authz.PermCatalogManage] {
		return nil, fmt.Errorf("catalog.Restore(%s, %s): %w", tenant, id, ErrNoManage)
	}
	var e *Entry
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		cur, err := locked(ctx, tx, id)
		if err != nil {
			return err
		}
		if !cur.FromTemplate() || !cur.IsOverridden(field) || s.templates == nil {
			return ErrNotOverridden
		}
		fields := cur.Fields
		active := cur.Active
		restored := []string{field}
		if field == "active" {
			active = true
		} else {
			tv, err := s.templates.ItemValues(ctx, tx, *cur.TemplateID, cur.TemplateKey)
			if err != nil {
				return err
			}
			vals := fields.Values()
			restored = group(field)
			for _, f := range restored {
				vals[f] = tv[f]
			}
			if fields, err = FromValues(vals); err != nil {
				return err
			}
		}
		overridden := slices.DeleteFunc(slices.Clone(cur.Overridden), func(f string) bool { return slices.Contains(restored, f) })
		if err := write(ctx, tx, id, fields, active, overridden, nil, a.ID); err != nil {
			return err
		}
		if e, err = Get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("catalog.entry_restored", a, id, map[string]any{"fields": restored}))
	})
	if err != nil {
		return nil, fmt.Errorf("catalog.Restore(%s, %s, %q): %w", tenant, id, field, err)
	}
	return e, nil
}

func nilIfZero(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}
