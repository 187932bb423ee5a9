package diary

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/casefile"
	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/people"
)

var _ Cases = (*casefile.Service)(nil)

// TestWithCasefile runs the diary on the real case file's access decisions,
// role by role.
func TestWithCasefile(t *testing.T) {
	ctx := context.Background()
	tenant, other := pg.NewTenant(t), pg.NewTenant(t)
	c := pg.NewCase(t, tenant)
	s := NewService(pg.DB, casefile.NewService(pg.DB, people.NewService(pg.DB)))
	perms := func(ps ...string) casefile.Viewer {
		v := casefile.Viewer{ID: uuid.New(), Email: "op@comune.it", Perms: map[string]bool{}}
		for _, p := range ps {
			v.Perms[p] = true
		}
		return v
	}
	sw := perms("cases:read_all", "cases:write", "diary:read", "diary:write")
	if _, err := s.Add(ctx, tenant, c, NewEntry{Kind: "note", Text: "Nota"}, sw); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		tenant uuid.UUID
		v      casefile.Viewer
		want   error
	}{
		{"reader of all cases", tenant, sw, nil},
		{"administrative (no diary:read)", tenant, perms("cases:read_all", "cases:write"), derrors.ErrForbidden},
		{"intake (cases:exists)", tenant, perms("cases:exists", "diary:read"), derrors.ErrForbidden},
		{"nobody", tenant, perms(), derrors.ErrNotFound},
		{"another ente", other, sw, derrors.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.List(ctx, tc.tenant, c, tc.v)
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("List = %v; want %v", err, tc.want)
			}
		})
	}
}
