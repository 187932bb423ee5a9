package assessment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sigess/sigess/internal/audit"
	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/db"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

// Service is the assessments of every ente's cases.
type Service struct {
	db    *db.DB
	cases Cases
	now   func() time.Time
}

// NewService returns the assessments over d; cases decides who may read and
// write each case's.
func NewService(d *db.DB, cases Cases) *Service {
	return &Service{db: d, cases: cases, now: time.Now}
}

// readable asks the case file what v may do with caseID: a case v may not
// know of is not found, one whose content v may not read is forbidden.
func (s *Service) readable(ctx context.Context, tx pgx.Tx, tenant, caseID uuid.UUID, v casefile.Viewer) (casefile.Access, error) {
	return casefile.ReadableAccess(ctx, s.cases, tx, tenant, caseID, v, ErrNoContent)
}

// List returns the case's subject and its assessments, latest first, and
// writes assessment.listed.
func (s *Service) List(ctx context.Context, tenant, caseID uuid.UUID, v casefile.Viewer) (*Subject, []Assessment, error) {
	var subj *Subject
	var out []Assessment
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		if _, err := s.readable(ctx, tx, tenant, caseID, v); err != nil {
			return err
		}
		var err error
		if subj, err = s.subject(ctx, tx, caseID); err != nil {
			return err
		}
		if out, err = query(ctx, tx, `a.case_id = $1 ORDER BY a.seq DESC`, caseID); err != nil {
			return err
		}
		return audit.Write(ctx, tx, tenant, event("assessment.listed", caseID, v, map[string]any{"count": len(out)}))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("assessment.List(%s, case %s): %w", tenant, caseID, err)
	}
	return subj, out, nil
}

// Get returns one assessment, found by its id alone, and writes
// assessment.viewed on its case.
func (s *Service) Get(ctx context.Context, tenant, id uuid.UUID, v casefile.Viewer) (*Assessment, error) {
	var a *Assessment
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		var caseID uuid.UUID
		err := tx.QueryRow(ctx, `SELECT case_id FROM assessments WHERE id = $1`, id).Scan(&caseID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := s.readable(ctx, tx, tenant, caseID, v); err != nil {
			if errors.Is(err, derrors.ErrNotFound) {
				return ErrNotFound
			}
			return err
		}
		as, err := query(ctx, tx, `a.id = $1`, id)
		if err != nil {
			return err
		}
		a = &as[0]
		return audit.Write(ctx, tx, tenant, event("assessment.viewed", caseID, v, map[string]any{"assessment_id": id.String()}))
	})
	if err != nil {
		return nil, fmt.Errorf("assessment.Get(%s, %s): %w", tenant, id, err)
	}
	return a, nil
}

// Latest returns the case's latest assessment, or nil when it has none, in
// the caller's transaction (scoped to the case's tenant): the SIUSS flows read
// it when they are built. It asks no one's permission and writes no trail:
// the caller does both.
func Latest(ctx context.Context, tx pgx.Tx, caseID uuid.UUID) (*Assessment, error) {
	as, err := query(ctx, tx, `a.case_id = $1 ORDER BY a.seq DESC LIMIT 1`, caseID)
	if err != nil {
		return nil, fmt.Errorf("assessment.Latest(case %s): %w", caseID, err)
	}
	if len(as) == 0 {
		return nil, nil
	}
	return &as[0], nil
}

// Create writes a new assessment of the case's person, superseding the
// latest, and assessment.added, all or nothing. SINBA data is accepted for a
// minor only.
func (s *Service) Create(ctx context.Context, tenant, caseID uuid.UUID, in Input, v casefile.Viewer) (*Assessment, error) {
	today := people.DateOf(s.now().In(rome))
	fe := in.check(today)
	var a *Assessment
	err := s.db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
		acc, err := s.readable(ctx, tx, tenant, caseID, v)
		if err != nil {
			return err
		}
		if !acc.Write || !v.Perms[authz.PermAssessmentsWrite] {
			return ErrNoWrite
		}
		subj, err := s.subject(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if in.SINBA != nil && !in.AssessedOn.IsZero() && !minorOn(subj.BirthDate, in.AssessedOn) {
			fe = append(fe, FieldError{Field: "sinba", Message: "i dati SINBA si registrano solo per i minorenni"})
		}
		if len(fe) > 0 {
			return &derrors.Invalid{Fields: fe}
		}
		// Assessments of one case take turns: the next number is read after
		// the lock.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 12))`, caseID.String()); err != nil {
			return err
		}
		var sinba []byte
		if in.SINBA != nil {
			if sinba, err = json.Marshal(in.SINBA); err != nil {
				return err
			}
		}
		x := in.SINA
		var id uuid.UUID
		var seq int
		err = tx.QueryRow(ctx, `INSERT INTO assessments (tenant_id, case_id, person_id, seq, assessed_on, mobility, daily_living,
				cognitive, behavioural, health_care, income, support, source, instrument, instrument_other, civil_invalidity,
				invalidity_source, sinba, notes, author_id)
			VALUES ($1, $2, $3, (SELECT coalesce(max(seq), 0) + 1 FROM assessments WHERE case_id = $2), $4, $5, $6,
				nullif($7, 0), $8, nullif($9, 0), $10, $11, $12, $13, $14, $15, nullif($16, 0), $17, $18, $19)
			RETURNING id, seq`,
			tenant, caseID, subj.PersonID, in.AssessedOn.Time(), x.Mobility, x.DailyLiving, x.Cognitive, x.Behavioural,
			x.HealthCare, x.Income, x.Support, x.Source, x.Instrument, x.InstrumentOther, x.CivilInvalidity,
			x.InvaliditySource, sinba, in.Notes, v.ID).Scan(&id, &seq)
		if err != nil {
			return err
		}
		as, err := query(ctx, tx, `a.id = $1`, id)
		if err != nil {
			return err
		}
		a = &as[0]
		return audit.Write(ctx, tx, tenant, event("assessment.added", caseID, v, map[string]any{
			"assessment_id": id.String(), "seq": seq, "sinba": in.SINBA != nil}))
	})
	if err != nil {
		return nil, fmt.Errorf("assessment.Create(%s, case %s): %w", tenant, caseID, err)
	}
	return a, nil
}

// check trims the input and returns the errors of its fields; a zero
// AssessedOn becomes today.
func (in *Input) check(today people.Date) []FieldError {
	var fe []FieldError
	switch {
	case in.AssessedOn.IsZero():
		in.AssessedOn = today
	case in.AssessedOn.Time().After(today.Time()):
		fe = append(fe, FieldError{Field: "assessed_on", Message: "la data non può essere nel futuro"})
	case in.AssessedOn.Year < 1900:
		fe = append(fe, FieldError{Field: "assessed_on", Message: "data non valida"})
	}
	x := &in.SINA
	for _, d := range Dimensions {
		switch n := x.Value(d.Field); {
		case n == 0 && d.Required:
			fe = append(fe, FieldError{Field: d.Field, Message: "scegliere un livello"})
		case n < 0 || n > d.Levels:
			fe = append(fe, FieldError{Field: d.Field, Message: fmt.Sprintf("il livello va da 1 a %d", d.Levels)})
		}
	}
	if x.Source < 1 || x.Source > Sources {
		fe = append(fe, FieldError{Field: "source", Message: "scegliere la fonte della valutazione"})
	}
	x.InstrumentOther = strings.TrimSpace(x.InstrumentOther)
	switch {
	case x.Instrument < 1 || x.Instrument > Instruments:
		fe = append(fe, FieldError{Field: "instrument", Message: "scegliere lo strumento di valutazione"})
	case x.Instrument == InstrumentOther && x.InstrumentOther == "":
		fe = append(fe, FieldError{Field: "instrument_other", Message: "indicare quale altro strumento"})
	case x.Instrument != InstrumentOther:
		x.InstrumentOther = ""
	}
	if len([]rune(x.InstrumentOther)) > maxInstrumentOther {
		fe = append(fe, FieldError{Field: "instrument_other", Message: fmt.Sprintf("al massimo %d caratteri", maxInstrumentOther)})
	}
	seen := map[int]bool{}
	inv := make([]int, 0, len(x.CivilInvalidity))
	for _, c := range x.CivilInvalidity {
		if c < 1 || c > CivilInvalidities {
			fe = append(fe, FieldError{Field: "civil_invalidity", Message: "certificazione non prevista"})
			break
		}
		if !seen[c] {
			seen[c] = true
			inv = append(inv, c)
		}
	}
	x.CivilInvalidity = inv
	switch {
	case x.InvaliditySource < 0 || x.InvaliditySource > InvaliditySources:
		fe = append(fe, FieldError{Field: "invalidity_source", Message: "fonte non prevista"})
	case len(inv) > 0 && x.InvaliditySource == 0:
		fe = append(fe, FieldError{Field: "invalidity_source", Message: "indicare da dove risulta l'invalidità"})
	case len(inv) == 0:
		x.InvaliditySource = 0
	}
	in.Notes = strings.TrimSpace(in.Notes)
	if len([]rune(in.Notes)) > maxNotes {
		fe = append(fe, FieldError{Field: "notes", Message: fmt.Sprintf("il testo è troppo lungo (al massimo %d caratteri)", maxNotes)})
	}
	if in.SINBA != nil {
		fe = append(fe, in.SINBA.check()...)
	}
	return fe
}

// subject reads the case's number and person.
func (s *Service) subject(ctx context.Context, tx pgx.Tx, caseID uuid.UUID) (*Subject, error) {
	subj := Subject{CaseID: caseID}
	var birth time.Time
	err := tx.QueryRow(ctx, `SELECT c.number, p.id, p.last_name || ' ' || p.first_name, p.birth_date
		FROM cases c JOIN people p ON p.tenant_id = c.tenant_id AND p.id = c.person_id WHERE c.id = $1`, caseID).
		Scan(&subj.CaseNumber, &subj.PersonID, &subj.PersonName, &birth)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	subj.BirthDate = people.DateOf(birth)
	subj.Minor = minorOn(subj.BirthDate, people.DateOf(s.now().In(rome)))
	return &subj, nil
}

// query reads assessments under a condition on a (assessments) with $1.
func query(ctx context.Context, tx pgx.Tx, where string, arg any) ([]Assessment, error) {
	rows, err := tx.Query(ctx, `SELECT a.id, a.case_id, a.person_id, a.seq, a.assessed_on, a.mobility, a.daily_living,
			coalesce(a.cognitive, 0), a.behavioural, coalesce(a.health_care, 0), a.income, a.support, a.source, a.instrument,
			a.instrument_other, a.civil_invalidity, coalesce(a.invalidity_source, 0), a.sinba, a.notes, a.author_id,
			coalesce(o.name, ''), a.created_at
		FROM assessments a LEFT JOIN operators o ON o.id = a.author_id
		WHERE `+where, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Assessment
	for rows.Next() {
		var a Assessment
		var on time.Time
		var mob, daily, cog, beh, health, inc, sup, src, ins, invSrc int16
		var inv []int16
		var sinba []byte
		if err := rows.Scan(&a.ID, &a.CaseID, &a.PersonID, &a.Seq, &on, &mob, &daily, &cog, &beh, &health, &inc, &sup,
			&src, &ins, &a.SINA.InstrumentOther, &inv, &invSrc, &sinba, &a.Notes, &a.AuthorID, &a.AuthorName, &a.CreatedAt); err != nil {
			return nil, err
		}
		a.AssessedOn = people.DateOf(on)
		a.SINA.Mobility, a.SINA.DailyLiving, a.SINA.Cognitive, a.SINA.Behavioural = int(mob), int(daily), int(cog), int(beh)
		a.SINA.HealthCare, a.SINA.Income, a.SINA.Support = int(health), int(inc), int(sup)
		a.SINA.Source, a.SINA.Instrument, a.SINA.InvaliditySource = int(src), int(ins), int(invSrc)
		a.SINA.CivilInvalidity = make([]int, len(inv))
		for i, c := range inv {
			a.SINA.CivilInvalidity[i] = int(c)
		}
		if sinba != nil {
			a.SINBA = &SINBA{}
			if err := json.Unmarshal(sinba, a.SINBA); err != nil {
				return nil, fmt.Errorf("assessment %s: sinba: %w", a.ID, err)
			}
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// event is an audit event about a case's assessments: the object is the case,
// so that "who looked at this case" lists them too.
func event(action string, caseID uuid.UUID, v casefile.Viewer, details map[string]any) audit.Event {
	return audit.Event{Action: action, ActorID: v.ID, Actor: v.Email, IP: v.IP,
		ObjectType: "case", ObjectID: caseID.String(), Details: details}
}

// rome is the time zone "today" is taken in.
var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()
