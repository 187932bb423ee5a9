// Package schema embeds the XSDs of the SIUSS flows (INPS-it/WaaS.Comuni,
// commit 58fa5c7d, MIT licence: see README.md).
package schema

import _ "embed"

// PSPSASINA is PS_PSA_SINA201812.xsd, the schema of a PS_PSA_SINA flow.
//
//go:embed PS_PSA_SINA201812.xsd
var PSPSASINA []byte

// SINBA is SINBA.xsd, the schema of a SINBA flow.
//
//go:embed SINBA.xsd
var SINBA []byte
