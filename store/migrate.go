package store

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/golang-migrate/migrate/v4"
	msqlite "github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"statusthing/migrations"
)

// Migrator applies the embedded schema migrations by hand (the CLI's "migrate" command);
// Open applies them automatically. It owns its own connection to the database.
type Migrator struct {
	m        *migrate.Migrate
	versions []uint // embedded migration versions, ascending
}

// OpenMigrator opens (creating if needed) the database at path without migrating it.
func OpenMigrator(path string) (*Migrator, error) {
	m, err := openMigrator(path)
	if err != nil {
		return nil, fmt.Errorf("store: migrator: %w", err)
	}
	return m, nil
}

// openMigrator and the lower-case methods below return unprefixed errors, so that Open
// can wrap them as "store: open: ..." without repeating "store:".
func openMigrator(path string) (*Migrator, error) {
	if path == "" {
		return nil, errors.New("empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	versions, err := embeddedVersions()
	if err != nil {
		return nil, err
	}
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", writeDSN(path))
	if err != nil {
		_ = src.Close()
		return nil, err
	}
	// WithInstance pings, which surfaces DSN and file errors. From here on migrate owns db:
	// m.Close closes it.
	drv, err := msqlite.WithInstance(db, &msqlite.Config{})
	if err != nil {
		_ = db.Close()
		_ = src.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "sqlite", drv)
	if err != nil {
		_ = db.Close()
		_ = src.Close()
		return nil, err
	}
	return &Migrator{m: m, versions: versions}, nil
}

// embeddedVersions lists the versions of the embedded up migrations, ascending.
func embeddedVersions() ([]uint, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var vs []uint
	v, err := src.First()
	for err == nil {
		vs = append(vs, v)
		v, err = src.Next(v)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, errors.New("no embedded migrations")
	}
	return vs, nil
}

// Up applies every pending migration. Being up to date is not an error.
func (m *Migrator) Up() error {
	if err := m.up(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

func (m *Migrator) up() error {
	if _, err := m.check(); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	if err := m.m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrate up: %w", err)
	}
	return nil
}

// Down rolls back the last n applied migrations (n >= 1). It fails, changing nothing, when
// fewer than n are applied.
func (m *Migrator) Down(n int) error {
	if n < 1 {
		return fmt.Errorf("store: migrate down: steps must be >= 1, got %d", n)
	}
	applied, err := m.check()
	if err != nil {
		return fmt.Errorf("store: migrate down: %w", err)
	}
	if n > applied {
		return fmt.Errorf("store: migrate down: %d steps requested but only %d migrations applied", n, applied)
	}
	if err := m.m.Steps(-n); err != nil {
		return fmt.Errorf("store: migrate down: %w", err)
	}
	return nil
}

// DownAll rolls back every applied migration, leaving an empty schema. An empty database is
// not an error.
func (m *Migrator) DownAll() error {
	if _, err := m.check(); err != nil {
		return fmt.Errorf("store: migrate down: %w", err)
	}
	if err := m.m.Down(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("store: migrate down: %w", err)
	}
	return nil
}

// Version reports the schema version and whether a migration failed midway (dirty); an empty
// database is version 0, not dirty.
func (m *Migrator) Version() (version uint, dirty bool, err error) {
	v, dirty, err := m.m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: migrate version: %w", err)
	}
	return v, dirty, nil
}

// Close closes the migrator's database connection.
func (m *Migrator) Close() error {
	if err := m.close(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

func (m *Migrator) close() error {
	srcErr, dbErr := m.m.Close()
	if err := errors.Join(srcErr, dbErr); err != nil {
		return fmt.Errorf("migrator close: %w", err)
	}
	return nil
}

// check refuses states migrate would report obscurely (or not at all) and returns how many
// migrations are applied.
func (m *Migrator) check() (applied int, err error) {
	v, dirty, err := m.Version()
	if err != nil {
		return 0, err
	}
	if dirty {
		return 0, fmt.Errorf("database is dirty at version %d: a migration failed midway; "+
			"restore a backup or repair the schema by hand and reset schema_migrations", v)
	}
	if v == 0 {
		return 0, nil
	}
	latest := m.versions[len(m.versions)-1]
	if v > latest {
		return 0, fmt.Errorf("database schema version %d is newer than this binary's latest migration %d: "+
			"run a newer statusthing (or restore a backup made by this version)", v, latest)
	}
	i, found := slices.BinarySearch(m.versions, v)
	if !found {
		return 0, fmt.Errorf("database schema version %d is unknown to this binary", v)
	}
	return i + 1, nil
}
