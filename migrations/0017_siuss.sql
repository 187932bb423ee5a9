-- SIUSS flows (internal/siuss): the PS_PSA_SINA and SINBA flows an ente
-- produces from the events of its interventions, for INPS to poll (WaaS).
--
-- siuss_flows: one flow = one beneficiary, one benefit.
--   id_flusso        EEEEE.TIPO.AAAAMMGG.NNNNNNN: the ente's Belfiore code,
--                    PS or SINBA, the day (Europe/Rome) of ts_flusso, the
--                    ente's daily counter (siuss_daily_counters)
--   tipo             PS_PSA_SINA | SINBA
--   ts_flusso        when the flow was produced, in milliseconds, strictly
--                    increasing per ente (siuss_clock): INPS polls with since
--   intervention_id, event_seq  the intervention event the flow reports
--   operation        activation | change | closure | cancellation
--   tipo_operazione  I (inserimento) | C (cancellazione); '' for SINBA
--   xml              the flow, exactly as INPS gets it (base64 on the wire)
--   state            waiting → acquired | rejected (POST /esiti)
--   outcome_*        INPS's codice_esito, descrizione_esito,
--                    id_acquisizione_siuss, ts_acquisizione, and when it came
--   superseded_by    the later flow of the same intervention and tipo
CREATE TABLE siuss_flows (
    tenant_id            uuid NOT NULL REFERENCES tenants (id),
    id                   uuid NOT NULL DEFAULT gen_random_uuid(),
    id_flusso            text NOT NULL CHECK (id_flusso ~ '^[A-Z][0-9]{3}\.(PS|SINBA)\.[0-9]{8}\.[0-9]{7}$'),
    tipo                 text NOT NULL CHECK (tipo IN ('PS_PSA_SINA', 'SINBA')),
    ts_flusso            timestamptz NOT NULL CHECK (ts_flusso = date_trunc('milliseconds', ts_flusso)),
    intervention_id      uuid NOT NULL,
    event_seq            integer NOT NULL,
    operation            text NOT NULL CHECK (operation IN ('activation', 'change', 'closure', 'cancellation')),
    tipo_operazione      text NOT NULL DEFAULT '' CHECK (tipo_operazione IN ('', 'I', 'C')),
    xml                  text NOT NULL CHECK (xml <> ''),
    state                text NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'acquired', 'rejected')),
    outcome_code         text NOT NULL DEFAULT '',
    outcome_description  text NOT NULL DEFAULT '',
    outcome_acquisition  text NOT NULL DEFAULT '',
    outcome_acquired_at  timestamptz,
    outcome_received_at  timestamptz,
    superseded_by        uuid,
    created_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, id_flusso),
    UNIQUE (tenant_id, ts_flusso),
    UNIQUE (tenant_id, intervention_id, event_seq, tipo),
    FOREIGN KEY (tenant_id, intervention_id, event_seq) REFERENCES intervention_events (tenant_id, intervention_id, seq),
    FOREIGN KEY (tenant_id, superseded_by) REFERENCES siuss_flows (tenant_id, id),
    CHECK (state = 'waiting' OR outcome_code <> '')
);
CREATE INDEX siuss_flows_state ON siuss_flows (tenant_id, state, ts_flusso);
CREATE INDEX siuss_flows_intervention ON siuss_flows (tenant_id, intervention_id, tipo);
ALTER TABLE siuss_flows ENABLE ROW LEVEL SECURITY;
ALTER TABLE siuss_flows FORCE ROW LEVEL SECURITY;
CREATE POLICY siuss_flows_tenant ON siuss_flows
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- siuss_clock: the last ts_flusso of each ente. A new flow takes
-- greatest(now, last + 1 ms) under the row's lock (INSERT … ON CONFLICT DO
-- UPDATE), so ts_flusso is strictly increasing per ente even within a
-- millisecond or with a clock that steps back.
CREATE TABLE siuss_clock (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    last_ts   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id)
);
ALTER TABLE siuss_clock ENABLE ROW LEVEL SECURITY;
ALTER TABLE siuss_clock FORCE ROW LEVEL SECURITY;
CREATE POLICY siuss_clock_tenant ON siuss_clock
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- siuss_daily_counters: the NNNNNNN of id_flusso, per ente and day.
CREATE TABLE siuss_daily_counters (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    day       date NOT NULL,
    n         integer NOT NULL CHECK (n BETWEEN 1 AND 9999999),
    PRIMARY KEY (tenant_id, day)
);
ALTER TABLE siuss_daily_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE siuss_daily_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY siuss_daily_counters_tenant ON siuss_daily_counters
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT, UPDATE ON siuss_flows TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON siuss_clock TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON siuss_daily_counters TO sigess_runtime;
