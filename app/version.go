package app

import (
	"github.com/aiex-dev/aiex/db"
	"github.com/mattn/go-sqlite3"
)

// SQLiteVersion is the version of the SQLite library linked into aiex.
// It opens no database.
func SQLiteVersion() string {
	v, _, _ := sqlite3.Version()
	return v
}

// KnownSchema is the newest store schema this aiex knows (db.KnownSchema).
// It opens no database.
func KnownSchema() int { return db.KnownSchema() }
