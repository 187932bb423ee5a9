// Package tenancy is the platform's registry of regions, enti (tenants) and their
// units: how a request finds its ente, how enti are provisioned — from declarative
// files in tenants/ or in bulk from the ISTAT list — and how their settings change.
package tenancy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/derrors"
)

// Error kinds returned by this package.
var (
	ErrNotFound = derrors.ErrNotFound
	ErrInvalid  = derrors.ErrInvalid
	ErrConflict = derrors.ErrConflict
)

// Kind is what an ente is.
type Kind string

// The kinds of ente.
const (
	KindComune Kind = "comune"
	KindAmbito Kind = "ambito" // an association of comuni (ambito territoriale sociale)
)

// Status says whether an ente may be used.
type Status string

// The statuses of an ente.
const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
)

// Tenant is an ente: a comune or an ambito.
type Tenant struct {
	ID           uuid.UUID `json:"id"`
	Slug         string    `json:"slug"`
	Name         string    `json:"name"`
	Kind         Kind      `json:"kind"`
	ISTATCode    string    `json:"istat_code"`
	BelfioreCode string    `json:"belfiore_code"`
	Region       string    `json:"region"`
	Status       Status    `json:"status"`
	Members      []string  `json:"members,omitempty"`
	Settings     Settings  `json:"settings"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// DisplayName is the name the ente's UI shows.
func (t *Tenant) DisplayName() string {
	if t.Settings.Branding.DisplayName != "" {
		return t.Settings.Branding.DisplayName
	}
	return t.Name
}

// Region is a region of Italy that provisions its enti.
type Region struct {
	Code     string   `json:"code"`
	Slug     string   `json:"slug"`
	Name     string   `json:"name"`
	Template Template `json:"template"`
}

// Template is what every ente of a region starts from.
type Template struct {
	Settings map[string]any `json:"settings,omitempty"`
	Units    []UnitSpec     `json:"units,omitempty"`
}

// UnitSpec describes a unit by its stable code.
type UnitSpec struct {
	Code    string `json:"code" yaml:"code"`
	Kind    string `json:"kind" yaml:"kind"`
	Name    string `json:"name" yaml:"name"`
	Parent  string `json:"parent,omitempty" yaml:"parent"`
	Address string `json:"address,omitempty" yaml:"address"`
}

// UnitKinds are the kinds of unit an ente may have.
var UnitKinds = []string{"district", "pua", "secretariat", "social_service", "office"}

// DefaultUnits are the units of an ente whose region has no template.
var DefaultUnits = []UnitSpec{
	{Code: "segretariato", Kind: "secretariat", Name: "Segretariato sociale"},
	{Code: "pua", Kind: "pua", Name: "Punto Unico di Accesso"},
	{Code: "servizio-sociale", Kind: "social_service", Name: "Servizio sociale professionale"},
}

// Unit is one office of an ente.
type Unit struct {
	ID uuid.UUID `json:"id"`
	UnitSpec
}

// querier is what both pgx.Tx and pgx.Conn offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const tenantColumns = `id, slug, name, kind, coalesce(istat_code, ''), coalesce(belfiore_code, ''),
	region_code, status, members, settings, updated_at`

func scanTenant(row pgx.Row) (*Tenant, error) {
	var t Tenant
	var settings []byte
	if err := row.Scan(&t.ID, &t.Slug, &t.Name, &t.Kind, &t.ISTATCode, &t.BelfioreCode,
		&t.Region, &t.Status, &t.Members, &settings, &t.UpdatedAt); err != nil {
		return nil, err
	}
	s, err := DecodeSettings(settings)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: stored settings: %w", t.Slug, err)
	}
	t.Settings = s
	return &t, nil
}

func tenantBySlug(ctx context.Context, q querier, slug string) (*Tenant, error) {
	t, err := scanTenant(q.QueryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE slug = $1`, slug))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("tenant %q: %w", slug, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("tenantBySlug(%q): %w", slug, err)
	}
	return t, nil
}

func listTenants(ctx context.Context, q querier, region string) ([]*Tenant, error) {
	rows, err := q.Query(ctx, `SELECT `+tenantColumns+` FROM tenants
		WHERE $1 = '' OR region_code = $1 ORDER BY region_code, slug`, region)
	if err != nil {
		return nil, fmt.Errorf("listTenants(%q): %w", region, err)
	}
	defer rows.Close()
	var out []*Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, fmt.Errorf("listTenants(%q): %w", region, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listTenants(%q): %w", region, err)
	}
	return out, nil
}

func listRegions(ctx context.Context, q querier) (map[string]*Region, error) {
	rows, err := q.Query(ctx, `SELECT code, slug, name, template FROM regions`)
	if err != nil {
		return nil, fmt.Errorf("listRegions: %w", err)
	}
	defer rows.Close()
	out := map[string]*Region{}
	for rows.Next() {
		var r Region
		var tpl []byte
		if err := rows.Scan(&r.Code, &r.Slug, &r.Name, &tpl); err != nil {
			return nil, fmt.Errorf("listRegions: %w", err)
		}
		if err := json.Unmarshal(tpl, &r.Template); err != nil {
			return nil, fmt.Errorf("listRegions: region %s template: %w", r.Code, err)
		}
		out[r.Code] = &r
	}
	return out, rows.Err()
}

func settingsJSON(s Settings) []byte {
	b, _ := json.Marshal(s) // plain struct: cannot fail
	return b
}

func tenantArgs(t *Tenant) []any {
	return []any{t.ID, t.Slug, t.Name, t.Kind, nullIfEmpty(t.ISTATCode), nullIfEmpty(t.BelfioreCode),
		t.Region, t.Status, t.Members, settingsJSON(t.Settings)}
}

const insertTenantSQL = `INSERT INTO tenants (id, slug, name, kind, istat_code, belfiore_code, region_code, status, members, settings)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`

const updateTenantSQL = `UPDATE tenants SET slug = $2, name = $3, kind = $4, istat_code = $5, belfiore_code = $6,
	region_code = $7, status = $8, members = $9, settings = $10, updated_at = now() WHERE id = $1`

const insertUnitSQL = `INSERT INTO units (tenant_id, id, code, parent_id, kind, name, address)
	VALUES ($1, $2, $3, $4, $5, $6, $7)`

const updateUnitSQL = `UPDATE units SET parent_id = $3, kind = $4, name = $5, address = $6, updated_at = now()
	WHERE tenant_id = $1 AND id = $2`

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// unitsSQL selects one tenant's units ($1) with their parents' codes.
const unitsSQL = `SELECT u.id, u.code, coalesce(p.code, ''), u.kind, u.name, u.address
	FROM units u LEFT JOIN units p ON p.tenant_id = u.tenant_id AND p.id = u.parent_id
	WHERE u.tenant_id = $1 ORDER BY u.code`

func collectUnits(rows pgx.Rows) ([]Unit, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Unit, error) {
		var u Unit
		err := r.Scan(&u.ID, &u.Code, &u.Parent, &u.Kind, &u.Name, &u.Address)
		return u, err
	})
}

func unitsOf(ctx context.Context, q querier, tenant uuid.UUID) ([]Unit, error) {
	rows, err := q.Query(ctx, unitsSQL, tenant)
	if err != nil {
		return nil, fmt.Errorf("unitsOf(%s): %w", tenant, err)
	}
	units, err := collectUnits(rows)
	if err != nil {
		return nil, fmt.Errorf("unitsOf(%s): %w", tenant, err)
	}
	return units, nil
}
