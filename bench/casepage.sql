-- bench/casepage.sql — one view of a case's page as pgbench script: the same
-- five transactions and statements the services run for it (BenchmarkCasePage
-- in bench/casepage_test.go; traced from pgx), with the ids of case :n named as
-- the fixture names them (md5 of "case-n", "op-k"…). Run with -M prepared, as
-- pgx prepares and caches its statements:
--   pgbench -n -M prepared -c 8 -j 2 -T 10 -f bench/casepage.sql \
--     -D tenant=UUID -D auditkey=audit:audit_events:UUID -D cases=100000 -D workers=50 \
--     postgres://…/sigess_bench_cases
-- The audit rows' hash is computed in SQL (sha256 over the previous hash and
-- the event's fields) where the Go code computes it in Go.
\set n random(1, :cases)
\set w :n % :workers + 1

-- casefile.Get: access, case, names, team, history, case.viewed.
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true), set_config('app.region', '', true),
	set_config('app.platform', '', true), set_config('app.outbox_relay', '', true);
SELECT ((false OR (false AND c.unit_id IN (SELECT u.unit_id FROM operator_units u WHERE u.tenant_id = c.tenant_id AND u.operator_id = md5('op-' || :w::text)::uuid)) OR (true AND (c.responsible_id IS NOT DISTINCT FROM md5('op-' || :w::text)::uuid OR EXISTS (SELECT 1 FROM case_team t WHERE t.tenant_id = c.tenant_id AND t.case_id = c.id AND t.operator_id = md5('op-' || :w::text)::uuid AND t.removed_at IS NULL)))) AND (NOT c.reserved OR false OR (c.responsible_id IS NOT DISTINCT FROM md5('op-' || :w::text)::uuid OR EXISTS (SELECT 1 FROM case_team t WHERE t.tenant_id = c.tenant_id AND t.case_id = c.id AND t.operator_id = md5('op-' || :w::text)::uuid AND t.removed_at IS NULL)))), (c.responsible_id IS NOT DISTINCT FROM md5('op-' || :w::text)::uuid OR EXISTS (SELECT 1 FROM case_team t WHERE t.tenant_id = c.tenant_id AND t.case_id = c.id AND t.operator_id = md5('op-' || :w::text)::uuid AND t.removed_at IS NULL)) FROM cases c WHERE c.tenant_id = :tenant AND c.id = md5('case-' || :n::text)::uuid;
SELECT id, number, person_id, household_id, user_area, state, unit_id, responsible_id, reserved,
	summary, origin_access, opened_at, taken_at, closed_at, close_reason, version FROM cases WHERE tenant_id = :tenant AND id = md5('case-' || :n::text)::uuid \gset c_
SELECT p.last_name || ' ' || p.first_name, u.name
	FROM people p, units u WHERE p.tenant_id = :tenant AND p.id = :c_person_id AND u.tenant_id = :tenant AND u.id = :c_unit_id;
SELECT t.operator_id, o.name, t.role, t.added_at, t.removed_at
	FROM case_team t JOIN operators o ON o.id = t.operator_id
	WHERE t.tenant_id = :tenant AND t.case_id = md5('case-' || :n::text)::uuid ORDER BY t.removed_at IS NOT NULL, t.added_at;
SELECT e.seq, e.at, e.by_id, coalesce(o.name, ''), e.kind, e.from_state, e.to_state, e.reason, e.details
	FROM case_events e LEFT JOIN operators o ON o.id = e.by_id
	WHERE e.tenant_id = :tenant AND e.case_id = md5('case-' || :n::text)::uuid ORDER BY e.seq;
SELECT audit_lane(:auditkey, 8) AS lane \gset
SELECT clock_timestamp() AS at, '{"via":"page"}'::jsonb::text AS details, host('10.0.0.7'::inet) AS ip,
	nextval('audit_seq') AS seq, coalesce(l.lane_seq, 0) + 1 AS lane_seq, coalesce(encode(l.hash, 'hex'), repeat('0', 64)) AS prev
	FROM (SELECT 1) v LEFT JOIN LATERAL (
		SELECT lane_seq, hash FROM audit_events WHERE tenant_id = :tenant AND lane = :lane ORDER BY lane_seq DESC LIMIT 1) l ON true \gset
INSERT INTO audit_events (tenant_id, seq, lane, lane_seq, at, actor_id, actor, action, object_type, object_id, ip, details, prev_hash, hash)
	VALUES (:tenant, :seq, :lane, :lane_seq, :at, md5('op-' || :w::text)::uuid, 'assistente@casi.example.it', 'case.viewed', 'case', md5('case-' || :n::text)::uuid::text,
		:ip::inet, :details::jsonb, decode(:prev, 'hex'),
		sha256(decode(:prev, 'hex') || convert_to(concat_ws('|', 'v1', :lane::text, :lane_seq::text, :at::text, md5('op-' || :w::text)::uuid::text,
			'assistente@casi.example.it', 'case.viewed', 'case', md5('case-' || :n::text)::uuid::text, :ip::text, :details::text), 'UTF8')));
COMMIT;

-- casefile.Workflow.
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true), set_config('app.region', '', true),
	set_config('app.platform', '', true), set_config('app.outbox_relay', '', true);
SELECT definition FROM workflows WHERE tenant_id = :tenant AND kind = 'case';
COMMIT;

-- people.Get.
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true), set_config('app.region', '', true),
	set_config('app.platform', '', true), set_config('app.outbox_relay', '', true);
SELECT id, coalesce(tax_code, ''), coalesce(provisional_id, ''), first_name, last_name, sex,
	birth_date, birth_place, citizenship, second_citizenship, residence, domicile, phone, email,
	details, mismatches, merged_into, version, created_at, updated_at FROM people WHERE id = :c_person_id;
COMMIT;

-- households.List: households, memberships, household.listed.
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true), set_config('app.region', '', true),
	set_config('app.platform', '', true), set_config('app.outbox_relay', '', true);
SELECT h.id, h.name FROM household_members m
	JOIN households h ON h.tenant_id = m.tenant_id AND h.id = m.household_id
	WHERE m.person_id = :c_person_id ORDER BY m.valid_to IS NULL DESC, m.valid_from DESC, m.id;
SELECT m.id, m.household_id, m.person_id, p.last_name || ' ' || p.first_name, coalesce(p.tax_code, ''),
	m.relationship, m.cohabiting, m.valid_from, m.valid_to
	FROM household_members m JOIN people p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
	WHERE m.person_id = :c_person_id ORDER BY m.valid_from, m.created_at, m.id;
SELECT audit_lane(:auditkey, 8) AS lane \gset
SELECT clock_timestamp() AS at, '{"count":1}'::jsonb::text AS details, host('10.0.0.7'::inet) AS ip,
	nextval('audit_seq') AS seq, coalesce(l.lane_seq, 0) + 1 AS lane_seq, coalesce(encode(l.hash, 'hex'), repeat('0', 64)) AS prev
	FROM (SELECT 1) v LEFT JOIN LATERAL (
		SELECT lane_seq, hash FROM audit_events WHERE tenant_id = :tenant AND lane = :lane ORDER BY lane_seq DESC LIMIT 1) l ON true \gset
INSERT INTO audit_events (tenant_id, seq, lane, lane_seq, at, actor_id, actor, action, object_type, object_id, ip, details, prev_hash, hash)
	VALUES (:tenant, :seq, :lane, :lane_seq, :at, md5('op-' || :w::text)::uuid, 'assistente@casi.example.it', 'household.listed', 'person', :c_person_id::text,
		:ip::inet, :details::jsonb, decode(:prev, 'hex'),
		sha256(decode(:prev, 'hex') || convert_to(concat_ws('|', 'v1', :lane::text, :lane_seq::text, :at::text, md5('op-' || :w::text)::uuid::text,
			'assistente@casi.example.it', 'household.listed', 'person', :c_person_id::text, :ip::text, :details::text), 'UTF8')));
COMMIT;

-- diary.List: access, entries with their latest revision, diary.listed.
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true), set_config('app.region', '', true),
	set_config('app.platform', '', true), set_config('app.outbox_relay', '', true);
SELECT ((false OR (false AND c.unit_id IN (SELECT u.unit_id FROM operator_units u WHERE u.tenant_id = c.tenant_id AND u.operator_id = md5('op-' || :w::text)::uuid)) OR (true AND (c.responsible_id IS NOT DISTINCT FROM md5('op-' || :w::text)::uuid OR EXISTS (SELECT 1 FROM case_team t WHERE t.tenant_id = c.tenant_id AND t.case_id = c.id AND t.operator_id = md5('op-' || :w::text)::uuid AND t.removed_at IS NULL)))) AND (NOT c.reserved OR false OR (c.responsible_id IS NOT DISTINCT FROM md5('op-' || :w::text)::uuid OR EXISTS (SELECT 1 FROM case_team t WHERE t.tenant_id = c.tenant_id AND t.case_id = c.id AND t.operator_id = md5('op-' || :w::text)::uuid AND t.removed_at IS NULL)))), (c.responsible_id IS NOT DISTINCT FROM md5('op-' || :w::text)::uuid OR EXISTS (SELECT 1 FROM case_team t WHERE t.tenant_id = c.tenant_id AND t.case_id = c.id AND t.operator_id = md5('op-' || :w::text)::uuid AND t.removed_at IS NULL)) FROM cases c WHERE c.tenant_id = :tenant AND c.id = md5('case-' || :n::text)::uuid;
SELECT e.id, e.case_id, e.kind, e.occurred_at, e.reserved, e.author_id,
	coalesce(oa.name, ''), e.created_at, r.revision, r.text, r.created_at
	FROM diary_entries e
	JOIN LATERAL (SELECT revision, text, created_at FROM diary_revisions
		WHERE tenant_id = e.tenant_id AND entry_id = e.id ORDER BY revision DESC LIMIT 1) r ON true
	LEFT JOIN operators oa ON oa.id = e.author_id
	WHERE e.case_id = md5('case-' || :n::text)::uuid AND (NOT e.reserved OR true) ORDER BY e.occurred_at DESC, e.created_at DESC;
SELECT audit_lane(:auditkey, 8) AS lane \gset
SELECT clock_timestamp() AS at, '{"count":5}'::jsonb::text AS details, host('10.0.0.7'::inet) AS ip,
	nextval('audit_seq') AS seq, coalesce(l.lane_seq, 0) + 1 AS lane_seq, coalesce(encode(l.hash, 'hex'), repeat('0', 64)) AS prev
	FROM (SELECT 1) v LEFT JOIN LATERAL (
		SELECT lane_seq, hash FROM audit_events WHERE tenant_id = :tenant AND lane = :lane ORDER BY lane_seq DESC LIMIT 1) l ON true \gset
INSERT INTO audit_events (tenant_id, seq, lane, lane_seq, at, actor_id, actor, action, object_type, object_id, ip, details, prev_hash, hash)
	VALUES (:tenant, :seq, :lane, :lane_seq, :at, md5('op-' || :w::text)::uuid, 'assistente@casi.example.it', 'diary.listed', 'case', md5('case-' || :n::text)::uuid::text,
		:ip::inet, :details::jsonb, decode(:prev, 'hex'),
		sha256(decode(:prev, 'hex') || convert_to(concat_ws('|', 'v1', :lane::text, :lane_seq::text, :at::text, md5('op-' || :w::text)::uuid::text,
			'assistente@casi.example.it', 'diary.listed', 'case', md5('case-' || :n::text)::uuid::text, :ip::text, :details::text), 'UTF8')));
COMMIT;
