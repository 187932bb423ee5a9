package templates

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/derrors"
)

func tenantEvent(action string, a Actor, id uuid.UUID, details map[string]any) audit.Event {
	return audit.Event{Action: action, ActorID: a.ID, Actor: a.Email, IP: a.IP,
		ObjectType: "template", ObjectID: id.String(), Details: details}
}

// Offers returns the published templates of kind of the ente's region, with
// the ente's adoption of each when there is one.
func (s *Service) Offers(ctx context.Context, tenant uuid.UUID, kind string) ([]Offer, error) {
	out := []Offer{}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+templateColumns+`, a.version, a.adopted_at, a.synced_at
			FROM templates t LEFT JOIN template_adoptions a ON a.template_id = t.id AND a.tenant_id = $1
			WHERE t.latest_version > 0 AND ($2 = '' OR t.kind = $2) ORDER BY lower(t.name), t.id`, tenant, kind)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o Offer
			var ver *int
			var adopted, synced *time.Time
			t, err := scanTemplate(rows, &ver, &adopted, &synced)
			if err != nil {
				return err
			}
			o.Template = *t
			if ver != nil && adopted != nil && synced != nil {
				o.Adopted = &Adoption{TenantID: tenant, TemplateID: t.ID, TemplateName: t.Name, Kind: t.Kind,
					Version: *ver, LatestVersion: t.LatestVersion, AdoptedAt: *adopted, SyncedAt: *synced}
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("templates.Offers(%s, %q): %w", tenant, kind, err)
	}
	return out, nil
}

// Adoptions returns the templates the ente adopted, by name.
func (s *Service) Adoptions(ctx context.Context, tenant uuid.UUID, kind string) ([]Adoption, error) {
	out := []Adoption{}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT a.template_id, coalesce(t.name, ''), a.kind, a.version, coalesce(t.latest_version, a.version),
				a.adopted_at, a.synced_at
			FROM template_adoptions a LEFT JOIN templates t ON t.id = a.template_id
			WHERE ($1 = '' OR a.kind = $1) ORDER BY lower(t.name), a.template_id`, kind)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			ad := Adoption{TenantID: tenant}
			if err := rows.Scan(&ad.TemplateID, &ad.TemplateName, &ad.Kind, &ad.Version, &ad.LatestVersion, &ad.AdoptedAt, &ad.SyncedAt); err != nil {
				return err
			}
			out = append(out, ad)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("templates.Adoptions(%s): %w", tenant, err)
	}
	return out, nil
}

// published reads a template of the ente's region and the items of one of its
// versions (the latest when version is 0).
func published(ctx context.Context, tx pgx.Tx, id uuid.UUID, version int) (*Template, map[string]map[string]string, []string, error) {
	t, err := regionTemplate(ctx, tx, id, false)
	if err != nil {
		return nil, nil, nil, err
	}
	if t.LatestVersion == 0 {
		return nil, nil, nil, ErrUnpublished
	}
	if version == 0 {
		version = t.LatestVersion
	}
	var items map[string]map[string]string
	var keys []string
	err = tx.QueryRow(ctx, `SELECT items, keys FROM template_versions WHERE template_id = $1 AND version = $2`, id, version).Scan(&items, &keys)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, nil, ErrNotFound
	}
	return t, items, keys, err
}

// Adopt makes the ente adopt a published template of its region: a copy of
// every item of the latest version, each logged as added, and
// template.adopted in the ente's audit trail.
func (s *Service) Adopt(ctx context.Context, tenant, id uuid.UUID, a Actor) (*Adoption, error) {
	var ad *Adoption
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if err := lockAdoption(ctx, tx, tenant, id); err != nil {
			return err
		}
		t, items, keys, err := published(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		kd, err := s.kind(t.Kind)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO template_adoptions (tenant_id, template_id, region_code, kind, version, adopted_by)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, tenant, id, t.Region, t.Kind, t.LatestVersion, nilIfZero(a.ID))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrAdopted
		}
		copies, err := kd.Copies(ctx, tx, id)
		if err != nil {
			return err
		}
		var log changeLog
		for _, key := range keys {
			if _, ok := copies[key]; ok {
				continue
			}
			entry, err := kd.Add(ctx, tx, tenant, id, t.LatestVersion, key, items[key])
			if err != nil {
				return fmt.Errorf("item %q: %w", key, err)
			}
			log.add(key, kd.Label(items[key]), entry, "", nil, nil, OutcomeAdded)
		}
		if err := finish(ctx, tx, kd, tenant, id, a); err != nil {
			return err
		}
		if err := log.write(ctx, tx, tenant, t, t.LatestVersion); err != nil {
			return err
		}
		ad = &Adoption{TenantID: tenant, TemplateID: id, TemplateName: t.Name, Kind: t.Kind,
			Version: t.LatestVersion, LatestVersion: t.LatestVersion, AdoptedAt: s.now(), SyncedAt: s.now()}
		return audit.Write(ctx, tx, tenant, tenantEvent("template.adopted", a, id, map[string]any{
			"kind": t.Kind, "name": t.Name, "version": t.LatestVersion, "items": len(log)}))
	})
	if err != nil {
		return nil, fmt.Errorf("templates.Adopt(%s, %s): %w", tenant, id, err)
	}
	return ad, nil
}

// finish lets a kind that is a Finisher check the ente's copies together.
func finish(ctx context.Context, tx pgx.Tx, kd Kind, tenant, id uuid.UUID, a Actor) error {
	if f, ok := kd.(Finisher); ok {
		return f.Finish(ctx, tx, tenant, id, a)
	}
	return nil
}

// lockAdoption makes adoption and synchronisation of one template by one ente
// take turns.
func lockAdoption(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 11))`, tenant.String()+"/"+id.String())
	return err
}

// Sync brings the ente's copies of an adopted template to its latest version
// (see the package documentation), in one tenant transaction, and writes
// template.synced in the ente's audit trail. It does nothing when the ente is
// up to date.
func (s *Service) Sync(ctx context.Context, tenant, id uuid.UUID, a Actor) (SyncResult, error) {
	res := SyncResult{TenantID: tenant}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		res = SyncResult{TenantID: tenant}
		if err := lockAdoption(ctx, tx, tenant, id); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT version FROM template_adoptions WHERE template_id = $1`, id).Scan(&res.From)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotAdopted
		}
		if err != nil {
			return err
		}
		t, items, keys, err := published(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		res.To = t.LatestVersion
		if res.From >= t.LatestVersion {
			res.To = res.From
			return nil
		}
		_, old, _, err := published(ctx, tx, id, res.From)
		if err != nil {
			return err
		}
		kd, err := s.kind(t.Kind)
		if err != nil {
			return err
		}
		log, err := s.apply(ctx, tx, kd, tenant, t, old, items, keys)
		if err != nil {
			return err
		}
		if err := finish(ctx, tx, kd, tenant, id, a); err != nil {
			return err
		}
		if err := log.write(ctx, tx, tenant, t, t.LatestVersion); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE template_adoptions SET version = $2, synced_at = now() WHERE template_id = $1`, id, t.LatestVersion); err != nil {
			return err
		}
		res.Changes = len(log)
		return audit.Write(ctx, tx, tenant, tenantEvent("template.synced", a, id, map[string]any{
			"kind": t.Kind, "from": res.From, "to": t.LatestVersion, "changes": len(log)}))
	})
	if err != nil {
		return SyncResult{TenantID: tenant, Err: err}, fmt.Errorf("templates.Sync(%s, %s): %w", tenant, id, err)
	}
	return res, nil
}

// apply brings the ente's copies from the items of old to those of items.
func (s *Service) apply(ctx context.Context, tx pgx.Tx, kd Kind, tenant uuid.UUID, t *Template,
	old, items map[string]map[string]string, keys []string) (changeLog, error) {
	copies, err := kd.Copies(ctx, tx, t.ID)
	if err != nil {
		return nil, err
	}
	var log changeLog
	for _, key := range keys {
		vals := items[key]
		label := kd.Label(vals)
		c, ok := copies[key]
		if !ok {
			entry, err := kd.Add(ctx, tx, tenant, t.ID, t.LatestVersion, key, vals)
			if err != nil {
				return nil, fmt.Errorf("item %q: %w", key, err)
			}
			log.add(key, label, entry, "", nil, nil, OutcomeAdded)
			continue
		}
		prev, had := old[key]
		set := map[string]string{}
		fields := make([]string, 0, len(vals))
		for f := range vals {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		for _, f := range fields {
			nv, cv := vals[f], c.Values[f]
			if nv == cv {
				continue
			}
			if c.overrides(f) {
				if pv, ok := prev[f]; !had || !ok || pv != nv {
					log.add(key, label, c.ID, f, &cv, &nv, OutcomeKept)
				}
				continue
			}
			set[f] = nv
			log.add(key, label, c.ID, f, &cv, &nv, OutcomeApplied)
		}
		var active *bool
		if !c.Active && !c.overrides("active") {
			on := true
			active = &on
			log.add(key, label, c.ID, "", nil, nil, OutcomeReactivated)
		}
		if err := kd.Apply(ctx, tx, tenant, c, t.LatestVersion, set, active); err != nil {
			return nil, fmt.Errorf("item %q: %w", key, err)
		}
	}
	gone := make([]string, 0)
	for key := range copies {
		if _, ok := items[key]; !ok {
			gone = append(gone, key)
		}
	}
	slices.Sort(gone)
	for _, key := range gone {
		c := copies[key]
		if !c.Active {
			continue
		}
		off := false
		if err := kd.Apply(ctx, tx, tenant, c, t.LatestVersion, nil, &off); err != nil {
			return nil, fmt.Errorf("item %q: %w", key, err)
		}
		log.add(key, kd.Label(c.Values), c.ID, "", nil, nil, OutcomeDeactivated)
	}
	return log, nil
}

type changeLine struct {
	key, label string
	entry      uuid.UUID
	field      string
	old, new   *string
	outcome    string
}

type changeLog []changeLine

func (l *changeLog) add(key, label string, entry uuid.UUID, field string, old, new *string, outcome string) {
	*l = append(*l, changeLine{key: key, label: label, entry: entry, field: field, old: old, new: new, outcome: outcome})
}

func (l changeLog) write(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, t *Template, version int) error {
	for _, c := range l {
		if _, err := tx.Exec(ctx, `INSERT INTO template_changes (tenant_id, template_id, kind, version, item_key, item_name,
				entry_id, field, old_value, new_value, outcome)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			tenant, t.ID, t.Kind, version, c.key, c.label, nilIfZero(c.entry), c.field, c.old, c.new, c.outcome); err != nil {
			return err
		}
	}
	return nil
}

// ChangeFilter selects lines of the change log.
type ChangeFilter struct {
	Kind       string
	UnreadOnly bool
	Limit      int // 0: 500
}

// Changes returns the ente's change log, newest first.
func (s *Service) Changes(ctx context.Context, tenant uuid.UUID, f ChangeFilter) ([]Change, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	out := []Change{}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT c.id, c.template_id, coalesce(t.name, ''), c.kind, c.version, c.item_key, c.item_name,
				c.entry_id, c.field, c.old_value, c.new_value, c.outcome, c.created_at, c.read_at
			FROM template_changes c LEFT JOIN templates t ON t.id = c.template_id
			WHERE ($1 = '' OR c.kind = $1) AND (NOT $2 OR c.read_at IS NULL)
			ORDER BY c.created_at DESC, c.version DESC, c.item_key, c.field LIMIT $3`, f.Kind, f.UnreadOnly, f.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c Change
			if err := rows.Scan(&c.ID, &c.TemplateID, &c.TemplateName, &c.Kind, &c.Version, &c.ItemKey, &c.ItemName,
				&c.EntryID, &c.Field, &c.Old, &c.New, &c.Outcome, &c.CreatedAt, &c.ReadAt); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("templates.Changes(%s): %w", tenant, err)
	}
	return out, nil
}

// Unread counts the ente's unread changes of kind ("" for every kind).
func (s *Service) Unread(ctx context.Context, tenant uuid.UUID, kind string) (int, error) {
	var n int
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM template_changes WHERE read_at IS NULL AND ($1 = '' OR kind = $1)`, kind).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("templates.Unread(%s): %w", tenant, err)
	}
	return n, nil
}

// MarkRead marks the ente's unread changes of kind as read by a, and writes
// template.changes_read; it returns how many it marked.
func (s *Service) MarkRead(ctx context.Context, tenant uuid.UUID, kind string, a Actor) (int, error) {
	var n int
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE template_changes SET read_at = now(), read_by = $2
			WHERE read_at IS NULL AND ($1 = '' OR kind = $1)`, kind, nilIfZero(a.ID))
		if err != nil {
			return err
		}
		n = int(tag.RowsAffected())
		if n == 0 {
			return nil
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "template.changes_read", ActorID: a.ID, Actor: a.Email, IP: a.IP,
			ObjectType: "template_changes", ObjectID: kind, Details: map[string]any{"count": n}})
	})
	if err != nil {
		return 0, fmt.Errorf("templates.MarkRead(%s): %w", tenant, err)
	}
	return n, nil
}

// ItemValues returns the values of item key in the version of an adopted
// template the ente follows, for a kind that restores a field the ente had
// overridden.
func (s *Service) ItemValues(ctx context.Context, tx pgx.Tx, id uuid.UUID, key string) (map[string]string, error) {
	var version int
	err := tx.QueryRow(ctx, `SELECT version FROM template_adoptions WHERE template_id = $1`, id).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotAdopted
	}
	if err != nil {
		return nil, err
	}
	_, items, _, err := published(ctx, tx, id, version)
	if err != nil {
		return nil, err
	}
	vals, ok := items[key]
	if !ok {
		return nil, fmt.Errorf("%w: la voce non è più nel modello", derrors.ErrConflict)
	}
	return vals, nil
}
