-- Households (internal/households): the people who live together, or are
-- counted together, with their relationship to the head of household, and the
-- ISEE history of the household. Memberships and ISEE records are history: a
-- membership ends with a date, an ISEE is corrected by a new record.

CREATE TABLE households (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (name <> '' AND char_length(name) <= 200),
    address    text NOT NULL DEFAULT '' CHECK (char_length(address) <= 300),
    -- created_by is the operator or API client that created it (no foreign
    -- key: API clients are not operators).
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE households ENABLE ROW LEVEL SECURITY;
ALTER TABLE households FORCE ROW LEVEL SECURITY;
CREATE POLICY households_tenant ON households
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- A membership runs from valid_from to valid_to, the day the person left
-- (exclusive; NULL while current). A person is in at most one cohabiting
-- household on any day, and at most once in a household on any day: the
-- exclusion constraints compare the date ranges (btree_gist, 0003).
CREATE TABLE household_members (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    household_id uuid NOT NULL,
    person_id    uuid NOT NULL,
    relationship text NOT NULL CHECK (relationship IN ('head', 'spouse', 'partner', 'child', 'parent', 'sibling',
        'grandparent', 'grandchild', 'other_relative', 'unrelated', 'carer')),
    cohabiting   boolean NOT NULL,
    valid_from   date NOT NULL,
    valid_to     date CHECK (valid_to >= valid_from),
    created_by   uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    ended_by     uuid,
    ended_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, household_id) REFERENCES households (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    CONSTRAINT household_members_one_cohabiting EXCLUDE USING gist (
        tenant_id WITH =, person_id WITH =, daterange(valid_from, valid_to) WITH &&) WHERE (cohabiting),
    CONSTRAINT household_members_once EXCLUDE USING gist (
        tenant_id WITH =, household_id WITH =, person_id WITH =, daterange(valid_from, valid_to) WITH &&)
);
CREATE INDEX household_members_person ON household_members (tenant_id, person_id);
ALTER TABLE household_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_members FORCE ROW LEVEL SECURITY;
CREATE POLICY household_members_tenant ON household_members
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- ISEE attestations of a household. Append-only: a correction is a new
-- record naming the one it corrects. value_cents is the indicator in euro
-- cents. dsu_protocol is INPS's "INPS-ISEE-YYYY-XXXXXXXXX-NN".
CREATE TABLE isee_records (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    household_id uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('ordinario', 'socio_sanitario', 'minorenni', 'universitario', 'corrente')),
    value_cents  bigint NOT NULL CHECK (value_cents >= 0),
    dsu_protocol text COLLATE "C" NOT NULL CHECK (dsu_protocol ~ '^INPS-ISEE-[0-9]{4}-[0-9A-Z]{9}-[0-9]{2}$'),
    year         integer NOT NULL CHECK (year BETWEEN 2015 AND 2100),
    signed_on    date NOT NULL,
    expires_on   date NOT NULL CHECK (expires_on >= signed_on),
    corrects     uuid,
    created_by   uuid,
    created_by_name text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, household_id) REFERENCES households (tenant_id, id),
    FOREIGN KEY (tenant_id, corrects) REFERENCES isee_records (tenant_id, id)
);
CREATE INDEX isee_records_household ON isee_records (tenant_id, household_id, signed_on DESC);
ALTER TABLE isee_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE isee_records FORCE ROW LEVEL SECURITY;
CREATE POLICY isee_records_tenant ON isee_records
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- No DELETE anywhere: households, memberships and ISEE records are history.
-- A membership is updated only to end it; an ISEE record never.
GRANT SELECT, INSERT, UPDATE ON households TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON household_members TO sigess_runtime;
GRANT SELECT, INSERT ON isee_records TO sigess_runtime;
