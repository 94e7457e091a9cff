// Package assets serves the embedded CSS, JavaScript and icons under content-hashed URLs
// (/assets/app.3f9a2c1d.css), so browsers may cache them forever and a new release still
// takes effect at once.
package assets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var static embed.FS

// Prefix is the URL path under which assets are served.
const Prefix = "/assets/"

type file struct {
	contentType string
	etag        string
	plain       []byte
	gzipped     []byte // nil when gzip does not make it smaller
}

// Set is the loaded, fingerprinted asset collection. It is read-only after Load.
type Set struct {
	urls  map[string]string // "app.css" -> "/assets/app.3f9a2c1d.css"
	files map[string]*file  // "app.3f9a2c1d.css" -> content
}

// Load reads, hashes and compresses every embedded asset once, at start.
func Load() (*Set, error) {
	s := &Set{urls: map[string]string{}, files: map[string]*file{}}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(data)
		hash := hex.EncodeToString(sum[:])[:10]
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		f := &file{contentType: ct, etag: `"` + hash + `"`, plain: data}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if _, err := zw.Write(data); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if buf.Len() < len(data) {
			f.gzipped = buf.Bytes()
		}
		s.urls[name] = Prefix + hashed
		s.files[hashed] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	return s, nil
}

// URL returns the fingerprinted URL of an asset ("app.css"). An unknown name panics: it is a
// programming error that every page test would catch.
func (s *Set) URL(name string) string {
	u, ok := s.urls[name]
	if !ok {
		panic("assets: unknown asset " + name)
	}
	return u
}

// ServeHTTP serves /assets/<name>.<hash>.<ext> with immutable caching and gzip when accepted.
func (s *Set) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := s.files[strings.TrimPrefix(r.URL.Path, Prefix)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", f.etag)
	h.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.plain
	if f.gzipped != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = f.gzipped
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
