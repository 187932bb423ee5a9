package siuss

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/derrors"
)

// TestResend: a rejected flow is refused again while the beneficiary still
// lacks the tax code (nothing written), then, once fixed, goes out again as
// a new waiting flow of the same operation that supersedes it and passes
// the XSD; a flow not rejected, or already replaced, is refused; Browse and
// Open show it with the beneficiary, each one audit event.
func TestResend(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	it := w.active(t)
	fs := w.flows(t, Filter{InterventionID: it.ID})
	if len(fs) != 1 {
		t.Fatalf("flows after activation: %+v", fs)
	}
	old := fs[0].IDFlusso
	if _, err := w.svc.Resend(ctx, w.tenant, old, w.admin); !errors.Is(err, ErrNotRejected) {
		t.Fatalf("resending a waiting flow: %v", err)
	}
	if _, err := w.svc.RecordOutcome(ctx, w.tenant, old, Outcome{Code: OutcomeDataNotFound, Description: "Codice fiscale sconosciuto"}); err != nil {
		t.Fatal(err)
	}

	// Still missing: refused with the field, nothing written.
	pg.Exec(t, w.tenant, `UPDATE people SET tax_code = NULL WHERE id = $1`, w.caseID)
	_, err := w.svc.Resend(ctx, w.tenant, old, w.admin)
	if fe := derrors.Fields(err); len(fe) != 1 || fe[0].Field != "person.tax_code" {
		t.Fatalf("resend with the tax code missing: %v", err)
	}
	if fs := w.flows(t, Filter{InterventionID: it.ID}); len(fs) != 1 {
		t.Fatalf("a refused resend wrote flows: %+v", fs)
	}

	// Fixed: a new flow supersedes the rejected one.
	pg.Exec(t, w.tenant, `UPDATE people SET tax_code = 'RSSMRA80A01H501U' WHERE id = $1`, w.caseID)
	nf, err := w.svc.Resend(ctx, w.tenant, old, w.admin)
	if err != nil {
		t.Fatal(err)
	}
	if nf.State != StateWaiting || nf.Operation != OpActivation || nf.Tipo != TipoPS || nf.IDFlusso == old {
		t.Errorf("resent flow: %+v", nf)
	}
	fs = w.flows(t, Filter{InterventionID: it.ID})
	if len(fs) != 2 || fs[0].SupersededBy == nil || *fs[0].SupersededBy != nf.ID || fs[1].IDFlusso != nf.IDFlusso {
		t.Fatalf("after resend: %+v", fs)
	}
	if _, err := w.svc.Resend(ctx, w.tenant, old, w.admin); !errors.Is(err, ErrNotRejected) {
		t.Errorf("resending a replaced flow: %v", err)
	}
	if _, err := w.svc.Resend(ctx, w.tenant, "H501.PS.20260101.0000099", w.admin); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("resending an unknown flow: %v", err)
	}

	list, err := w.svc.Browse(ctx, w.tenant, OfficeFilter{State: StateRejected}, w.admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].IDFlusso != old || list[0].PersonName == "" || list[0].SupersededByID != nf.IDFlusso ||
		list[0].Outcome == nil || list[0].Outcome.Description != "Codice fiscale sconosciuto" {
		t.Errorf("Browse rejected: %+v", list)
	}
	o, err := w.svc.Open(ctx, w.tenant, nf.IDFlusso, w.admin)
	if err != nil || o.CaseID != it.CaseID || o.XML == "" {
		t.Fatalf("Open: %+v %v", o, err)
	}
	if _, err := w.svc.Open(ctx, w.tenant, "H501.PS.20260101.0000099", w.admin); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Open unknown: %v", err)
	}
	for action, want := range map[string]int{"siuss.flows_listed": 1, "siuss.flow_viewed": 1, "siuss.flow_resent": 1} {
		var n int
		err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_id = $2`, action, w.admin.ID).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s audit events: %d, want %d", action, n, want)
		}
	}
}
