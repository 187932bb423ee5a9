package siuss

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/assessment"
	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/catalog"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/interventions"
	"github.com/sigess/sigess/internal/people"
)

// The kinds of flow (tipo).
const (
	TipoPS    = "PS_PSA_SINA"
	TipoSINBA = "SINBA"
)

// The states of a flow.
const (
	StateWaiting  = "waiting"
	StateAcquired = "acquired"
	StateRejected = "rejected"
)

// The outcome codes INPS sends (codice_esito).
const (
	OutcomeOK                = "OK"
	OutcomeDataNotFound      = "DATI_NON_TROVATI"
	OutcomeInvalidRequest    = "RICHIESTA_INVALIDA"
	OutcomeGenericError      = "ERRORE_GENERICO"
	DefaultLimit, MaxLimit   = 10, 100
	maxOutcomeDescriptionLen = 2000
)

// Flow is one stored flow.
type Flow struct {
	ID             uuid.UUID  `json:"id"`
	IDFlusso       string     `json:"id_flusso"`
	Tipo           string     `json:"tipo"`
	TSFlusso       time.Time  `json:"ts_flusso"` // millisecond precision
	InterventionID uuid.UUID  `json:"intervention_id"`
	EventSeq       int        `json:"event_seq"`
	Operation      string     `json:"operation"`       // activation, change, closure, cancellation
	TipoOperazione string     `json:"tipo_operazione"` // I, C; "" for SINBA
	XML            string     `json:"xml"`
	State          string     `json:"state"` // waiting, acquired, rejected
	Outcome        *Outcome   `json:"outcome,omitempty"`
	SupersededBy   *uuid.UUID `json:"superseded_by,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Outcome is INPS's outcome of a flow (POST /esiti), and when it came.
type Outcome struct {
	Code          string    `json:"code"`        // codice_esito
	Description   string    `json:"description"` // descrizione_esito
	AcquisitionID string    `json:"acquisition_id,omitempty"`
	AcquiredAt    time.Time `json:"acquired_at,omitzero"` // ts_acquisizione
	ReceivedAt    time.Time `json:"received_at,omitzero"`
}

// Filter selects the flows List returns.
type Filter struct {
	State          string    // "" any
	Since          int64     // Unix milliseconds: flows with ts_flusso strictly after; 0 all
	Limit          int       // 0 DefaultLimit; at most MaxLimit
	InterventionID uuid.UUID // uuid.Nil any
}

// Service is the SIUSS flows of every ente.
type Service struct {
	db  *db.DB
	now func() time.Time
}

// NewService returns the flows over d.
func NewService(d *db.DB) *Service { return &Service{db: d, now: time.Now} }

// SetClock replaces the clock ts_flusso starts from (tests, golden files).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// ErrUnknownFlow is an outcome for a flow the ente does not have.
var ErrUnknownFlow = fmt.Errorf("%w: flusso sconosciuto", derrors.ErrNotFound)

// Result is what Generate did with an event: the flows it wrote, or what
// they lack (Missing), or neither when the event is not one INPS must know.
type Result struct {
	Operation string
	Flows     []Flow
	Missing   []derrors.FieldError
}

// InterventionEvent implements interventions.EventHook: the flows of the
// event, written in its transaction.
func (s *Service) InterventionEvent(ctx context.Context, tx pgx.Tx, tenant, interventionID uuid.UUID, seq int) error {
	_, err := s.Generate(ctx, tx, tenant, interventionID, seq)
	return err
}

// Generate writes, in tx (scoped to tenant), the flows of event seq of
// intervention interventionID: a PS_PSA_SINA flow, and a SINBA flow when
// the beneficiary is a minor on the event's day. An event INPS need not know
// writes nothing; an event whose data INPS requires are missing writes
// nothing and returns them (Result.Missing). Generating an event twice
// writes its flows once.
func (s *Service) Generate(ctx context.Context, tx pgx.Tx, tenant, interventionID uuid.UUID, seq int) (*Result, error) {
	fail := func(err error) (*Result, error) {
		return nil, fmt.Errorf("siuss.Generate(%s, %s#%d): %w", tenant, interventionID, seq, err)
	}
	in, byID, err := load(ctx, tx, tenant, interventionID, seq)
	if err != nil {
		return fail(err)
	}
	res := &Result{Operation: in.Operation}
	if in.Operation == "" {
		return res, nil
	}
	if res.Missing = Missing(in); len(res.Missing) > 0 {
		return res, nil
	}
	var done int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM siuss_flows WHERE intervention_id = $1 AND event_seq = $2`,
		interventionID, seq).Scan(&done); err != nil {
		return fail(err)
	}
	if done > 0 {
		return res, nil
	}
	write := func(tipo string, build func(id string) (string, error)) error {
		f, err := s.store(ctx, tx, tenant, in, seq, tipo, build)
		if err != nil {
			return err
		}
		res.Flows = append(res.Flows, *f)
		return nil
	}
	if err := write(TipoPS, func(id string) (string, error) { return BuildPS(in, id) }); err != nil {
		return fail(err)
	}
	if in.Minor() && in.Operation != OpCancellation {
		if err := write(TipoSINBA, func(id string) (string, error) { return BuildSINBA(in, tenant, id) }); err != nil {
			return fail(err)
		}
	}
	ids := make([]string, len(res.Flows))
	for i, f := range res.Flows {
		ids[i] = f.IDFlusso
	}
	err = audit.Write(ctx, tx, tenant, audit.Event{Action: "siuss.flow_generated", ActorID: byID, ObjectType: "case",
		ObjectID: in.It.CaseID.String(), Details: map[string]any{"intervention_id": interventionID.String(),
			"event_seq": seq, "operation": in.Operation, "id_flusso": ids}})
	if err != nil {
		return fail(err)
	}
	return res, nil
}

// store takes the next ts_flusso and daily number of the ente, builds the
// flow and writes it, superseding the earlier flows of the same
// intervention and tipo.
func (s *Service) store(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, in *Input, seq int, tipo string,
	build func(id string) (string, error)) (*Flow, error) {
	var ts time.Time
	err := tx.QueryRow(ctx, `INSERT INTO siuss_clock (tenant_id, last_ts) VALUES ($1, date_trunc('milliseconds', $2::timestamptz))
		ON CONFLICT (tenant_id) DO UPDATE SET last_ts = greatest(EXCLUDED.last_ts, siuss_clock.last_ts + interval '1 millisecond')
		RETURNING last_ts`, tenant, s.now()).Scan(&ts)
	if err != nil {
		return nil, fmt.Errorf("ts_flusso: %w", err)
	}
	day := ts.In(rome)
	var n int
	err = tx.QueryRow(ctx, `INSERT INTO siuss_daily_counters (tenant_id, day, n) VALUES ($1, $2, 1)
		ON CONFLICT (tenant_id, day) DO UPDATE SET n = siuss_daily_counters.n + 1 RETURNING n`,
		tenant, day.Format(time.DateOnly)).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("daily counter: %w", err)
	}
	short := "PS"
	if tipo == TipoSINBA {
		short = "SINBA"
	}
	idFlusso := fmt.Sprintf("%s.%s.%s.%07d", in.Ente.Belfiore, short, day.Format("20060102"), n)
	doc, err := build(idFlusso)
	if err != nil {
		return nil, err
	}
	f := &Flow{ID: uuid.New(), IDFlusso: idFlusso, Tipo: tipo, TSFlusso: ts, InterventionID: in.It.ID, EventSeq: seq,
		Operation: in.Operation, XML: doc, State: StateWaiting}
	if tipo == TipoPS {
		f.TipoOperazione = "I"
		if in.Operation == OpCancellation {
			f.TipoOperazione = "C"
		}
	}
	err = tx.QueryRow(ctx, `INSERT INTO siuss_flows (tenant_id, id, id_flusso, tipo, ts_flusso, intervention_id, event_seq,
			operation, tipo_operazione, xml) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING created_at`,
		tenant, f.ID, f.IDFlusso, f.Tipo, f.TSFlusso, f.InterventionID, seq, f.Operation, f.TipoOperazione, f.XML).Scan(&f.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("flow %s: %w", idFlusso, err)
	}
	_, err = tx.Exec(ctx, `UPDATE siuss_flows SET superseded_by = $1
		WHERE intervention_id = $2 AND tipo = $3 AND id <> $1 AND superseded_by IS NULL`, f.ID, f.InterventionID, tipo)
	return f, err
}

// operation decides what event (kind, from → to) tells INPS, given whether
// a PS flow of the intervention was already written: the first activation
// (approved or ranked → active), an edit of an active or suspended
// intervention (the first flow, when activation could not be sent, is an
// activation), a closure, and the refusal of an intervention INPS had
// already been told of (a cancellation). Suspending and resuming tell INPS
// nothing.
func operation(kind, from, to string, sent bool) string {
	switch {
	case kind == "transition" && to == interventions.StateActive && from != interventions.StateSuspended:
		return OpActivation
	case kind == "changed" && sent:
		return OpChange
	case kind == "changed":
		return OpActivation
	case kind == "transition" && to == interventions.StateClosed:
		return OpClosure
	case kind == "transition" && to == interventions.StateRefused && sent:
		return OpCancellation
	}
	return ""
}

// load reads the input of event seq of intervention id in tx, and who made
// the event.
func load(ctx context.Context, tx pgx.Tx, tenant, id uuid.UUID, seq int) (*Input, uuid.UUID, error) {
	var (
		kind, from, to string
		byID           uuid.UUID
		at             time.Time
		snap           []byte
	)
	err := tx.QueryRow(ctx, `SELECT kind, from_state, to_state, by_id, at, snapshot FROM intervention_events
		WHERE intervention_id = $1 AND seq = $2`, id, seq).Scan(&kind, &from, &to, &byID, &at, &snap)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byID, fmt.Errorf("event: %w", derrors.ErrNotFound)
	}
	if err != nil {
		return nil, byID, fmt.Errorf("event: %w", err)
	}
	var sent bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM siuss_flows WHERE intervention_id = $1 AND tipo = $2 AND event_seq < $3)`,
		id, TipoPS, seq).Scan(&sent); err != nil {
		return nil, byID, err
	}
	in := &Input{Operation: operation(kind, from, to, sent), EventDate: people.DateOf(at.In(rome))}
	if in.Operation == "" {
		return in, byID, nil
	}
	if err := json.Unmarshal(snap, &in.It); err != nil {
		return nil, byID, fmt.Errorf("snapshot: %w", err)
	}
	return in, byID, fill(ctx, tx, tenant, byID, in)
}

// fill reads what in needs besides the intervention: the ente, the
// operator's tax code, the catalogue entry, the person, the assessment.
func fill(ctx context.Context, tx pgx.Tx, tenant, byID uuid.UUID, in *Input) error {
	var fallbackCF string
	err := tx.QueryRow(ctx, `SELECT coalesce(nullif(settings #>> '{branding,display_name}', ''), name), coalesce(belfiore_code, ''),
			coalesce(settings #>> '{waas,operator_tax_code}', '')
		FROM tenants WHERE id = $1`, tenant).Scan(&in.Ente.Name, &in.Ente.Belfiore, &fallbackCF)
	if err != nil {
		return fmt.Errorf("ente: %w", err)
	}
	err = tx.QueryRow(ctx, `SELECT coalesce(tax_code, '') FROM operators WHERE id = $1`, byID).Scan(&in.OperatorCF)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("operator: %w", err)
	}
	if in.OperatorCF == "" {
		// An API client, or an operator without a tax code: the ente's
		// setting waas.operator_tax_code.
		in.OperatorCF = fallbackCF
	}
	e, err := catalog.Get(ctx, tx, in.It.CatalogEntryID)
	if err != nil {
		return err
	}
	in.Entry = Entry{INPSCode: e.INPSCode, INPSName: e.DenominazioneINPS(), UserArea: e.UserArea}
	var born time.Time
	p := &in.Person
	err = tx.QueryRow(ctx, `SELECT id, coalesce(tax_code, ''), first_name, last_name, sex, birth_date, birth_place, citizenship,
			second_citizenship, residence, domicile FROM people WHERE id = $1`, in.It.PersonID).
		Scan(&p.ID, &p.TaxCode, &p.FirstName, &p.LastName, &p.Sex, &born, &p.BirthPlace, &p.Citizenship,
			&p.SecondCitizenship, &p.Residence, &p.Domicile)
	if err != nil {
		return fmt.Errorf("person: %w", err)
	}
	p.BirthDate = people.DateOf(born)
	in.Assessment, err = assessment.Latest(ctx, tx, in.It.CaseID)
	return err
}

// MissingFor returns what INPS requires that the latest event of
// intervention id lacks, as Generate would see it now (empty when nothing is
// missing or the event tells INPS nothing): the page of the intervention
// shows it to the administrative office. It writes nothing; the caller
// decides who may see the intervention.
func (s *Service) MissingFor(ctx context.Context, tenant, id uuid.UUID) ([]derrors.FieldError, error) {
	var out []derrors.FieldError
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var seq int
		err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM intervention_events WHERE intervention_id = $1 AND kind <> 'created'`, id).Scan(&seq)
		if err != nil || seq == 0 {
			return err
		}
		in, _, err := load(ctx, tx, tenant, id, seq)
		if err != nil || in.Operation == "" {
			return err
		}
		out = Missing(in)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("siuss.MissingFor(%s, %s): %w", tenant, id, err)
	}
	return out, nil
}

const flowColumns = `id, id_flusso, tipo, ts_flusso, intervention_id, event_seq, operation, tipo_operazione, xml, state,
	outcome_code, outcome_description, outcome_acquisition, outcome_acquired_at, outcome_received_at, superseded_by, created_at`

func scanFlow(row pgx.Row) (*Flow, error) {
	var (
		f                  Flow
		code, desc, acq    string
		acquired, received *time.Time
	)
	err := row.Scan(&f.ID, &f.IDFlusso, &f.Tipo, &f.TSFlusso, &f.InterventionID, &f.EventSeq, &f.Operation,
		&f.TipoOperazione, &f.XML, &f.State, &code, &desc, &acq, &acquired, &received, &f.SupersededBy, &f.CreatedAt)
	if err != nil {
		return nil, err
	}
	if code != "" {
		f.Outcome = &Outcome{Code: code, Description: desc, AcquisitionID: acq}
		if acquired != nil {
			f.Outcome.AcquiredAt = *acquired
		}
		if received != nil {
			f.Outcome.ReceivedAt = *received
		}
	}
	return &f, nil
}

// List returns tenant's flows matching f, oldest first by ts_flusso: with
// f.Since, those produced strictly after that Unix time in milliseconds —
// what GET /flussi?since=&limit= returns.
func (s *Service) List(ctx context.Context, tenant uuid.UUID, f Filter) ([]Flow, error) {
	if f.Limit <= 0 {
		f.Limit = DefaultLimit
	}
	f.Limit = min(f.Limit, MaxLimit)
	if f.Since < 0 {
		f.Since = 0
	}
	var out []Flow
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+flowColumns+` FROM siuss_flows
			WHERE ts_flusso > 'epoch'::timestamptz + $1::bigint * interval '1 millisecond'
			  AND ($2 = '' OR state = $2) AND ($3::uuid IS NULL OR intervention_id = $3)
			ORDER BY ts_flusso LIMIT $4`, f.Since, f.State, nilUUID(f.InterventionID), f.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			fl, err := scanFlow(rows)
			if err != nil {
				return err
			}
			out = append(out, *fl)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("siuss.List(%s): %w", tenant, err)
	}
	return out, nil
}

// Get returns tenant's flow idFlusso (ErrUnknownFlow when there is none).
func (s *Service) Get(ctx context.Context, tenant uuid.UUID, idFlusso string) (*Flow, error) {
	var f *Flow
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		f, err = scanFlow(tx.QueryRow(ctx, `SELECT `+flowColumns+` FROM siuss_flows WHERE id_flusso = $1`, idFlusso))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrUnknownFlow
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("siuss.Get(%s, %s): %w", tenant, idFlusso, err)
	}
	return f, nil
}

// RecordOutcome records INPS's outcome o of tenant's flow idFlusso: OK makes
// it acquired, any other code rejected. It is idempotent: the outcome the
// flow already has changes nothing (changed false); a different one
// replaces it. An unknown flow is ErrUnknownFlow (derrors.ErrNotFound), an
// unknown code derrors.Invalid.
func (s *Service) RecordOutcome(ctx context.Context, tenant uuid.UUID, idFlusso string, o Outcome) (changed bool, err error) {
	fail := func(err error) (bool, error) {
		return false, fmt.Errorf("siuss.RecordOutcome(%s, %s): %w", tenant, idFlusso, err)
	}
	state := StateRejected
	switch o.Code {
	case OutcomeOK:
		state = StateAcquired
	case OutcomeDataNotFound, OutcomeInvalidRequest, OutcomeGenericError:
	default:
		return fail(&derrors.Invalid{Fields: []derrors.FieldError{{Field: "codice_esito", Message: "codice esito sconosciuto"}}})
	}
	if len([]rune(o.Description)) > maxOutcomeDescriptionLen {
		o.Description = string([]rune(o.Description)[:maxOutcomeDescriptionLen])
	}
	var acquired *time.Time
	if !o.AcquiredAt.IsZero() {
		t := o.AcquiredAt
		acquired = &t
	}
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var id uuid.UUID
		err := tx.QueryRow(ctx, `SELECT id FROM siuss_flows WHERE id_flusso = $1 FOR UPDATE`, idFlusso).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrUnknownFlow
		}
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE siuss_flows SET state = $2, outcome_code = $3, outcome_description = $4,
				outcome_acquisition = $5, outcome_acquired_at = $6, outcome_received_at = $7
			WHERE id = $1 AND (state, outcome_code, outcome_description, outcome_acquisition, outcome_acquired_at)
				IS DISTINCT FROM ($2, $3, $4, $5, $6::timestamptz)`,
			id, state, o.Code, o.Description, o.AcquisitionID, acquired, s.now())
		if err != nil {
			return err
		}
		changed = tag.RowsAffected() > 0
		if !changed {
			return nil
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "siuss.outcome_recorded", Actor: "INPS",
			ObjectType: "siuss_flow", ObjectID: idFlusso, Details: map[string]any{"codice_esito": o.Code}})
	})
	if err != nil {
		return fail(err)
	}
	return changed, nil
}

func nilUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
