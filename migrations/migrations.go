// Package migrations embeds the SQL schema migrations applied by store.Open.
//
// Files are NNNN_name.up.sql / NNNN_name.down.sql, append-only: a released migration is never
// edited, a change is a new pair. golang-migrate wraps each file in a transaction, so the
// files contain no BEGIN/COMMIT.
package migrations

import "embed"

// FS holds every *.sql migration file.
//
//go:embed *.sql
var FS embed.FS
