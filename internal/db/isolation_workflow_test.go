package db_test

import "github.com/google/uuid"

func init() {
	fixtures["workflow_template_items"] = func(tenant uuid.UUID) (string, []any) {
		return adoptionFixture + `INSERT INTO workflow_template_items (tenant_id, template_id, template_key, template_version, position, item_values)
			VALUES ($1, $2, 'stato-open', 1, 1, '{"type": "state", "name": "open"}')`, []any{tenant, regionTemplate(tenant)}
	}
}
