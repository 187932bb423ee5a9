package db_test

import "github.com/google/uuid"

// The assessments and plans of a case hang on the case fixture.
func init() {
	fixtures["assessments"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `INSERT INTO assessments (tenant_id, case_id, person_id, seq, assessed_on, mobility, daily_living,
			behavioural, income, support, source, instrument, author_id)
			VALUES ($1, $3, $3, 1, '2026-01-10', 1, 2, 1, 2, 3, 2, 1, $3)`, caseFixtureArgs(tenant)
	}
	fixtures["plans"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `INSERT INTO plans (tenant_id, case_id, review_months, created_by) VALUES ($1, $3, 6, $3)`, caseFixtureArgs(tenant)
	}
	fixtures["plan_goals"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `, pl AS (INSERT INTO plans (tenant_id, id, case_id, review_months, created_by) VALUES ($1, $3, $3, 6, $3))
			INSERT INTO plan_goals (tenant_id, plan_id, position, text, horizon) VALUES ($1, $3, 1, 'Autonomia', 'short')`, caseFixtureArgs(tenant)
	}
	fixtures["plan_beneficiaries"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `, pl AS (INSERT INTO plans (tenant_id, id, case_id, review_months, created_by) VALUES ($1, $3, $3, 6, $3))
			INSERT INTO plan_beneficiaries (tenant_id, plan_id, person_id) VALUES ($1, $3, $3)`, caseFixtureArgs(tenant)
	}
	fixtures["plan_reviews"] = func(tenant uuid.UUID) (string, []any) {
		return caseFixture + `, pl AS (INSERT INTO plans (tenant_id, id, case_id, review_months, created_by) VALUES ($1, $3, $3, 6, $3))
			INSERT INTO plan_reviews (tenant_id, plan_id, seq, reviewed_on, author_id) VALUES ($1, $3, 1, '2026-02-01', $3)`, caseFixtureArgs(tenant)
	}
}
