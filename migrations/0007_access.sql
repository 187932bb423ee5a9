-- Intake (internal/access): accesses recorded at a PUA or segretariato desk,
-- and referrals of a person to another unit, another ente or the health
-- service. Nothing here is deleted: an access moves created → seen →
-- accepted/rejected, a referral sent → accepted/refused.

-- An access. While state is 'draft' the row is its operator's wizard in
-- progress (step is the next step to fill); only the last step, confirmed,
-- makes it 'created', and only then must its fields be complete. case_id is the
-- case its proposal to take in charge opened; proposal_unit and proposal_area
-- are that proposal's social service unit and user area; referral is the
-- referral its outcome will send, as the wizard collected it.
CREATE TABLE accesses (
    tenant_id              uuid NOT NULL REFERENCES tenants (id),
    id                     uuid NOT NULL DEFAULT gen_random_uuid(),
    unit_id                uuid NOT NULL,
    operator_id            uuid NOT NULL,
    state                  text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'created', 'seen', 'accepted', 'rejected')),
    step                   text NOT NULL DEFAULT 'interlocutor' CHECK (step IN ('interlocutor', 'person', 'reference',
                               'needs', 'services', 'outcome', 'confirm')),
    occurred_at            timestamptz NOT NULL DEFAULT now(),
    channel                text CHECK (channel IN ('in_person', 'phone', 'email', 'home_visit', 'written_report', 'other_remote')),
    interlocutor           text CHECK (interlocutor IN ('self', 'relative', 'health_service', 'school', 'court', 'police', 'other')),
    interlocutor_name      text NOT NULL DEFAULT '',
    interlocutor_contact   text NOT NULL DEFAULT '',
    reason                 text CHECK (reason IN ('court_decree', 'sent_by', 'spontaneous', 'summoned')),
    sent_by                text NOT NULL DEFAULT '',
    person_id              uuid,
    reference_name         text NOT NULL DEFAULT '',
    reference_relationship text NOT NULL DEFAULT '',
    reference_contact      text NOT NULL DEFAULT '',
    needs                  text[] NOT NULL DEFAULT '{}' CHECK (needs <@ ARRAY['family_minors', 'disability', 'addiction',
                               'elderly', 'immigrants', 'poverty_adults', 'multi_user']),
    services               text[] NOT NULL DEFAULT '{}',
    outcome                text CHECK (outcome IN ('information', 'referral', 'proposal', 'closed')),
    outcome_notes          text NOT NULL DEFAULT '',
    proposal_unit          uuid,
    proposal_area          text NOT NULL DEFAULT '',
    referral               jsonb NOT NULL DEFAULT '{}',
    consent_given          boolean NOT NULL DEFAULT false,
    consent_scope          text NOT NULL DEFAULT '',
    consent_on             date,
    case_id                uuid,
    state_reason           text NOT NULL DEFAULT '',
    state_by               uuid,
    state_at               timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id),
    FOREIGN KEY (tenant_id, operator_id) REFERENCES memberships (tenant_id, operator_id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, proposal_unit) REFERENCES units (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    CHECK (state = 'draft' OR (channel IS NOT NULL AND interlocutor IS NOT NULL AND reason IS NOT NULL
        AND person_id IS NOT NULL AND outcome IS NOT NULL AND needs <> '{}')),
    CHECK (state = 'draft' OR outcome <> 'proposal' OR case_id IS NOT NULL),
    CHECK (NOT consent_given OR consent_on IS NOT NULL)
);
CREATE INDEX accesses_unit_state ON accesses (tenant_id, unit_id, state);
CREATE INDEX accesses_operator ON accesses (tenant_id, operator_id, state);
CREATE INDEX accesses_person ON accesses (tenant_id, person_id) WHERE person_id IS NOT NULL;
ALTER TABLE accesses ENABLE ROW LEVEL SECURITY;
ALTER TABLE accesses FORCE ROW LEVEL SECURITY;
CREATE POLICY accesses_tenant ON accesses
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- A referral. direction says whose row it is:
--   local    — to a unit of the same ente or to the health service: one row;
--   sent     — to another ente: the sender's row;
--   received — the receiving ente's own row of the same referral (same id),
--              written by the service in the sender's transaction after
--              switching the scope to the receiver, so each ente sees only its
--              own row under RLS. The receiver gets a snapshot of the person
--              (person_name, person_tax_code) and the reason, never the
--              sender's access or case; its answer updates both rows, again in
--              one transaction.
CREATE TABLE referrals (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    direction        text NOT NULL CHECK (direction IN ('local', 'sent', 'received')),
    access_id        uuid,
    case_id          uuid,
    person_id        uuid,
    person_name      text NOT NULL DEFAULT '',
    person_tax_code  text NOT NULL DEFAULT '',
    from_unit        uuid,
    from_tenant      uuid,
    from_label       text NOT NULL DEFAULT '',
    target_kind      text NOT NULL CHECK (target_kind IN ('unit', 'ente', 'health_service')),
    target_unit      uuid,
    target_tenant    uuid,
    target_label     text NOT NULL DEFAULT '',
    reason           text NOT NULL CHECK (reason <> ''),
    state            text NOT NULL DEFAULT 'sent' CHECK (state IN ('sent', 'accepted', 'refused')),
    answer_reason    text NOT NULL DEFAULT '',
    answered_by      uuid,
    answered_by_name text NOT NULL DEFAULT '',
    answered_at      timestamptz,
    sent_by          uuid NOT NULL,
    sent_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, access_id) REFERENCES accesses (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, from_unit) REFERENCES units (tenant_id, id),
    FOREIGN KEY (tenant_id, target_unit) REFERENCES units (tenant_id, id),
    CHECK ((target_kind = 'unit') = (target_unit IS NOT NULL) OR direction = 'received'),
    CHECK ((target_kind = 'ente') = (direction IN ('sent', 'received'))),
    CHECK (target_kind <> 'ente' OR target_tenant IS NOT NULL),
    CHECK (direction <> 'received' OR (from_tenant IS NOT NULL AND access_id IS NULL AND case_id IS NULL AND person_id IS NULL)),
    CHECK (direction = 'received' OR (person_id IS NOT NULL AND from_unit IS NOT NULL AND (access_id IS NOT NULL OR case_id IS NOT NULL))),
    CHECK (state = 'sent' OR answered_at IS NOT NULL)
);
CREATE INDEX referrals_target_unit ON referrals (tenant_id, target_unit, state) WHERE target_unit IS NOT NULL;
CREATE INDEX referrals_from_unit ON referrals (tenant_id, from_unit, state) WHERE from_unit IS NOT NULL;
CREATE INDEX referrals_access ON referrals (tenant_id, access_id) WHERE access_id IS NOT NULL;
ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE referrals FORCE ROW LEVEL SECURITY;
CREATE POLICY referrals_tenant ON referrals
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON accesses TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON referrals TO sigess_runtime;
