package db_test

import "github.com/google/uuid"

// The agenda's and the exports' tables hang on the case fixture's person and
// case, and on an operator of the ente.
func init() {
	fixtures["appointments"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `, o AS (INSERT INTO operators (id, email, name) VALUES ($3, $3::text || '@example.it', 'Op')),
			m AS (INSERT INTO memberships (tenant_id, operator_id) VALUES ($1, $3))
			INSERT INTO appointments (tenant_id, operator_id, person_id, case_id, starts_at, ends_at, place_kind, title, created_by, updated_by)
			VALUES ($1, $3, $3, $3, now(), now() + interval '1 hour', 'office', 'Colloquio', $3, $3)`, caseFixtureArgs(tenant)
	}
	fixtures["exports"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `, o AS (INSERT INTO operators (id, email, name) VALUES ($3, $3::text || '@example.it', 'Op')),
			m AS (INSERT INTO memberships (tenant_id, operator_id) VALUES ($1, $3))
			INSERT INTO exports (tenant_id, operator_id, kind, format) VALUES ($1, $3, 'interventions', 'csv')`, caseFixtureArgs(tenant)
	}
}
