package api

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Page sizes of lists.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// page is the answer of every list.
type page[T any] struct {
	Items []T `json:"items"`
	// NextCursor fetches the next page; null on the last one.
	NextCursor *string `json:"next_cursor"`
}

// cursor is a keyset position: the sort key of the last item of a page (a time in Unix ms
// where the list is ordered by time, then the row id). It is sent opaque (base64url) and
// tagged with its list, so a cursor of another list is refused rather than misread.
type cursor struct {
	list string
	at   int64 // Unix ms; 0 for lists ordered by id alone
	id   int64
}

func (c cursor) String() string {
	s := c.list + ":" + strconv.FormatInt(c.at, 10) + ":" + strconv.FormatInt(c.id, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func (c cursor) time() time.Time { return time.UnixMilli(c.at).UTC() }

// parseCursor decodes a cursor made for list; "" is the first page (zero cursor).
func parseCursor(s, list string) (cursor, error) {
	if s == "" {
		return cursor{list: list}, nil
	}
	bad := fieldErr(http.StatusBadRequest, codeInvalidCursor, "cursor",
		"is not a cursor of this list: pass next_cursor from the previous page unchanged")
	if len(s) > 100 {
		return cursor{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != list {
		return cursor{}, bad
	}
	at, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return cursor{}, bad
	}
	return cursor{list: list, at: at, id: id}, nil
}

// listQuery holds the parameters every list takes.
type listQuery struct {
	limit    int
	cursor   cursor
	from, to time.Time // zero: unbounded
}

// parseList reads limit, cursor, from and to for list.
func parseList(q url.Values, list string) (listQuery, error) {
	lq := listQuery{limit: defaultLimit}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return lq, badParam("limit", "must be an integer from 1 to "+strconv.Itoa(maxLimit))
		}
		lq.limit = n
	}
	var err error
	if lq.cursor, err = parseCursor(q.Get("cursor"), list); err != nil {
		return lq, err
	}
	if lq.from, lq.to, err = parseRange(q); err != nil {
		return lq, err
	}
	return lq, nil
}

// parseRange reads from (inclusive) and to (exclusive), RFC 3339 times.
func parseRange(q url.Values) (from, to time.Time, err error) {
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		// A "+" offset sent unescaped arrives as a space: read it as the "+" it was.
		t, perr := time.Parse(time.RFC3339, strings.ReplaceAll(s, " ", "+"))
		if perr != nil {
			return from, to, badParam(p.name, "must be an RFC 3339 time such as 2026-01-02T15:04:05Z (in a URL, + is %2B)")
		}
		*p.dst = t.UTC()
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return from, to, badParam("to", "must be after from")
	}
	return from, to, nil
}

// pageOf makes the answer from rows fetched with limit+1: the extra row only tells that
// there is a next page, whose cursor is the key of the last row shown.
func pageOf[R, T any](rows []R, limit int, key func(R) cursor, conv func(R) T) page[T] {
	p := page[T]{Items: make([]T, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			next := key(rows[limit-1]).String()
			p.NextCursor = &next
			break
		}
		p.Items = append(p.Items, conv(r))
	}
	return p
}
