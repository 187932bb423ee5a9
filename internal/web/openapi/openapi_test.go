package openapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestMerge(t *testing.T) {
	base := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a: {get: {responses: {"200": {description: ok}}}}
components:
  schemas:
    A: {type: string}
`
	for _, tc := range []struct {
		name    string
		files   map[string]string
		wantErr string // "" for success
		paths   []string
		schemas []string
	}{
		{"root only", map[string]string{"openapi.yaml": base}, "", []string{"/a"}, []string{"A"}},
		{"area adds paths, schemas, parameters", map[string]string{"openapi.yaml": base, "b.yaml": `
paths:
  /b: {get: {responses: {"200": {description: ok}}}}
components:
  schemas:
    B: {type: integer}
  parameters:
    P: {name: p, in: query, schema: {type: string}}
`}, "", []string{"/a", "/b"}, []string{"A", "B"}},
		{"duplicate path", map[string]string{"openapi.yaml": base, "b.yaml": "paths:\n  /a: {}\n"}, `path "/a" is defined twice`, nil, nil},
		{"duplicate schema", map[string]string{"openapi.yaml": base, "b.yaml": "components:\n  schemas:\n    A: {type: integer}\n"}, `component schemas "A" is defined twice`, nil, nil},
		{"duplicate across areas", map[string]string{"openapi.yaml": base, "b.yaml": "paths:\n  /c: {}\n", "c.yaml": "paths:\n  /c: {}\n"}, `c.yaml: path "/c" is defined twice`, nil, nil},
		{"other top-level key", map[string]string{"openapi.yaml": base, "b.yaml": "info: {title: x}\n"}, `top-level key "info"`, nil, nil},
		{"no root", map[string]string{"b.yaml": "paths: {}\n"}, "openapi.yaml is missing", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			doc, err := Merge(fsys)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Merge = %v; want an error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.paths, keys(doc["paths"])); diff != "" {
				t.Errorf("paths (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.schemas, keys(doc["components"].(map[string]any)["schemas"])); diff != "" {
				t.Errorf("schemas (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEmbedded: the folder's own files merge, and the result is JSON with
// the people paths of people.yaml.
func TestEmbedded(t *testing.T) {
	b, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	paths := keys(doc["paths"])
	for _, want := range []string{"/ente", "/whoami", "/oauth/token", "/openapi.json", "/people", "/people/{id}"} {
		if !slices.Contains(paths, want) {
			t.Errorf("merged paths %v lack %s", paths, want)
		}
	}
}

func keys(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
