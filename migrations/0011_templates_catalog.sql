-- Regional templates (internal/templates) and the ente's catalogue of services
-- (internal/catalog).
--
-- A region publishes versioned templates of a kind ('catalog', later 'workflow'
-- and forms) made of keyed items; an ente adopts a template and gets its own
-- copy of every item, remembering the item key, the version it came from and
-- which fields the ente overrode. A new version reaches every ente that adopted
-- it, each in its own tenant scope (docs/design.md "Regional templates"), and
-- leaves a change log the ente's admin reads.

-- A template of a region. latest_version is the last published version (0 while
-- nothing has been published yet).
CREATE TABLE templates (
    region_code    text NOT NULL REFERENCES regions (code),
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    kind           text NOT NULL CHECK (kind IN ('catalog', 'workflow')),
    name           text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    description    text NOT NULL DEFAULT '',
    latest_version integer NOT NULL DEFAULT 0 CHECK (latest_version >= 0),
    created_by     uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id),
    UNIQUE (region_code, id)
);
CREATE INDEX templates_region ON templates (region_code, kind);

-- The draft of a template: the items the region edits before publishing. key is
-- stable across versions (it is how an ente's copy finds its item again).
CREATE TABLE template_items (
    region_code text NOT NULL,
    template_id uuid NOT NULL,
    key         text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    position    integer NOT NULL DEFAULT 0,
    data        jsonb NOT NULL,
    updated_by  uuid,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (template_id, key),
    FOREIGN KEY (region_code, template_id) REFERENCES templates (region_code, id)
);

-- A published version: an immutable snapshot of the items ({key: data}, in
-- order in keys).
CREATE TABLE template_versions (
    region_code  text NOT NULL,
    template_id  uuid NOT NULL,
    version      integer NOT NULL CHECK (version > 0),
    note         text NOT NULL DEFAULT '',
    items        jsonb NOT NULL,
    keys         text[] NOT NULL,
    published_by uuid,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (template_id, version),
    FOREIGN KEY (region_code, template_id) REFERENCES templates (region_code, id)
);

-- The region writes its templates; an ente reads its own region's (to adopt
-- them and to bring its copies up to date); nobody else sees them.
ALTER TABLE templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE templates FORCE ROW LEVEL SECURITY;
CREATE POLICY templates_region ON templates
    USING (region_code = app_region()) WITH CHECK (region_code = app_region());
CREATE POLICY templates_ente_read ON templates FOR SELECT
    USING (region_code = (SELECT t.region_code FROM tenants t WHERE t.id = app_tenant()));

ALTER TABLE template_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE template_items FORCE ROW LEVEL SECURITY;
CREATE POLICY template_items_region ON template_items
    USING (region_code = app_region()) WITH CHECK (region_code = app_region());

ALTER TABLE template_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE template_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY template_versions_region ON template_versions
    USING (region_code = app_region()) WITH CHECK (region_code = app_region());
CREATE POLICY template_versions_ente_read ON template_versions FOR SELECT
    USING (region_code = (SELECT t.region_code FROM tenants t WHERE t.id = app_tenant()));

-- An ente's adoption of a template: the ente writes it; the ente's region reads
-- it (to know who adopted and at which version), as the tenants policy lets a
-- region read its enti. region_code must be the ente's own region.
CREATE TABLE template_adoptions (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    template_id uuid NOT NULL,
    region_code text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('catalog', 'workflow')),
    version     integer NOT NULL CHECK (version > 0),
    adopted_by  uuid,
    adopted_at  timestamptz NOT NULL DEFAULT now(),
    synced_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, template_id),
    FOREIGN KEY (region_code, template_id) REFERENCES templates (region_code, id)
);
CREATE INDEX template_adoptions_template ON template_adoptions (region_code, template_id);
ALTER TABLE template_adoptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE template_adoptions FORCE ROW LEVEL SECURITY;
CREATE POLICY template_adoptions_tenant ON template_adoptions
    USING (tenant_id = app_tenant())
    WITH CHECK (tenant_id = app_tenant()
        AND region_code = (SELECT t.region_code FROM tenants t WHERE t.id = app_tenant()));
CREATE POLICY template_adoptions_region_read ON template_adoptions FOR SELECT
    USING (region_code = app_region());

-- The change log of an ente: what a new version of an adopted template changed
-- in the ente's copies. outcome: 'added' (a new item), 'applied' (a field
-- updated), 'kept' (a field the template changed but the ente overrode, left as
-- the ente set it), 'deactivated' (an item the template removed),
-- 'reactivated' (an item the template brought back). entry_id is the ente's
-- copy (the catalogue entry for kind 'catalog').
CREATE TABLE template_changes (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    template_id  uuid NOT NULL,
    kind         text NOT NULL,
    version      integer NOT NULL CHECK (version > 0),
    item_key     text NOT NULL,
    item_name    text NOT NULL DEFAULT '',
    entry_id     uuid,
    field        text NOT NULL DEFAULT '',
    old_value    text,
    new_value    text,
    outcome      text NOT NULL CHECK (outcome IN ('added', 'applied', 'kept', 'deactivated', 'reactivated')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    read_at      timestamptz,
    read_by      uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, template_id) REFERENCES template_adoptions (tenant_id, template_id)
);
CREATE INDEX template_changes_unread ON template_changes (tenant_id, created_at) WHERE read_at IS NULL;
ALTER TABLE template_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE template_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY template_changes_tenant ON template_changes
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The ente's catalogue of services (DOMAIN.md "Catalogue entry"), the SIUSS
-- coding of each: inps_code is CodicePrestazione (5..10 characters), user_area
-- AreaUtenza ('1' family and minors, '2' disability and non-self-sufficiency,
-- '3' poverty and social exclusion), means_test PresenzaProvaMezzi ('1' ISEE,
-- '2' another means test, '3' ISEE but exempt, '4' none), character
-- CaratterePrestazione ('1' periodic, '2' occasional). name is the ente's local
-- name; inps_name the DenominazionePrestazione sent to INPS (10..200
-- characters) when it differs, empty to send name. Shares are percentages
-- summing to 100.
--
-- An entry copied from a template carries template_id, template_key,
-- template_version and overridden (the fields the ente changed, kept when the
-- template changes them); a local entry has none. Entries are never deleted.
CREATE TABLE catalog_entries (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    name             text NOT NULL CHECK (length(name) BETWEEN 3 AND 200),
    inps_name        text NOT NULL DEFAULT '' CHECK (inps_name = '' OR length(inps_name) BETWEEN 10 AND 200),
    inps_code        text NOT NULL CHECK (length(inps_code) BETWEEN 5 AND 10),
    user_area        text NOT NULL CHECK (user_area IN ('1', '2', '3')),
    unit             text NOT NULL CHECK (unit IN ('hours', 'days', 'euro', 'accesses', 'months')),
    means_test       text NOT NULL CHECK (means_test IN ('1', '2', '3', '4')),
    isee_threshold   numeric(12, 2) CHECK (isee_threshold IS NULL OR isee_threshold >= 0),
    share_ente       numeric(5, 2) NOT NULL CHECK (share_ente BETWEEN 0 AND 100),
    share_user       numeric(5, 2) NOT NULL CHECK (share_user BETWEEN 0 AND 100),
    share_health     numeric(5, 2) NOT NULL CHECK (share_health BETWEEN 0 AND 100),
    character        text NOT NULL CHECK (character IN ('1', '2')),
    description      text NOT NULL DEFAULT '',
    active           boolean NOT NULL DEFAULT true,
    template_id      uuid,
    template_key     text,
    template_version integer,
    overridden       text[] NOT NULL DEFAULT '{}',
    version          integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_by       uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       uuid,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (share_ente + share_user + share_health = 100),
    CHECK ((template_id IS NULL) = (template_key IS NULL) AND (template_id IS NULL) = (template_version IS NULL)),
    FOREIGN KEY (tenant_id, template_id) REFERENCES template_adoptions (tenant_id, template_id)
);
CREATE UNIQUE INDEX catalog_entries_template_key ON catalog_entries (tenant_id, template_id, template_key)
    WHERE template_id IS NOT NULL;
CREATE INDEX catalog_entries_name ON catalog_entries (tenant_id, active, name);
ALTER TABLE catalog_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE catalog_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY catalog_entries_tenant ON catalog_entries
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON templates TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON template_items TO sigess_runtime;
GRANT SELECT, INSERT ON template_versions TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON template_adoptions TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON template_changes TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON catalog_entries TO sigess_runtime;
