package db_test

import "github.com/google/uuid"

// siussFlowFixture adds to interventionFixture an event of intervention $3.
const siussFlowFixture = interventionFixture + `, ev AS (INSERT INTO intervention_events (tenant_id, intervention_id, seq, kind, to_state, by_id, snapshot)
		VALUES ($1, $3, 1, 'transition', 'active', $3, '{}'))
	`

func init() {
	fixtures["siuss_flows"] = func(tenant uuid.UUID) (string, []any) {
		return siussFlowFixture + `INSERT INTO siuss_flows (tenant_id, id_flusso, tipo, ts_flusso, intervention_id, event_seq,
				operation, tipo_operazione, xml)
			VALUES ($1, 'H501.PS.20260105.' || lpad((random() * 9999999)::int::text, 7, '0'), 'PS_PSA_SINA',
				date_trunc('milliseconds', clock_timestamp()), $3, 1, 'activation', 'I', '<Flusso/>')`, caseFixtureArgs(tenant)
	}
	fixtures["siuss_clock"] = func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO siuss_clock (tenant_id, last_ts) VALUES ($1, now())`, []any{tenant}
	}
	fixtures["siuss_daily_counters"] = func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO siuss_daily_counters (tenant_id, day, n) VALUES ($1, '2026-01-05', 1)`, []any{tenant}
	}
}
