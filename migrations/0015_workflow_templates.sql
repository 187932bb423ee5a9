-- The case workflow as a kind of regional template (templates kind
-- 'workflow', internal/casefile workflow_template.go): an item is one state or
-- one transition of the workflow; an ente that adopts a workflow template gets
-- a copy of every item here, remembering the item key, the version it follows
-- and the fields the ente overrode (e.g. the roles of one transition). The
-- ente's effective workflow (workflows, kind 'case') is composed from its
-- active copies and validated before it is written.
CREATE TABLE workflow_template_items (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    template_id      uuid NOT NULL,
    template_key     text NOT NULL,
    template_version integer NOT NULL CHECK (template_version > 0),
    position         integer NOT NULL,
    item_values      jsonb NOT NULL,
    overridden       text[] NOT NULL DEFAULT '{}',
    active           boolean NOT NULL DEFAULT true,
    updated_by       uuid,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, template_id, template_key),
    FOREIGN KEY (tenant_id, template_id) REFERENCES template_adoptions (tenant_id, template_id)
);
ALTER TABLE workflow_template_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_template_items FORCE ROW LEVEL SECURITY;
CREATE POLICY workflow_template_items_tenant ON workflow_template_items
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON workflow_template_items TO sigess_runtime;
