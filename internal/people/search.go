package people

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// nameThreshold is the least word similarity (0–1) between the query and a
// name for the name to be a hit: "ROSI MARIO" is 0.77 from "ROSSI MARIO",
// "ROSSI" alone 1.
const nameThreshold = 0.5

// Search finds live (not merged) people. Text that looks like a tax code, full
// or partial, finds the codes that start with it; any other text is a surname
// and name in any order, each word with at most a typo ("Rosi Mario" finds
// Rossi Mario), the last one possibly unfinished, best first. BirthYear, if
// given, keeps only people born that year.
//
// Without a birth year the name is looked up through the words of the ente's
// names (namewords.go): under row-level security PostgreSQL uses no pg_trgm
// operator as an index condition (they are not LEAKPROOF), so the typos are
// resolved against the words by btree equality and the names read from a
// btree. With a birth year it scores by trigrams the names of the people born
// that year, read from an index that holds them (people_birth_name), which
// also forgives more than one typo.
func (s *Service) Search(ctx context.Context, tenant uuid.UUID, q Query) ([]Hit, error) {
	var hits []Hit
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		hits, err = search(ctx, tx, tenant, q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("people.Search(%s, %q): %w", tenant, q.Text, err)
	}
	return hits, nil
}

// searchable reports whether text has something to search for.
func searchable(text string) bool { return searchKey(text) != "" }

// search runs q in tx; see Search.
func search(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, q Query) ([]Hit, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	code := strings.ToUpper(strings.Join(strings.Fields(q.Text), ""))
	key := searchKey(q.Text)
	switch {
	case looksLikeTaxCodePrefix(code):
		// Every character of a tax code sorts before '~' in the "C"
		// collation, so the range is exactly the codes with this prefix.
		args := pgx.NamedArgs{"lo": code, "hi": code + "~", "limit": limit, "from": nil, "to": nil}
		if q.BirthYear > 0 {
			args["from"] = Date{Year: q.BirthYear, Month: 1, Day: 1}.Time()
			args["to"] = Date{Year: q.BirthYear + 1, Month: 1, Day: 1}.Time()
		}
		return queryHits(ctx, tx, `SELECT `+columns+`, 1.0::float8 FROM people
			WHERE merged_into IS NULL AND tax_code >= @lo AND tax_code < @hi
			  AND (@from::date IS NULL OR (birth_date >= @from AND birth_date < @to))
			ORDER BY tax_code LIMIT @limit`, args)
	case key != "" && q.BirthYear > 0:
		// The ente's people born that year, about 1 % of the registry, are
		// read from people_birth_name alone (an index-only scan) and scored
		// there; only the best are fetched from the table.
		return scoredNames(ctx, tx, `SELECT id AS pid, name_key AS nk FROM people
			WHERE tenant_id = @tenant AND merged_into IS NULL AND birth_date >= @from AND birth_date < @to
			  AND word_similarity(@key, name_key) >= @threshold`,
			pgx.NamedArgs{"tenant": tenant, "key": key, "limit": limit, "threshold": nameThreshold,
				"from": Date{Year: q.BirthYear, Month: 1, Day: 1}.Time(), "to": Date{Year: q.BirthYear + 1, Month: 1, Day: 1}.Time()})
	case key != "":
		return searchByWords(ctx, tx, tenant, key, limit)
	}
	return nil, nil
}

// scoredNames returns the best @limit of the people that candidates selects
// (pid, nk: id and name_key), scored by the word similarity of @key to their
// name, best first.
func scoredNames(ctx context.Context, tx pgx.Tx, candidates string, args pgx.NamedArgs) ([]Hit, error) {
	return queryHits(ctx, tx, `SELECT `+columns+`, score FROM (
			SELECT pid, nk, word_similarity(@key, nk)::float8 AS score, similarity(@key, nk) AS sim
			FROM (`+candidates+`) c
			ORDER BY score DESC, sim DESC, nk, pid LIMIT @limit) n
		JOIN people p ON p.tenant_id = @tenant AND p.id = n.pid
		ORDER BY score DESC, sim DESC, nk, pid`, args)
}

// queryHits runs a query selecting columns and a score. It is planned for
// its arguments each time (an unnamed statement): a plan cached for any
// arguments reads the whole ente where the arguments' ranges bound the scan.
func queryHits(ctx context.Context, tx pgx.Tx, sql string, args pgx.NamedArgs) ([]Hit, error) {
	rows, err := tx.Query(ctx, sql, pgx.QueryExecModeExec, args)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		p, err := scanPerson(rows, &h.Score)
		if err != nil {
			return nil, err
		}
		h.Person = *p
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// Duplicate thresholds: a similar name with the same birth date, or a very
// similar one with the same birth year, is probably the same person.
const (
	dupSameDate = 0.5
	dupSameYear = 0.7
)

// duplicates returns the live records that are probably p: the same tax code,
// or a similar name born the same day or year. except is left out (the record
// being edited).
func duplicates(ctx context.Context, tx pgx.Tx, p *Person, except uuid.UUID) ([]Candidate, error) {
	var taxCode *string
	if p.TaxCode != "" {
		taxCode = &p.TaxCode
	}
	y := p.BirthDate.Year
	rows, err := tx.Query(ctx, `SELECT * FROM (
			SELECT `+columns+`,
				CASE WHEN tax_code = @tax_code THEN 'tax_code'
				     WHEN birth_date = @birth_date THEN 'name_birth_date'
				     ELSE 'name_birth_year' END AS reason,
				similarity(name_key, @key)::float8 AS score
			FROM people
			WHERE merged_into IS NULL AND id <> @except
			  AND (tax_code = @tax_code OR (birth_date >= @from AND birth_date < @to))) c
		WHERE reason = 'tax_code'
		   OR (reason = 'name_birth_date' AND score >= @same_date)
		   OR score >= @same_year
		ORDER BY reason = 'tax_code' DESC, score DESC LIMIT 10`,
		pgx.NamedArgs{"tax_code": taxCode, "birth_date": p.BirthDate.Time(), "key": nameKey(p.LastName, p.FirstName),
			"except": except, "from": Date{Year: y, Month: 1, Day: 1}.Time(), "to": Date{Year: y + 1, Month: 1, Day: 1}.Time(),
			"same_date": dupSameDate, "same_year": dupSameYear})
	if err != nil {
		return nil, fmt.Errorf("duplicates: %w", err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		p, err := scanPerson(rows, &c.Reason, &c.Score)
		if err != nil {
			return nil, fmt.Errorf("duplicates: %w", err)
		}
		c.Person = *p
		out = append(out, c)
	}
	return out, rows.Err()
}
