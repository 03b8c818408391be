// Package migrations embeds Accord's database schema as ordered SQL steps,
// one folder per dialect (postgres/, sqlite/), files named
// NNNN_verb_noun.sql. Both folders hold the same steps with the same numbers;
// the store applies each step in its own transaction and records it.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
