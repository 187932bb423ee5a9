// Package i18n holds the user interface's words in every language SIGeSS
// speaks, and picks the language of a request.
//
// Messages live in messages/{area}.{locale}.json, flat maps of key → text, so
// that each area of the application (common, auth, admin, …) owns its own
// files. All files of a locale are merged at load; a key defined twice is a
// load error. Texts are fmt format strings: %s and %d take the arguments of T.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

//go:embed messages/*.json
var messagesFS embed.FS

// Default is the locale used when nothing else decides: SIGeSS serves
// Italian public administrations.
const Default = "it"

var locales = []string{"it", "en"}

// Locales returns the supported locales, the default first.
func Locales() []string { return slices.Clone(locales) }

// Supported reports whether locale is one SIGeSS speaks.
func Supported(locale string) bool { return slices.Contains(locales, locale) }

// Catalog is every message in every locale. It is read-only once loaded and
// safe for concurrent use.
type Catalog struct {
	messages map[string]map[string]string // locale → key → text
	origin   map[string]map[string]string // locale → key → file that defines it
}

// Load reads the message files embedded in the binary.
func Load() (*Catalog, error) {
	c, err := load(messagesFS, "messages")
	if err != nil {
		return nil, fmt.Errorf("i18n.Load: %w", err)
	}
	return c, nil
}

// load reads every {area}.{locale}.json file of dir in fsys.
func load(fsys fs.FS, dir string) (*Catalog, error) {
	c := &Catalog{messages: map[string]map[string]string{}, origin: map[string]map[string]string{}}
	for _, l := range locales {
		c.messages[l], c.origin[l] = map[string]string{}, map[string]string{}
	}
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no message files in %s", dir)
	}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".json")
		dot := strings.LastIndexByte(base, '.')
		locale := base[dot+1:]
		if dot <= 0 || !Supported(locale) {
			return nil, fmt.Errorf("%s: want a name like area.%s.json", name, strings.Join(locales, ".json or area."))
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var msgs map[string]string
		if err := json.Unmarshal(b, &msgs); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for k, v := range msgs {
			if prev, dup := c.origin[locale][k]; dup {
				return nil, fmt.Errorf("%s: key %q is already defined in %s", name, k, prev)
			}
			c.messages[locale][k], c.origin[locale][k] = v, name
		}
	}
	return c, nil
}

// T returns the message key in locale, formatted with args like fmt.Sprintf.
// A key missing in locale falls back to the default locale; a key missing
// everywhere is returned as is, so that it shows on the page and gets fixed.
func (c *Catalog) T(locale, key string, args ...any) string {
	msg, ok := c.messages[locale][key]
	if !ok {
		if msg, ok = c.messages[Default][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Has reports whether key is defined in locale.
func (c *Catalog) Has(locale, key string) bool {
	_, ok := c.messages[locale][key]
	return ok
}
