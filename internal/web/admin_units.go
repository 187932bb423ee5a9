package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sigess/sigess/internal/derrors"
	"github.com/sigess/sigess/internal/tenancy"
)

// unitRow is a unit of the list, indented by its depth in the tree.
type unitRow struct {
	tenancy.Unit
	Depth  int
	Indent string // shows the depth in a list
	Parent string // the parent's name
}

// unitRows flattens the unit tree depth first, parents before children.
func unitRows(units []tenancy.Unit) []unitRow {
	names := map[string]string{}
	for _, u := range units {
		names[u.Code] = u.Name
	}
	var out []unitRow
	var walk func(ns []*unitNode, depth int)
	walk = func(ns []*unitNode, depth int) {
		for _, n := range ns {
			out = append(out, unitRow{Unit: n.Unit, Depth: depth, Indent: strings.Repeat("— ", depth), Parent: names[n.Unit.Parent]})
			walk(n.Children, depth+1)
		}
	}
	walk(unitTree(units), 0)
	return out
}

func (s *Server) unitList(c *gin.Context) error {
	units, err := s.opts.Registry.Units(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return err
	}
	p := s.page(c, "admin.units.title")
	withFlash(c, &p)
	p.Data = map[string]any{"Units": unitRows(units)}
	s.render(c, http.StatusOK, "admin_units.html", p)
	return nil
}

func (s *Server) unitNew(c *gin.Context) error {
	return s.unitForm(c, http.StatusOK, s.formPage(c, "admin.units.new"), uuid.Nil)
}

func (s *Server) unitEdit(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	units, err := s.opts.Registry.Units(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return err
	}
	u := findUnitByID(units, id)
	if u == nil {
		return derrors.ErrNotFound
	}
	p := s.formPage(c, "admin.units.edit")
	withFlash(c, &p)
	p.Form = map[string]string{"code": u.Code, "kind": u.Kind, "name": u.Name, "address": u.Address, "parent": u.Parent}
	return s.unitForm(c, http.StatusOK, p, id)
}

func (s *Server) unitCreate(c *gin.Context) error { return s.unitSave(c, uuid.Nil) }

func (s *Server) unitUpdate(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return s.unitSave(c, id)
}

// unitSave creates (id == uuid.Nil) or changes a unit; the code of an
// existing unit does not change.
func (s *Server) unitSave(c *gin.Context, id uuid.UUID) error {
	ctx := c.Request.Context()
	t := currentTenant(c)
	title := "admin.units.new"
	u := tenancy.Unit{ID: id, UnitSpec: tenancy.UnitSpec{
		Code: c.PostForm("code"), Kind: c.PostForm("kind"), Name: c.PostForm("name"),
		Address: c.PostForm("address"), Parent: c.PostForm("parent"),
	}}
	if id != uuid.Nil {
		title = "admin.units.edit"
		units, err := s.opts.Registry.Units(ctx, t.ID)
		if err != nil {
			return err
		}
		old := findUnitByID(units, id)
		if old == nil {
			return derrors.ErrNotFound
		}
		u.Code = old.Code
	}
	p := s.formPage(c, title)
	p.Form = map[string]string{"code": u.Code, "kind": u.Kind, "name": u.Name, "address": u.Address, "parent": u.Parent}
	saved, err := s.opts.Registry.SaveUnit(ctx, t.ID, u)
	if err != nil {
		if !fieldErrors(err, p.Errors) {
			return err
		}
		return s.unitForm(c, http.StatusUnprocessableEntity, p, id)
	}
	done := "unit_created"
	if id != uuid.Nil {
		done = "unit_saved"
	}
	if err := s.record(c, "unit.saved", "unit", saved.Code, map[string]any{"kind": saved.Kind, "name": saved.Name, "parent": saved.Parent}); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, basePath(c)+"/admin/units/"+saved.ID.String()+"?done="+done)
	return nil
}

// unitForm renders the unit form of p for unit id (uuid.Nil: a new one).
func (s *Server) unitForm(c *gin.Context, status int, p Page, id uuid.UUID) error {
	units, err := s.opts.Registry.Units(c.Request.Context(), currentTenant(c).ID)
	if err != nil {
		return err
	}
	kinds := make([]choice, 0, len(tenancy.UnitKinds))
	for _, k := range tenancy.UnitKinds {
		kinds = append(kinds, choice{Value: k, Label: p.T("unit.kind." + k)})
	}
	parents := []choice{{Value: "", Label: p.T("admin.units.no_parent")}}
	for _, r := range unitRows(units) {
		if r.ID != id {
			parents = append(parents, choice{Value: r.Code, Label: r.Indent + r.Name})
		}
	}
	action := basePath(c) + "/admin/units"
	if id != uuid.Nil {
		action += "/" + id.String()
	}
	p.Data = map[string]any{
		"Action": action, "Editing": id != uuid.Nil,
		"Kind":   newChoiceField(p, "kind", "admin.units.kind", selected(kinds, p.Form["kind"])),
		"Parent": newChoiceField(p, "parent", "admin.units.parent", selected(parents, p.Form["parent"])),
	}
	s.render(c, status, "admin_unit_form.html", p)
	return nil
}

func findUnitByID(units []tenancy.Unit, id uuid.UUID) *tenancy.Unit {
	for i := range units {
		if units[i].ID == id {
			return &units[i]
		}
	}
	return nil
}
