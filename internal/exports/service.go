package exports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/jobs"
)

// TaskRun is the job that runs an export; its payload is RunPayload.
const TaskRun = "exports:run"

// RunPayload names the export a job runs.
type RunPayload struct {
	ExportID uuid.UUID `json:"export_id"`
}

// Cases tells what a viewer may do with a case (casefile.Service implements
// it), inside the caller's transaction.
type Cases interface {
	AccessTo(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, v casefile.Viewer) (casefile.Access, error)
}

// Service is the exports of every ente.
type Service struct {
	db    *db.DB
	cases Cases
	now   func() time.Time
	// every is how many rows are written between two progress updates.
	every int
}

// NewService returns the exports over d; cases decides which rows each
// operator may see.
func NewService(d *db.DB, cases Cases) *Service {
	return &Service{db: d, cases: cases, now: time.Now, every: 250}
}

// Start records an export for v and queues its job, in one transaction, and
// writes export.requested. Expired files of the ente are cleared on the way.
func (s *Service) Start(ctx context.Context, tenant uuid.UUID, in Request, v casefile.Viewer) (*Export, error) {
	if !v.Perms[authz.PermInterventionsRead] {
		return nil, fmt.Errorf("exports.Start(%s): %w", tenant, ErrNoRead)
	}
	if err := in.check(); err != nil {
		return nil, fmt.Errorf("exports.Start(%s): %w", tenant, err)
	}
	var e *Export
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if in.Filters.CatalogEntryID != nil {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM catalog_entries WHERE id = $1`, *in.Filters.CatalogEntryID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return invalid(derrors.FieldError{Field: "catalog_entry_id", Message: "voce del catalogo non trovata"})
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE exports SET state = 'expired', content = NULL WHERE state = 'done' AND expires_at < now()`); err != nil {
			return err
		}
		filters, err := json.Marshal(in.Filters)
		if err != nil {
			return err
		}
		var id uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO exports (tenant_id, operator_id, kind, format, filters, perms)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, tenant, v.ID, in.Kind, in.Format, filters, granted(v.Perms)).Scan(&id); err != nil {
			return err
		}
		if _, err := jobs.Enqueue(ctx, tx, tenant, TaskRun, RunPayload{ExportID: id}); err != nil {
			return err
		}
		if e, err = one(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "export.requested", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: "export", ObjectID: id.String(), Details: map[string]any{"kind": in.Kind, "format": in.Format, "filters": in.Filters}})
	})
	if err != nil {
		return nil, fmt.Errorf("exports.Start(%s): %w", tenant, err)
	}
	return e, nil
}

// List returns v's exports, newest first (the last 50).
func (s *Service) List(ctx context.Context, tenant uuid.UUID, v casefile.Viewer) ([]Export, error) {
	var out []Export
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		out, err = many(ctx, tx, `operator_id = $1 ORDER BY created_at DESC LIMIT 50`, v.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("exports.List(%s): %w", tenant, err)
	}
	return out, nil
}

// Get returns export id if it is v's.
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*Export, error) {
	var e *Export
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		e, err = mine(ctx, tx, id, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("exports.Get(%s, %s): %w", tenant, id, err)
	}
	return e, nil
}

// Download returns v's finished export and its file, and writes
// export.downloaded.
func (s *Service) Download(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*Export, []byte, error) {
	var e *Export
	var content []byte
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		if e, err = mine(ctx, tx, id, v); err != nil {
			return err
		}
		if !v.Perms[authz.PermInterventionsRead] {
			return ErrNoRead
		}
		if e.State != "done" {
			return ErrNotReady
		}
		if err := tx.QueryRow(ctx, `SELECT content FROM exports WHERE id = $1`, id).Scan(&content); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "export.downloaded", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: "export", ObjectID: id.String(), Details: map[string]any{"kind": e.Kind, "rows": e.RowsDone}})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("exports.Download(%s, %s): %w", tenant, id, err)
	}
	return e, content, nil
}

// Run is the job: it reads the rows the operator may see, writes the file,
// counting rows_done as it goes, and stores it with its expiry. An export
// already finished is left as it is; one that fails is marked failed with the
// reason, and the error returned so that the job is retried.
func (s *Service) Run(ctx context.Context, tenant, id uuid.UUID) error {
	var e *Export
	var perms []string
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		if e, err = one(ctx, tx, id); err != nil {
			return err
		}
		if e.State == "done" || e.State == "expired" {
			return nil
		}
		if err := tx.QueryRow(ctx, `SELECT perms FROM exports WHERE id = $1`, id).Scan(&perms); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE exports SET state = 'running', started_at = now(), rows_done = 0, error = '' WHERE id = $1`, id)
		return err
	})
	if err != nil || e.State == "done" || e.State == "expired" {
		if err != nil {
			return fmt.Errorf("exports.Run(%s, %s): %w", tenant, id, err)
		}
		return nil
	}
	if err := s.run(ctx, tenant, e, perms); err != nil {
		_ = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE exports SET state = 'failed', error = $2, finished_at = now() WHERE id = $1`, id, userError(err))
			return err
		})
		return fmt.Errorf("exports.Run(%s, %s): %w", tenant, id, err)
	}
	return nil
}

// run reads, writes and stores e's file.
func (s *Service) run(ctx context.Context, tenant uuid.UUID, e *Export, perms []string) error {
	v := casefile.Viewer{ID: e.OperatorID, Email: "export:" + e.ID.String(), Perms: map[string]bool{}}
	for _, p := range perms {
		v.Perms[p] = true
	}
	var t *table
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		if t, err = s.rows(ctx, tx, tenant, e, v); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE exports SET rows_total = $2 WHERE id = $1`, e.ID, len(t.rows))
		return err
	})
	if err != nil {
		return err
	}
	progress := func(done int) error {
		return s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE exports SET rows_done = $2 WHERE id = $1`, e.ID, done)
			return err
		})
	}
	var buf bytes.Buffer
	if e.Format == FormatXLSX {
		err = t.writeXLSX(&buf, s.every, progress)
	} else {
		err = t.writeCSV(&buf, s.every, progress)
	}
	if err != nil {
		return err
	}
	now := s.now()
	name := t.name + "-" + now.In(rome).Format("20060102-1504") + "." + e.Format
	return s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE exports SET state = 'done', rows_done = $2, content = $3, size = $4, filename = $5,
				finished_at = now(), expires_at = $6 WHERE id = $1`,
			e.ID, len(t.rows), buf.Bytes(), buf.Len(), name, now.Add(Retention)); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "export.completed", ActorID: e.OperatorID, Actor: v.Email,
			ObjectType: "export", ObjectID: e.ID.String(), Details: map[string]any{"kind": e.Kind, "rows": len(t.rows)}})
	})
}

// userError is what a failed export tells its operator.
func userError(err error) string {
	if errors.Is(err, errTooMany) {
		return errTooMany.Error()
	}
	return "errore durante l'esportazione"
}

// check checks a request.
func (in *Request) check() error {
	var fe []derrors.FieldError
	if in.Kind != KindInterventions && in.Kind != KindDeliveries {
		fe = append(fe, derrors.FieldError{Field: "kind", Message: "scegliere cosa esportare"})
	}
	if in.Format != FormatCSV && in.Format != FormatXLSX {
		fe = append(fe, derrors.FieldError{Field: "format", Message: "scegliere il formato"})
	}
	if in.Filters.State != "" && !slices.Contains(interventions.States, in.Filters.State) {
		fe = append(fe, derrors.FieldError{Field: "state", Message: "stato sconosciuto"})
	}
	var from, to time.Time
	for _, d := range []struct {
		name string
		v    string
		into *time.Time
	}{{"from", in.Filters.From, &from}, {"to", in.Filters.To, &to}} {
		if d.v == "" {
			if in.Kind == KindDeliveries {
				fe = append(fe, derrors.FieldError{Field: d.name, Message: "indicare il periodo delle erogazioni"})
			}
			continue
		}
		t, err := time.Parse("2006-01-02", d.v)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			fe = append(fe, derrors.FieldError{Field: d.name, Message: "data non valida"})
			continue
		}
		*d.into = t
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		fe = append(fe, derrors.FieldError{Field: "to", Message: "la fine del periodo deve seguire l'inizio"})
	}
	if len(fe) > 0 {
		return invalid(fe...)
	}
	return nil
}

// granted lists the permissions held, sorted.
func granted(perms map[string]bool) []string {
	out := []string{}
	for p, ok := range perms {
		if ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// exportSelect reads exports; a done export past its expiry reads as expired.
const exportSelect = `SELECT id, operator_id, kind, format, filters,
		CASE WHEN state = 'done' AND expires_at < now() THEN 'expired' ELSE state END,
		rows_done, rows_total, error, filename, size, created_at, finished_at, expires_at
	FROM exports WHERE `

func many(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]Export, error) {
	rows, err := tx.Query(ctx, exportSelect+where, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Export, error) {
		var e Export
		err := r.Scan(&e.ID, &e.OperatorID, &e.Kind, &e.Format, &e.Filters, &e.State, &e.RowsDone, &e.RowsTotal,
			&e.Error, &e.Filename, &e.Size, &e.CreatedAt, &e.FinishedAt, &e.ExpiresAt)
		return e, err
	})
}

// one reads export id.
func one(ctx context.Context, tx pgx.Tx, id uuid.UUID) (*Export, error) {
	es, err := many(ctx, tx, `id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, ErrNotFound
	}
	return &es[0], nil
}

// mine reads export id if it is v's.
func mine(ctx context.Context, tx pgx.Tx, id uuid.UUID, v casefile.Viewer) (*Export, error) {
	e, err := one(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if e.OperatorID != v.ID {
		return nil, ErrNotFound
	}
	return e, nil
}

// Entry is a catalogue entry, for the choice of the export's filter.
type Entry struct {
	ID       uuid.UUID `json:"id"`
	Name     string    `json:"name"`
	INPSCode string    `json:"inps_code"`
}

// Entries lists the ente's catalogue entries by name.
func (s *Service) Entries(ctx context.Context, tenant uuid.UUID) ([]Entry, error) {
	var out []Entry
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, name, inps_code FROM catalog_entries ORDER BY name, inps_code, id`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
			var e Entry
			return e, r.Scan(&e.ID, &e.Name, &e.INPSCode)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("exports.Entries(%s): %w", tenant, err)
	}
	return out, nil
}
