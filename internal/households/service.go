package households

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/people"
)

// Service is the ente's households over the database.
type Service struct {
	db     *db.DB
	people *people.Service
	now    func() time.Time
}

// NewService returns the households over d; ppl finds the people to add.
//
// It registers with ppl the merge hook that moves a merged person's
// memberships to the kept record, so ppl must be the registry the UI and API
// merge through.
func NewService(d *db.DB, ppl *people.Service) *Service {
	s := &Service{db: d, people: ppl, now: time.Now}
	ppl.OnMerge(s.mergePeople)
	return s
}

// rome is the time zone "today" is taken in.
var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()

func (s *Service) today() people.Date { return people.DateOf(s.now().In(rome)) }

// Create creates a household with its first members and writes
// household.created, all or nothing. Without a name it is "Nucleo" and the
// head's name.
func (s *Service) Create(ctx context.Context, tenant uuid.UUID, in NewHousehold, by Actor) (*Household, error) {
	d := Details{Name: in.Name, Address: in.Address}
	fe := d.check(len(in.Members) > 0)
	heads := 0
	for i := range in.Members {
		if err := in.Members[i].check(s.today()); err != nil {
			for _, f := range Fields(err) {
				fe.add(memberField(len(in.Members), i, f.Field), f.Message)
			}
		}
		if in.Members[i].Relationship == Head {
			heads++
		}
	}
	if heads > 1 {
		fe.add("relationship", "un nucleo ha un solo intestatario")
	}
	if err := fe.err(); err != nil {
		return nil, fmt.Errorf("households.Create(%s, %q): %w", tenant, in.Name, err)
	}
	var id uuid.UUID
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		name := d.Name
		if name == "" {
			head := in.Members[0].PersonID
			for _, m := range in.Members {
				if m.Relationship == Head {
					head = m.PersonID
				}
			}
			n, err := personName(ctx, tx, head)
			if err != nil {
				return err
			}
			name = "Nucleo " + n
		}
		if err := tx.QueryRow(ctx, `INSERT INTO households (tenant_id, name, address, created_by)
			VALUES ($1, $2, $3, $4) RETURNING id`, tenant, name, d.Address, nilIfZero(by.ID)).Scan(&id); err != nil {
			return err
		}
		var ms []string
		for i, m := range in.Members {
			if _, err := addMember(ctx, tx, tenant, id, m, by); err != nil {
				if ve := (*ValidationError)(nil); errors.As(err, &ve) {
					for j := range ve.Fields {
						ve.Fields[j].Field = memberField(len(in.Members), i, ve.Fields[j].Field)
					}
				}
				return err
			}
			ms = append(ms, m.PersonID.String())
		}
		return audit.Write(ctx, tx, tenant, event("household.created", id, by, map[string]any{"name": name, "members": ms}))
	})
	if err != nil {
		return nil, fmt.Errorf("households.Create(%s, %q): %w", tenant, in.Name, err)
	}
	return s.get(ctx, tenant, id)
}

// memberField names a member's field: "person_id" in a form that adds one
// member, "members[2].person_id" in a request that adds several.
func memberField(n, i int, field string) string {
	if n == 1 {
		return field
	}
	return fmt.Sprintf("members[%d].%s", i, field)
}

// Update changes the household's name and address and writes
// household.updated with the fields changed.
func (s *Service) Update(ctx context.Context, tenant, id uuid.UUID, d Details, by Actor) (*Household, error) {
	if err := d.check(false).err(); err != nil {
		return nil, fmt.Errorf("households.Update(%s, %s): %w", tenant, id, err)
	}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var old Details
		err := tx.QueryRow(ctx, `SELECT name, address FROM households WHERE id = $1 FOR UPDATE`, id).Scan(&old.Name, &old.Address)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var changed []string
		if old.Name != d.Name {
			changed = append(changed, "name")
		}
		if old.Address != d.Address {
			changed = append(changed, "address")
		}
		if len(changed) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE households SET name = $2, address = $3, updated_at = now() WHERE id = $1`,
			id, d.Name, d.Address); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("household.updated", id, by, map[string]any{"fields": changed}))
	})
	if err != nil {
		return nil, fmt.Errorf("households.Update(%s, %s): %w", tenant, id, err)
	}
	return s.get(ctx, tenant, id)
}

// check trims d and checks it; the name may be left empty when a head will
// name the household.
func (d *Details) check(nameOptional bool) fieldErrors {
	var fe fieldErrors
	d.Name = strings.Join(strings.Fields(d.Name), " ")
	d.Address = strings.TrimSpace(d.Address)
	switch {
	case d.Name == "" && !nameOptional:
		fe.add("name", "indicare un nome per il nucleo")
	case len([]rune(d.Name)) > 200:
		fe.add("name", "il nome è troppo lungo (al massimo 200 caratteri)")
	}
	if len([]rune(d.Address)) > 300 {
		fe.add("address", "l'indirizzo è troppo lungo (al massimo 300 caratteri)")
	}
	return fe
}

// Get returns the household with id, its members and its ISEE history, and
// writes household.viewed.
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID, by Actor) (*Household, error) {
	var h *Household
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		if h, err = load(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("household.viewed", id, by, nil))
	})
	if err != nil {
		return nil, fmt.Errorf("households.Get(%s, %s): %w", tenant, id, err)
	}
	return h, nil
}

// get reads a household just written: its change was audited already.
func (s *Service) get(ctx context.Context, tenant, id uuid.UUID) (*Household, error) {
	var h *Household
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) (err error) {
		h, err = load(ctx, tx, id)
		return err
	})
	return h, err
}

// load reads a household with its members, oldest first, and its ISEE
// history, newest first.
func load(ctx context.Context, tx pgx.Tx, id uuid.UUID) (*Household, error) {
	h := Household{ID: id, Members: []Member{}, ISEE: []ISEE{}}
	err := tx.QueryRow(ctx, `SELECT name, address, created_at, updated_at FROM households WHERE id = $1`, id).
		Scan(&h.Name, &h.Address, &h.CreatedAt, &h.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	ms, err := members(ctx, tx, `m.household_id = $1`, id)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		h.Members = append(h.Members, m.Member)
	}
	if h.ISEE, err = iseeHistory(ctx, tx, id); err != nil {
		return nil, err
	}
	return &h, nil
}

// List returns the households person belongs or belonged to, current
// memberships first, and writes household.listed.
func (s *Service) List(ctx context.Context, tenant, person uuid.UUID, by Actor) ([]Summary, error) {
	out := []Summary{}
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT h.id, h.name FROM household_members m
			JOIN households h ON h.tenant_id = m.tenant_id AND h.id = m.household_id
			WHERE m.person_id = $1 ORDER BY m.valid_to IS NULL DESC, m.valid_from DESC, m.id`, person)
		if err != nil {
			return err
		}
		for rows.Next() {
			var sm Summary
			if err := rows.Scan(&sm.ID, &sm.Name); err != nil {
				return err
			}
			out = append(out, sm)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		ms, err := members(ctx, tx, `m.person_id = $1`, person)
		if err != nil {
			return err
		}
		// members orders by valid_from; pair them back by household.
		for i := range out {
			for _, m := range ms {
				if m.householdID == out[i].ID && out[i].Member.ID == uuid.Nil {
					out[i].Member = m.Member
				}
			}
		}
		return audit.Write(ctx, tx, tenant, audit.Event{Action: "household.listed", ActorID: by.ID, Actor: by.Email, IP: by.IP,
			ObjectType: "person", ObjectID: person.String(), Details: map[string]any{"count": len(out)}})
	})
	if err != nil {
		return nil, fmt.Errorf("households.List(%s, person %s): %w", tenant, person, err)
	}
	return out, nil
}

// personName is "Surname Name" of a live person, or a field error.
func personName(ctx context.Context, tx pgx.Tx, id uuid.UUID) (string, error) {
	var name string
	var merged bool
	err := tx.QueryRow(ctx, `SELECT last_name || ' ' || first_name, merged_into IS NOT NULL FROM people WHERE id = $1`, id).Scan(&name, &merged)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", invalid("person_id", "persona non trovata")
	case err != nil:
		return "", err
	case merged:
		return "", invalid("person_id", "la scheda della persona è stata unificata con un'altra: aggiungere quella")
	}
	return name, nil
}

// event is an audit event about a household.
func event(action string, id uuid.UUID, by Actor, details map[string]any) audit.Event {
	return audit.Event{Action: action, ActorID: by.ID, Actor: by.Email, IP: by.IP,
		ObjectType: "household", ObjectID: id.String(), Details: details}
}

func nilIfZero(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
