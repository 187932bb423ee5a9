-- Identity and access: operators, their memberships in enti and regions, custom
-- roles, the audit trail, and tenant assets (the coat of arms).
--
-- An operator is one account even when it works for several enti (an ambito's
-- operator works for each of its comuni): operators is a shared table whose rows a
-- scope sees only through a membership. Everything an ente owns about an operator
-- (roles, units) is in tenant tables.

CREATE TABLE operators (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email             text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND email = lower(email)),
    name              text NOT NULL CHECK (name <> ''),
    tax_code          text CHECK (tax_code ~ '^[A-Z0-9]{16}$'),
    -- profile is the professional profile: social worker, educator, administrative…
    profile           text NOT NULL DEFAULT '',
    -- password_hash is an argon2id PHC string; '' means no password yet (a setup
    -- link was sent) or single sign-on only.
    password_hash     text NOT NULL DEFAULT '',
    password_set_at   timestamptz,
    -- totp_secret is set once enrolment is confirmed; recovery_codes holds the
    -- SHA-256 of each unused code.
    totp_secret       text NOT NULL DEFAULT '',
    totp_confirmed_at timestamptz,
    recovery_codes    text[] NOT NULL DEFAULT '{}',
    locale            text NOT NULL DEFAULT 'it' CHECK (locale IN ('it', 'en')),
    platform_admin    boolean NOT NULL DEFAULT false,
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX operators_email ON operators (email);
CREATE UNIQUE INDEX operators_tax_code ON operators (tax_code) WHERE tax_code IS NOT NULL;

-- Memberships: an operator working for an ente, with roles (built-in names or the
-- ente's custom roles) and a status. Disabling a membership shuts the operator out
-- of that ente only.
CREATE TABLE memberships (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    operator_id uuid NOT NULL REFERENCES operators (id),
    roles       text[] NOT NULL DEFAULT '{}',
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, operator_id)
);
CREATE INDEX memberships_operator ON memberships (operator_id);
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_tenant ON memberships
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The units an operator works in, within one ente. Record-level visibility (the
-- cases of my units) joins on this table.
CREATE TABLE operator_units (
    tenant_id   uuid NOT NULL,
    operator_id uuid NOT NULL,
    unit_id     uuid NOT NULL,
    PRIMARY KEY (tenant_id, operator_id, unit_id),
    FOREIGN KEY (tenant_id, operator_id) REFERENCES memberships (tenant_id, operator_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE operator_units ENABLE ROW LEVEL SECURITY;
ALTER TABLE operator_units FORCE ROW LEVEL SECURITY;
CREATE POLICY operator_units_tenant ON operator_units
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Regional administrators and analysts: a region scope sees its own, the platform
-- sees all.
CREATE TABLE region_admins (
    region_code text NOT NULL REFERENCES regions (code),
    operator_id uuid NOT NULL REFERENCES operators (id),
    roles       text[] NOT NULL CHECK (roles <> '{}' AND roles <@ ARRAY['region_admin', 'region_analyst']),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (region_code, operator_id)
);
ALTER TABLE region_admins ENABLE ROW LEVEL SECURITY;
ALTER TABLE region_admins FORCE ROW LEVEL SECURITY;
CREATE POLICY region_admins_scope ON region_admins
    USING (region_code = app_region() OR app_platform())
    WITH CHECK (region_code = app_region() OR app_platform());

-- An operator row is visible to a scope it works for: an ente it is a member of,
-- a region it administers, or the platform. Any scope may create one (it stays
-- invisible until a membership is added in the same transaction).
ALTER TABLE operators ENABLE ROW LEVEL SECURITY;
ALTER TABLE operators FORCE ROW LEVEL SECURITY;
CREATE POLICY operators_read ON operators FOR SELECT USING (
    app_platform()
    OR EXISTS (SELECT 1 FROM memberships m WHERE m.operator_id = operators.id AND m.tenant_id = app_tenant())
    OR EXISTS (SELECT 1 FROM region_admins r WHERE r.operator_id = operators.id AND r.region_code = app_region()));
CREATE POLICY operators_insert ON operators FOR INSERT
    WITH CHECK (app_platform() OR app_tenant() IS NOT NULL OR app_region() IS NOT NULL);
CREATE POLICY operators_update ON operators FOR UPDATE USING (
    app_platform()
    OR EXISTS (SELECT 1 FROM memberships m WHERE m.operator_id = operators.id AND m.tenant_id = app_tenant())
    OR EXISTS (SELECT 1 FROM region_admins r WHERE r.operator_id = operators.id AND r.region_code = app_region()));

-- Custom roles an ente defines next to the built-in ones (configs/casbin): a name,
-- a label, and permissions as "object:action".
CREATE TABLE roles (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    name        text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{1,39}$'),
    label       text NOT NULL CHECK (label <> ''),
    description text NOT NULL DEFAULT '',
    permissions text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);
ALTER TABLE roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE roles FORCE ROW LEVEL SECURITY;
CREATE POLICY roles_tenant ON roles
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The audit trail of an ente: append-only (the runtime role may only INSERT and
-- SELECT) and hash-chained, each event's hash covering the previous one, so that a
-- row changed or removed behind the application's back breaks the chain.
CREATE TABLE audit_events (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    seq         bigint NOT NULL CHECK (seq > 0),
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id    uuid,
    actor       text NOT NULL DEFAULT '',
    action      text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    object_type text NOT NULL DEFAULT '',
    object_id   text NOT NULL DEFAULT '',
    ip          inet,
    details     jsonb NOT NULL DEFAULT '{}',
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_events_object ON audit_events (tenant_id, object_type, object_id, at);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, at);
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_tenant ON audit_events
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The audit trail of the consoles: region_code is the region, '' the platform.
CREATE TABLE console_audit_events (
    region_code text NOT NULL CHECK (region_code = '' OR region_code ~ '^[0-9]{2}$'),
    seq         bigint NOT NULL CHECK (seq > 0),
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id    uuid,
    actor       text NOT NULL DEFAULT '',
    action      text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    object_type text NOT NULL DEFAULT '',
    object_id   text NOT NULL DEFAULT '',
    ip          inet,
    details     jsonb NOT NULL DEFAULT '{}',
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL,
    PRIMARY KEY (region_code, seq)
);
ALTER TABLE console_audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE console_audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY console_audit_events_scope ON console_audit_events
    USING ((region_code <> '' AND region_code = app_region()) OR (region_code = '' AND app_platform()))
    WITH CHECK ((region_code <> '' AND region_code = app_region()) OR (region_code = '' AND app_platform()));

-- Files an ente publishes about itself (the coat of arms), served from the database
-- so that every instance has them.
CREATE TABLE tenant_assets (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    name         text NOT NULL CHECK (name ~ '^[a-z0-9_-]+$'),
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/svg+xml', 'image/webp')),
    data         bytea NOT NULL CHECK (octet_length(data) <= 524288),
    sha256       bytea NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);
ALTER TABLE tenant_assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_assets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_assets_tenant ON tenant_assets
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- An ente's admin may change its own settings (branding, security, single sign-on)
-- but not what the region and platform decide: codes, region, kind, status, name.
CREATE POLICY tenants_update_self ON tenants FOR UPDATE
    USING (id = app_tenant()) WITH CHECK (id = app_tenant());
CREATE FUNCTION tenants_guard_self() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT app_platform() AND app_region() IS NULL
       AND (NEW.slug, NEW.name, NEW.kind, NEW.istat_code, NEW.belfiore_code, NEW.region_code, NEW.status, NEW.members)
           IS DISTINCT FROM
           (OLD.slug, OLD.name, OLD.kind, OLD.istat_code, OLD.belfiore_code, OLD.region_code, OLD.status, OLD.members) THEN
        RAISE EXCEPTION 'an ente may change only its own settings' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER tenants_guard_self BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_guard_self();

GRANT SELECT, INSERT, UPDATE ON operators TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON operator_units TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON region_admins TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON roles TO sigess_runtime;
GRANT SELECT, INSERT ON audit_events TO sigess_runtime;
GRANT SELECT, INSERT ON console_audit_events TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_assets TO sigess_runtime;
