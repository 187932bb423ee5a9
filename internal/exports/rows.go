package exports

import (
	"context"
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // request days are Rome's

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
)

var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err)
	}
	return l
}()

// errTooMany is an export of more than MaxRows rows.
var errTooMany = fmt.Errorf("troppe righe: al massimo %d, restringere i filtri", MaxRows)

// Kinds of cell: how a value is written in each format.
const (
	cellText  = iota // string
	cellDate         // *time.Time, a calendar day
	cellMoney        // *int64, euro cents
	cellNum          // *float64
)

// column is one column of an export: its heading and kind of cell.
type column struct {
	heading string
	kind    int
}

// table is what an export writes: its columns and rows, and the name of its
// file and sheet.
type table struct {
	name, sheet string
	columns     []column
	rows        [][]any
}

var interventionColumns = []column{
	{"Numero cartella", cellText}, {"Beneficiario", cellText}, {"Codice fiscale", cellText},
	{"Intervento", cellText}, {"Codice INPS", cellText}, {"Stato", cellText}, {"Protocollo domanda", cellText},
	{"Data inizio", cellDate}, {"Data fine", cellDate}, {"Importo mensile (euro)", cellMoney},
	{"Quota ente %", cellNum}, {"Quota utente %", cellNum}, {"Quota SSN %", cellNum}, {"Ore mensili", cellNum},
	{"Prova dei mezzi", cellText}, {"Data richiesta", cellDate},
}

var deliveryColumns = []column{
	{"Data erogazione", cellDate}, {"Numero cartella", cellText}, {"Beneficiario", cellText}, {"Codice fiscale", cellText},
	{"Intervento", cellText}, {"Codice INPS", cellText}, {"Importo (euro)", cellMoney}, {"Ore", cellNum}, {"Fornitore", cellText},
}

// stateNames and meansTests are the Italian words of the interventions' codes.
var (
	stateNames = map[string]string{"requested": "richiesto", "approved": "approvato", "ranked": "in graduatoria",
		"active": "attivo", "suspended": "sospeso", "closed": "chiuso", "refused": "respinto"}
	meansTests = map[string]string{"1": "ISEE", "2": "altra", "3": "esente", "4": "nessuna"}
)

// filterArgs are $1..$4 of the queries: state, catalogue entry, from, to.
func filterArgs(f Filters) []any {
	day := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	return []any{f.State, f.CatalogEntryID, day(f.From), day(f.To)}
}

const interventionRows = `SELECT i.case_id, c.number, p.last_name || ' ' || p.first_name, coalesce(p.tax_code, ''),
		ce.name, ce.inps_code, i.state, i.application_protocol, i.start_date, i.end_date, i.monthly_amount_cents,
		i.share_ente::float8, i.share_user::float8, i.share_health::float8, i.monthly_hours::float8, i.means_test,
		(i.created_at AT TIME ZONE 'Europe/Rome')::date
	FROM interventions i
	JOIN people p ON p.tenant_id = i.tenant_id AND p.id = i.person_id
	JOIN cases c ON c.tenant_id = i.tenant_id AND c.id = i.case_id
	JOIN catalog_entries ce ON ce.tenant_id = i.tenant_id AND ce.id = i.catalog_entry_id
	WHERE ($1 = '' OR i.state = $1) AND ($2::uuid IS NULL OR i.catalog_entry_id = $2)
		AND ($3::date IS NULL OR coalesce(i.end_date, i.closed_on, 'infinity'::date) >= $3::date)
		AND ($4::date IS NULL OR coalesce(i.start_date, (i.created_at AT TIME ZONE 'Europe/Rome')::date) <= $4::date)
	ORDER BY c.number, i.created_at, i.id`

const deliveryRows = `SELECT i.case_id, d.delivered_on, c.number, p.last_name || ' ' || p.first_name, coalesce(p.tax_code, ''),
		ce.name, ce.inps_code, d.amount_cents, d.hours::float8, d.provider
	FROM intervention_deliveries d
	JOIN interventions i ON i.tenant_id = d.tenant_id AND i.id = d.intervention_id
	JOIN people p ON p.tenant_id = i.tenant_id AND p.id = i.person_id
	JOIN cases c ON c.tenant_id = i.tenant_id AND c.id = i.case_id
	JOIN catalog_entries ce ON ce.tenant_id = i.tenant_id AND ce.id = i.catalog_entry_id
	WHERE NOT EXISTS (SELECT 1 FROM intervention_delivery_cancellations x WHERE x.tenant_id = d.tenant_id AND x.delivery_id = d.id)
		AND ($1 = '' OR i.state = $1) AND ($2::uuid IS NULL OR i.catalog_entry_id = $2)
		AND d.delivered_on >= $3::date AND d.delivered_on <= $4::date
	ORDER BY d.delivered_on, c.number, d.recorded_at, d.id`

// rows reads the rows of e that v may see.
func (s *Service) rows(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, e *Export, v casefile.Viewer) (*table, error) {
	t := &table{name: "interventi", sheet: "Interventi", columns: interventionColumns}
	q := interventionRows
	if e.Kind == KindDeliveries {
		t.name, t.sheet, t.columns, q = "erogazioni", "Erogazioni", deliveryColumns, deliveryRows
	}
	rows, err := tx.Query(ctx, q, filterArgs(e.Filters)...)
	if err != nil {
		return nil, err
	}
	type row struct {
		caseID uuid.UUID
		values []any
	}
	var all []row
	for rows.Next() {
		var r row
		var err error
		if e.Kind == KindDeliveries {
			var on time.Time
			var number, name, cf, entry, code, provider string
			var amount *int64
			var hours *float64
			err = rows.Scan(&r.caseID, &on, &number, &name, &cf, &entry, &code, &amount, &hours, &provider)
			r.values = []any{&on, number, name, cf, entry, code, amount, hours, provider}
		} else {
			var number, name, cf, entry, code, state, protocol, means string
			var start, end *time.Time
			var requested time.Time
			var monthly *int64
			var se, su, sh, hours *float64
			err = rows.Scan(&r.caseID, &number, &name, &cf, &entry, &code, &state, &protocol, &start, &end, &monthly,
				&se, &su, &sh, &hours, &means, &requested)
			r.values = []any{number, name, cf, entry, code, stateNames[state], protocol, start, end, monthly,
				se, su, sh, hours, meansTests[means], &requested}
		}
		if err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Who may see which case is the case file's decision, asked once per
	// case, as the interventions package's lists do.
	everything := v.Perms[authz.PermInterventionsDeliver]
	seen := map[uuid.UUID]bool{}
	for _, r := range all {
		ok, asked := seen[r.caseID]
		if !asked && !everything {
			acc, err := s.cases.AccessTo(ctx, tx, tenant, r.caseID, v)
			if err != nil && !errors.Is(err, derrors.ErrNotFound) {
				return nil, err
			}
			ok = err == nil && acc.Content
			seen[r.caseID] = ok
		}
		if everything || ok {
			t.rows = append(t.rows, r.values)
		}
		if len(t.rows) > MaxRows {
			return nil, errTooMany
		}
	}
	return t, nil
}
