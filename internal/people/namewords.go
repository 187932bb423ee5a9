package people

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// The search by name without a birth year goes through the words of the
// ente's names (person_name_words, migration 0010): each word typed finds the
// registry's words within one dropped letter of it on either side (a letter
// dropped, doubled, swapped or wrong), and the people whose name starts with
// those words, in any order of the typed words, are read from the name index
// (people_name_prefix). Everything is btree equality or range, which row-level
// security leaves to the index; see docs/design.md.
const (
	// maxNameWords is the most words a name search expands; longer queries
	// go to the trigram ordering.
	maxNameWords = 4
	// maxPrefixes bounds the name prefixes looked up per search.
	maxPrefixes = 400
	// perPrefix bounds the people read per prefix ("ROSSI" alone starts
	// thousands of names); they are scored before the best are kept.
	perPrefix = 1000
)

// wordVariants is w and, when w is longer than three letters, w with each one
// letter dropped: name_word_variants in SQL.
func wordVariants(w string) []string {
	out := []string{w}
	if len(w) <= 3 {
		return out
	}
	for i := range len(w) {
		v := w[:i] + w[i+1:]
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// nameCandidates returns, for each word of the query, the registry's words it
// may be, closest first, at most per words each.
func nameCandidates(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, words []string, per int) ([][]string, error) {
	var variants []string
	for _, w := range words {
		variants = append(variants, wordVariants(w)...)
	}
	rows, err := tx.Query(ctx, `SELECT variant, word FROM person_name_words WHERE tenant_id = $1 AND variant = ANY($2)`,
		tenant, variants)
	if err != nil {
		return nil, fmt.Errorf("name words: %w", err)
	}
	type pair struct{ Variant, Word string }
	found, err := pgx.CollectRows(rows, pgx.RowToStructByPos[pair])
	if err != nil {
		return nil, fmt.Errorf("name words: %w", err)
	}
	out := make([][]string, len(words))
	for i, w := range words {
		vs := wordVariants(w)
		var cands []string
		for _, f := range found {
			if slices.Contains(vs, f.Variant) && !slices.Contains(cands, f.Word) {
				cands = append(cands, f.Word)
			}
		}
		slices.SortFunc(cands, func(a, b string) int {
			return cmp.Or(cmp.Compare(editDistance(w, a), editDistance(w, b)), cmp.Compare(a, b))
		})
		out[i] = cands[:min(len(cands), per)]
	}
	return out, nil
}

// namePrefixes returns the starts of names to look for: the candidate words
// of every order of the typed words, best first, at most maxPrefixes. The
// last typed word, last in an order, is also taken as typed, as the start of
// a word ("Rossi Mar").
func namePrefixes(typed []string, cands [][]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, order := range permutations(len(cands)) {
		var walk func(i int, prefix []string)
		walk = func(i int, prefix []string) {
			if len(out) >= maxPrefixes {
				return
			}
			if i == len(order) {
				if p := strings.Join(prefix, " "); !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
				return
			}
			words := cands[order[i]]
			if last := len(typed) - 1; i == last && order[i] == last && !slices.Contains(words, typed[last]) {
				words = append(slices.Clip(words), typed[last])
			}
			for _, w := range words {
				walk(i+1, append(slices.Clip(prefix), w))
			}
		}
		walk(0, nil)
	}
	return out
}

// permutations returns every order of 0..n-1, the identity first.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := len(p); i >= 0; i-- {
			q := slices.Insert(slices.Clone(p), i, n-1)
			out = append(out, q)
		}
	}
	return out
}

// editDistance is the Levenshtein distance between two upper-case ASCII words.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// searchByWords finds the people whose name the words of key may be, best
// first: first the names that start with the words in some order ("ROSSI
// MARIA" for "Maria Rosi"), then, if there are none, the names whose first
// word is one of them and which hold the others anywhere (a second name: "DE
// LUCA MARIA GRAZIA" for "De Luca Grazia"). Only the first maxNameWords words
// count.
func searchByWords(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, key string, limit int) ([]Hit, error) {
	words := strings.Fields(key)
	words = words[:min(len(words), maxNameWords)]
	cands, err := nameCandidates(ctx, tx, tenant, words, []int{6, 6, 3, 2}[len(words)-1])
	if err != nil {
		return nil, err
	}
	// The ranges' bounds are computed here: under row-level security an
	// expression such as p || '~' (textcat is not LEAKPROOF) would not bound
	// the index scan, only filter it.
	lo, hi := prefixRanges(namePrefixes(words, cands), "", "~")
	args := pgx.NamedArgs{"tenant": tenant, "key": key, "limit": limit, "per": perPrefix, "lo": lo, "hi": hi}
	hits, err := scoredNames(ctx, tx, `SELECT DISTINCT m.id AS pid, m.name_key AS nk
		FROM unnest(@lo::text[], @hi::text[]) AS pre (lo, hi)
		CROSS JOIN LATERAL (SELECT id, name_key FROM people
			WHERE tenant_id = @tenant AND merged_into IS NULL
			  AND name_key COLLATE "C" >= pre.lo AND name_key COLLATE "C" < pre.hi
			ORDER BY name_key COLLATE "C" LIMIT @per) m`, args)
	if err != nil || len(hits) > 0 || len(words) == 1 {
		return hits, err
	}
	// Each typed word in turn as the name's first word, the others anywhere
	// in it: one of their candidates each ("MARIA|MARIO"). This reads every
	// name that starts with the first word, so only its closest spellings
	// are taken as first words.
	for first := range words {
		if len(cands[first]) == 0 {
			continue
		}
		// Each other word: one of its candidates, as a whole word after
		// the first ("% MARIA" or "% MARIA %"); LIKE is much cheaper per
		// name than splitting it.
		sql := `SELECT DISTINCT m.id AS pid, m.name_key AS nk
			FROM unnest(@lo::text[], @hi::text[]) AS f (lo, hi)
			CROSS JOIN LATERAL (SELECT id, name_key FROM people
				WHERE tenant_id = @tenant AND merged_into IS NULL
				  AND name_key COLLATE "C" > f.lo AND name_key COLLATE "C" < f.hi`
		for i, c := range cands {
			if i == first {
				continue
			}
			var like []string
			for _, w := range c {
				like = append(like, "% "+w, "% "+w+" %")
			}
			name := fmt.Sprintf("other%d", i)
			args[name] = like
			sql += ` AND name_key LIKE ANY (@` + name + `::text[])`
		}
		args["lo"], args["hi"] = prefixRanges(closest(words[first], cands[first]), " ", " ~")
		more, err := scoredNames(ctx, tx, sql+`) m`, args)
		if err != nil {
			return nil, err
		}
		for _, h := range more {
			if !slices.ContainsFunc(hits, func(o Hit) bool { return o.Person.ID == h.Person.ID }) {
				hits = append(hits, h)
			}
		}
	}
	slices.SortStableFunc(hits, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
	return hits[:min(len(hits), limit)], nil
}

// prefixRanges returns, for each start p, the range [p+lo, p+hi) of names.
func prefixRanges(starts []string, lo, hi string) (los, his []string) {
	for _, p := range starts {
		los, his = append(los, p+lo), append(his, p+hi)
	}
	return los, his
}

// closest returns the candidates (sorted closest first) at the least edit
// distance from w.
func closest(w string, cands []string) []string {
	d := editDistance(w, cands[0])
	n := 1
	for n < len(cands) && editDistance(w, cands[n]) == d {
		n++
	}
	return cands[:n]
}
