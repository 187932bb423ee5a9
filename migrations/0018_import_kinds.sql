-- The onboarding import's other kinds of file (docs/import.md): households,
-- cases, interventions and deliveries, besides people.
ALTER TABLE import_runs DROP CONSTRAINT import_runs_kind_check;
ALTER TABLE import_runs ADD CONSTRAINT import_runs_kind_check
    CHECK (kind IN ('people', 'households', 'cases', 'interventions', 'deliveries'));
ALTER TABLE import_external_ids DROP CONSTRAINT import_external_ids_kind_check;
ALTER TABLE import_external_ids ADD CONSTRAINT import_external_ids_kind_check
    CHECK (kind IN ('people', 'households', 'cases', 'interventions', 'deliveries'));
