package tenancy

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sigess/sigess/internal/istat"
)

// TemplateFile is the name of a region's template in its folder.
const TemplateFile = "_template.yaml"

// Desired is the state a tenants/ folder describes: per region folder, a
// _template.yaml and one file per ente.
type Desired struct {
	Regions []*Region
	Enti    []*DesiredEnte
}

// DesiredEnte is one ente file, merged over its region template.
type DesiredEnte struct {
	File   string
	Tenant Tenant
	Units  []UnitSpec
}

// FileError is a problem in one declarative file.
type FileError struct {
	File   string
	Line   int
	Reason string
}

func (e *FileError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason) }

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	istatCode   = regexp.MustCompile(`^[0-9]{6}$`)
)

type templateYAML struct {
	Region struct {
		Code string `yaml:"code"`
		Slug string `yaml:"slug"`
		Name string `yaml:"name"`
	} `yaml:"region"`
	Settings map[string]any `yaml:"settings"`
	Units    []UnitSpec     `yaml:"units"`
}

type enteYAML struct {
	Slug         string         `yaml:"slug"`
	Name         string         `yaml:"name"`
	Kind         Kind           `yaml:"kind"`
	ISTATCode    string         `yaml:"istat_code"`
	BelfioreCode string         `yaml:"belfiore_code"`
	Status       Status         `yaml:"status"`
	Members      []string       `yaml:"members"`
	Settings     map[string]any `yaml:"settings"`
	Units        []UnitSpec     `yaml:"units"`
}

// LoadDir reads every region folder under root in fsys. It returns every
// problem found, each a *FileError, joined; a Desired is returned only when there
// are none.
func LoadDir(fsys fs.FS, root string) (*Desired, error) {
	entries, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("tenancy.LoadDir: %w", err)
	}
	var d Desired
	var errs []error
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := path.Join(root, e.Name())
		region, err := loadTemplate(fsys, path.Join(dir, TemplateFile))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d.Regions = append(d.Regions, region)
		files, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
		if err != nil {
			return nil, fmt.Errorf("tenancy.LoadDir: %w", err)
		}
		for _, f := range files {
			if path.Base(f) == TemplateFile {
				continue
			}
			ente, err := loadEnte(fsys, f, region)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			d.Enti = append(d.Enti, ente)
		}
	}
	errs = append(errs, d.checkUnique()...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &d, nil
}

// doc is a parsed YAML file kept for line numbers.
type doc struct {
	file string
	root *yaml.Node
}

func parseFile(fsys fs.FS, file string, into any) (*doc, error) {
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, &FileError{File: file, Line: 0, Reason: err.Error()}
	}
	d := &doc{file: file, root: &yaml.Node{}}
	if err := yaml.Unmarshal(b, d.root); err != nil {
		return nil, d.yamlError(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(into); err != nil {
		return nil, d.yamlError(err)
	}
	return d, nil
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

func (d *doc) yamlError(err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &FileError{File: d.file, Line: n, Reason: strings.Replace(m[2], "not found in type", "is not a known key of", 1)}
	}
	return &FileError{File: d.file, Line: 1, Reason: strings.TrimPrefix(msg, "yaml: ")}
}

// errAt makes a FileError at the node for a dotted path (units.3.kind), or the
// nearest node above it that exists.
func (d *doc) errAt(p, reason string) error {
	n := d.root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, part := range strings.Split(p, ".") {
		next := child(n, part)
		if next == nil {
			break
		}
		n, line = next, next.Line
	}
	return &FileError{File: d.file, Line: line, Reason: reason}
}

func child(n *yaml.Node, key string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				if v := n.Content[i+1]; v.Kind == yaml.ScalarNode {
					return v
				}
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

func loadTemplate(fsys fs.FS, file string) (*Region, error) {
	var t templateYAML
	d, err := parseFile(fsys, file, &t)
	if err != nil {
		return nil, err
	}
	name, ok := istat.RegionName(t.Region.Code)
	switch {
	case !ok:
		return nil, d.errAt("region.code", fmt.Sprintf("region code %q is not an ISTAT region code (01..20)", t.Region.Code))
	case !slugPattern.MatchString(t.Region.Slug):
		return nil, d.errAt("region.slug", "region slug must be lowercase letters, digits and hyphens")
	case t.Region.Name == "":
		t.Region.Name = name
	}
	if _, err := settingsFromMap(DefaultSettings(), t.Settings); err != nil {
		return nil, d.errAt("settings."+err.(*FieldError).Path, "settings."+err.Error())
	}
	if p, err := checkUnits(t.Units); err != nil {
		return nil, d.errAt(p, err.Error())
	}
	return &Region{Code: t.Region.Code, Slug: t.Region.Slug, Name: t.Region.Name,
		Template: Template{Settings: t.Settings, Units: t.Units}}, nil
}

func loadEnte(fsys fs.FS, file string, region *Region) (*DesiredEnte, error) {
	var e enteYAML
	d, err := parseFile(fsys, file, &e)
	if err != nil {
		return nil, err
	}
	if e.Status == "" {
		e.Status = StatusActive
	}
	t := Tenant{Slug: e.Slug, Name: e.Name, Kind: e.Kind, ISTATCode: e.ISTATCode, BelfioreCode: e.BelfioreCode,
		Region: region.Code, Status: e.Status, Members: e.Members}
	if t.Members == nil {
		t.Members = []string{}
	}
	if p, reason := checkTenant(&t, strings.TrimSuffix(path.Base(file), ".yaml")); reason != "" {
		return nil, d.errAt(p, reason)
	}
	s, err := settingsFromMap(DefaultSettings(), region.Template.Settings)
	if err == nil {
		s, err = settingsFromMap(s, e.Settings)
	}
	if err != nil {
		return nil, d.errAt("settings."+err.(*FieldError).Path, "settings."+err.Error())
	}
	t.Settings = s
	units := mergeUnits(region.Template.Units, e.Units)
	if p, err := checkUnits(units); err != nil {
		// Point at the ente's own unit when it is the one at fault.
		if i, ok := unitIndex(p); ok && i >= len(units)-len(e.Units) {
			p = fmt.Sprintf("units.%d%s", i-(len(units)-len(e.Units)), strings.TrimPrefix(p, fmt.Sprintf("units.%d", i)))
		}
		return nil, d.errAt(p, err.Error())
	}
	return &DesiredEnte{File: file, Tenant: t, Units: units}, nil
}

// checkTenant validates an ente's identity against the ISTAT list; it returns the
// path of the offending key and the reason.
func checkTenant(t *Tenant, fileSlug string) (string, string) {
	switch {
	case !slugPattern.MatchString(t.Slug) || len(t.Slug) > 63:
		return "slug", fmt.Sprintf("slug %q must be lowercase letters, digits and single hyphens (at most 63)", t.Slug)
	case fileSlug != "" && t.Slug != fileSlug:
		return "slug", fmt.Sprintf("slug %q must match the file name (%s.yaml)", t.Slug, fileSlug)
	case strings.TrimSpace(t.Name) == "":
		return "name", "name is required"
	case t.Kind != KindComune && t.Kind != KindAmbito:
		return "kind", fmt.Sprintf("kind %q must be comune or ambito", t.Kind)
	case t.Status != StatusActive && t.Status != StatusSuspended:
		return "status", fmt.Sprintf("status %q must be active or suspended", t.Status)
	case !istatCode.MatchString(t.ISTATCode):
		return "istat_code", fmt.Sprintf("istat_code %q must be 6 digits (quote it in YAML)", t.ISTATCode)
	}
	c, ok := istat.ByCode(t.ISTATCode)
	switch {
	case !ok:
		return "istat_code", fmt.Sprintf("istat_code %s is not in the ISTAT list of comuni", t.ISTATCode)
	case c.RegionCode != t.Region:
		return "istat_code", fmt.Sprintf("istat_code %s is %s, in region %s, not %s", t.ISTATCode, c.Name, c.RegionCode, t.Region)
	case t.BelfioreCode != "" && t.BelfioreCode != c.Belfiore:
		return "belfiore_code", fmt.Sprintf("belfiore_code %s does not match %s (%s in the ISTAT list)", t.BelfioreCode, c.Name, c.Belfiore)
	}
	t.BelfioreCode = c.Belfiore
	if t.Kind == KindComune && len(t.Members) > 0 {
		return "members", "members are only for an ambito"
	}
	if t.Kind == KindAmbito {
		if len(t.Members) < 2 {
			return "members", "an ambito needs at least two member comuni"
		}
		for i, m := range t.Members {
			mc, ok := istat.ByCode(m)
			if !ok || mc.RegionCode != t.Region {
				return fmt.Sprintf("members.%d", i), fmt.Sprintf("member %q is not a comune of region %s", m, t.Region)
			}
		}
		if !slices.Contains(t.Members, t.ISTATCode) {
			return "istat_code", "an ambito's istat_code is its lead comune's, which must be among its members"
		}
	}
	return "", ""
}

// settingsFromMap applies the leaves of a settings map (as read from YAML) over s.
func settingsFromMap(s Settings, m map[string]any) (Settings, error) {
	leaves := map[string]string{}
	if err := flattenMap(m, "", leaves); err != nil {
		return s, err
	}
	keys := make([]string, 0, len(leaves))
	for k := range leaves {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var err error
		if s, err = s.set(k, leaves[k]); err != nil {
			return s, err
		}
	}
	return s, s.Validate()
}

func flattenMap(m map[string]any, prefix string, out map[string]string) error {
	for k, v := range m {
		switch v := v.(type) {
		case map[string]any:
			if err := flattenMap(v, prefix+k+".", out); err != nil {
				return err
			}
		case []any:
			return &FieldError{Path: prefix + k, Message: "must not be a list"}
		case nil:
			return &FieldError{Path: prefix + k, Message: "has no value"}
		default:
			out[prefix+k] = fmt.Sprint(v)
		}
	}
	return nil
}

func mergeUnits(template, own []UnitSpec) []UnitSpec {
	out := make([]UnitSpec, 0, len(template)+len(own))
	var extra []UnitSpec
	for _, u := range own {
		if i := slices.IndexFunc(template, func(t UnitSpec) bool { return t.Code == u.Code }); i >= 0 {
			continue
		}
		extra = append(extra, u)
	}
	for _, t := range template {
		if i := slices.IndexFunc(own, func(u UnitSpec) bool { return u.Code == t.Code }); i >= 0 {
			t = own[i] // the ente overrides the template's unit
		}
		out = append(out, t)
	}
	return append(out, extra...)
}

// checkUnits validates a list of units; the returned path names the bad one.
func checkUnits(units []UnitSpec) (string, error) {
	seen := map[string]bool{}
	for i, u := range units {
		p := fmt.Sprintf("units.%d", i)
		switch {
		case !slugPattern.MatchString(u.Code):
			return p + ".code", fmt.Errorf("unit code %q must be lowercase letters, digits and hyphens", u.Code)
		case seen[u.Code]:
			return p + ".code", fmt.Errorf("unit code %q is used twice", u.Code)
		case !slices.Contains(UnitKinds, u.Kind):
			return p + ".kind", fmt.Errorf("unit kind %q must be one of %s", u.Kind, strings.Join(UnitKinds, ", "))
		case strings.TrimSpace(u.Name) == "":
			return p + ".name", fmt.Errorf("unit %s needs a name", u.Code)
		case u.Parent != "" && !seen[u.Parent]:
			return p + ".parent", fmt.Errorf("parent %q of unit %s must be a unit defined before it", u.Parent, u.Code)
		}
		seen[u.Code] = true
	}
	return "", nil
}

func unitIndex(p string) (int, bool) {
	parts := strings.Split(p, ".")
	if len(parts) < 2 || parts[0] != "units" {
		return 0, false
	}
	i, err := strconv.Atoi(parts[1])
	return i, err == nil
}

// checkUnique reports slugs and comuni that more than one file claims.
func (d *Desired) checkUnique() []error {
	var errs []error
	slugs, comuni := map[string]string{}, map[string]string{}
	for _, e := range d.Enti {
		if prev, ok := slugs[e.Tenant.Slug]; ok {
			errs = append(errs, &FileError{File: e.File, Line: 1, Reason: fmt.Sprintf("slug %s is also used by %s", e.Tenant.Slug, prev)})
		}
		slugs[e.Tenant.Slug] = e.File
		if e.Tenant.Kind != KindComune {
			continue
		}
		if prev, ok := comuni[e.Tenant.ISTATCode]; ok {
			errs = append(errs, &FileError{File: e.File, Line: 1, Reason: fmt.Sprintf("comune %s is also provisioned by %s", e.Tenant.ISTATCode, prev)})
		}
		comuni[e.Tenant.ISTATCode] = e.File
	}
	return errs
}
