-- Interventions (internal/interventions): the services and benefits granted to
-- the people of a case, their history of states and edits, and their
-- deliveries. Amounts are euro cents (bigint); shares are percentages; dates
-- are calendar dates. The column names are the export's (CSV/XLSX) and follow
-- the SIUSS PS_PSA_SINA fields they feed (named in each comment).

-- An intervention: person_id the beneficiary, case_id the case it was
-- requested on, catalog_entry_id the service (CodicePrestazione, AreaUtenza,
-- unit of measure), plan_id the PAI it belongs to, if any.
--   state                  requested → approved → (ranked) → active → suspended → closed, or refused
--   application_protocol   ProtocolloDomanda (1..32 characters; required to become active)
--   start_date, end_date   DataInizioPrestazione, DataFinePrestazione
--   character              CaratterePrestazione: '1' periodic, '2' occasional
--   monthly_amount_cents   ImportoMensile;  total_amount_cents ImportoPrestazione
--   period_months          PeriodoErogazione (1..12)
--   share_ente, share_user, share_health   percentages of the cost borne by the
--                          ente, the user and the health service (sum 100):
--                          ImportoQuotaEnte/Utente/SSN = amount × share / 100
--   requested_amount_cents ImportoQuotaRichiesta
--   monthly_hours          OreServizioMensile
--   means_test             PresenzaProvaMezzi: '1' ISEE, '2' other, '3' exempt, '4' none
--   dsu_protocol, dsu_year, dsu_date   NumeroProtocolloDSU, AnnoProtocolloDSU, DataDSU
--   isee_value_cents       the ISEE value used; isee_threshold_cents the
--                          catalogue entry's threshold when requested/activated (ImportoSogliaISEE)
--   taken_in_charge        PresaCarico
--   closed_on              the day it was closed
-- version is the optimistic lock of edits.
CREATE TABLE interventions (
    tenant_id              uuid NOT NULL REFERENCES tenants (id),
    id                     uuid NOT NULL DEFAULT gen_random_uuid(),
    person_id              uuid NOT NULL,
    case_id                uuid NOT NULL,
    catalog_entry_id       uuid NOT NULL,
    plan_id                uuid,
    state                  text NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'approved', 'ranked',
                               'active', 'suspended', 'closed', 'refused')),
    application_protocol   text NOT NULL DEFAULT '' CHECK (length(application_protocol) <= 32),
    start_date             date,
    end_date               date,
    character              text NOT NULL DEFAULT '' CHECK (character IN ('', '1', '2')),
    monthly_amount_cents   bigint CHECK (monthly_amount_cents >= 0),
    total_amount_cents     bigint CHECK (total_amount_cents >= 0),
    period_months          integer CHECK (period_months BETWEEN 1 AND 12),
    share_ente             numeric(5, 2) CHECK (share_ente BETWEEN 0 AND 100),
    share_user             numeric(5, 2) CHECK (share_user BETWEEN 0 AND 100),
    share_health           numeric(5, 2) CHECK (share_health BETWEEN 0 AND 100),
    requested_amount_cents bigint CHECK (requested_amount_cents >= 0),
    monthly_hours          numeric(7, 2) CHECK (monthly_hours >= 0),
    means_test             text NOT NULL DEFAULT '' CHECK (means_test IN ('', '1', '2', '3', '4')),
    dsu_protocol           text NOT NULL DEFAULT '' CHECK (length(dsu_protocol) <= 30),
    dsu_year               integer CHECK (dsu_year BETWEEN 1990 AND 2100),
    dsu_date               date,
    isee_value_cents       bigint CHECK (isee_value_cents >= 0),
    isee_threshold_cents   bigint CHECK (isee_threshold_cents >= 0),
    taken_in_charge        boolean NOT NULL DEFAULT false,
    notes                  text NOT NULL DEFAULT '',
    closed_on              date,
    created_by             uuid NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    version                integer NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, catalog_entry_id) REFERENCES catalog_entries (tenant_id, id),
    FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
    -- The last line of defence of activation (internal/interventions Missing
    -- is the first, and names the fields).
    CHECK (state NOT IN ('active', 'suspended', 'closed') OR (start_date IS NOT NULL AND means_test <> ''
        AND application_protocol <> '')),
    CHECK (state <> 'closed' OR closed_on IS NOT NULL)
);
CREATE INDEX interventions_case ON interventions (tenant_id, case_id);
CREATE INDEX interventions_state ON interventions (tenant_id, state, catalog_entry_id);
ALTER TABLE interventions ENABLE ROW LEVEL SECURITY;
ALTER TABLE interventions FORCE ROW LEVEL SECURITY;
CREATE POLICY interventions_tenant ON interventions
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Every step of an intervention, in order (seq): kind 'created' (the
-- request), 'transition' (from_state → to_state, with the reason a refusal,
-- suspension or closure needs) and 'changed' (an edit of an active or
-- suspended intervention). snapshot is the intervention after the step, as
-- the API returns it: the SIUSS flows (activation, change, closure,
-- cancellation) are built from these rows. Append-only.
CREATE TABLE intervention_events (
    tenant_id       uuid NOT NULL,
    intervention_id uuid NOT NULL,
    seq             integer NOT NULL CHECK (seq > 0),
    kind            text NOT NULL CHECK (kind IN ('created', 'transition', 'changed')),
    from_state      text NOT NULL DEFAULT '',
    to_state        text NOT NULL,
    by_id           uuid NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    reason          text NOT NULL DEFAULT '',
    snapshot        jsonb NOT NULL,
    PRIMARY KEY (tenant_id, intervention_id, seq),
    FOREIGN KEY (tenant_id, intervention_id) REFERENCES interventions (tenant_id, id)
);
CREATE INDEX intervention_events_at ON intervention_events (tenant_id, at);
ALTER TABLE intervention_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE intervention_events FORCE ROW LEVEL SECURITY;
CREATE POLICY intervention_events_tenant ON intervention_events
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The deliveries (erogazioni) of an intervention: delivered_on
-- (DataErogazionePrestazione), amount_cents paid and/or hours of service,
-- provider (who delivered it), notes. Append-only: a wrong delivery is
-- cancelled (intervention_delivery_cancellations) and recorded again. The
-- deliveries that count are those without a cancellation.
CREATE TABLE intervention_deliveries (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    intervention_id uuid NOT NULL,
    delivered_on    date NOT NULL,
    amount_cents    bigint CHECK (amount_cents >= 0),
    hours           numeric(7, 2) CHECK (hours >= 0),
    provider        text NOT NULL DEFAULT '' CHECK (length(provider) <= 200),
    notes           text NOT NULL DEFAULT '',
    recorded_by     uuid NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, intervention_id) REFERENCES interventions (tenant_id, id),
    CHECK (amount_cents IS NOT NULL OR hours IS NOT NULL)
);
CREATE INDEX intervention_deliveries_intervention ON intervention_deliveries (tenant_id, intervention_id, delivered_on);
ALTER TABLE intervention_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE intervention_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY intervention_deliveries_tenant ON intervention_deliveries
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The cancellation of a delivery: why, by whom, when. At most one per
-- delivery. Append-only.
CREATE TABLE intervention_delivery_cancellations (
    tenant_id    uuid NOT NULL,
    delivery_id  uuid NOT NULL,
    reason       text NOT NULL CHECK (reason <> ''),
    cancelled_by uuid NOT NULL,
    cancelled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, delivery_id),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES intervention_deliveries (tenant_id, id)
);
ALTER TABLE intervention_delivery_cancellations ENABLE ROW LEVEL SECURITY;
ALTER TABLE intervention_delivery_cancellations FORCE ROW LEVEL SECURITY;
CREATE POLICY intervention_delivery_cancellations_tenant ON intervention_delivery_cancellations
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON interventions TO sigess_runtime;
GRANT SELECT, INSERT ON intervention_events TO sigess_runtime;
GRANT SELECT, INSERT ON intervention_deliveries TO sigess_runtime;
GRANT SELECT, INSERT ON intervention_delivery_cancellations TO sigess_runtime;
