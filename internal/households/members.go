package households

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/people"
)

// AddMember adds a person to a household and writes household.member_added.
// A person already living in another household (a cohabiting membership that
// overlaps) is refused on the cohabiting field, naming that household; so is
// a second head of household, or the same person twice at once.
func (s *Service) AddMember(ctx context.Context, tenant, household uuid.UUID, in MemberInput, by Actor) (*Member, error) {
	if err := in.check(s.today()); err != nil {
		return nil, fmt.Errorf("households.AddMember(%s, %s, %s): %w", tenant, household, in.PersonID, err)
	}
	var m *Member
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM households WHERE id = $1 FOR UPDATE`, household).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if m, err = addMember(ctx, tx, tenant, household, in, by); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE households SET updated_at = now() WHERE id = $1`, household)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("households.AddMember(%s, %s, %s): %w", tenant, household, in.PersonID, err)
	}
	return m, nil
}

// check checks and completes in: From defaults to today.
func (in *MemberInput) check(today people.Date) error {
	var fe fieldErrors
	if in.PersonID == uuid.Nil {
		fe.add("person_id", "scegliere la persona")
	}
	if !known(Relationships, in.Relationship) {
		fe.add("relationship", "scegliere la relazione con l'intestatario")
	}
	if in.From.IsZero() {
		in.From = today
	}
	if !in.To.IsZero() && in.To.Time().Before(in.From.Time()) {
		fe.add("to", "la data di fine precede quella di inizio")
	}
	return fe.err()
}

// addMember inserts a checked membership in tx, with its audit event.
func addMember(ctx context.Context, tx pgx.Tx, tenant, household uuid.UUID, in MemberInput, by Actor) (*Member, error) {
	name, err := personName(ctx, tx, in.PersonID)
	if err != nil {
		return nil, err
	}
	var to *time.Time
	if !in.To.IsZero() {
		t := in.To.Time()
		to = &t
	}
	// The friendly checks first; the exclusion constraints stay the rule.
	var clash string
	err = tx.QueryRow(ctx, `SELECT h.name FROM household_members m
		JOIN households h ON h.tenant_id = m.tenant_id AND h.id = m.household_id
		WHERE m.person_id = $1 AND m.household_id <> $2 AND m.cohabiting AND $3
		  AND daterange(m.valid_from, m.valid_to) && daterange($4::date, $5::date) LIMIT 1`,
		in.PersonID, household, in.Cohabiting, in.From.Time(), to).Scan(&clash)
	if err == nil {
		return nil, invalid("cohabiting", fmt.Sprintf("«%s» convive già nel nucleo «%s»: chiudere prima quella appartenenza", name, clash))
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM household_members
		WHERE household_id = $1 AND person_id = $2 AND daterange(valid_from, valid_to) && daterange($3::date, $4::date)`,
		household, in.PersonID, in.From.Time(), to).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, invalid("person_id", name+" fa già parte di questo nucleo")
	}
	var heads int
	if in.Relationship == Head {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM household_members WHERE household_id = $1 AND relationship = 'head'
			AND daterange(valid_from, valid_to) && daterange($2::date, $3::date)`, household, in.From.Time(), to).Scan(&heads); err != nil {
			return nil, err
		}
	}
	if heads > 0 {
		return nil, invalid("relationship", "il nucleo ha già un intestatario")
	}
	m := Member{PersonID: in.PersonID, Name: name, Relationship: in.Relationship, Cohabiting: in.Cohabiting, From: in.From, To: in.To}
	err = tx.QueryRow(ctx, `INSERT INTO household_members (tenant_id, household_id, person_id, relationship, cohabiting, valid_from, valid_to, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, coalesce((SELECT tax_code FROM people WHERE id = $3), '')`,
		tenant, household, in.PersonID, in.Relationship, in.Cohabiting, in.From.Time(), to, nilIfZero(by.ID)).Scan(&m.ID, &m.TaxCode)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23P01" { // a concurrent request won the race
			if pgErr.ConstraintName == "household_members_one_cohabiting" {
				return nil, invalid("cohabiting", name+" convive già in un altro nucleo")
			}
			return nil, invalid("person_id", name+" fa già parte di questo nucleo")
		}
		return nil, err
	}
	details := map[string]any{"member_id": m.ID.String(), "person_id": m.PersonID.String(), "relationship": m.Relationship,
		"cohabiting": m.Cohabiting, "from": m.From.String()}
	if !m.To.IsZero() {
		details["to"] = m.To.String()
	}
	if err := audit.Write(ctx, tx, tenant, event("household.member_added", household, by, details)); err != nil {
		return nil, err
	}
	return &m, nil
}

// EndMember ends a current membership on day to (the person is no longer a
// member from that day) and writes household.member_ended. The membership
// stays in the household's history.
func (s *Service) EndMember(ctx context.Context, tenant, household, member uuid.UUID, to people.Date, by Actor) (*Member, error) {
	if to.IsZero() {
		to = s.today()
	}
	var m *Member
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		ms, err := members(ctx, tx, `m.household_id = $1 AND m.id = $2`, household, member)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return fmt.Errorf("%w: componente non trovato", ErrNotFound)
		}
		m = &ms[0].Member
		switch {
		case !m.To.IsZero():
			return invalid("to", "l'appartenenza è già chiusa")
		case to.Time().Before(m.From.Time()):
			return invalid("to", "la data di fine precede quella di inizio ("+m.From.String()+")")
		}
		if _, err := tx.Exec(ctx, `UPDATE household_members SET valid_to = $2, ended_by = $3, ended_at = now() WHERE id = $1`,
			member, to.Time(), nilIfZero(by.ID)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE households SET updated_at = now() WHERE id = $1`, household); err != nil {
			return err
		}
		m.To = to
		return audit.Write(ctx, tx, tenant, event("household.member_ended", household, by, map[string]any{
			"member_id": member.String(), "person_id": m.PersonID.String(), "to": to.String()}))
	})
	if err != nil {
		return nil, fmt.Errorf("households.EndMember(%s, %s, %s): %w", tenant, household, member, err)
	}
	return m, nil
}

// memberRow is a Member with its household.
type memberRow struct {
	Member
	householdID uuid.UUID
}

// members reads the memberships matching where (on alias m), oldest first.
func members(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]memberRow, error) {
	rows, err := tx.Query(ctx, `SELECT m.id, m.household_id, m.person_id, p.last_name || ' ' || p.first_name, coalesce(p.tax_code, ''),
			m.relationship, m.cohabiting, m.valid_from, m.valid_to
		FROM household_members m JOIN people p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
		WHERE `+where+` ORDER BY m.valid_from, m.created_at, m.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	defer rows.Close()
	out := []memberRow{}
	for rows.Next() {
		var (
			r    memberRow
			from time.Time
			to   *time.Time
		)
		if err := rows.Scan(&r.ID, &r.householdID, &r.PersonID, &r.Name, &r.TaxCode, &r.Relationship, &r.Cohabiting, &from, &to); err != nil {
			return nil, fmt.Errorf("members: %w", err)
		}
		r.From = people.DateOf(from)
		if to != nil {
			r.To = people.DateOf(*to)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Candidate is a person found to add to a household, with the household they
// live in now, if any.
type Candidate struct {
	people.Hit
	// LivesIn is the name of the household the person currently cohabits in.
	LivesIn   string     `json:"lives_in,omitempty"`
	LivesInID *uuid.UUID `json:"lives_in_id,omitempty"`
}

// Candidates searches the registry (people.Search) for people to add, and
// tells which of them already live in a household.
func (s *Service) Candidates(ctx context.Context, tenant uuid.UUID, text string) ([]Candidate, error) {
	hits, err := s.people.Search(ctx, tenant, people.Query{Text: text, Limit: 10})
	if err != nil {
		return nil, fmt.Errorf("households.Candidates(%s, %q): %w", tenant, text, err)
	}
	out := make([]Candidate, len(hits))
	ids := make([]uuid.UUID, len(hits))
	for i, h := range hits {
		out[i].Hit, ids[i] = h, h.Person.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	today := s.today().Time()
	err = s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT m.person_id, h.id, h.name FROM household_members m
			JOIN households h ON h.tenant_id = m.tenant_id AND h.id = m.household_id
			WHERE m.person_id = ANY($1) AND m.cohabiting AND daterange(m.valid_from, m.valid_to) @> $2::date`, ids, today)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var person, id uuid.UUID
			var name string
			if err := rows.Scan(&person, &id, &name); err != nil {
				return err
			}
			for i := range out {
				if out[i].Person.ID == person {
					out[i].LivesIn, out[i].LivesInID = name, &id
				}
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("households.Candidates(%s, %q): %w", tenant, text, err)
	}
	return out, nil
}
