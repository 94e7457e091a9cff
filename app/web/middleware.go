package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type ctxKey int

const (
	ctxRequest ctxKey = iota
	ctxIdentity
)

// requestInfo is what we believe about the client after weighing proxy headers.
type requestInfo struct {
	ip     string
	secure bool // the browser talks HTTPS to us or to a trusted proxy
}

func infoOf(r *http.Request) requestInfo {
	info, _ := r.Context().Value(ctxRequest).(requestInfo)
	return info
}

// clientInfo resolves the client address and scheme. X-Forwarded-For and X-Forwarded-Proto
// are believed only when the direct peer is a trusted proxy; otherwise anyone could pick the
// address that login throttling counts against.
func (h *Handler) clientInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := resolveClient(r, h.proxies)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxRequest, info)))
	})
}

func resolveClient(r *http.Request, trusted []netip.Prefix) requestInfo {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	info := requestInfo{ip: host, secure: r.TLS != nil}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer.Unmap(), trusted) {
		return info
	}
	// Walk X-Forwarded-For from the right: the first address not of a trusted proxy is the
	// client; entries left of it could have been written by the client itself.
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		info.ip = addr.Unmap().String()
		if !isTrusted(addr.Unmap(), trusted) {
			break
		}
	}
	if proto := r.Header.Get("X-Forwarded-Proto"); proto != "" {
		first, _, _ := strings.Cut(proto, ",")
		info.secure = strings.EqualFold(strings.TrimSpace(first), "https")
	}
	return info
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// contentSecurityPolicy allows nothing inline: every script and style comes from /assets.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (h *Handler) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		// same-origin: the one-time setup link must not leak through Referer.
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		if h.tls {
			hd.Set("Strict-Transport-Security", "max-age=15552000")
		}
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status and size of a response for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (flushing, deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests writes one line per request. Only the path is logged, never the query string:
// it can carry secrets such as the setup token.
func (h *Handler) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := h.now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		path, level := r.URL.Path, slog.LevelInfo
		switch {
		case path == "/healthz" || strings.HasPrefix(path, "/assets/"):
			level = slog.LevelDebug // health probes and assets would drown the log
		case strings.HasPrefix(path, "/ping/") || strings.HasPrefix(path, "/api/push/"):
			// Thousands a second, and the path holds the secret of the ping URL.
			level, path = slog.LevelDebug, redactPingPath(path)
		}
		if !h.log.Enabled(r.Context(), level) {
			return
		}
		h.log.Log(r.Context(), level, "http request",
			"method", r.Method, "path", path, "status", rec.status, "bytes", rec.bytes,
			"duration_ms", float64(h.now().Sub(start).Microseconds())/1000, "ip", infoOf(r).ip)
	})
}

// redactPingPath hides the uuid or ping key of a ping URL, keeping the suffix:
// /ping/{uuid}/fail -> /ping/…/fail.
func redactPingPath(path string) string {
	parts := strings.Split(path, "/") // "", "ping", secret, ...
	if len(parts) > 2 {
		parts[2] = "…"
	}
	return strings.Join(parts, "/")
}

func (h *Handler) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.log.Error("panic in handler", "path", r.URL.Path, "panic", v)
				http.Error(w, "internal server error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// maxUploadBytes bounds multipart uploads: a logo (256 KB) and its form fields.
const maxUploadBytes = 300 << 10

// protectForm guards state-changing form posts: a size cap, same-origin browsers only, and a
// CSRF token bound to the session (or, before login, to an anonymous cookie).
func (h *Handler) protectForm(next http.Handler) http.Handler {
	return h.protect(next, maxFormBytes, parseForm, true)
}

func parseForm(r *http.Request) error { return r.ParseForm() }

// protectUpload is protectForm for multipart forms (file uploads).
func (h *Handler) protectUpload(next http.Handler) http.Handler {
	return h.protect(next, maxUploadBytes, func(r *http.Request) error { return r.ParseMultipartForm(maxUploadBytes) }, true)
}

// protect is the form guard: same-origin browsers only, at most limit bytes, parsed by
// parse, and (csrf) a CSRF token bound to the session or the anonymous cookie.
func (h *Handler) protect(next http.Handler, limit int64, parse func(*http.Request) error, csrf bool) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusForbidden, nil)
	}))
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := parse(r); err != nil {
			status := http.StatusBadRequest
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				status = http.StatusRequestEntityTooLarge
			}
			h.fail(w, r, status, nil)
			return
		}
		if !csrf {
			next.ServeHTTP(w, r)
			return
		}
		if err := h.auth.CheckCSRF(csrfBinding(r), r.PostForm.Get("csrf_token")); err != nil {
			h.log.Warn("csrf token rejected", "path", r.URL.Path, "ip", infoOf(r).ip)
			h.fail(w, r, http.StatusForbidden, nil)
			return
		}
		next.ServeHTTP(w, r)
	}))
}
