-- The words of the ente's people's names, for the search by name without a
-- birth year (internal/people/search.go, docs/design.md "Person search under
-- row-level security"). Each word is stored under itself and under every
-- spelling with one letter dropped ("ROSSI" under ROSSI, OSSI, RSSI, ROSI,
-- ROSS), so that a word typed with a letter dropped, doubled, swapped or wrong
-- finds the words it may be with btree equality alone: row-level security does
-- not stop PostgreSQL from using an index for text equality (its functions are
-- LEAKPROOF), as it stops pg_trgm's operators. Words of three letters or fewer
-- are stored only as themselves. A word is never removed: one that no live
-- record bears any more only finds nobody.
CREATE TABLE person_name_words (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    variant   text COLLATE "C" NOT NULL,
    word      text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, variant, word)
);
ALTER TABLE person_name_words ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_name_words FORCE ROW LEVEL SECURITY;
CREATE POLICY person_name_words_tenant ON person_name_words
    USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
GRANT SELECT, INSERT ON person_name_words TO sigess_runtime;

-- name_word_variants is a word and, when it is longer than three letters, its
-- spellings with one letter dropped. internal/people computes the same for the
-- words it is asked about.
CREATE FUNCTION name_word_variants(w text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT w
    UNION
    SELECT left(w, i - 1) || substr(w, i + 1) FROM generate_series(1, length(w)) AS i WHERE length(w) > 3
$$;

-- The words are added by the statement: once per new word, whatever the number
-- of rows (a COPY of an onboarding import writes them once).
CREATE FUNCTION people_name_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO person_name_words (tenant_id, variant, word)
    SELECT n.tenant_id, v, n.word
    FROM (SELECT DISTINCT tenant_id, w AS word
          FROM changed, unnest(string_to_array(changed.name_key, ' ')) AS w
          WHERE w <> '') AS n
    CROSS JOIN LATERAL name_word_variants(n.word) AS v
    WHERE NOT EXISTS (SELECT FROM person_name_words x
                      WHERE x.tenant_id = n.tenant_id AND x.variant = n.word AND x.word = n.word)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER people_name_words_insert AFTER INSERT ON people
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION people_name_words();
CREATE TRIGGER people_name_words_update AFTER UPDATE ON people
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION people_name_words();

-- The people whose name starts with given words, in name order: the search
-- reads the matching rows' names and ids from here alone. It replaces the
-- trigram index, which nothing orders by any more.
CREATE INDEX people_name_prefix ON people (tenant_id, (name_key COLLATE "C")) INCLUDE (id)
    WHERE merged_into IS NULL;
DROP INDEX people_name_trgm;

-- The words of the people already registered. The owner reads every ente's
-- rows only while the policy is not forced.
ALTER TABLE people NO FORCE ROW LEVEL SECURITY;
ALTER TABLE person_name_words NO FORCE ROW LEVEL SECURITY;
INSERT INTO person_name_words (tenant_id, variant, word)
SELECT n.tenant_id, v, n.word
FROM (SELECT DISTINCT tenant_id, w AS word FROM people, unnest(string_to_array(name_key, ' ')) AS w WHERE w <> '') AS n
CROSS JOIN LATERAL name_word_variants(n.word) AS v
ON CONFLICT DO NOTHING;
ALTER TABLE people FORCE ROW LEVEL SECURITY;
ALTER TABLE person_name_words FORCE ROW LEVEL SECURITY;
