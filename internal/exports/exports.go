// Package exports runs the reporting exports of an ente: the list of
// interventions (by state, catalogue entry and period) or of the deliveries
// of a period, as CSV or XLSX, each as a job (internal/jobs) with its
// progress, for the operator who asked and only for them.
//
// The job sees what the operator saw when they asked: their permissions are
// stored with the export, and each row's case is put to the case file
// (casefile AccessTo) as the interventions package does for its lists —
// holders of interventions:deliver see every intervention of the ente, the
// others those of the cases whose content they may read. The SQL is this
// package's own: reporting reads the interventions tables, it does not
// change them.
//
// CSV is UTF-8 with a byte order mark, ';' between fields and decimal commas,
// as Excel set to Italian opens it with a double click. XLSX is written with
// excelize's streaming writer. The file is kept in the exports row (bytea: an
// export is at most MaxRows rows) for Retention, then cleared.
package exports

import (
	"time"

	"github.com/google/uuid"
)

// Kinds of export.
const (
	KindInterventions = "interventions"
	KindDeliveries    = "deliveries"
)

// Formats of the file.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Limits: the rows of one export, and how long its file is kept.
const (
	MaxRows   = 100000
	Retention = 7 * 24 * time.Hour
)

// Filters select the rows: State and CatalogEntryID the interventions (and
// the deliveries of those); From and To (2006-01-02, both included) the
// period — interventions running in it (from their start, or request, to
// their end, or closure), deliveries made in it. Deliveries need a period.
type Filters struct {
	State          string     `json:"state,omitempty"`
	CatalogEntryID *uuid.UUID `json:"catalog_entry_id,omitempty"`
	From           string     `json:"from,omitempty"`
	To             string     `json:"to,omitempty"`
}

// Request is an export to run.
type Request struct {
	Kind    string
	Format  string
	Filters Filters
}

// Export is an export as its page shows it.
type Export struct {
	ID         uuid.UUID  `json:"id"`
	OperatorID uuid.UUID  `json:"operator_id"`
	Kind       string     `json:"kind"`
	Format     string     `json:"format"`
	Filters    Filters    `json:"filters"`
	State      string     `json:"state"` // queued, running, done, failed, expired
	RowsDone   int        `json:"rows_done"`
	RowsTotal  *int       `json:"rows_total,omitempty"`
	Error      string     `json:"error,omitempty"`
	Filename   string     `json:"filename,omitempty"`
	Size       *int64     `json:"size,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
}

// Finished reports whether the job will not change the export any more.
func (e *Export) Finished() bool { return e.State != "queued" && e.State != "running" }

// ContentType is the file's media type.
func (e *Export) ContentType() string {
	if e.Format == FormatXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}
