package tenancy

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/istat"
	"github.com/sigess/sigess/internal/secretbox"
)

// AllTenants is the invalidation message that drops every cached tenant.
const AllTenants = "*"

// Notifier tells every instance that tenants changed (a slug, or AllTenants).
type Notifier interface {
	TenantsChanged(ctx context.Context, slugs ...string) error
}

// Service reads and changes the tenant registry.
type Service struct {
	db      *db.DB
	notify  Notifier
	secrets *secretbox.Box // see WithSecrets
}

// NewService returns a Service; notify may be nil when no other instance cares
// (tests, one-off commands without Redis).
func NewService(d *db.DB, notify Notifier) *Service {
	return &Service{db: d, notify: notify}
}

func (s *Service) changed(ctx context.Context, slugs ...string) {
	if s.notify == nil || len(slugs) == 0 {
		return
	}
	if err := s.notify.TenantsChanged(ctx, slugs...); err != nil {
		// The caches expire on their own (tenants.cache_ttl); say so, don't fail the change.
		slog.WarnContext(ctx, "tenant change not broadcast; caches will catch up on expiry", "err", err)
	}
}

// Get returns the tenant with slug, or ErrNotFound.
func (s *Service) Get(ctx context.Context, slug string) (*Tenant, error) {
	var t *Tenant
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) (err error) {
		t, err = tenantBySlug(ctx, tx, slug)
		return err
	})
	return t, err
}

// List returns the tenants of a region (all when region is empty), by region and slug.
func (s *Service) List(ctx context.Context, region string) ([]*Tenant, error) {
	var ts []*Tenant
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) (err error) {
		ts, err = listTenants(ctx, tx, region)
		return err
	})
	return ts, err
}

// Search finds active enti whose name or slug contains q (accents and case
// ignored), at most limit of them, by name.
func (s *Service) Search(ctx context.Context, q string, limit int) ([]*Tenant, error) {
	var ts []*Tenant
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+tenantColumns+` FROM tenants
			WHERE status = 'active' AND (slug LIKE '%' || $1 || '%' OR name ILIKE '%' || $2 || '%')
			ORDER BY name LIMIT $3`, istat.Slugify(q), likeEscaper.Replace(q), limit)
		if err != nil {
			return err
		}
		ts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Tenant, error) { return scanTenant(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy.Search(%q): %w", q, err)
	}
	return ts, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Units returns an ente's units, by code.
func (s *Service) Units(ctx context.Context, tenant uuid.UUID) ([]Unit, error) {
	var us []Unit
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		us, err = unitsOf(ctx, tx, tenant)
		return err
	})
	return us, err
}

// KeyValue is one setting to change, by dotted key.
type KeyValue struct{ Key, Value string }

// ParseKeyValues parses KEY=VALUE arguments.
func ParseKeyValues(args []string) ([]KeyValue, error) {
	var kvs []KeyValue
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q: expected KEY=VALUE: %w", a, ErrInvalid)
		}
		kvs = append(kvs, KeyValue{Key: k, Value: v})
	}
	return kvs, nil
}

// SetSettings changes settings of one ente, all or none, and returns what
// changed. The keys and validation are those of files and UI. The keys status
// and name change the ente itself.
func (s *Service) SetSettings(ctx context.Context, slug string, kvs []KeyValue) ([]string, error) {
	var diff []string
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) error {
		t, err := tenantBySlug(ctx, tx, slug)
		if err != nil {
			return err
		}
		next := *t
		for _, kv := range kvs {
			switch kv.Key {
			case "status":
				if kv.Value != string(StatusActive) && kv.Value != string(StatusSuspended) {
					return fmt.Errorf("status: must be active or suspended: %w", ErrInvalid)
				}
				next.Status = Status(kv.Value)
			case "name":
				if strings.TrimSpace(kv.Value) == "" {
					return fmt.Errorf("name: must not be empty: %w", ErrInvalid)
				}
				next.Name = kv.Value
			default:
				if next.Settings, err = next.Settings.Set(kv.Key, kv.Value); err != nil {
					return fmt.Errorf("%w: %w", err, ErrInvalid)
				}
			}
		}
		next.Settings = s.sealSecrets(t.Settings, next.Settings)
		if diff = diffTenant(t, &next); len(diff) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, updateTenantSQL, tenantArgs(&next)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy.SetSettings(%s): %w", slug, err)
	}
	if len(diff) > 0 {
		s.changed(ctx, slug)
	}
	return diff, nil
}

// ProvisionResult counts what ProvisionISTAT did.
type ProvisionResult struct {
	Created, Existing int
}

// provisionChunk is how many comuni one transaction provisions.
const provisionChunk = 500

// ProvisionISTAT makes every comune in comuni a tenant of its region, with the
// region's template (or DefaultUnits and DefaultSettings when the region has
// none, creating the region from the ISTAT list if missing). Comuni that are
// already tenants are left as they are, so running it again changes nothing.
// progress, if not nil, is called after each chunk.
func (s *Service) ProvisionISTAT(ctx context.Context, comuni []istat.Comune, progress func(done, total int)) (ProvisionResult, error) {
	var res ProvisionResult
	var existingSlugs map[string]bool
	var existingComuni map[string]bool
	var regions map[string]*Region
	err := s.db.InPlatform(ctx, func(tx pgx.Tx) error {
		var err error
		if regions, err = ensureRegions(ctx, tx, comuni); err != nil {
			return err
		}
		existingSlugs, existingComuni = map[string]bool{}, map[string]bool{}
		rows, err := tx.Query(ctx, `SELECT slug, kind, coalesce(istat_code, '') FROM tenants`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var slug, kind, code string
			if err := rows.Scan(&slug, &kind, &code); err != nil {
				return err
			}
			existingSlugs[slug] = true
			if kind == string(KindComune) {
				existingComuni[code] = true
			}
		}
		return rows.Err()
	})
	if err != nil {
		return res, fmt.Errorf("tenancy.ProvisionISTAT: %w", err)
	}
	templates := map[string]regionTemplate{}
	for code, r := range regions {
		tpl, err := r.Template.resolve()
		if err != nil {
			return res, fmt.Errorf("tenancy.ProvisionISTAT: region %s template: %w", code, err)
		}
		templates[code] = tpl
	}
	var missing []istat.Comune
	for _, c := range comuni {
		if existingComuni[c.Code] {
			res.Existing++
			continue
		}
		missing = append(missing, c)
	}
	if progress != nil {
		progress(res.Existing, len(comuni))
	}
	for start := 0; start < len(missing); start += provisionChunk {
		chunk := missing[start:min(start+provisionChunk, len(missing))]
		err := s.db.InPlatform(ctx, func(tx pgx.Tx) error {
			b := &pgx.Batch{}
			for _, c := range chunk {
				t := newComune(c, s.sealSecrets(Settings{}, templates[c.RegionCode].settings), existingSlugs)
				existingSlugs[t.Slug] = true
				b.Queue(insertTenantSQL, tenantArgs(t)...)
				ops := make([]unitOp, 0, len(templates[c.RegionCode].units))
				ids := map[string]uuid.UUID{}
				for _, u := range templates[c.RegionCode].units {
					ids[u.Code] = uuid.New()
					ops = append(ops, unitOp{tenant: t.ID, u: Unit{ID: ids[u.Code], UnitSpec: u}, parent: ids[u.Parent], create: true})
				}
				queueUnits(b, ops)
			}
			return runBatch(ctx, tx, b)
		})
		if err != nil {
			return res, fmt.Errorf("tenancy.ProvisionISTAT: %w", err)
		}
		res.Created += len(chunk)
		if progress != nil {
			progress(res.Existing+res.Created, len(comuni))
		}
	}
	if res.Created > 0 {
		s.changed(ctx, AllTenants)
	}
	return res, nil
}

type regionTemplate struct {
	settings Settings
	units    []UnitSpec
}

func (t Template) resolve() (regionTemplate, error) {
	s, err := settingsFromMap(DefaultSettings(), t.Settings)
	if err != nil {
		return regionTemplate{}, err
	}
	units := t.Units
	if len(units) == 0 {
		units = DefaultUnits
	}
	return regionTemplate{settings: s, units: units}, nil
}

func newComune(c istat.Comune, s Settings, taken map[string]bool) *Tenant {
	slug := c.Slug
	if taken[slug] {
		slug += "-" + c.Code // a declarative ente already holds the name
	}
	return &Tenant{ID: uuid.New(), Slug: slug, Name: "Comune di " + c.Name, Kind: KindComune,
		ISTATCode: c.Code, BelfioreCode: c.Belfiore, Region: c.RegionCode, Status: StatusActive,
		Members: []string{}, Settings: s}
}

// ensureRegions creates, from the ISTAT list, the regions of comuni that do not
// exist yet, and returns all regions.
func ensureRegions(ctx context.Context, tx pgx.Tx, comuni []istat.Comune) (map[string]*Region, error) {
	regions, err := listRegions(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, c := range comuni {
		if regions[c.RegionCode] != nil {
			continue
		}
		r := &Region{Code: c.RegionCode, Slug: istat.Slugify(c.RegionName), Name: c.RegionName}
		tpl, _ := json.Marshal(r.Template)
		if _, err := tx.Exec(ctx, `INSERT INTO regions (code, slug, name, template) VALUES ($1, $2, $3, $4)`,
			r.Code, r.Slug, r.Name, tpl); err != nil {
			return nil, fmt.Errorf("create region %s: %w", r.Code, err)
		}
		regions[r.Code] = r
	}
	return regions, nil
}
