-- The person registry (internal/people): everyone the services know about, with
-- or without a case, and every version of their record.
--
-- pg_trgm and btree_gist are trusted extensions (PostgreSQL 13+): the database
-- owner may create them without being superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- A person is never deleted. Two records of the same person are merged: the
-- dropped one stays, pointing at the kept one through merged_into, and is hidden
-- from search. name_key is the normalised "SURNAME NAME" (upper case, no
-- accents) written by the application, searched with trigrams. tax_code uses the
-- "C" collation so that its btree index serves prefix searches (LIKE 'RSSMRA%').
CREATE TABLE people (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    tax_code           text COLLATE "C" CHECK (tax_code ~ '^[A-Z0-9]{16}$'),
    -- provisional_id identifies someone without a tax code (PROV-XXXX-XXXX); it
    -- is kept when a tax code is added later, as it may be written on paper.
    provisional_id     text COLLATE "C" CHECK (provisional_id ~ '^PROV-[0-9A-Z]{4}-[0-9A-Z]{4}$'),
    first_name         text NOT NULL CHECK (first_name <> ''),
    last_name          text NOT NULL CHECK (last_name <> ''),
    name_key           text NOT NULL CHECK (name_key <> ''),
    sex                text NOT NULL CHECK (sex IN ('M', 'F')),
    birth_date         date NOT NULL,
    -- birth_place is a Belfiore code: a comune, or Z + 3 digits for a country.
    birth_place        text NOT NULL CHECK (birth_place ~ '^[A-Z][0-9]{3}$'),
    citizenship        text NOT NULL DEFAULT '380' CHECK (citizenship ~ '^[0-9]{3}$'),
    second_citizenship text NOT NULL DEFAULT '' CHECK (second_citizenship = '' OR second_citizenship ~ '^[0-9]{3}$'),
    residence          text NOT NULL DEFAULT '' CHECK (residence = '' OR residence ~ '^[0-9]{6}$'),
    domicile           text NOT NULL DEFAULT '' CHECK (domicile = '' OR domicile ~ '^[0-9]{6}$'),
    phone              text NOT NULL DEFAULT '',
    email              text NOT NULL DEFAULT '',
    -- details holds the rest of the record (civil status, education, work,
    -- disability, legal protection, GP…) until each earns a column.
    details            jsonb NOT NULL DEFAULT '{}',
    -- mismatches lists the tax-code mismatches the operator confirmed.
    mismatches         jsonb NOT NULL DEFAULT '[]',
    merged_into        uuid,
    version            integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, merged_into) REFERENCES people (tenant_id, id),
    CHECK (merged_into <> id),
    CHECK (tax_code IS NOT NULL OR provisional_id IS NOT NULL)
);
-- One live record per tax code; merged records may share the kept one's.
CREATE UNIQUE INDEX people_tax_code ON people (tenant_id, tax_code) WHERE merged_into IS NULL;
CREATE UNIQUE INDEX people_provisional_id ON people (tenant_id, provisional_id);
-- Fuzzy search: btree_gist lets tenant_id lead the trigram index, and the
-- search orders the ente's rows by trigram distance through it. A GIN trigram
-- index would be faster to filter with, but under row-level security
-- PostgreSQL uses no pg_trgm operator as an index condition (they are not
-- LEAKPROOF); ordering by distance it does use (see internal/people/search.go).
CREATE INDEX people_name_trgm ON people USING gist (tenant_id, name_key gist_trgm_ops(siglen=256)) WHERE merged_into IS NULL;
-- Duplicate checks and the birth-year filter.
CREATE INDEX people_birth_date ON people (tenant_id, birth_date) WHERE merged_into IS NULL;
CREATE INDEX people_merged_into ON people (tenant_id, merged_into) WHERE merged_into IS NOT NULL;
ALTER TABLE people ENABLE ROW LEVEL SECURITY;
ALTER TABLE people FORCE ROW LEVEL SECURITY;
CREATE POLICY people_tenant ON people
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Every version of a person's record, written with each create, update and
-- merge: data is the record as it was after the change; action 'merged' is the
-- dropped record of a merge, 'absorbed' the kept one. Append-only.
CREATE TABLE person_versions (
    tenant_id  uuid NOT NULL,
    person_id  uuid NOT NULL,
    version    integer NOT NULL CHECK (version > 0),
    action     text NOT NULL CHECK (action IN ('created', 'updated', 'merged', 'absorbed')),
    data       jsonb NOT NULL,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, person_id, version),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
ALTER TABLE person_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY person_versions_tenant ON person_versions
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON people TO sigess_runtime;
GRANT SELECT, INSERT ON person_versions TO sigess_runtime;
