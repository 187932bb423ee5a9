package db_test

import "github.com/google/uuid"

func init() {
	fixtures["import_runs"] = func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO import_runs (tenant_id, kind, filename, content) VALUES ($1, 'people', 'persone.csv', 'x')`, []any{tenant}
	}
	fixtures["import_external_ids"] = func(tenant uuid.UUID) (string, []any) {
		return `INSERT INTO import_external_ids (tenant_id, kind, external_id, object_id, digest) VALUES ($1, 'people', $2, $3, '\x00')`,
			[]any{tenant, "ext-" + uuid.NewString(), uuid.New()}
	}
}
