-- Assessments and plans of a case (internal/assessment, internal/plans).
--
-- An assessment is never changed: a new one supersedes it, and the case shows
-- the latest and the history. Its SINA part keeps the codes of the SINAType of
-- PS_PSA_SINA201812.xsd (the dimensions, FonteDerivazioneValutazione,
-- StrumentoValutazione, InvCiv, FonteDerivazioneInvalidita) so that a SIUSS
-- flow is written from the row as it is; the SINBA part for minors is a jsonb
-- of SINBA.xsd attribute names to codes, validated in Go.
CREATE TABLE assessments (
    tenant_id         uuid NOT NULL REFERENCES tenants (id),
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id           uuid NOT NULL,
    person_id         uuid NOT NULL,
    seq               integer NOT NULL CHECK (seq > 0), -- 1, 2, … per case: the latest is the highest
    assessed_on       date NOT NULL,
    mobility          smallint NOT NULL CHECK (mobility BETWEEN 1 AND 3),         -- Mobilita
    daily_living      smallint NOT NULL CHECK (daily_living BETWEEN 1 AND 3),     -- AttivitaVitaQuotidiana
    cognitive         smallint CHECK (cognitive BETWEEN 1 AND 3),                 -- DisturbiAreaCognitiva (optional)
    behavioural       smallint NOT NULL CHECK (behavioural BETWEEN 1 AND 2),      -- DisturbiComportamentali
    health_care       smallint CHECK (health_care BETWEEN 1 AND 3),               -- NecessitaCureSanitarie (optional)
    income            smallint NOT NULL CHECK (income BETWEEN 1 AND 3),           -- AreaReddituale
    support           smallint NOT NULL CHECK (support BETWEEN 1 AND 3),          -- AreaSupporto
    source            smallint NOT NULL CHECK (source BETWEEN 1 AND 4),           -- FonteDerivazioneValutazione
    instrument        smallint NOT NULL CHECK (instrument BETWEEN 1 AND 7),       -- StrumentoValutazione
    instrument_other  text NOT NULL DEFAULT '',                                   -- its name when instrument = 7
    civil_invalidity  smallint[] NOT NULL DEFAULT '{}'
                          CHECK (civil_invalidity <@ '{1,2,3,4,5,6,7,8}'::smallint[]), -- InvCiv
    invalidity_source smallint CHECK (invalidity_source BETWEEN 1 AND 2),         -- FonteDerivazioneInvalidita
    sinba             jsonb CHECK (sinba IS NULL OR jsonb_typeof(sinba) = 'object'),
    notes             text NOT NULL DEFAULT '',
    author_id         uuid NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, case_id, seq),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
ALTER TABLE assessments ENABLE ROW LEVEL SECURITY;
ALTER TABLE assessments FORCE ROW LEVEL SECURITY;
CREATE POLICY assessments_tenant ON assessments
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- A PAI (piano assistenziale individualizzato) of a case: draft → active →
-- closed (with a reason). Interventions point at it by (tenant_id, plan_id).
CREATE TABLE plans (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id          uuid NOT NULL,
    state            text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'active', 'closed')),
    review_months    integer NOT NULL CHECK (review_months BETWEEN 1 AND 24),
    next_review_on   date,
    consent_by       text NOT NULL DEFAULT '', -- who consented: the person, a guardian…
    consent_on       date,
    consent_signed   boolean NOT NULL DEFAULT false,
    activated_at     timestamptz,
    closed_at        timestamptz,
    close_reason     text NOT NULL DEFAULT '',
    created_by       uuid NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    CHECK (state <> 'closed' OR (closed_at IS NOT NULL AND close_reason <> '')),
    CHECK (state = 'draft' OR activated_at IS NOT NULL)
);
CREATE INDEX plans_case ON plans (tenant_id, case_id);
CREATE INDEX plans_due ON plans (tenant_id, next_review_on) WHERE state = 'active';
ALTER TABLE plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE plans FORCE ROW LEVEL SECURITY;
CREATE POLICY plans_tenant ON plans
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The goals of a plan, in order. A goal taken out of the plan keeps its row
-- (removed_at) so that the reviews that judged it still read.
CREATE TABLE plan_goals (
    tenant_id  uuid NOT NULL,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    plan_id    uuid NOT NULL,
    position   integer NOT NULL CHECK (position > 0),
    text       text NOT NULL CHECK (text <> ''),
    horizon    text NOT NULL CHECK (horizon IN ('short', 'medium', 'long')),
    outcome    text CHECK (outcome IN ('not_met', 'partly_met', 'met')), -- set at a review
    removed_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id)
);
CREATE INDEX plan_goals_plan ON plan_goals (tenant_id, plan_id, position);
ALTER TABLE plan_goals ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_goals FORCE ROW LEVEL SECURITY;
CREATE POLICY plan_goals_tenant ON plan_goals
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Who the plan is for: the case's person or members of its household.
CREATE TABLE plan_beneficiaries (
    tenant_id uuid NOT NULL,
    plan_id   uuid NOT NULL,
    person_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, plan_id, person_id),
    FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
ALTER TABLE plan_beneficiaries ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_beneficiaries FORCE ROW LEVEL SECURITY;
CREATE POLICY plan_beneficiaries_tenant ON plan_beneficiaries
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The reviews of a plan, in order, never changed: the date, notes, the outcome
-- given to each goal (goal id → outcome) and the next review date set.
CREATE TABLE plan_reviews (
    tenant_id      uuid NOT NULL,
    plan_id        uuid NOT NULL,
    seq            integer NOT NULL CHECK (seq > 0),
    reviewed_on    date NOT NULL,
    notes          text NOT NULL DEFAULT '',
    outcomes       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(outcomes) = 'object'),
    next_review_on date,
    author_id      uuid NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, plan_id, seq),
    FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id)
);
ALTER TABLE plan_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_reviews FORCE ROW LEVEL SECURITY;
CREATE POLICY plan_reviews_tenant ON plan_reviews
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

GRANT SELECT, INSERT ON assessments TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON plans TO sigess_runtime;
GRANT SELECT, INSERT, UPDATE ON plan_goals TO sigess_runtime;
GRANT SELECT, INSERT, DELETE ON plan_beneficiaries TO sigess_runtime;
GRANT SELECT, INSERT ON plan_reviews TO sigess_runtime;
