// Package configs embeds the default configuration so that the binary runs without
// the configs/ folder beside it.
package configs

import _ "embed"

// Default is configs/sigess.yaml as built into the binary.
//
//go:embed sigess.yaml
var Default []byte
