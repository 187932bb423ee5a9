package db_test

import "github.com/google/uuid"

// interventionFixture adds to caseFixture a catalogue entry and an
// intervention $3 on the case's person and case.
const interventionFixture = caseFixture + `, ce AS (INSERT INTO catalog_entries (tenant_id, id, name, inps_code, user_area, unit, means_test,
		share_ente, share_user, share_health, character)
		VALUES ($1, $3, 'Assistenza domiciliare', 'A2.01', '2', 'hours', '4', 100, 0, 0, '1')),
	i AS (INSERT INTO interventions (tenant_id, id, person_id, case_id, catalog_entry_id, created_by)
		VALUES ($1, $3, $3, $3, $3, $3))
	`

func init() {
	fixtures["interventions"] = func(tenant uuid.UUID) (string, []any) {
		return interventionFixture + `SELECT 1`, caseFixtureArgs(tenant)
	}
	fixtures["intervention_events"] = func(tenant uuid.UUID) (string, []any) {
		return interventionFixture + `INSERT INTO intervention_events (tenant_id, intervention_id, seq, kind, to_state, by_id, snapshot)
			VALUES ($1, $3, 1, 'created', 'requested', $3, '{}')`, caseFixtureArgs(tenant)
	}
	fixtures["intervention_deliveries"] = func(tenant uuid.UUID) (string, []any) {
		return interventionFixture + `INSERT INTO intervention_deliveries (tenant_id, intervention_id, delivered_on, hours, recorded_by)
			VALUES ($1, $3, '2026-01-10', 4, $3)`, caseFixtureArgs(tenant)
	}
	fixtures["intervention_delivery_cancellations"] = func(tenant uuid.UUID) (string, []any) {
		return interventionFixture + `, d AS (INSERT INTO intervention_deliveries (tenant_id, id, intervention_id, delivered_on, hours, recorded_by)
			VALUES ($1, $3, $3, '2026-01-10', 4, $3))
			INSERT INTO intervention_delivery_cancellations (tenant_id, delivery_id, reason, cancelled_by)
			VALUES ($1, $3, 'Registrata due volte', $3)`, caseFixtureArgs(tenant)
	}
}
