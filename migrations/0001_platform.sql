-- Platform foundation: regions, tenants (enti), units, outbox.
--
-- Scopes are transaction-local settings written by internal/db:
--   app.tenant_id  the ente a transaction works for (db.InTenant)
--   app.region     the region a regional transaction works for (db.InRegion)
--   app.platform   'on' for platform work (db.InPlatform)
-- A connection that set none of them sees no tenant data (fail closed).

CREATE FUNCTION app_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE FUNCTION app_region() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.region', true), '') $$;

CREATE FUNCTION app_platform() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('app.platform', true), '') = 'on' $$;

-- Regions are public reference data: anyone may read them, only platform work may
-- change them. template holds the region's default units and settings (the parsed
-- tenants/{region}/_template.yaml), used when enti are provisioned.
CREATE TABLE regions (
    code       text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name       text NOT NULL CHECK (name <> ''),
    template   jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE regions ENABLE ROW LEVEL SECURITY;
ALTER TABLE regions FORCE ROW LEVEL SECURITY;
CREATE POLICY regions_read ON regions FOR SELECT USING (true);
CREATE POLICY regions_insert ON regions FOR INSERT WITH CHECK (app_platform());
CREATE POLICY regions_update ON regions FOR UPDATE USING (app_platform()) WITH CHECK (app_platform());

-- The tenant registry. A tenant sees its own row; a region sees its enti; the
-- platform sees all. Tenants are never deleted, only suspended.
CREATE TABLE tenants (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
    name          text NOT NULL CHECK (name <> ''),
    kind          text NOT NULL CHECK (kind IN ('comune', 'ambito')),
    istat_code    text CHECK (istat_code ~ '^[0-9]{6}$'),
    belfiore_code text CHECK (belfiore_code ~ '^[A-Z][0-9]{3}$'),
    region_code   text NOT NULL REFERENCES regions (code),
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    settings      jsonb NOT NULL DEFAULT '{}',
    -- members lists the ISTAT codes of the comuni an ambito groups.
    members       text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'ambito' OR (istat_code IS NOT NULL AND belfiore_code IS NOT NULL)),
    CHECK (kind = 'ambito' OR members = '{}')
);
-- A comune is provisioned at most once; an ambito may carry its lead comune's codes.
CREATE UNIQUE INDEX tenants_comune_istat ON tenants (istat_code) WHERE kind = 'comune';
CREATE INDEX tenants_region ON tenants (region_code, slug);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_read ON tenants FOR SELECT
    USING (id = app_tenant() OR app_platform() OR region_code = app_region());
CREATE POLICY tenants_insert ON tenants FOR INSERT
    WITH CHECK (app_platform() OR region_code = app_region());
CREATE POLICY tenants_update ON tenants FOR UPDATE
    USING (app_platform() OR region_code = app_region())
    WITH CHECK (app_platform() OR region_code = app_region());

-- Units: the ente's organisation as a tree (municipi, PUA, segretariato, offices).
-- code is the stable key used by declarative files.
CREATE TABLE units (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    code       text NOT NULL CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    parent_id  uuid,
    kind       text NOT NULL CHECK (kind IN ('district', 'pua', 'secretariat', 'social_service', 'office')),
    name       text NOT NULL CHECK (name <> ''),
    address    text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES units (tenant_id, id),
    CHECK (parent_id <> id)
);
ALTER TABLE units ENABLE ROW LEVEL SECURITY;
ALTER TABLE units FORCE ROW LEVEL SECURITY;
CREATE POLICY units_tenant ON units
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Outbox: jobs that must not be lost are written here in the same transaction as
-- the change that caused them; the relay (internal/jobs) moves them to asynq with
-- the row id as task id and marks them sent only after the enqueue succeeded. The
-- relay reads across tenants under its own scope, app.outbox_relay.
CREATE TABLE outbox (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    task_type  text NOT NULL CHECK (task_type <> ''),
    payload    jsonb NOT NULL DEFAULT '{}',
    queue      text NOT NULL DEFAULT 'default',
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    attempts   integer NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_pending ON outbox (created_at) WHERE sent_at IS NULL;
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY outbox_tenant ON outbox
    USING (tenant_id = app_tenant() OR coalesce(current_setting('app.outbox_relay', true), '') = 'on')
    WITH CHECK (tenant_id = app_tenant() OR coalesce(current_setting('app.outbox_relay', true), '') = 'on');

-- The runtime role (sigess_runtime, granted to the login role of SIGESS_DATABASE_URL
-- by `sigess migrate`) gets exactly what the code needs: no DDL, no TRUNCATE, and
-- no DELETE where rows are never deleted.
GRANT SELECT, INSERT, UPDATE ON regions TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON tenants TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON units TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON outbox TO sigess_runtime; -- the relay prunes sent rows
