package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to dest while writes go on (VACUUM INTO
// reads one snapshot). It refuses to overwrite an existing dest, and dest only appears once
// the copy is complete and synced.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if err := backup(ctx, s.path, dest); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// Backup copies the database at dbPath to dest like Store.Backup, without a Store (the CLI's
// "backup" command, with or without a running server). It opens dbPath read-only, never
// creates or migrates it, and fails if it does not exist.
func Backup(ctx context.Context, dbPath, dest string) error {
	fi, err := os.Stat(dbPath)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("store: backup: %s is not a regular file", dbPath)
	}
	if err := backup(ctx, dbPath, dest); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// backup runs VACUUM INTO a fresh temporary file next to dest, syncs it, then links it to
// dest, so that an interrupted backup never leaves a file named dest behind.
func backup(ctx context.Context, src, dest string) (err error) {
	if dest == "" {
		return errors.New("empty destination")
	}
	// Absolute, so that VACUUM INTO never takes the name for a "file:" URI.
	dest, err = filepath.Abs(dest)
	if err != nil {
		return err
	}
	if err := notExists(dest); err != nil {
		return err
	}

	// VACUUM INTO accepts an existing empty file, so CreateTemp both reserves a unique name
	// (no clash with a concurrent backup) and sets owner-only permissions on the copy.
	dir := filepath.Dir(dest)
	f, err := os.CreateTemp(dir, filepath.Base(dest)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	defer func() {
		if rmErr := os.Remove(tmp); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			err = errors.Join(err, rmErr)
		}
	}()

	if err := vacuumInto(ctx, src, tmp); err != nil {
		return err
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	// Link fails if dest appeared meanwhile, where Rename would silently replace it.
	if err := os.Link(tmp, dest); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists", dest)
		}
		// Filesystems without hard links: fall back to check-then-rename.
		if err := notExists(dest); err != nil {
			return err
		}
		if err := os.Rename(tmp, dest); err != nil {
			return err
		}
	}
	return syncFile(dir)
}

// vacuumInto copies src into the (empty) file dst through a dedicated read-only connection:
// the read pool's query_only forbids VACUUM INTO, and the write connection must stay free
// for the writer.
func vacuumInto(ctx context.Context, src, dst string) error {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Set("mode", "ro")
	db, err := sql.Open("sqlite", fileURI(src, q))
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		_ = db.Close()
		return fmt.Errorf("vacuum into: %w", err)
	}
	return db.Close()
}

func notExists(path string) error {
	_, err := os.Lstat(path)
	if err == nil {
		return fmt.Errorf("%s already exists", path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// syncFile fsyncs a file or directory: SQLite does not promise to sync a VACUUM INTO
// target, and a rename is only durable once its directory is synced.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
