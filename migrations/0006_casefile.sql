-- The case file (internal/casefile, internal/diary, internal/documents): cases
-- with their team and history, the ente's case workflow, diary entries with
-- their revisions, and documents. Nothing here is ever deleted: a case closes,
-- an entry is corrected by a new revision, a document is withdrawn.

-- An ente's workflows: the states and transitions of its cases (kind 'case'),
-- stored as one validated definition (internal/casefile). An ente without a row
-- uses the default of DOMAIN.md: open → referred → taken_in_charge → closed →
-- reopened.
CREATE TABLE workflows (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    kind       text NOT NULL CHECK (kind IN ('case')),
    definition jsonb NOT NULL,
    updated_by uuid,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, kind)
);
ALTER TABLE workflows ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflows FORCE ROW LEVEL SECURITY;
CREATE POLICY workflows_tenant ON workflows
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Case numbers are per ente and per year: 2026/000123.
CREATE TABLE case_counters (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    year      integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    last      integer NOT NULL DEFAULT 0 CHECK (last >= 0),
    PRIMARY KEY (tenant_id, year)
);
ALTER TABLE case_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY case_counters_tenant ON case_counters
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- A case: the file of a person (and their household) taken in charge, or
-- proposed for it. unit_id is the unit responsible (coordinators see the cases
-- of their units); responsible_id the operator in charge; reserved cases are
-- visible only to their team and to holders of reserved:read. user_area is the
-- ISTAT user area.
CREATE TABLE cases (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    number          text NOT NULL CHECK (number ~ '^[0-9]{4}/[0-9]{6}$'),
    person_id       uuid NOT NULL,
    household_id    uuid,
    user_area       text NOT NULL CHECK (user_area IN ('family_minors', 'disability', 'addiction', 'elderly',
                        'immigrants', 'poverty_adults', 'multi_user')),
    state           text NOT NULL CHECK (state ~ '^[a-z_]{2,40}$'),
    unit_id         uuid NOT NULL,
    responsible_id  uuid,
    reserved        boolean NOT NULL DEFAULT false,
    summary         text NOT NULL DEFAULT '',
    origin_access   uuid, -- the access that proposed it, when there was one
    opened_at       timestamptz NOT NULL DEFAULT now(),
    opened_by       uuid,
    taken_at        timestamptz,
    closed_at       timestamptz,
    close_reason    text NOT NULL DEFAULT '',
    version         integer NOT NULL DEFAULT 1 CHECK (version > 0),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, household_id) REFERENCES households (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    FOREIGN KEY (tenant_id, responsible_id) REFERENCES memberships (tenant_id, operator_id)
);
CREATE INDEX cases_person ON cases (tenant_id, person_id);
CREATE INDEX cases_unit_state ON cases (tenant_id, unit_id, state);
CREATE INDEX cases_responsible ON cases (tenant_id, responsible_id) WHERE responsible_id IS NOT NULL;
ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases FORCE ROW LEVEL SECURITY;
CREATE POLICY cases_tenant ON cases
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The team of a case: who works on it and with which role on the case. A member
-- leaves by removed_at; the row stays.
CREATE TABLE case_team (
    tenant_id   uuid NOT NULL,
    case_id     uuid NOT NULL,
    operator_id uuid NOT NULL,
    role        text NOT NULL CHECK (role IN ('responsible', 'social_worker', 'educator', 'psychologist',
                    'health_worker', 'administrative', 'other')),
    added_at    timestamptz NOT NULL DEFAULT now(),
    added_by    uuid,
    removed_at  timestamptz,
    removed_by  uuid,
    PRIMARY KEY (tenant_id, case_id, operator_id, added_at),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, operator_id) REFERENCES memberships (tenant_id, operator_id)
);
CREATE UNIQUE INDEX case_team_current ON case_team (tenant_id, case_id, operator_id) WHERE removed_at IS NULL;
CREATE INDEX case_team_operator ON case_team (tenant_id, operator_id) WHERE removed_at IS NULL;
ALTER TABLE case_team ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_team FORCE ROW LEVEL SECURITY;
CREATE POLICY case_team_tenant ON case_team
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Every change of a case's state (and assignment), in order: its history.
CREATE TABLE case_events (
    tenant_id  uuid NOT NULL,
    case_id    uuid NOT NULL,
    seq        integer NOT NULL CHECK (seq > 0),
    at         timestamptz NOT NULL DEFAULT now(),
    by_id      uuid,
    kind       text NOT NULL CHECK (kind IN ('opened', 'transition', 'assigned', 'team', 'reserved', 'edited')),
    from_state text NOT NULL DEFAULT '',
    to_state   text NOT NULL DEFAULT '',
    reason     text NOT NULL DEFAULT '',
    details    jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, case_id, seq),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
ALTER TABLE case_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_events FORCE ROW LEVEL SECURITY;
CREATE POLICY case_events_tenant ON case_events
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Diary entries of a case. An entry is never overwritten: a correction is a new
-- revision; the entry shows its latest.
CREATE TABLE diary_entries (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id     uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('interview', 'home_visit', 'report', 'note', 'call', 'team_meeting',
                    'state_change', 'assessment', 'plan', 'document', 'isee', 'court_order', 'other')),
    occurred_at timestamptz NOT NULL,
    reserved    boolean NOT NULL DEFAULT false,
    author_id   uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX diary_entries_case ON diary_entries (tenant_id, case_id, occurred_at DESC);
ALTER TABLE diary_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE diary_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY diary_entries_tenant ON diary_entries
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

CREATE TABLE diary_revisions (
    tenant_id  uuid NOT NULL,
    entry_id   uuid NOT NULL,
    revision   integer NOT NULL CHECK (revision > 0),
    text       text NOT NULL CHECK (text <> ''),
    reason     text NOT NULL DEFAULT '', -- why it was corrected (revision > 1)
    author_id  uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, entry_id, revision),
    FOREIGN KEY (tenant_id, entry_id) REFERENCES diary_entries (tenant_id, id)
);
ALTER TABLE diary_revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE diary_revisions FORCE ROW LEVEL SECURITY;
CREATE POLICY diary_revisions_tenant ON diary_revisions
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Documents on a person or a case. The bytes live in the storage named by
-- storage_key (filesystem or S3-compatible, internal/documents); the type is
-- sniffed from the bytes; sha256 is kept. A withdrawn document stays listed as
-- such.
CREATE TABLE documents (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    person_id    uuid,
    case_id      uuid,
    kind         text NOT NULL CHECK (kind ~ '^[a-z_]{2,40}$'),
    title        text NOT NULL CHECK (title <> ''),
    filename     text NOT NULL CHECK (filename <> ''),
    content_type text NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       bytea NOT NULL CHECK (octet_length(sha256) = 32),
    storage_key  text NOT NULL,
    reserved     boolean NOT NULL DEFAULT false,
    uploaded_by  uuid NOT NULL,
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    withdrawn_at timestamptz,
    withdrawn_by uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    CHECK (person_id IS NOT NULL OR case_id IS NOT NULL)
);
CREATE INDEX documents_person ON documents (tenant_id, person_id) WHERE person_id IS NOT NULL;
CREATE INDEX documents_case ON documents (tenant_id, case_id) WHERE case_id IS NOT NULL;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE POLICY documents_tenant ON documents
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON workflows TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON case_counters TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON cases TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON case_team TO sigess_runtime;
GRANT SELECT, INSERT ON case_events TO sigess_runtime;
GRANT SELECT, INSERT ON diary_entries TO sigess_runtime;
GRANT SELECT, INSERT ON diary_revisions TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON documents TO sigess_runtime;
