package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// StatusCache keeps the public status pages rendered: HTML (plain and gzipped), summary
// JSON and Atom feed per page, so a visitor's request costs a map lookup and a write. What
// a page shows changes with monitors' flips (from the hub) and with pages, public
// incidents and maintenance windows (PagesChanged, from the service): then the
// organization's cached pages are rebuilt in the background, and only once the new copy
// is in place are their live visitors told (SSE), so their refetch sees it. Pages are also
// rebuilt after statusMaxAge, for what changes with the clock (maintenance starting,
// "last updated"), while the stale copy is still served.
type StatusCache struct {
	mu      sync.Mutex
	pages   map[string]*renderedPage // by slug
	watch   map[string]chan struct{} // closed when the slug's page has a new copy
	routes  *statusRoutes            // nil: to reload
	build   func(ctx context.Context, slug string) (*renderedPage, error)
	routesF func(ctx context.Context) (*statusRoutes, error)
	log     *slog.Logger
	now     func() time.Time
	pending map[int64]bool // organizations with a rebuild scheduled
	wg      sync.WaitGroup
	// streams counts the open live streams of visitors, bounded by maxStreams: each holds a
	// connection and a goroutine, and visitors need no login.
	streams    atomic.Int64
	maxStreams int64
}

// maxLiveStreams bounds the visitors' live streams of all pages together.
const maxLiveStreams = 5000

// openStream counts a new live stream, or refuses it when maxStreams are open; a counted
// stream is ended with closeStream.
func (c *StatusCache) openStream() bool {
	if c.streams.Add(1) > c.maxStreams {
		c.streams.Add(-1)
		return false
	}
	return true
}

func (c *StatusCache) closeStream() { c.streams.Add(-1) }

// statusMaxAge is how long a rendered page is served before a rebuild.
const statusMaxAge = 30 * time.Second

// statusDebounce gathers a burst of changes (monitors flipping together) into one rebuild.
const statusDebounce = 150 * time.Millisecond

// renderedPage is one page, ready to serve.
type renderedPage struct {
	slug, etag string
	pageID     int64
	orgID      int64
	public     bool
	html, gz   []byte
	summary    []byte
	feed       []byte
	built      time.Time
	building   bool
}

// statusRoutes maps custom domains to slugs and names the default page.
type statusRoutes struct {
	domains     map[string]string
	defaultSlug string
}

// NewStatusCache returns an empty cache; web.New gives it its builder.
func NewStatusCache() *StatusCache {
	return &StatusCache{pages: map[string]*renderedPage{}, watch: map[string]chan struct{}{}, pending: map[int64]bool{},
		now: time.Now, log: slog.New(slog.DiscardHandler), maxStreams: maxLiveStreams}
}

func (c *StatusCache) attach(build func(context.Context, string) (*renderedPage, error),
	routes func(context.Context) (*statusRoutes, error), log *slog.Logger, now func() time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.build, c.routesF, c.log, c.now = build, routes, log, now
}

// PagesChanged schedules the rebuild of the organization's pages (monitoring.PageWatcher).
func (c *StatusCache) PagesChanged(orgID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.routes = nil
	c.scheduleLocked(orgID)
}

func (c *StatusCache) scheduleLocked(orgID int64) {
	if c.pending[orgID] || c.build == nil {
		return
	}
	c.pending[orgID] = true
	c.wg.Add(1)
	time.AfterFunc(statusDebounce, func() {
		defer c.wg.Done()
		c.rebuildOrg(orgID)
	})
}

// rebuildOrg rebuilds every cached page of an organization and wakes their watchers.
func (c *StatusCache) rebuildOrg(orgID int64) {
	c.mu.Lock()
	delete(c.pending, orgID)
	var slugs []string
	for slug, p := range c.pages {
		if p.orgID == orgID {
			slugs = append(slugs, slug)
		}
	}
	c.mu.Unlock()
	for _, slug := range slugs {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		p, err := c.build(ctx, slug)
		cancel()
		c.mu.Lock()
		if err != nil {
			// Gone (deleted, renamed) or failing: the next request builds it or says 404.
			delete(c.pages, slug)
			c.log.Warn("status page rebuild", "slug", slug, "err", err)
		} else {
			c.pages[slug] = p
		}
		c.wakeLocked(slug)
		c.mu.Unlock()
	}
}

func (c *StatusCache) wakeLocked(slug string) {
	if ch, ok := c.watch[slug]; ok {
		close(ch)
		delete(c.watch, slug)
	}
}

// changed returns a channel closed when slug's page has a new copy.
func (c *StatusCache) changed(slug string) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch, ok := c.watch[slug]
	if !ok {
		ch = make(chan struct{})
		c.watch[slug] = ch
	}
	return ch
}

// get returns slug's page, building it when absent; a copy older than statusMaxAge is
// served while one request rebuilds it.
func (c *StatusCache) get(ctx context.Context, slug string) (*renderedPage, error) {
	c.mu.Lock()
	p, ok := c.pages[slug]
	if ok {
		if c.now().Sub(p.built) > statusMaxAge && !p.building {
			p.building = true
			c.wg.Add(1)
			go func() {
				defer c.wg.Done()
				bctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				fresh, err := c.build(bctx, slug)
				c.mu.Lock()
				defer c.mu.Unlock()
				if err != nil {
					delete(c.pages, slug)
					return
				}
				if c.pages[slug] == p {
					c.pages[slug] = fresh
				}
			}()
		}
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()
	p, err := c.build(ctx, slug)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.pages[slug]; ok && cur.built.After(p.built) {
		return cur, nil
	}
	c.pages[slug] = p
	return p, nil
}

// route returns the slug a custom domain serves, or the default page's slug when host is
// not one ("" when there is no default page).
func (c *StatusCache) route(ctx context.Context, host string) (slug string, custom bool, err error) {
	c.mu.Lock()
	rt := c.routes
	c.mu.Unlock()
	if rt == nil {
		if rt, err = c.routesF(ctx); err != nil {
			return "", false, err
		}
		c.mu.Lock()
		c.routes = rt
		c.mu.Unlock()
	}
	if s, ok := rt.domains[hostOnly(host)]; ok {
		return s, true, nil
	}
	return rt.defaultSlug, false, nil
}

// customDomain reports whether host is some page's custom domain, from the loaded routes
// only (false until they are loaded).
func (c *StatusCache) isCustomDomain(ctx context.Context, host string) bool {
	_, custom, err := c.route(ctx, host)
	return err == nil && custom
}

// hostOnly lower-cases a Host header and drops its port.
func hostOnly(host string) string {
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	return strings.TrimSuffix(host, ".")
}

// follow invalidates organizations whose monitors flip, until the hub closes.
func (c *StatusCache) follow(hub *Hub) {
	for {
		events, cancel := hub.SubscribeAll()
		for ev := range events {
			if ev.Flip != nil || ev.Deleted {
				c.mu.Lock()
				c.scheduleLocked(ev.OrgID)
				c.mu.Unlock()
			}
		}
		cancel()
		if hub.isClosed() {
			return
		}
		// Dropped for falling behind: anything may have changed meanwhile.
		c.mu.Lock()
		orgs := map[int64]bool{}
		for _, p := range c.pages {
			orgs[p.orgID] = true
		}
		for org := range orgs {
			c.scheduleLocked(org)
		}
		c.mu.Unlock()
	}
}

// Wait blocks until scheduled rebuilds have finished (tests, shutdown).
func (c *StatusCache) Wait() { c.wg.Wait() }

// seal fills a page's gzip copy and ETag from its HTML.
func (p *renderedPage) seal() {
	sum := sha256.Sum256(p.html)
	p.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	_, _ = zw.Write(p.html)
	_ = zw.Close()
	p.gz = buf.Bytes()
}
