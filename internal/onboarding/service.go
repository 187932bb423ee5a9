package onboarding

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/jobs"
	"github.com/sigess/sigess/internal/people"
)

// TaskRun is the job that runs an uploaded import; its payload is RunPayload.
const TaskRun = "onboarding:import"

// RunPayload names the import a job runs.
type RunPayload struct {
	RunID uuid.UUID `json:"run_id"`
}

// MaxUpload is the largest file the upload page takes (larger files are
// imported with `sigess import`).
const MaxUpload = 64 << 20

// ErrNotFound is an import run that does not exist in the ente.
var ErrNotFound = fmt.Errorf("%w: importazione non trovata", derrors.ErrNotFound)

// Service imports the enti's legacy data.
type Service struct {
	db  *db.DB
	now func() time.Time
}

// NewService returns the importer over d.
func NewService(d *db.DB) *Service { return &Service{db: d, now: time.Now} }

// Import reads a file of kind and, when every row is valid, writes it in one
// transaction of tenant: all of it or, with any error, nothing (the error
// then wraps ErrRowsInvalid and the Result lists every row error, sorted by
// row). Records whose external id was imported with the same data are
// skipped. One audit event records the import with its counts. run is the
// import's record (uuid.Nil for none); progress, if not nil, is told how far
// it is.
func (s *Service) Import(ctx context.Context, tenant uuid.UUID, kind string, r io.Reader, run uuid.UUID, by Actor, progress func(Progress)) (*Result, error) {
	if !slices.Contains(Kinds, kind) {
		return nil, fmt.Errorf("onboarding.Import(%s, %q): %w", tenant, kind,
			&derrors.Invalid{Fields: []derrors.FieldError{{Field: "kind", Message: "tipo di file sconosciuto"}}})
	}
	report := func(phase string, done, total int) {
		if progress != nil {
			progress(Progress{Phase: phase, Done: done, Total: total})
		}
	}
	report("reading", 0, 0)
	t, errs, err := readTable(r, formats[kind], func(done int) { report("reading", done, 0) })
	if err != nil {
		return nil, fmt.Errorf("onboarding.Import(%s, %s): %w", tenant, kind, err)
	}
	res := &Result{}
	if t == nil { // the header is wrong: nothing else can be read
		res.Errors = errs
		return res, fmt.Errorf("onboarding.Import(%s, %s): %w", tenant, kind, ErrRowsInvalid)
	}
	for _, rec := range t.records {
		if rec != nil {
			res.Rows++
		}
	}
	total := len(t.records)
	report("checking", 0, total)
	now := s.now().UTC().Truncate(time.Microsecond)
	var rows []personRow
	if kind == KindPeople {
		var rowErrs []RowError
		rows, rowErrs = checkPeople(t, now, func(done int) { report("checking", done, total) })
		errs = append(errs, rowErrs...)
		t = nil // the validated rows are all that is needed now
		report("writing", total, total)
	}
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var (
			created, skipped int
			dbErrs           []RowError
			err              error
		)
		if kind == KindPeople {
			created, skipped, dbErrs, err = writePeople(ctx, tx, tenant, rows, run, by, now, len(errs) > 0)
		} else {
			// The other kinds look up their references while checking, in
			// the transaction that writes them.
			e := env{tenant: tenant, run: run, by: by, now: now, today: people.DateOf(now.In(rome)), anyErrors: len(errs) > 0}
			created, skipped, dbErrs, err = kinds[kind](ctx, tx, t, e)
			report("writing", total, total)
		}
		res.Created, res.Skipped = created, skipped
		res.Errors = append(slices.Clip(errs), dbErrs...)
		if err != nil {
			return err
		}
		details := map[string]any{"kind": kind, "rows": res.Rows, "created": created, "skipped": skipped}
		obj := ""
		if run != uuid.Nil {
			obj = run.String()
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "import.completed", ActorID: by.ID, Actor: by.Email,
			IP: by.IP, ObjectType: "import", ObjectID: obj, Details: details})
	})
	sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].Row < res.Errors[j].Row })
	if err != nil {
		if errors.Is(err, ErrRowsInvalid) {
			res.Created = 0
		}
		return res, fmt.Errorf("onboarding.Import(%s, %s): %w", tenant, kind, err)
	}
	return res, nil
}

// Start records an upload of kind and queues its job, in one transaction.
func (s *Service) Start(ctx context.Context, tenant uuid.UUID, kind, filename string, content []byte, by Actor) (*Run, error) {
	var fe []derrors.FieldError
	if !slices.Contains(Kinds, kind) {
		fe = append(fe, derrors.FieldError{Field: "kind", Message: "scegli il tipo di file"})
	}
	if len(bytes.TrimSpace(content)) == 0 {
		fe = append(fe, derrors.FieldError{Field: "file", Message: "scegli un file CSV non vuoto"})
	}
	if len(fe) > 0 {
		return nil, fmt.Errorf("onboarding.Start(%s): %w", tenant, &derrors.Invalid{Fields: fe})
	}
	var r *Run
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		id, err := insertRun(ctx, tx, tenant, kind, filename, content, by, "queued")
		if err != nil {
			return err
		}
		if _, err := jobs.Enqueue(ctx, tx, tenant, TaskRun, RunPayload{RunID: id}); err != nil {
			return err
		}
		r, err = getRun(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("onboarding.Start(%s): %w", tenant, err)
	}
	return r, nil
}

func insertRun(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, kind, filename string, content []byte, by Actor, state string) (uuid.UUID, error) {
	var op *uuid.UUID
	if by.ID != uuid.Nil {
		op = &by.ID
	}
	if r := []rune(filename); len(r) > 255 {
		filename = string(r[:255])
	}
	var id uuid.UUID
	err := tx.QueryRow(ctx, `INSERT INTO import_runs (tenant_id, operator_id, kind, filename, content, state, started_at)
		VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 = 'running' THEN now() END) RETURNING id`,
		tenant, op, kind, filename, content, state).Scan(&id)
	return id, err
}

// Execute runs an import of the command line at once: it records the run
// (without the file), imports r and records the outcome.
func (s *Service) Execute(ctx context.Context, tenant uuid.UUID, kind, filename string, r io.Reader, by Actor, progress func(Progress)) (*Run, *Result, error) {
	var id uuid.UUID
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		if !slices.Contains(Kinds, kind) {
			return &derrors.Invalid{Fields: []derrors.FieldError{{Field: "kind", Message: "tipo di file sconosciuto"}}}
		}
		id, err = insertRun(ctx, tx, tenant, kind, filename, nil, by, "running")
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("onboarding.Execute(%s): %w", tenant, err)
	}
	res, ierr := s.Import(ctx, tenant, kind, r, id, by, progress)
	if err := s.finish(ctx, tenant, id, res, ierr); err != nil {
		return nil, res, err
	}
	run, err := s.Get(ctx, tenant, id)
	if err != nil {
		return nil, res, err
	}
	return run, res, ierr
}

// Run is the job of an upload: it imports the stored file, recording the
// progress and the outcome, and clears the file. A run already finished is
// left as it is; one whose rows are wrong is finished (failed) and not
// retried; any other failure is recorded and returned, so the job is retried.
func (s *Service) Run(ctx context.Context, tenant, id uuid.UUID) error {
	var (
		kind    string
		state   string
		content []byte
		by      Actor
	)
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var op *uuid.UUID
		err := tx.QueryRow(ctx, `SELECT kind, state, content, operator_id FROM import_runs WHERE id = $1 FOR UPDATE`, id).
			Scan(&kind, &state, &content, &op)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if op != nil {
			by.ID = *op
			by.Email = "import:" + id.String()
		}
		if state == "done" || state == "failed" {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE import_runs SET state = 'running', started_at = now(), rows_done = 0 WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("onboarding.Run(%s, %s): %w", tenant, id, err)
	}
	if state == "done" || state == "failed" {
		return nil
	}
	last := time.Time{}
	progress := func(p Progress) {
		if time.Since(last) < 500*time.Millisecond && p.Phase != "writing" {
			return
		}
		last = time.Now()
		_ = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE import_runs SET phase = $2, rows_done = $3, rows_total = greatest($4, rows_total) WHERE id = $1`,
				id, p.Phase, p.Done, p.Total)
			return err
		})
	}
	res, ierr := s.Import(ctx, tenant, kind, bytes.NewReader(content), id, by, progress)
	if err := s.finish(ctx, tenant, id, res, ierr); err != nil {
		return err
	}
	if ierr != nil && !errors.Is(ierr, derrors.ErrInvalid) && !errors.Is(ierr, ErrNoFile) {
		return ierr
	}
	return nil
}

// finish records the outcome of run id: done with its counts, or failed with
// its row errors (or the reason). The file is cleared either way.
func (s *Service) finish(ctx context.Context, tenant, id uuid.UUID, res *Result, ierr error) error {
	if res == nil {
		res = &Result{}
	}
	state, reason := "done", ""
	if ierr != nil {
		state = "failed"
		switch {
		case errors.Is(ierr, ErrRowsInvalid):
			reason = ErrRowsInvalid.Error()[len(derrors.ErrInvalid.Error())+2:]
		case errors.Is(ierr, ErrNoFile):
			reason = "il file è vuoto"
		default:
			reason = "errore durante l'importazione"
		}
	}
	stored := res.Errors
	if len(stored) > maxStoredErrors {
		stored = stored[:maxStoredErrors]
	}
	errs, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	if stored == nil {
		errs = []byte("[]")
	}
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE import_runs SET state = $2, phase = '', rows_total = $3, rows_done = $3,
				created = $4, skipped = $5, errors = $6, error_count = $7, error = $8, content = NULL, finished_at = now()
			WHERE id = $1`, id, state, res.Rows, res.Created, res.Skipped, errs, len(res.Errors), reason)
		return err
	})
	if err != nil {
		return fmt.Errorf("onboarding.finish(%s, %s): %w", tenant, id, err)
	}
	return nil
}

const runColumns = `id, operator_id, kind, filename, state, phase, rows_total, rows_done, created, skipped, errors,
	error_count, error, created_at, finished_at`

func scanRun(row pgx.Row) (*Run, error) {
	var r Run
	var errs []byte
	if err := row.Scan(&r.ID, &r.OperatorID, &r.Kind, &r.Filename, &r.State, &r.Phase, &r.RowsTotal, &r.RowsDone,
		&r.Created, &r.Skipped, &errs, &r.ErrorCount, &r.Error, &r.CreatedAt, &r.FinishedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(errs, &r.Errors); err != nil {
		return nil, fmt.Errorf("errors: %w", err)
	}
	return &r, nil
}

func getRun(ctx context.Context, tx pgx.Tx, id uuid.UUID) (*Run, error) {
	r, err := scanRun(tx.QueryRow(ctx, `SELECT `+runColumns+` FROM import_runs WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return r, err
}

// Get returns the import run id of tenant.
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID) (*Run, error) {
	var r *Run
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		r, err = getRun(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("onboarding.Get(%s, %s): %w", tenant, id, err)
	}
	return r, nil
}

// List returns the ente's last 50 import runs, newest first.
func (s *Service) List(ctx context.Context, tenant uuid.UUID) ([]Run, error) {
	var out []Run
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+runColumns+` FROM import_runs ORDER BY created_at DESC LIMIT 50`)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = nil
		for rows.Next() {
			r, err := scanRun(rows)
			if err != nil {
				return err
			}
			out = append(out, *r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("onboarding.List(%s): %w", tenant, err)
	}
	return out, nil
}

// Handle is the worker's handler of TaskRun. A run that no longer exists (or
// a payload that cannot be read) is not retried.
func Handle(s *Service) func(ctx context.Context, j jobs.Job) error {
	return func(ctx context.Context, j jobs.Job) error {
		var p RunPayload
		if err := json.Unmarshal(j.Payload, &p); err != nil {
			return fmt.Errorf("onboarding.Handle(%s): %w (%w)", j.ID, err, asynq.SkipRetry)
		}
		err := s.Run(ctx, j.Tenant, p.RunID)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("onboarding.Handle(%s): %w (%w)", j.ID, err, asynq.SkipRetry)
		}
		return err
	}
}
