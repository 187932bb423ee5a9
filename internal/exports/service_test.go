package exports

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
)

// world is an ente with two cases (the first the social worker's), a
// catalogue entry, three interventions and four deliveries (one cancelled,
// one outside the period).
type world struct {
	tenant, case1, case2, entry uuid.UUID
	clerk, sw, other, nobody    casefile.Viewer
	svc                         *Service
}

func viewer(id uuid.UUID, perms ...string) casefile.Viewer {
	v := casefile.Viewer{ID: id, Email: "op@example.it", Perms: map[string]bool{}}
	for _, p := range perms {
		v.Perms[p] = true
	}
	return v
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{tenant: pg.NewTenant(t), entry: uuid.New()}
	w.case1, w.case2 = pg.NewCase(t, w.tenant), pg.NewCase(t, w.tenant)
	w.clerk = viewer(pg.NewOperator(t, w.tenant, "Operatore"), authz.PermInterventionsRead, authz.PermInterventionsDeliver)
	w.sw = viewer(pg.NewOperator(t, w.tenant, "Operatore"), authz.PermInterventionsRead, authz.PermCasesReadOwn)
	w.other = viewer(pg.NewOperator(t, w.tenant, "Operatore"), authz.PermInterventionsRead, authz.PermCasesReadOwn)
	w.nobody = viewer(pg.NewOperator(t, w.tenant, "Operatore"), authz.PermCasesReadAll)
	pg.Exec(t, w.tenant, `UPDATE cases SET responsible_id = $2 WHERE id = $1`, w.case1, w.sw.ID)
	pg.Exec(t, w.tenant, `UPDATE people SET tax_code = 'GLLLIA01C43H501X' WHERE id = $1`, w.case1)
	pg.Exec(t, w.tenant, `INSERT INTO catalog_entries (tenant_id, id, name, inps_code, user_area, unit, means_test,
			share_ente, share_user, share_health, character)
		VALUES ($1, $2, 'Assistenza domiciliare', 'A2.01', '2', 'hours', '1', 80, 20, 0, '1')`, w.tenant, w.entry)
	add := func(id, caseID uuid.UUID, state, extra string) {
		pg.Exec(t, w.tenant, `INSERT INTO interventions (tenant_id, id, person_id, case_id, catalog_entry_id, state, created_by,
				application_protocol, start_date, end_date, means_test, monthly_amount_cents, share_ente, share_user, share_health,
				monthly_hours, created_at)
			SELECT $1, $2, $3, $3, $4, $5, $3, `+extra, w.tenant, id, caseID, w.entry, state)
	}
	active, requested, third := uuid.New(), uuid.New(), uuid.New()
	add(active, w.case1, "active", `'PROT-1', '2026-01-01', '2026-12-31', '1', 123450, 80, 20, 0, 12.5, '2025-12-20T10:00:00+01:00'`)
	add(requested, w.case1, "requested", `'', NULL, NULL, '', NULL, NULL, NULL, NULL, NULL, '2026-02-03T10:00:00+01:00'`)
	add(third, w.case2, "approved", `'PROT-3', '2026-03-01', NULL, '4', 5000, 100, 0, 0, NULL, '2026-02-10T10:00:00+01:00'`)
	for _, d := range []struct {
		on     string
		amount any
		hours  any
		cancel bool
	}{{"2026-01-31", int64(20000), 10.5, false}, {"2026-02-28", nil, 8.0, false}, {"2026-02-15", int64(999), nil, true}, {"2025-12-31", int64(1), nil, false}} {
		id := uuid.New()
		pg.Exec(t, w.tenant, `INSERT INTO intervention_deliveries (tenant_id, id, intervention_id, delivered_on, amount_cents, hours, provider, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, 'Cooperativa Sole; Latina', $3)`, w.tenant, id, active, d.on, d.amount, d.hours)
		if d.cancel {
			pg.Exec(t, w.tenant, `INSERT INTO intervention_delivery_cancellations (tenant_id, delivery_id, reason, cancelled_by)
				VALUES ($1, $2, 'Doppia', $3)`, w.tenant, id, active)
		}
	}
	w.svc = NewService(pg.DB, casefile.NewService(pg.DB, nil))
	w.svc.every = 1
	return w
}

// run starts an export for v and runs its job; it checks that a job was
// queued in the outbox and that progress reached the total.
func (w *world) run(t *testing.T, in Request, v casefile.Viewer) (*Export, []byte) {
	t.Helper()
	ctx := context.Background()
	e, err := w.svc.Start(ctx, w.tenant, in, v)
	if err != nil {
		t.Fatal(err)
	}
	if e.State != "queued" || e.RowsDone != 0 {
		t.Fatalf("started: %+v", e)
	}
	var queued int
	if err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE task_type = $1 AND payload->>'export_id' = $2`, TaskRun, e.ID.String()).Scan(&queued)
	}); err != nil || queued != 1 {
		t.Fatalf("%d jobs queued, %v", queued, err)
	}
	if _, _, err := w.svc.Download(ctx, w.tenant, e.ID, v); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("download before the job ran: %v", err)
	}
	if err := w.svc.Run(ctx, w.tenant, e.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Run(ctx, w.tenant, e.ID); err != nil { // a job delivered twice does nothing more
		t.Fatal(err)
	}
	e, body, err := w.svc.Download(ctx, w.tenant, e.ID, v)
	if err != nil {
		t.Fatal(err)
	}
	if e.State != "done" || e.RowsTotal == nil || e.RowsDone != *e.RowsTotal || e.Size == nil || int(*e.Size) != len(body) ||
		e.ExpiresAt == nil || e.ExpiresAt.Sub(*e.FinishedAt) < Retention-time.Minute {
		t.Errorf("after the job: %+v", e)
	}
	return e, body
}

// TestInterventionsCSV: the CSV is what Italian Excel opens (BOM, ';',
// CRLF, decimal commas, Italian dates and words), one row per intervention
// the operator may see.
func TestInterventionsCSV(t *testing.T) {
	w := newWorld(t)
	e, body := w.run(t, Request{Kind: KindInterventions, Format: FormatCSV}, w.clerk)
	want := "\uFEFF" + strings.Join([]string{
		"Numero cartella;Beneficiario;Codice fiscale;Intervento;Codice INPS;Stato;Protocollo domanda;Data inizio;Data fine;Importo mensile (euro);Quota ente %;Quota utente %;Quota SSN %;Ore mensili;Prova dei mezzi;Data richiesta",
	}, "\r\n")
	lines := strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n")
	if lines[0] != want || len(lines) != 4 || *e.RowsTotal != 3 {
		t.Fatalf("CSV of %d rows:\n%s", *e.RowsTotal, body)
	}
	got := strings.Join(lines[1:], "\n")
	for _, row := range []string{
		";Gialli Lia;GLLLIA01C43H501X;Assistenza domiciliare;A2.01;attivo;PROT-1;01/01/2026;31/12/2026;1234,50;80;20;0;12,5;ISEE;20/12/2025",
		";Gialli Lia;GLLLIA01C43H501X;Assistenza domiciliare;A2.01;richiesto;;;;;;;;;;03/02/2026",
		";Gialli Lia;;Assistenza domiciliare;A2.01;approvato;PROT-3;01/03/2026;;50,00;100;0;0;;nessuna;10/02/2026",
	} {
		if !strings.Contains(got, row+"\n") && !strings.HasSuffix(got, row) {
			t.Errorf("CSV lacks the row %q:\n%s", row, got)
		}
	}
	if !strings.HasPrefix(e.Filename, "interventi-") || !strings.HasSuffix(e.Filename, ".csv") || e.ContentType() != "text/csv; charset=utf-8" {
		t.Errorf("file %q %q", e.Filename, e.ContentType())
	}

	// The social worker sees the interventions of their case only; an
	// operator on neither case sees none.
	e, body = w.run(t, Request{Kind: KindInterventions, Format: FormatCSV}, w.sw)
	if *e.RowsTotal != 2 || strings.Contains(string(body), "PROT-3") {
		t.Errorf("social worker's export: %d rows\n%s", *e.RowsTotal, body)
	}
	if e, _ = w.run(t, Request{Kind: KindInterventions, Format: FormatCSV}, w.other); *e.RowsTotal != 0 {
		t.Errorf("an operator on no case exports %d rows", *e.RowsTotal)
	}
	// Filters: state, and a period that leaves out what ended before it.
	if e, _ = w.run(t, Request{Kind: KindInterventions, Format: FormatCSV, Filters: Filters{State: "approved"}}, w.clerk); *e.RowsTotal != 1 {
		t.Errorf("approved: %d rows", *e.RowsTotal)
	}
	if e, _ = w.run(t, Request{Kind: KindInterventions, Format: FormatCSV, Filters: Filters{From: "2027-01-01", To: "2027-01-31"}}, w.clerk); *e.RowsTotal != 2 {
		t.Errorf("January 2027 (the first intervention ended in 2026): %d rows", *e.RowsTotal)
	}
	if e, _ = w.run(t, Request{Kind: KindInterventions, Format: FormatCSV, Filters: Filters{CatalogEntryID: &w.entry, To: "2026-01-15"}}, w.clerk); *e.RowsTotal != 1 {
		t.Errorf("up to 15 January 2026: %d rows", *e.RowsTotal)
	}
}

// TestDeliveriesXLSX: the XLSX opens with excelize and holds the period's
// deliveries that were not cancelled, with dates and amounts as such.
func TestDeliveriesXLSX(t *testing.T) {
	w := newWorld(t)
	e, body := w.run(t, Request{Kind: KindDeliveries, Format: FormatXLSX, Filters: Filters{From: "2026-01-01", To: "2026-03-31"}}, w.clerk)
	if *e.RowsTotal != 2 || !strings.HasSuffix(e.Filename, ".xlsx") {
		t.Fatalf("%d rows, %s", *e.RowsTotal, e.Filename)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Erogazioni")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Data erogazione", "Numero cartella", "Beneficiario", "Codice fiscale", "Intervento", "Codice INPS", "Importo (euro)", "Ore", "Fornitore"},
		{"31/01/2026", "N1", "Gialli Lia", "GLLLIA01C43H501X", "Assistenza domiciliare", "A2.01", "200.00", "10.5", "Cooperativa Sole; Latina"},
		{"28/02/2026", "N1", "Gialli Lia", "GLLLIA01C43H501X", "Assistenza domiciliare", "A2.01", "", "8", "Cooperativa Sole; Latina"},
	}
	for i := 1; i < len(rows); i++ {
		rows[i][1] = "N1" // case numbers are random
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("sheet (-want +got):\n%s", diff)
	}
	// The amount is a number and the day a date, not text.
	if typ, _ := f.GetCellType("Erogazioni", "G2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("the amount is text (%v)", typ)
	}
	if raw, _ := f.GetCellValue("Erogazioni", "A2", excelize.Options{RawCellValue: true}); raw != "46053" {
		t.Errorf("31/01/2026 is stored as %q; want the serial day 46053", raw)
	}
}

// TestRefusals: without interventions:read nothing starts; bad requests name
// their fields; another operator or ente does not find the export; an
// expired file is gone.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	if _, err := w.svc.Start(ctx, w.tenant, Request{Kind: KindInterventions, Format: FormatCSV}, w.nobody); !errors.Is(err, derrors.ErrForbidden) {
		t.Errorf("without interventions:read: %v", err)
	}
	for _, tc := range []struct {
		in     Request
		fields []string
	}{
		{Request{Kind: "people", Format: "pdf"}, []string{"kind", "format"}},
		{Request{Kind: KindDeliveries, Format: FormatCSV}, []string{"from", "to"}},
		{Request{Kind: KindInterventions, Format: FormatCSV, Filters: Filters{State: "x", From: "2026-02-30", To: "2026-01-01"}}, []string{"state", "from"}},
		{Request{Kind: KindInterventions, Format: FormatCSV, Filters: Filters{From: "2026-02-01", To: "2026-01-01"}}, []string{"to"}},
	} {
		_, err := w.svc.Start(ctx, w.tenant, tc.in, w.clerk)
		var got []string
		for _, f := range derrors.Fields(err) {
			got = append(got, f.Field)
		}
		if !cmp.Equal(got, tc.fields) {
			t.Errorf("%+v: fields %v (%v); want %v", tc.in, got, err, tc.fields)
		}
	}
	unknown := uuid.New()
	if _, err := w.svc.Start(ctx, w.tenant, Request{Kind: KindInterventions, Format: FormatCSV, Filters: Filters{CatalogEntryID: &unknown}}, w.clerk); derrors.Fields(err) == nil {
		t.Errorf("an unknown catalogue entry: %v", err)
	}

	e, _ := w.run(t, Request{Kind: KindInterventions, Format: FormatCSV}, w.clerk)
	if _, err := w.svc.Get(ctx, w.tenant, e.ID, w.sw); !errors.Is(err, ErrNotFound) {
		t.Errorf("another operator's Get: %v", err)
	}
	if _, _, err := w.svc.Download(ctx, w.tenant, e.ID, w.sw); !errors.Is(err, ErrNotFound) {
		t.Errorf("another operator's Download: %v", err)
	}
	if _, err := w.svc.Get(ctx, pg.NewTenant(t), e.ID, w.clerk); !errors.Is(err, ErrNotFound) {
		t.Errorf("another ente's Get: %v", err)
	}
	if err := w.svc.Run(ctx, pg.NewTenant(t), e.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a job of another ente: %v", err)
	}

	// Seven days later the file is gone.
	pg.Exec(t, w.tenant, `UPDATE exports SET expires_at = now() - interval '1 minute' WHERE id = $1`, e.ID)
	if got, err := w.svc.Get(ctx, w.tenant, e.ID, w.clerk); err != nil || got.State != "expired" {
		t.Errorf("after expiry: %+v, %v", got, err)
	}
	if _, _, err := w.svc.Download(ctx, w.tenant, e.ID, w.clerk); !errors.Is(err, ErrNotReady) {
		t.Errorf("download after expiry: %v", err)
	}
	w.run(t, Request{Kind: KindInterventions, Format: FormatXLSX}, w.clerk)
	var cleared bool
	if err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT content IS NULL AND state = 'expired' FROM exports WHERE id = $1`, e.ID).Scan(&cleared)
	}); err != nil || !cleared {
		t.Errorf("the expired file was not cleared by the next export: %v", err)
	}

	var actions []string
	if err := pg.DB.InTenant(ctx, w.tenant, func(tx pgx.Tx) error {
		rs, err := audit.List(ctx, tx, w.tenant, audit.Filter{ObjectType: "export", ObjectID: e.ID.String()})
		for i := len(rs) - 1; i >= 0; i-- {
			actions = append(actions, rs[i].Action)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"export.requested", "export.completed", "export.downloaded"}, actions); diff != "" {
		t.Errorf("trail (-want +got):\n%s", diff)
	}
}
