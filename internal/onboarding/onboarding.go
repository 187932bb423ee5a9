// Package onboarding imports an ente's legacy data from CSV files (the formats
// are in docs/import.md, with template files in templates/). Every row is
// validated with the rules of the domain packages (internal/people for
// people, internal/households, internal/casefile, internal/interventions
// for the others); every error is reported with its row and field; a file is
// all-or-nothing, written in one transaction of the ente; and each record
// carries the legacy system's external id, so that importing the same file
// again changes nothing.
package onboarding

import (
	"embed"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/derrors"
)

// Kinds of file. A later kind refers to records of the earlier ones by
// their external ids: people, households, cases, interventions, deliveries.
const (
	KindPeople        = "people"
	KindHouseholds    = "households"
	KindCases         = "cases"
	KindInterventions = "interventions"
	KindDeliveries    = "deliveries"
)

// Kinds lists the kinds of file that may be imported, in the order they
// refer to each other.
var Kinds = []string{KindPeople, KindHouseholds, KindCases, KindInterventions, KindDeliveries}

// Templates holds the template file of each kind, templates/KIND.csv.
//
//go:embed templates/*.csv
var Templates embed.FS

// Template returns the template file of kind.
func Template(kind string) ([]byte, error) {
	if !slices.Contains(Kinds, kind) {
		return nil, fmt.Errorf("onboarding.Template(%q): %w", kind, derrors.ErrNotFound)
	}
	return Templates.ReadFile("templates/" + kind + ".csv")
}

// RowError is one wrong value of a file: Row is the line of the file (the
// header is row 1, the first record row 2), Field the column's name ("" for
// the row as a whole), Message what is wrong, in Italian.
type RowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Result is what an import did: with Errors it wrote nothing.
type Result struct {
	Rows    int        `json:"rows"`    // records in the file
	Created int        `json:"created"` // records written
	Skipped int        `json:"skipped"` // records already imported with the same data
	Errors  []RowError `json:"errors,omitempty"`
}

// ErrRowsInvalid is returned (wrapped) by Import when rows are wrong; the
// Result lists them.
var ErrRowsInvalid = fmt.Errorf("%w: il file contiene errori; nessun dato è stato importato", derrors.ErrInvalid)

// ErrNoFile is an upload without a file or with an empty one.
var ErrNoFile = errors.New("nessun file")

// Actor is who runs an import, as the audit trail records them; ID is
// uuid.Nil for the command line.
type Actor struct {
	ID    uuid.UUID
	Email string
	IP    string
}

// Progress is reported while an import runs: Phase is reading, checking or
// writing; Done of Total rows read (Total is known once the file is read).
type Progress struct {
	Phase       string
	Done, Total int
}

// Run is one import as recorded.
type Run struct {
	ID         uuid.UUID  `json:"id"`
	OperatorID *uuid.UUID `json:"operator_id,omitempty"`
	Kind       string     `json:"kind"`
	Filename   string     `json:"filename"`
	State      string     `json:"state"` // queued, running, done, failed
	Phase      string     `json:"phase"`
	RowsTotal  int        `json:"rows_total"`
	RowsDone   int        `json:"rows_done"`
	Created    int        `json:"created"`
	Skipped    int        `json:"skipped"`
	Errors     []RowError `json:"errors,omitempty"`
	ErrorCount int        `json:"error_count"`
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// Finished reports whether the run will not change any more.
func (r *Run) Finished() bool { return r.State == "done" || r.State == "failed" }

// maxStoredErrors is how many row errors a run keeps (error_count counts
// them all).
const maxStoredErrors = 1000
