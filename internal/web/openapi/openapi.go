// Package openapi holds the OpenAPI 3 description of the enti's API
// (/t/{slug}/api/v1), one YAML file per area, and merges them into the one
// document the server publishes and the tests hold the handlers to.
//
// openapi.yaml is the root: info, servers, security, the shared components
// (Problem) and the core paths. Every other *.yaml of this folder adds
// "paths" and "components" (schemas, parameters, responses…) of its own area,
// and "tags"; a path or component name defined twice is an error, and so is
// any other top-level key, so that nothing written in an area file is
// silently dropped.
package openapi

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed *.yaml
var files embed.FS

// root is the file the others are merged into.
const root = "openapi.yaml"

// JSON returns the merged document as JSON. It is built once; an error means
// a file of this folder is invalid, which the package's tests rule out.
func JSON() ([]byte, error) { return merged() }

var merged = sync.OnceValues(func() ([]byte, error) {
	doc, err := Merge(files)
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// Merge merges the *.yaml files of fsys (openapi.yaml first, the others in
// name order) into one document.
func Merge(fsys fs.FS) (map[string]any, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("openapi.Merge: %w", err)
	}
	if !slices.Contains(names, root) {
		return nil, fmt.Errorf("openapi.Merge: %s is missing", root)
	}
	doc, err := load(fsys, root)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if name == root {
			continue
		}
		part, err := load(fsys, name)
		if err != nil {
			return nil, err
		}
		if err := mergeInto(doc, part); err != nil {
			return nil, fmt.Errorf("openapi.Merge: %s: %w", name, err)
		}
	}
	return doc, nil
}

func load(fsys fs.FS, name string) (map[string]any, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("openapi.load(%s): %w", name, err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("openapi.load(%s): %w", name, err)
	}
	if doc == nil {
		doc = map[string]any{}
	}
	return doc, nil
}

// mergeInto adds part's paths, components and tags to doc.
func mergeInto(doc, part map[string]any) error {
	for key, v := range part {
		switch key {
		case "paths":
			if err := addAll(doc, "paths", v, "path"); err != nil {
				return err
			}
		case "components":
			kinds, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("components is not a map")
			}
			comps, _ := doc["components"].(map[string]any)
			if comps == nil {
				comps = map[string]any{}
				doc["components"] = comps
			}
			for kind, entries := range kinds {
				if err := addAll(comps, kind, entries, "component "+kind); err != nil {
					return err
				}
			}
		case "tags":
			tags, ok := v.([]any)
			if !ok {
				return fmt.Errorf("tags is not a list")
			}
			have, _ := doc["tags"].([]any)
			doc["tags"] = append(have, tags...)
		default:
			return fmt.Errorf("top-level key %q: only paths, components and tags may be added", key)
		}
	}
	return nil
}

// addAll copies the entries of the map v into into[key], refusing a name
// already there.
func addAll(into map[string]any, key string, v any, what string) error {
	entries, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s is not a map", key)
	}
	dst, _ := into[key].(map[string]any)
	if dst == nil {
		dst = map[string]any{}
		into[key] = dst
	}
	for name, e := range entries {
		if _, dup := dst[name]; dup {
			return fmt.Errorf("%s %q is defined twice", what, name)
		}
		dst[name] = e
	}
	return nil
}
