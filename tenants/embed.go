// Package tenants embeds the declarative region and ente files of this folder, so
// that `sigess demo` provisions them from the binary alone.
package tenants

import "embed"

// FS holds every region folder: {region}/_template.yaml and {region}/{ente}.yaml.
//
//go:embed */*.yaml
var FS embed.FS
