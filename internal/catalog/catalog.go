// Package catalog keeps each ente's catalogue of services (DOMAIN.md
// "Catalogue entry"): the interventions it offers with their SIUSS coding —
// INPS code (CodicePrestazione), user area (AreaUtenza), unit of measure, means
// test (PresenzaProvaMezzi) with an ISEE threshold, default shares and
// character (CaratterePrestazione).
//
// Entries are either local to the ente or copies of the items of a regional
// catalogue template the ente adopted (internal/templates): a copy remembers
// the template item it follows and the fields the ente overrode, so that a new
// version of the template updates what the ente did not change. Entries are
// never deleted, only deactivated.
//
// Names: Name is the ente's local name (3..200 characters). INPS wants a
// DenominazionePrestazione of 10..200 characters; INPSName holds it when the
// local name is too short or differs, and DenominazioneINPS returns the one to
// send. Amounts: ISEEThreshold and the shares are float64 in Go (numeric(12,2)
// and numeric(5,2) in the database, two decimals); ISEEThreshold is nil when
// the entry has no threshold.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/derrors"
)

// The value sets of the SIUSS flow (PS_PSA_SINA201812.xsd) and the units.
var (
	// UserAreas are AreaUtenzaType: 1 family and minors, 2 disability and
	// non-self-sufficiency, 3 poverty and social exclusion.
	UserAreas = []string{"1", "2", "3"}
	// MeansTests are PresenzaProvaMezziType: 1 ISEE, 2 another means test,
	// 3 subject to ISEE but exempt for the beneficiary, 4 no means test.
	MeansTests = []string{"1", "2", "3", "4"}
	// Characters are CaratterePrestazioneType: 1 periodic, 2 occasional.
	Characters = []string{"1", "2"}
	// Units are the units of measure of an entry's quantities.
	Units = []string{"hours", "days", "euro", "accesses", "months"}
)

// Fields are the values of an entry an ente (or a region, in a template item)
// sets. Their JSON names are the API's and the forms' field names.
type Fields struct {
	Name          string   `json:"name"`
	INPSName      string   `json:"inps_name"`
	INPSCode      string   `json:"inps_code"`
	UserArea      string   `json:"user_area"`
	Unit          string   `json:"unit"`
	MeansTest     string   `json:"means_test"`
	ISEEThreshold *float64 `json:"isee_threshold"`
	ShareEnte     float64  `json:"share_ente"`
	ShareUser     float64  `json:"share_user"`
	ShareHealth   float64  `json:"share_health"`
	Character     string   `json:"character"`
	Description   string   `json:"description"`
}

// Entry is one service of an ente's catalogue.
type Entry struct {
	ID uuid.UUID `json:"id"`
	Fields
	Active bool `json:"active"`
	// TemplateID, TemplateKey and TemplateVersion name the regional template
	// item the entry is a copy of (nil, "" and 0 for a local entry);
	// Overridden lists the fields the ente changed.
	TemplateID      *uuid.UUID `json:"template_id"`
	TemplateKey     string     `json:"template_key,omitempty"`
	TemplateVersion int        `json:"template_version,omitempty"`
	Overridden      []string   `json:"overridden"`
	Version         int        `json:"version"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// FromTemplate reports whether the entry is a copy of a template item.
func (e Entry) FromTemplate() bool { return e.TemplateID != nil }

// IsOverridden reports whether the ente changed field of a template copy.
func (e Entry) IsOverridden(field string) bool {
	for _, f := range e.Overridden {
		if f == field {
			return true
		}
	}
	return false
}

// DenominazioneINPS is the name to send to INPS: INPSName, or Name when it is
// empty.
func (f Fields) DenominazioneINPS() string {
	if f.INPSName != "" {
		return f.INPSName
	}
	return f.Name
}

// ErrNotFound is an entry that is not in the ente's catalogue.
var ErrNotFound = fmt.Errorf("%w: voce di catalogo non trovata", derrors.ErrNotFound)

const entryColumns = `id, name, inps_name, inps_code, user_area, unit, means_test, isee_threshold::float8,
	share_ente::float8, share_user::float8, share_health::float8, character, description, active,
	template_id, coalesce(template_key, ''), coalesce(template_version, 0), overridden, version, created_at, updated_at`

func scanEntry(row pgx.Row) (*Entry, error) {
	var e Entry
	err := row.Scan(&e.ID, &e.Name, &e.INPSName, &e.INPSCode, &e.UserArea, &e.Unit, &e.MeansTest, &e.ISEEThreshold,
		&e.ShareEnte, &e.ShareUser, &e.ShareHealth, &e.Character, &e.Description, &e.Active,
		&e.TemplateID, &e.TemplateKey, &e.TemplateVersion, &e.Overridden, &e.Version, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if e.Overridden == nil {
		e.Overridden = []string{}
	}
	return &e, nil
}

// Get returns the entry id of the ente tx works for (a tenant transaction,
// db.InTenant), active or not; ErrNotFound (derrors.ErrNotFound) when there is
// none. It writes no audit event: callers reading an entry for their own
// records (an intervention) need none.
func Get(ctx context.Context, tx pgx.Tx, id uuid.UUID) (*Entry, error) {
	e, err := scanEntry(tx.QueryRow(ctx, `SELECT `+entryColumns+` FROM catalog_entries WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("catalog.Get(%s): %w", id, err)
	}
	return e, nil
}

// Filter selects entries for List.
type Filter struct {
	// Active: nil lists every entry, true the active ones, false the inactive.
	Active *bool
	// Query matches part of the name, the INPS name or the INPS code.
	Query string
}

// list returns the entries of the ente tx works for, by name.
func list(ctx context.Context, tx pgx.Tx, f Filter) ([]Entry, error) {
	q := `SELECT ` + entryColumns + ` FROM catalog_entries
		WHERE ($1::boolean IS NULL OR active = $1)
		AND ($2 = '' OR name ILIKE '%' || $2 || '%' OR inps_name ILIKE '%' || $2 || '%' OR inps_code ILIKE $2 || '%')
		ORDER BY active DESC, lower(name), id`
	rows, err := tx.Query(ctx, q, f.Active, escapeLike(f.Query))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

func escapeLike(s string) string {
	r := make([]rune, 0, len(s))
	for _, c := range s {
		if c == '%' || c == '_' || c == '\\' {
			r = append(r, '\\')
		}
		r = append(r, c)
	}
	return string(r)
}
