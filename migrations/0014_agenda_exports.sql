-- The operators' agenda (internal/agenda) and the reporting exports run as
-- jobs (internal/exports).

-- An appointment in an operator's agenda: with whom (person, optional), about
-- which case (optional), when, where and what; its outcome is recorded after
-- it (or on cancelling or moving it). Nothing is deleted: a cancelled
-- appointment keeps its row with outcome 'cancelled'. Times are instants
-- (timestamptz); the UI shows them in Europe/Rome.
CREATE TABLE appointments (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    operator_id   uuid NOT NULL, -- whose agenda
    person_id     uuid,
    case_id       uuid,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    place_kind    text NOT NULL CHECK (place_kind IN ('office', 'home', 'phone', 'other')),
    place         text NOT NULL DEFAULT '' CHECK (length(place) <= 300),
    title         text NOT NULL CHECK (title <> '' AND length(title) <= 200),
    notes         text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
    outcome       text CHECK (outcome IN ('held', 'missed', 'cancelled', 'rescheduled')),
    outcome_notes text NOT NULL DEFAULT '' CHECK (length(outcome_notes) <= 2000),
    outcome_at    timestamptz,
    outcome_by    uuid,
    created_by    uuid NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    uuid NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    CHECK (ends_at > starts_at AND ends_at <= starts_at + interval '24 hours'),
    CHECK ((outcome IS NULL) = (outcome_at IS NULL)),
    FOREIGN KEY (tenant_id, operator_id) REFERENCES memberships (tenant_id, operator_id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX appointments_operator_time ON appointments (tenant_id, operator_id, starts_at);
CREATE INDEX appointments_time ON appointments (tenant_id, starts_at);
CREATE INDEX appointments_case ON appointments (tenant_id, case_id) WHERE case_id IS NOT NULL;
ALTER TABLE appointments ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointments FORCE ROW LEVEL SECURITY;
CREATE POLICY appointments_tenant ON appointments
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- An export of a list (interventions, or deliveries in a period) to CSV or
-- XLSX, run as a job (internal/exports) for the operator who asked. perms are
-- that operator's permissions when they asked: the job sees what they saw.
-- Progress is rows_done of rows_total. The file lives in content (bytea; an
-- export is at most 100,000 rows) until expires_at, when it is cleared and
-- the row stays as 'expired'.
CREATE TABLE exports (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    operator_id  uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('interventions', 'deliveries')),
    format       text NOT NULL CHECK (format IN ('csv', 'xlsx')),
    filters      jsonb NOT NULL DEFAULT '{}',
    perms        text[] NOT NULL DEFAULT '{}',
    state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed', 'expired')),
    rows_done    integer NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
    rows_total   integer CHECK (rows_total >= 0),
    error        text NOT NULL DEFAULT '',
    filename     text NOT NULL DEFAULT '',
    content      bytea,
    size         bigint CHECK (size >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    expires_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, operator_id) REFERENCES memberships (tenant_id, operator_id),
    CHECK (state <> 'done' OR (content IS NOT NULL AND expires_at IS NOT NULL))
);
CREATE INDEX exports_operator ON exports (tenant_id, operator_id, created_at DESC);
ALTER TABLE exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE exports FORCE ROW LEVEL SECURITY;
CREATE POLICY exports_tenant ON exports
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON appointments TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON exports TO sigess_runtime;
