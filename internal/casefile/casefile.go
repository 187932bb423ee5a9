// Package casefile keeps the cartella sociale: cases of people (and their
// households) proposed, assigned, taken in charge, closed and reopened along
// the ente's workflow, with their team and history, and who may see what of
// them. Record-level visibility is decided here, in SQL, from the viewer's
// permissions (internal/authz) and the case's unit, team and reserved flag.
package casefile

import (
	"time"

	"github.com/google/uuid"
)

// Viewer is the operator (or API client) reading or changing cases: who, with
// which permissions in the ente (authz.Granted), from where.
type Viewer struct {
	ID    uuid.UUID
	Email string
	IP    string
	Perms map[string]bool // "cases:read_all": true, …
	// Roles are the viewer's role names in the ente (authz RolesOf): the
	// workflow allows each transition to some roles only.
	Roles []string
}

// Access is what a viewer may do with one case. Exists without Content is the
// intake operator's view: the case is there, its content is not theirs.
type Access struct {
	Exists   bool `json:"exists"`   // the case exists and the viewer may know it
	Content  bool `json:"content"`  // the viewer may read the case (summary, team, history)
	Reserved bool `json:"reserved"` // the viewer may read its reserved parts (reserved cases, reserved diary entries and documents)
	Diary    bool `json:"diary"`    // the viewer may read the diary
	Write    bool `json:"write"`    // the viewer may change the case or write in its diary
}

// Case is one case file.
type Case struct {
	ID            uuid.UUID  `json:"id"`
	Number        string     `json:"number"` // 2026/000123
	PersonID      uuid.UUID  `json:"person_id"`
	HouseholdID   *uuid.UUID `json:"household_id,omitempty"`
	UserArea      string     `json:"user_area"`
	State         string     `json:"state"`
	UnitID        uuid.UUID  `json:"unit_id"`
	ResponsibleID *uuid.UUID `json:"responsible_id,omitempty"`
	Reserved      bool       `json:"reserved"`
	Summary       string     `json:"summary,omitempty"`
	OriginAccess  *uuid.UUID `json:"origin_access,omitempty"`
	OpenedAt      time.Time  `json:"opened_at"`
	TakenAt       *time.Time `json:"taken_at,omitempty"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	CloseReason   string     `json:"close_reason,omitempty"`
	Version       int        `json:"version"`
}

// Listed is a case in a list, with the name of its person. A case whose
// content the viewer may not read (Content false) carries its number, state,
// person and unit only.
type Listed struct {
	Case
	PersonName string `json:"person_name"`
	Content    bool   `json:"content"`
}

// Event is one step of a case's history.
type Event struct {
	Seq       int            `json:"seq"`
	At        time.Time      `json:"at"`
	ByID      *uuid.UUID     `json:"by_id,omitempty"`
	ByName    string         `json:"by_name,omitempty"`
	Kind      string         `json:"kind"` // opened, transition, assigned, team, reserved, edited
	FromState string         `json:"from_state,omitempty"`
	ToState   string         `json:"to_state,omitempty"`
	Reason    string         `json:"reason,omitempty"`
	Details   map[string]any `json:"details,omitempty"`
}

// Member is one operator on a case's team, with their role on the case.
type Member struct {
	OperatorID uuid.UUID  `json:"operator_id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	AddedAt    time.Time  `json:"added_at"`
	RemovedAt  *time.Time `json:"removed_at,omitempty"`
}

// View is one case as its page shows it: the case, what the viewer may do
// with it, and (with Content) its team and history.
type View struct {
	Case       Case     `json:"case"`
	PersonName string   `json:"person_name"`
	UnitName   string   `json:"unit_name"`
	Access     Access   `json:"access"`
	Team       []Member `json:"team,omitempty"`
	Events     []Event  `json:"events,omitempty"`
}

// OpenInput opens a case: directly, or from an access's proposal to take in
// charge (OriginAccess). A case opened without a responsible is a proposal that
// a coordinator of its unit assigns.
type OpenInput struct {
	PersonID      uuid.UUID  `json:"person_id"`
	HouseholdID   *uuid.UUID `json:"household_id,omitempty"`
	UserArea      string     `json:"user_area"`
	UnitID        uuid.UUID  `json:"unit_id"`
	ResponsibleID *uuid.UUID `json:"responsible_id,omitempty"`
	Reserved      bool       `json:"reserved"`
	Summary       string     `json:"summary"`
	OriginAccess  *uuid.UUID `json:"origin_access,omitempty"`
}
