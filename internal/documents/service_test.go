package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/authz"
	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/casefile/casefiletest"
	"github.com/sigess/sigess/internal/derrors"
)

var (
	worker = casefile.Viewer{ID: uuid.New(), Email: "sw@comune.it", IP: "192.0.2.1",
		Perms: map[string]bool{authz.PermPeopleRead: true, authz.PermPeopleWrite: true, authz.PermReservedRead: true}}
	reader = casefile.Viewer{ID: uuid.New(), Email: "coord@comune.it", Perms: map[string]bool{authz.PermPeopleRead: true}}
	intake = casefile.Viewer{ID: uuid.New(), Email: "pua@comune.it", Perms: map[string]bool{}}
	grants = casefiletest.Grants{
		worker.ID: {Exists: true, Content: true, Reserved: true, Diary: true, Write: true},
		reader.ID: {Exists: true, Content: true, Diary: true},
		intake.ID: {Exists: true},
	}
)

func newService(t *testing.T, max int64) *Service {
	st, err := NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return NewService(pg.DB, st, grants, max)
}

func TestUploadSniffsAndKeepsHash(t *testing.T) {
	ctx := context.Background()
	tenant := pg.NewTenant(t)
	c := pg.NewCase(t, tenant)
	s := newService(t, 1<<20)
	body := append(append([]byte{}, pngBytes...), bytes.Repeat([]byte{7}, 20000)...)
	d, err := s.Upload(ctx, tenant, Upload{CaseID: &c, Kind: "report", Title: " Relazione  ", Filename: `C:\tmp\relazione.pdf`,
		Body: bytes.NewReader(body)}, worker)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	want := Document{ID: d.ID, CaseID: &c, Kind: "report", Title: "Relazione", Filename: "relazione.pdf",
		ContentType: TypePNG, Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:]), UploadedBy: worker.ID, UploadedAt: d.UploadedAt}
	if diff := cmp.Diff(&want, d); diff != "" {
		t.Errorf("Upload (-want +got):\n%s", diff)
	}
	got, rc, err := s.Open(ctx, tenant, d.ID, reader)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(b, body) || got.SHA256 != want.SHA256 {
		t.Errorf("Open gave %d bytes; want the %d uploaded", len(b), len(body))
	}
	if _, err := s.Withdraw(ctx, tenant, d.ID, worker); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, tenant, d.ID, worker); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("Open(withdrawn) = %v; want conflict", err)
	}
	ds, err := s.ListCase(ctx, tenant, c, reader)
	if err != nil || len(ds) != 1 || ds[0].WithdrawnAt == nil {
		t.Errorf("ListCase = %+v, %v; want the withdrawn document listed as such", ds, err)
	}
	wantTrail := []string{"document.uploaded", "document.downloaded", "document.withdrawn", "document.listed"}
	if diff := cmp.Diff(wantTrail, pg.Trail(t, tenant, "case", c)); diff != "" {
		t.Errorf("audit trail (-want +got):\n%s", diff)
	}
}

func TestUploadRefused(t *testing.T) {
	ctx := context.Background()
	tenant, other := pg.NewTenant(t), pg.NewTenant(t)
	c, elsewhere := pg.NewCase(t, tenant), pg.NewCase(t, other)
	s := newService(t, 1000)
	pdf := func() io.Reader { return strings.NewReader("%PDF-1.4\nrelazione") }
	for _, tc := range []struct {
		name   string
		in     Upload
		v      casefile.Viewer
		want   error
		fields []FieldError
	}{
		{"exe", Upload{CaseID: &c, Filename: "setup.pdf", Body: strings.NewReader("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")}, worker,
			derrors.ErrInvalid, []FieldError{{"file", "tipo di file non ammesso: sono accettati PDF, PNG, JPEG, testo, ODT, ODS, DOCX e XLSX"}}},
		{"too large", Upload{CaseID: &c, Filename: "a.pdf", Body: io.MultiReader(pdf(), bytes.NewReader(make([]byte, 1000)))}, worker,
			ErrTooLarge, []FieldError{{"file", "il file supera il limite di 1000 byte"}}},
		{"empty", Upload{CaseID: &c, Filename: "a.pdf", Body: strings.NewReader("")}, worker,
			derrors.ErrInvalid, []FieldError{{"file", "il file è vuoto"}}},
		{"neither case nor person", Upload{Filename: "a.pdf", Kind: "nonsense", Body: pdf()}, worker,
			derrors.ErrInvalid, []FieldError{{"case_id", "indicare il caso oppure la persona (uno solo dei due)"}, {"kind", "scegliere il tipo di documento"}}},
		{"reader uploads", Upload{CaseID: &c, Filename: "a.pdf", Body: pdf()}, reader, derrors.ErrForbidden, nil},
		{"reserved without reserved access", Upload{PersonID: &c, Reserved: true, Filename: "a.pdf", Body: pdf()},
			casefile.Viewer{ID: uuid.New(), Perms: map[string]bool{authz.PermPeopleRead: true, authz.PermPeopleWrite: true}}, derrors.ErrForbidden, nil},
		{"person without people:write", Upload{PersonID: &c, Filename: "a.pdf", Body: pdf()}, reader, derrors.ErrForbidden, nil},
		{"case of another ente", Upload{CaseID: &elsewhere, Filename: "a.pdf", Body: pdf()}, worker, derrors.ErrNotFound, nil},
		{"person of another ente", Upload{PersonID: &elsewhere, Filename: "a.pdf", Body: pdf()}, worker, derrors.ErrNotFound, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Upload(ctx, tenant, tc.in, tc.v)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Upload = %v; want %v", err, tc.want)
			}
			if diff := cmp.Diff(tc.fields, Fields(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	if n := count(t, tenant); n != 0 {
		t.Errorf("after the refusals the ente has %d documents; want 0", n)
	}
}

func TestVisibility(t *testing.T) {
	ctx := context.Background()
	tenant, other := pg.NewTenant(t), pg.NewTenant(t)
	c := pg.NewCase(t, tenant)
	s := newService(t, 0)
	up := func(in Upload) *Document {
		t.Helper()
		in.Filename, in.Body = "nota.txt", strings.NewReader("Nota del servizio\n")
		d, err := s.Upload(ctx, tenant, in, worker)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	open, reserved := up(Upload{CaseID: &c}), up(Upload{CaseID: &c, Reserved: true})
	onPerson, reservedOnPerson := up(Upload{PersonID: &c}), up(Upload{PersonID: &c, Reserved: true})
	if open.ContentType != TypeText {
		t.Errorf("a text file is %q; want %q", open.ContentType, TypeText)
	}
	titles := func(ds []Document) []uuid.UUID {
		var out []uuid.UUID
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		list func() ([]Document, error)
		want []uuid.UUID
		err  error
	}{
		{"case, all", func() ([]Document, error) { return s.ListCase(ctx, tenant, c, worker) }, []uuid.UUID{reserved.ID, open.ID}, nil},
		{"case, no reserved", func() ([]Document, error) { return s.ListCase(ctx, tenant, c, reader) }, []uuid.UUID{open.ID}, nil},
		{"case, intake", func() ([]Document, error) { return s.ListCase(ctx, tenant, c, intake) }, nil, derrors.ErrForbidden},
		{"person, all", func() ([]Document, error) { return s.ListPerson(ctx, tenant, c, worker) }, []uuid.UUID{reservedOnPerson.ID, onPerson.ID}, nil},
		{"person, no reserved", func() ([]Document, error) { return s.ListPerson(ctx, tenant, c, reader) }, []uuid.UUID{onPerson.ID}, nil},
		{"person, no people:read", func() ([]Document, error) { return s.ListPerson(ctx, tenant, c, intake) }, nil, derrors.ErrNotFound},
		{"case from another ente", func() ([]Document, error) { return s.ListCase(ctx, other, c, worker) }, nil, derrors.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := tc.list()
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v; want %v", err, tc.err)
			}
			if diff := cmp.Diff(tc.want, titles(ds)); diff != "" {
				t.Errorf("documents (-want +got):\n%s", diff)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		tenant uuid.UUID
		id     uuid.UUID
		v      casefile.Viewer
	}{
		{"reserved on a case", tenant, reserved.ID, reader},
		{"reserved on a person", tenant, reservedOnPerson.ID, reader},
		{"case document, intake", tenant, open.ID, intake},
		{"from another ente", other, open.ID, worker},
	} {
		t.Run("get "+tc.name, func(t *testing.T) {
			if _, err := s.Get(ctx, tc.tenant, tc.id, tc.v); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("Get = %v; want not found", err)
			}
			if _, _, err := s.Open(ctx, tc.tenant, tc.id, tc.v); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("Open = %v; want not found", err)
			}
		})
	}
	if got := pg.Trail(t, tenant, "person", c); !cmp.Equal(got, []string{"document.uploaded", "document.uploaded", "document.listed", "document.listed"}) {
		t.Errorf("person's trail = %v", got)
	}
}
