-- Onboarding import of an ente's legacy data (internal/onboarding, docs/import.md).

-- One import of a CSV file: queued by the upload page (its job runs it) or
-- run at once by `sigess import` (content NULL: the file stays on the
-- machine). A file is all-or-nothing: state 'failed' with errors (every row
-- and field that is wrong, at most 1,000 kept; error_count counts them all)
-- means nothing was written. Progress is rows_done of rows_total.
CREATE TABLE import_runs (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    operator_id  uuid, -- NULL: the command line
    kind         text NOT NULL CHECK (kind IN ('people')),
    filename     text NOT NULL DEFAULT '' CHECK (length(filename) <= 255),
    content      bytea,
    state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    phase        text NOT NULL DEFAULT '' CHECK (phase IN ('', 'reading', 'checking', 'writing')),
    rows_total   integer NOT NULL DEFAULT 0 CHECK (rows_total >= 0),
    rows_done    integer NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
    created      integer NOT NULL DEFAULT 0 CHECK (created >= 0),
    skipped      integer NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    errors       jsonb NOT NULL DEFAULT '[]',
    error_count  integer NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    error        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, operator_id) REFERENCES memberships (tenant_id, operator_id)
);
CREATE INDEX import_runs_created ON import_runs (tenant_id, created_at DESC);
ALTER TABLE import_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY import_runs_tenant ON import_runs
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The legacy system's identifier of each imported record: (kind, external_id)
-- is the record object_id of the ente. digest is the SHA-256 of the record as
-- imported (after validation and normalisation): the same row imported again
-- is skipped; a different one under the same external id is an error.
-- Append-only.
CREATE TABLE import_external_ids (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    kind        text NOT NULL CHECK (kind IN ('people')),
    external_id text COLLATE "C" NOT NULL CHECK (external_id <> '' AND length(external_id) <= 100),
    object_id   uuid NOT NULL,
    digest      bytea NOT NULL,
    import_id   uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, kind, external_id)
);
ALTER TABLE import_external_ids ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_external_ids FORCE ROW LEVEL SECURITY;
CREATE POLICY import_external_ids_tenant ON import_external_ids
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON import_runs TO sigess_runtime;
GRANT SELECT, INSERT ON import_external_ids TO sigess_runtime;
