// Package templates is the regional templates of shared settings: a region
// publishes versioned templates of a kind ("catalog" now; "workflow" and forms
// later) made of keyed items; an ente adopts a template and gets its own copy of
// every item; a new published version reaches every ente that adopted it.
//
// The mechanism is generic: an item is a flat map of field name to value (text,
// as the kind formats it), and a Kind — implemented by the package that owns
// the ente's copies (internal/catalog for "catalog") — validates items and
// reads and writes the ente's copies. The ente's copy of an item remembers the
// template, the item key, the version it follows and the fields the ente
// overrode. Bringing an ente to a new version (Sync):
//   - an item whose copy is missing is added;
//   - a field the template changed is applied, unless the ente overrode it, in
//     which case it is kept as the ente set it;
//   - a copy whose item the template removed is deactivated, never deleted;
//   - every one of these is written to the ente's change log
//     (template_changes), which its admin reads and marks as read.
//
// Each ente is brought up to date in its own tenant transaction (db.InTenant):
// the region never writes an ente's rows. Publish does it for every adopter
// right after the version is committed; an ente that failed (or was busy) shows
// as behind in the region's list of adopters and catches up with Sync, which is
// idempotent (docs/design.md "Regional templates").
package templates

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Kinds known to the schema.
const (
	KindCatalog  = "catalog"
	KindWorkflow = "workflow"
)

// Kind is what the templates need from the package owning one kind of shared
// setting. Every method runs inside the caller's transaction: Check in the
// region's, the others in the ente's (tenant scope).
type Kind interface {
	// Check validates one item's values for a template and returns them
	// normalised, or a *derrors.Invalid naming the fields.
	Check(values map[string]string) (map[string]string, error)
	// Label is the item's name for people (lists, change log).
	Label(values map[string]string) string
	// Copies returns the ente's copies of the items of template, by key.
	Copies(ctx context.Context, tx pgx.Tx, template uuid.UUID) (map[string]Copy, error)
	// Add creates the ente's copy of a new item and returns its id.
	Add(ctx context.Context, tx pgx.Tx, tenant, template uuid.UUID, version int, key string, values map[string]string) (uuid.UUID, error)
	// Apply sets the given fields of a copy (set may be empty), its active
	// flag when active is not nil, and the template version it follows.
	Apply(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, c Copy, version int, set map[string]string, active *bool) error
}

// Finisher is implemented by a kind whose copies only make sense together
// (the case workflow: its states and transitions): Finish runs in the ente's
// transaction once Adopt or Sync wrote every copy of template, and an error
// undoes the whole adoption or synchronisation — nothing is half-written.
type Finisher interface {
	Finish(ctx context.Context, tx pgx.Tx, tenant, template uuid.UUID, a Actor) error
}

// Copy is an ente's copy of a template item as the kind reads it.
type Copy struct {
	ID         uuid.UUID
	Key        string
	Values     map[string]string
	Overridden []string // fields the ente changed
	Active     bool
}

func (c Copy) overrides(field string) bool {
	for _, f := range c.Overridden {
		if f == field {
			return true
		}
	}
	return false
}

// Template is a region's template.
type Template struct {
	ID            uuid.UUID `json:"id"`
	Region        string    `json:"region"`
	Kind          string    `json:"kind"`
	Name          string    `json:"name"`
	Description   string    `json:"description"`
	LatestVersion int       `json:"latest_version"` // 0: never published
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	// Items is the number of items of the draft; Adopters the enti that
	// adopted it (region side only).
	Items    int `json:"items"`
	Adopters int `json:"adopters"`
}

// Item is one item of a template's draft or of a published version.
type Item struct {
	Key    string            `json:"key"`
	Label  string            `json:"label"`
	Values map[string]string `json:"values"`
}

// Version is a published version of a template.
type Version struct {
	Version     int       `json:"version"`
	Note        string    `json:"note"`
	Items       int       `json:"items"`
	PublishedAt time.Time `json:"published_at"`
}

// Adoption is an ente's adoption of a template. The region sees the ente's
// name and slug; the ente sees the template's name and latest version.
type Adoption struct {
	TenantID      uuid.UUID `json:"tenant_id"`
	TenantName    string    `json:"tenant_name,omitempty"`
	TenantSlug    string    `json:"tenant_slug,omitempty"`
	TemplateID    uuid.UUID `json:"template_id"`
	TemplateName  string    `json:"template_name,omitempty"`
	Kind          string    `json:"kind"`
	Version       int       `json:"version"`        // the version the ente's copies follow
	LatestVersion int       `json:"latest_version"` // the template's last published version
	AdoptedAt     time.Time `json:"adopted_at"`
	SyncedAt      time.Time `json:"synced_at"`
}

// Behind reports whether a newer version is published than the one adopted.
func (a Adoption) Behind() bool { return a.LatestVersion > a.Version }

// Offer is a template of the ente's region it may adopt, with its adoption
// when it has one.
type Offer struct {
	Template
	Adopted *Adoption `json:"adopted"`
}

// Outcomes of a change.
const (
	OutcomeAdded       = "added"
	OutcomeApplied     = "applied"
	OutcomeKept        = "kept"
	OutcomeDeactivated = "deactivated"
	OutcomeReactivated = "reactivated"
)

// Change is one line of an ente's change log.
type Change struct {
	ID           uuid.UUID  `json:"id"`
	TemplateID   uuid.UUID  `json:"template_id"`
	TemplateName string     `json:"template_name"`
	Kind         string     `json:"kind"`
	Version      int        `json:"version"`
	ItemKey      string     `json:"item_key"`
	ItemName     string     `json:"item_name"`
	EntryID      *uuid.UUID `json:"entry_id"`
	Field        string     `json:"field"`
	Old          *string    `json:"old"`
	New          *string    `json:"new"`
	Outcome      string     `json:"outcome"`
	CreatedAt    time.Time  `json:"created_at"`
	ReadAt       *time.Time `json:"read_at"`
}

// Actor is who does something: an operator of the region or of the ente.
type Actor struct {
	ID    uuid.UUID
	Email string
	IP    string
}

// SyncResult is what bringing one ente up to date did.
type SyncResult struct {
	TenantID uuid.UUID
	From, To int
	Changes  int
	Err      error
}
