-- An ente's audit trail as several hash chains ("lanes") instead of one.
--
-- Each audit write takes its chain's lock until the transaction has committed
-- (the next writer must see the row it chains to), so one chain per ente let
-- its audit writes go one commit flush at a time: about 330 a second, whatever
-- the number of connections (docs/benchmarks.md, case page). With lanes, a
-- writer takes a free lane and chains to that lane's last row; each lane is
-- gapless and verified on its own, so a row removed or changed still breaks
-- its lane.
--
-- seq stays the order of the events in the trail (List pages by it), now
-- drawn from one sequence; the place in a lane's chain is (lane, lane_seq).
-- The rows written before are lane 0, lane_seq = seq, and hash exactly as
-- they did.

ALTER TABLE audit_events
    ADD COLUMN lane smallint NOT NULL DEFAULT 0 CHECK (lane BETWEEN 0 AND 63),
    ADD COLUMN lane_seq bigint CHECK (lane_seq > 0);
ALTER TABLE console_audit_events
    ADD COLUMN lane smallint NOT NULL DEFAULT 0 CHECK (lane BETWEEN 0 AND 63),
    ADD COLUMN lane_seq bigint CHECK (lane_seq > 0);

-- The owner reads every trail only while the policies are not forced: the
-- sequence starts after every seq written so far, in any trail.
ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE console_audit_events NO FORCE ROW LEVEL SECURITY;
CREATE SEQUENCE audit_seq;
SELECT setval('audit_seq', greatest(
    (SELECT max(seq) FROM audit_events), (SELECT max(seq) FROM console_audit_events), 1));
GRANT USAGE ON SEQUENCE audit_seq TO sigess_runtime;
UPDATE audit_events SET lane_seq = seq;
UPDATE console_audit_events SET lane_seq = seq;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
ALTER TABLE console_audit_events FORCE ROW LEVEL SECURITY;

ALTER TABLE audit_events ALTER COLUMN lane_seq SET NOT NULL,
    ADD CONSTRAINT audit_events_lane UNIQUE (tenant_id, lane, lane_seq);
ALTER TABLE console_audit_events ALTER COLUMN lane_seq SET NOT NULL,
    ADD CONSTRAINT console_audit_events_lane UNIQUE (region_code, lane, lane_seq);

-- audit_lane takes the lock of one of the lanes of trail (0 .. lanes-1) until
-- the transaction ends and returns it: the lane the transaction holds already
-- (so that a transaction writing several events never waits for a lane while
-- holding another), else the first free one from a random start, else it waits
-- for that one. Call it in its own statement before reading the lane's last
-- row, so that the read's snapshot is taken after the lock.
CREATE FUNCTION audit_lane(trail text, lanes int) RETURNS int
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    held_setting text := 'app.audit_lane_' || md5(trail);
    held text := current_setting(held_setting, true);
    start int := floor(random() * lanes)::int;
    lane int;
BEGIN
    IF held IS NOT NULL AND held <> '' THEN
        RETURN held::int;
    END IF;
    FOR i IN 0 .. lanes - 1 LOOP
        lane := (start + i) % lanes;
        IF pg_try_advisory_xact_lock(hashtextextended(trail || ':' || lane, 0)) THEN
            PERFORM set_config(held_setting, lane::text, true);
            RETURN lane;
        END IF;
    END LOOP;
    PERFORM pg_advisory_xact_lock(hashtextextended(trail || ':' || start, 0));
    PERFORM set_config(held_setting, start::text, true);
    RETURN start;
END
$$;
