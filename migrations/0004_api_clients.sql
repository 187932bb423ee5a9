-- API clients: the machines of an ente (its registry office, a regional system,
-- a partner's software) that call its API with roles, like operators do, and
-- authenticate with OAuth2 client credentials. A client belongs to one ente:
-- its id means nothing to any other.

CREATE TABLE api_clients (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    name         text NOT NULL CHECK (name <> '' AND char_length(name) <= 100),
    -- secret_hash is the SHA-256 of the client secret. The secret is 256 random
    -- bits chosen by SIGeSS, not by a person, so a slow hash would add nothing
    -- against guessing and would make the token endpoint costly to hammer.
    secret_hash  bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
    -- roles are built-in ente roles or the ente's custom roles, as for memberships.
    roles        text[] NOT NULL CHECK (roles <> '{}'),
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    -- created_by is the administrator who created it; NULL from the command line.
    created_by   uuid REFERENCES operators (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
-- Two active clients of one ente never share a name, so that the list and the
-- audit trail can tell them apart.
CREATE UNIQUE INDEX api_clients_active_name ON api_clients (tenant_id, name) WHERE status = 'active';
ALTER TABLE api_clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_clients FORCE ROW LEVEL SECURITY;
CREATE POLICY api_clients_tenant ON api_clients
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- No DELETE: a revoked client stays, so that the audit trail keeps naming it.
GRANT SELECT, INSERT, UPDATE ON api_clients TO sigess_runtime;
