-- Person search by name and birth year (internal/people/search.go) reads the
-- ente's people born that year from this index alone — about 1 % of the
-- registry — and scores their names there: an index-only scan, with no
-- pg_trgm operator as an index condition, so row-level security does not get
-- in the way (see docs/design.md, "Person search under row-level security").
-- At 1,000,000 people in one ente it takes 29 ms (median) where ordering the
-- whole ente by trigram distance took 280 ms (docs/benchmarks.md). The index
-- replaces people_birth_date, which it also serves (duplicate checks).
CREATE INDEX people_birth_name ON people (tenant_id, birth_date) INCLUDE (name_key, id) WHERE merged_into IS NULL;
DROP INDEX people_birth_date;
