package templates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
)

// Service is the regional templates of every region and their adoption by
// the enti.
type Service struct {
	db    *db.DB
	kinds map[string]Kind
	now   func() time.Time
}

// NewService returns the templates over d; kinds are the kinds it serves, by
// name (KindCatalog → catalog.TemplateKind{}).
func NewService(d *db.DB, kinds map[string]Kind) *Service {
	return &Service{db: d, kinds: kinds, now: time.Now}
}

// Register adds a kind the templates serve (KindWorkflow →
// casefile.WorkflowTemplateKind); call it before serving requests.
func (s *Service) Register(name string, k Kind) {
	s.kinds[name] = k
}

// The refusals of the templates.
var (
	ErrNotFound      = fmt.Errorf("%w: modello non trovato", derrors.ErrNotFound)
	ErrItemNotFound  = fmt.Errorf("%w: voce del modello non trovata", derrors.ErrNotFound)
	ErrNothingToShip = fmt.Errorf("%w: il modello non ha voci da pubblicare", derrors.ErrConflict)
	ErrUnpublished   = fmt.Errorf("%w: il modello non è ancora stato pubblicato", derrors.ErrConflict)
	ErrAdopted       = fmt.Errorf("%w: il modello è già stato adottato", derrors.ErrConflict)
	ErrNotAdopted    = fmt.Errorf("%w: il modello non è stato adottato", derrors.ErrNotFound)
)

var keyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

func invalid(field, msg string) error {
	return &derrors.Invalid{Fields: []derrors.FieldError{{Field: field, Message: msg}}}
}

func (s *Service) kind(k string) (Kind, error) {
	kd, ok := s.kinds[k]
	if !ok {
		return nil, invalid("kind", "scegliere un tipo di modello")
	}
	return kd, nil
}

func consoleEvent(action string, a Actor, id uuid.UUID, details map[string]any) audit.Event {
	return audit.Event{Action: action, ActorID: a.ID, Actor: a.Email, IP: a.IP,
		ObjectType: "template", ObjectID: id.String(), Details: details}
}

const templateColumns = `t.id, t.region_code, t.kind, t.name, t.description, t.latest_version, t.created_at, t.updated_at`

func scanTemplate(row pgx.Row, extra ...any) (*Template, error) {
	var t Template
	dst := append([]any{&t.ID, &t.Region, &t.Kind, &t.Name, &t.Description, &t.LatestVersion, &t.CreatedAt, &t.UpdatedAt}, extra...)
	if err := row.Scan(dst...); err != nil {
		return nil, err
	}
	return &t, nil
}

// List returns the region's templates of kind ("" for every kind), by name,
// with their number of draft items and of adopters.
func (s *Service) List(ctx context.Context, region, kind string) ([]Template, error) {
	out := []Template{}
	err := s.db.InRegion(ctx, region, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+templateColumns+`,
				(SELECT count(*) FROM template_items i WHERE i.template_id = t.id),
				(SELECT count(*) FROM template_adoptions a WHERE a.template_id = t.id)
			FROM templates t WHERE ($1 = '' OR t.kind = $1) ORDER BY lower(t.name), t.id`, kind)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var items, adopters int
			t, err := scanTemplate(rows, &items, &adopters)
			if err != nil {
				return err
			}
			t.Items, t.Adopters = items, adopters
			out = append(out, *t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("templates.List(%s, %q): %w", region, kind, err)
	}
	return out, nil
}

// Create starts a template of kind in region, with no items, and writes
// template.created in the region's console trail.
func (s *Service) Create(ctx context.Context, region, kind, name, description string, a Actor) (*Template, error) {
	name, description = strings.TrimSpace(name), strings.TrimSpace(description)
	var fe []derrors.FieldError
	if _, ok := s.kinds[kind]; !ok {
		fe = append(fe, derrors.FieldError{Field: "kind", Message: "scegliere un tipo di modello"})
	}
	switch n := len([]rune(name)); {
	case n == 0:
		fe = append(fe, derrors.FieldError{Field: "name", Message: "il nome è obbligatorio"})
	case n > 200:
		fe = append(fe, derrors.FieldError{Field: "name", Message: "must be at most 200 characters"})
	}
	if len([]rune(description)) > 2000 {
		fe = append(fe, derrors.FieldError{Field: "description", Message: "la descrizione può avere al massimo 2000 caratteri"})
	}
	if len(fe) > 0 {
		return nil, fmt.Errorf("templates.Create(%s): %w", region, &derrors.Invalid{Fields: fe})
	}
	var t *Template
	err := s.db.InRegion(ctx, region, func(tx pgx.Tx) error {
		var err error
		t, err = scanTemplate(tx.QueryRow(ctx, `INSERT INTO templates AS t (region_code, kind, name, description, created_by)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+templateColumns, region, kind, name, description, nilIfZero(a.ID)))
		if err != nil {
			return err
		}
		return audit.WriteConsole(ctx, tx, region, consoleEvent("template.created", a, t.ID, map[string]any{"kind": kind, "name": name}))
	})
	if err != nil {
		return nil, fmt.Errorf("templates.Create(%s): %w", region, err)
	}
	return t, nil
}

// Get returns a template of the region with its draft items, in order.
func (s *Service) Get(ctx context.Context, region string, id uuid.UUID) (*Template, []Item, error) {
	var t *Template
	var items []Item
	err := s.db.InRegion(ctx, region, func(tx pgx.Tx) error {
		var err error
		if t, err = regionTemplate(ctx, tx, id, false); err != nil {
			return err
		}
		items, err = s.draft(ctx, tx, t)
		t.Items = len(items)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("templates.Get(%s, %s): %w", region, id, err)
	}
	return t, items, nil
}

func regionTemplate(ctx context.Context, tx pgx.Tx, id uuid.UUID, lock bool) (*Template, error) {
	q := `SELECT ` + templateColumns + ` FROM templates t WHERE t.id = $1`
	if lock {
		q += ` FOR UPDATE`
	}
	t, err := scanTemplate(tx.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return t, err
}

func (s *Service) draft(ctx context.Context, tx pgx.Tx, t *Template) ([]Item, error) {
	kd, err := s.kind(t.Kind)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT key, data FROM template_items WHERE template_id = $1 ORDER BY position, key`, t.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	items := []Item{}
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.Key, &it.Values); err != nil {
			return nil, err
		}
		it.Label = kd.Label(it.Values)
		items = append(items, it)
	}
	return items, rows.Err()
}

// SaveItem adds an item to a template's draft (key "" makes one from the
// label; a key that was removed brings its item back) or replaces the values
// of the item key, after the kind checked them.
// The change reaches the enti when a version is published.
func (s *Service) SaveItem(ctx context.Context, region string, id uuid.UUID, key string, values map[string]string, a Actor) (*Item, error) {
	var it *Item
	err := s.db.InRegion(ctx, region, func(tx pgx.Tx) error {
		t, err := regionTemplate(ctx, tx, id, true)
		if err != nil {
			return err
		}
		kd, err := s.kind(t.Kind)
		if err != nil {
			return err
		}
		vals, err := kd.Check(values)
		if err != nil {
			return err
		}
		created := false
		if key == "" {
			if key, err = freeKey(ctx, tx, id, kd.Label(vals)); err != nil {
				return err
			}
			created = true
		} else if !keyRE.MatchString(key) {
			return invalid("key", "la chiave deve avere da 1 a 63 caratteri tra lettere minuscole, cifre, punti, trattini e _")
		}
		data, err := json.Marshal(vals)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE template_items SET data = $3, updated_by = $4, updated_at = now()
			WHERE template_id = $1 AND key = $2`, id, key, data, nilIfZero(a.ID))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			created = true
			if _, err := tx.Exec(ctx, `INSERT INTO template_items (region_code, template_id, key, position, data, updated_by)
				VALUES ($1, $2, $3, (SELECT coalesce(max(position), 0) + 1 FROM template_items WHERE template_id = $2), $4, $5)`,
				region, id, key, data, nilIfZero(a.ID)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE templates SET updated_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		it = &Item{Key: key, Label: kd.Label(vals), Values: vals}
		return audit.WriteConsole(ctx, tx, region, consoleEvent("template.item_saved", a, id, map[string]any{"key": key, "created": created}))
	})
	if err != nil {
		return nil, fmt.Errorf("templates.SaveItem(%s, %s, %q): %w", region, id, key, err)
	}
	return it, nil
}

// freeKey makes an item key from label: its letters and digits, lowercased,
// with a number added when the key is taken.
func freeKey(ctx context.Context, tx pgx.Tx, template uuid.UUID, label string) (string, error) {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(label) {
		switch {
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
			dash = false
		case r == '.' && b.Len() > 0:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteRune('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	base := strings.Trim(b.String(), "-.")
	if base == "" {
		base = "item"
	}
	for n := 1; ; n++ {
		key := base
		if n > 1 {
			key = fmt.Sprintf("%s-%d", base, n)
		}
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM template_items WHERE template_id = $1 AND key = $2)
			OR EXISTS (SELECT 1 FROM template_versions WHERE template_id = $1 AND keys @> ARRAY[$2::text])`, template, key).Scan(&taken); err != nil {
			return "", err
		}
		if !taken {
			return key, nil
		}
	}
}

// RemoveItem takes an item out of the draft; the next version deactivates the
// enti's copies.
func (s *Service) RemoveItem(ctx context.Context, region string, id uuid.UUID, key string, a Actor) error {
	err := s.db.InRegion(ctx, region, func(tx pgx.Tx) error {
		if _, err := regionTemplate(ctx, tx, id, true); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM template_items WHERE template_id = $1 AND key = $2`, id, key)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrItemNotFound
		}
		return audit.WriteConsole(ctx, tx, region, consoleEvent("template.item_removed", a, id, map[string]any{"key": key}))
	})
	if err != nil {
		return fmt.Errorf("templates.RemoveItem(%s, %s, %q): %w", region, id, key, err)
	}
	return nil
}

// Publish makes the draft the template's next version, then brings every ente
// that adopted the template up to date, each in its own transaction. The
// version stays published whatever happens to the enti; the results say, ente
// by ente, what was done or what failed (a failed ente catches up with Sync).
func (s *Service) Publish(ctx context.Context, region string, id uuid.UUID, note string, a Actor) (int, []SyncResult, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 2000 {
		return 0, nil, fmt.Errorf("templates.Publish(%s, %s): %w", region, id, invalid("note", "la nota può avere al massimo 2000 caratteri"))
	}
	var version int
	var adopters []uuid.UUID
	err := s.db.InRegion(ctx, region, func(tx pgx.Tx) error {
		t, err := regionTemplate(ctx, tx, id, true)
		if err != nil {
			return err
		}
		items, err := s.draft(ctx, tx, t)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return ErrNothingToShip
		}
		snapshot := map[string]map[string]string{}
		keys := make([]string, 0, len(items))
		for _, it := range items {
			snapshot[it.Key] = it.Values
			keys = append(keys, it.Key)
		}
		data, err := json.Marshal(snapshot)
		if err != nil {
			return err
		}
		version = t.LatestVersion + 1
		if _, err := tx.Exec(ctx, `INSERT INTO template_versions (region_code, template_id, version, note, items, keys, published_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, region, id, version, note, data, keys, nilIfZero(a.ID)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE templates SET latest_version = $2, updated_at = now() WHERE id = $1`, id, version); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT tenant_id FROM template_adoptions WHERE template_id = $1 ORDER BY tenant_id`, id)
		if err != nil {
			return err
		}
		if adopters, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID]); err != nil {
			return err
		}
		return audit.WriteConsole(ctx, tx, region, consoleEvent("template.published", a, id, map[string]any{
			"version": version, "items": len(items), "adopters": len(adopters)}))
	})
	if err != nil {
		return 0, nil, fmt.Errorf("templates.Publish(%s, %s): %w", region, id, err)
	}
	results := make([]SyncResult, 0, len(adopters))
	for _, tenant := range adopters {
		r, err := s.Sync(ctx, tenant, id, a)
		if err != nil {
			r = SyncResult{TenantID: tenant, Err: err}
		}
		results = append(results, r)
	}
	return version, results, nil
}

// Versions returns the published versions of a template of the region, newest
// first.
func (s *Service) Versions(ctx context.Context, region string, id uuid.UUID) ([]Version, error) {
	out := []Version{}
	err := s.db.InRegion(ctx, region, func(tx pgx.Tx) error {
		if _, err := regionTemplate(ctx, tx, id, false); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT version, note, cardinality(keys), published_at FROM template_versions
			WHERE template_id = $1 ORDER BY version DESC`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v Version
			if err := rows.Scan(&v.Version, &v.Note, &v.Items, &v.PublishedAt); err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("templates.Versions(%s, %s): %w", region, id, err)
	}
	return out, nil
}

// Adopters returns the enti of the region that adopted a template, by name,
// with the version each follows.
func (s *Service) Adopters(ctx context.Context, region string, id uuid.UUID) ([]Adoption, error) {
	out := []Adoption{}
	err := s.db.InRegion(ctx, region, func(tx pgx.Tx) error {
		t, err := regionTemplate(ctx, tx, id, false)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT a.tenant_id, coalesce(e.name, ''), coalesce(e.slug, ''), a.kind, a.version, a.adopted_at, a.synced_at
			FROM template_adoptions a LEFT JOIN tenants e ON e.id = a.tenant_id
			WHERE a.template_id = $1 ORDER BY lower(e.name), a.tenant_id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			ad := Adoption{TemplateID: id, TemplateName: t.Name, LatestVersion: t.LatestVersion}
			if err := rows.Scan(&ad.TenantID, &ad.TenantName, &ad.TenantSlug, &ad.Kind, &ad.Version, &ad.AdoptedAt, &ad.SyncedAt); err != nil {
				return err
			}
			out = append(out, ad)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("templates.Adopters(%s, %s): %w", region, id, err)
	}
	return out, nil
}

func nilIfZero(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}
