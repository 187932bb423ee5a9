-- An access may be recorded by an API client (a regional system, the ente's own
-- tools) as well as by an operator at the desk: operator_id holds the author,
-- author_kind says which, and the foreign key to memberships goes, since a client
-- is not a member.
ALTER TABLE accesses DROP CONSTRAINT accesses_tenant_id_operator_id_fkey;
ALTER TABLE accesses ADD COLUMN author_kind text NOT NULL DEFAULT 'operator'
    CHECK (author_kind IN ('operator', 'api_client'));
