// Package migrations embeds the numbered SQL migrations applied by `sigess migrate`.
// A file is NNNN_name.sql; once landed it is never edited, only followed.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
