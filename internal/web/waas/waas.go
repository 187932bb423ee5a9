// Package waas embeds INPS's OpenAPI description of the WaaS SIUSS feed
// (api-comuni.yaml, MIT, INPS-it/WaaS.Comuni commit 58fa5c7d), so that the
// product and its tests do not depend on files outside the repository.
package waas

import _ "embed"

// Spec is api-comuni.yaml as published by INPS.
//
//go:embed api-comuni.yaml
var Spec []byte
