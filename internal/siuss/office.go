package siuss

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// OfficeMax is the most flows Browse returns.
const OfficeMax = 200

// OfficeFlow is a flow as the administrative office sees it: the flow, and
// the intervention it reports with its beneficiary and case.
type OfficeFlow struct {
	Flow
	PersonID        uuid.UUID
	PersonName      string // "Cognome Nome"
	CaseID          uuid.UUID
	CatalogName     string
	SupersededByID  string // id_flusso of the flow that replaced this one
	InterventionNow string // the intervention's state now
}

// OfficeFilter selects the flows Browse returns (newest first).
type OfficeFilter struct {
	State          string    // "" any
	InterventionID uuid.UUID // uuid.Nil any
}

const officeSelect = `SELECT f.id, f.id_flusso, f.tipo, f.ts_flusso, f.intervention_id, f.event_seq, f.operation,
		f.tipo_operazione, f.xml, f.state, f.outcome_code, f.outcome_description, f.outcome_acquisition,
		f.outcome_acquired_at, f.outcome_received_at, f.superseded_by, f.created_at,
		i.person_id, p.last_name || ' ' || p.first_name, i.case_id, ce.name, coalesce(s.id_flusso, ''), i.state
	FROM siuss_flows f
	JOIN interventions i ON i.tenant_id = f.tenant_id AND i.id = f.intervention_id
	JOIN people p ON p.tenant_id = i.tenant_id AND p.id = i.person_id
	JOIN catalog_entries ce ON ce.tenant_id = i.tenant_id AND ce.id = i.catalog_entry_id
	LEFT JOIN siuss_flows s ON s.tenant_id = f.tenant_id AND s.id = f.superseded_by
	WHERE `

func scanOffice(row pgx.Row) (*OfficeFlow, error) {
	var (
		o                  OfficeFlow
		code, desc, acq    string
		acquired, received *time.Time
	)
	f := &o.Flow
	err := row.Scan(&f.ID, &f.IDFlusso, &f.Tipo, &f.TSFlusso, &f.InterventionID, &f.EventSeq, &f.Operation,
		&f.TipoOperazione, &f.XML, &f.State, &code, &desc, &acq, &acquired, &received, &f.SupersededBy, &f.CreatedAt,
		&o.PersonID, &o.PersonName, &o.CaseID, &o.CatalogName, &o.SupersededByID, &o.InterventionNow)
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
	return &o, nil
}

// Browse returns tenant's flows matching f, newest first (at most
// OfficeMax), for the administrative office's list: one siuss.flows_listed
// audit event in the same transaction. The caller checks siuss:export.
func (s *Service) Browse(ctx context.Context, tenant uuid.UUID, f OfficeFilter, v casefile.Viewer) ([]OfficeFlow, error) {
	out := []OfficeFlow{}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, officeSelect+`($1 = '' OR f.state = $1) AND ($2::uuid IS NULL OR f.intervention_id = $2)
			ORDER BY f.ts_flusso DESC LIMIT $3`, f.State, nilUUID(f.InterventionID), OfficeMax)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOffice(rows)
			if err != nil {
				return err
			}
			out = append(out, *o)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		details := map[string]any{"count": len(out)}
		if f.State != "" {
			details["state"] = f.State
		}
		if f.InterventionID != uuid.Nil {
			details["intervention_id"] = f.InterventionID.String()
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "siuss.flows_listed", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: "siuss_flow", Details: details})
	})
	if err != nil {
		return nil, fmt.Errorf("siuss.Browse(%s): %w", tenant, err)
	}
	return out, nil
}

// Open returns tenant's flow idFlusso with its intervention's beneficiary
// (ErrUnknownFlow when there is none): one siuss.flow_viewed audit event on
// the case, in the same transaction. The caller checks siuss:export.
func (s *Service) Open(ctx context.Context, tenant uuid.UUID, idFlusso string, v casefile.Viewer) (*OfficeFlow, error) {
	var o *OfficeFlow
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		o, err = scanOffice(tx.QueryRow(ctx, officeSelect+`f.id_flusso = $1`, idFlusso))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrUnknownFlow
		}
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "siuss.flow_viewed", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: "case", ObjectID: o.CaseID.String(),
			Details: map[string]any{"id_flusso": idFlusso, "intervention_id": o.InterventionID.String()}})
	})
	if err != nil {
		return nil, fmt.Errorf("siuss.Open(%s, %s): %w", tenant, idFlusso, err)
	}
	return o, nil
}

// ErrNotRejected: only a rejected flow that no later flow replaced is sent
// again.
var ErrNotRejected = fmt.Errorf("%w: si invia di nuovo solo un flusso scartato e non ancora sostituito", derrors.ErrConflict)

// Resend sends again tenant's rejected flow idFlusso once its data were
// fixed: a new flow of the same tipo and operation, built from the current
// data of the intervention (its latest event's snapshot), of the person,
// the catalogue entry, the ente and the assessment, with v as CFOperatore;
// it supersedes the rejected one. The new flow reports a new 'changed'
// event of the intervention, whose reason names the flow sent again (a flow
// is one event's report). Data INPS requires that are still missing refuse
// it with derrors.Invalid listing them, and nothing is written; a flow that
// is not rejected, or already replaced, is ErrNotRejected. One
// siuss.flow_resent audit event on the case, in the same transaction. The
// caller checks siuss:export.
func (s *Service) Resend(ctx context.Context, tenant uuid.UUID, idFlusso string, v casefile.Viewer) (*Flow, error) {
	fail := func(err error) (*Flow, error) {
		return nil, fmt.Errorf("siuss.Resend(%s, %s): %w", tenant, idFlusso, err)
	}
	var out *Flow
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		old, err := scanFlow(tx.QueryRow(ctx, `SELECT `+flowColumns+` FROM siuss_flows WHERE id_flusso = $1 FOR UPDATE`, idFlusso))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrUnknownFlow
		}
		if err != nil {
			return err
		}
		if old.State != StateRejected || old.SupersededBy != nil {
			return ErrNotRejected
		}
		// Serialise with the intervention's own events.
		var state string
		if err := tx.QueryRow(ctx, `SELECT state FROM interventions WHERE id = $1 FOR UPDATE`, old.InterventionID).Scan(&state); err != nil {
			return fmt.Errorf("intervention: %w", err)
		}
		var (
			at   time.Time
			snap []byte
		)
		if err := tx.QueryRow(ctx, `SELECT at FROM intervention_events WHERE intervention_id = $1 AND seq = $2`,
			old.InterventionID, old.EventSeq).Scan(&at); err != nil {
			return fmt.Errorf("event: %w", err)
		}
		if err := tx.QueryRow(ctx, `SELECT snapshot FROM intervention_events WHERE intervention_id = $1 ORDER BY seq DESC LIMIT 1`,
			old.InterventionID).Scan(&snap); err != nil {
			return fmt.Errorf("latest event: %w", err)
		}
		in := &Input{Operation: old.Operation, EventDate: people.DateOf(at.In(rome))}
		if err := json.Unmarshal(snap, &in.It); err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		if err := fill(ctx, tx, tenant, v.ID, in); err != nil {
			return err
		}
		missing := missingPS(in)
		if old.Tipo == TipoSINBA {
			missing = Missing(in)
		}
		if len(missing) > 0 {
			return &derrors.Invalid{Fields: missing}
		}
		var seq int
		err = tx.QueryRow(ctx, `INSERT INTO intervention_events (tenant_id, intervention_id, seq, kind, from_state, to_state, by_id, reason, snapshot)
			VALUES ($1, $2, (SELECT max(seq) + 1 FROM intervention_events WHERE intervention_id = $2), 'changed', $3, $3, $4, $5, $6)
			RETURNING seq`, tenant, old.InterventionID, state, v.ID, "Reinvio a INPS del flusso "+idFlusso+" scartato", snap).Scan(&seq)
		if err != nil {
			return fmt.Errorf("resend event: %w", err)
		}
		build := func(id string) (string, error) { return BuildPS(in, id) }
		if old.Tipo == TipoSINBA {
			build = func(id string) (string, error) { return BuildSINBA(in, tenant, id) }
		}
		if out, err = s.store(ctx, tx, tenant, in, seq, old.Tipo, build); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "siuss.flow_resent", ActorID: v.ID, Actor: v.Email, IP: v.IP,
			ObjectType: "case", ObjectID: in.It.CaseID.String(), Details: map[string]any{"id_flusso": idFlusso,
				"new_id_flusso": out.IDFlusso, "intervention_id": old.InterventionID.String(), "event_seq": seq}})
	})
	if err != nil {
		return fail(err)
	}
	return out, nil
}
