// Package feed writes Atom 1.0 feeds (RFC 4287), such as a status page's incident history,
// so people can follow incidents in a feed reader. It is pure: the caller builds a Feed from
// its own data, and WriteTo only encodes it.
package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"time"
)

// ContentType is the media type to serve a feed with, so handlers need not spell it.
const ContentType = "application/atom+xml; charset=utf-8"

// Feed is one Atom feed. Times may be in any location: they are written in UTC.
type Feed struct {
	// ID is the feed's permanent, unique IRI (for instance the status page URL): readers
	// use it to tell feeds apart, so it must not change when the page is renamed.
	ID       string
	Title    string
	Subtitle string
	// Link is the HTML page the feed is about (rel="alternate").
	Link string
	// Self is the feed's own URL (rel="self"), so readers can find it again.
	Self string
	// Updated is when the feed last changed; zero means the newest entry's update time.
	Updated time.Time
	// Author is who publishes the feed; empty means Title. Atom requires an author on the
	// feed when entries have none, and ours never do.
	Author  string
	Entries []Entry
}

// Entry is one item of a feed, such as an incident.
type Entry struct {
	// ID is the entry's permanent, unique IRI: readers use it to know an entry they have
	// already shown, so it must stay the same when the entry is edited.
	ID    string
	Title string
	// Link is the entry's HTML page (rel="alternate").
	Link string
	// Published is when the entry first appeared; zero leaves it out.
	Published time.Time
	// Updated is when the entry last changed; zero means Published.
	Updated time.Time
	// Summary is plain text; empty leaves it out.
	Summary string
	// Content is plain text, or HTML when ContentHTML is set. HTML is passed to feed readers
	// as is: sanitising it is the caller's job.
	Content     string
	ContentHTML bool
	// Categories are category terms (such as the affected components); empty terms are
	// skipped.
	Categories []string
}

// WriteTo writes f as a UTF-8 Atom document with an XML declaration, and implements
// io.WriterTo. The whole document is encoded before the first byte is written, so an invalid
// feed returns an error having written nothing, and a handler can still answer with an
// error page. A feed is invalid when an ID is empty, when an entry has neither Updated nor
// Published, or when the feed has neither Updated nor an entry to take it from: Atom
// requires all of these, and this package has no clock to invent them.
func (f Feed) WriteTo(w io.Writer) (int64, error) {
	doc, err := f.document()
	if err != nil {
		return 0, err
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return 0, fmt.Errorf("feed: encode: %w", err)
	}
	b.WriteByte('\n')
	n, err := w.Write(b.Bytes())
	return int64(n), err
}

// document checks f and maps it to the XML structs, filling in the defaults Atom needs.
func (f Feed) document() (*atomFeed, error) {
	if f.ID == "" {
		return nil, errors.New("feed: feed id is empty")
	}
	doc := &atomFeed{
		ID:      f.ID,
		Title:   atomText{Body: f.Title},
		Entries: make([]atomEntry, 0, len(f.Entries)),
	}
	if f.Subtitle != "" {
		doc.Subtitle = &atomText{Body: f.Subtitle}
	}
	if f.Link != "" {
		doc.Links = append(doc.Links, atomLink{Rel: "alternate", Type: "text/html", Href: f.Link})
	}
	if f.Self != "" {
		doc.Links = append(doc.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: f.Self})
	}
	doc.Author.Name = f.Author
	if doc.Author.Name == "" {
		doc.Author.Name = f.Title
	}

	updated := f.Updated
	for i, e := range f.Entries {
		if e.ID == "" {
			return nil, fmt.Errorf("feed: entry %d: id is empty", i)
		}
		eu := e.Updated
		if eu.IsZero() {
			eu = e.Published
		}
		if eu.IsZero() {
			return nil, fmt.Errorf("feed: entry %q: updated and published are both zero", e.ID)
		}
		if f.Updated.IsZero() && eu.After(updated) {
			updated = eu
		}

		ae := atomEntry{ID: e.ID, Title: atomText{Body: e.Title}, Updated: stamp(eu)}
		if !e.Published.IsZero() {
			ae.Published = stamp(e.Published)
		}
		if e.Link != "" {
			ae.Links = append(ae.Links, atomLink{Rel: "alternate", Type: "text/html", Href: e.Link})
		}
		if e.Summary != "" {
			ae.Summary = &atomText{Type: "text", Body: e.Summary}
		}
		// Atom wants content or an alternate link on every entry: keep an empty content
		// element when there is no link.
		if e.Content != "" || e.Link == "" {
			ae.Content = &atomText{Type: "text", Body: e.Content}
			if e.ContentHTML {
				ae.Content.Type = "html"
			}
		}
		for _, c := range e.Categories {
			if c != "" {
				ae.Categories = append(ae.Categories, atomCategory{Term: c})
			}
		}
		doc.Entries = append(doc.Entries, ae)
	}
	if updated.IsZero() {
		return nil, errors.New("feed: updated is zero and no entry has a time to take it from")
	}
	doc.Updated = stamp(updated)
	return doc, nil
}

// stamp formats t as an RFC 3339 date-time in UTC, the form Atom requires.
func stamp(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// atomFeed and the types below mirror the Atom elements we write. encoding/xml escapes all
// their text, so titles and content from users can never become markup.
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID       string      `xml:"id"`
	Title    atomText    `xml:"title"`
	Subtitle *atomText   `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Entries  []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    *atomText      `xml:"content,omitempty"`
	Categories []atomCategory `xml:"category"`
}

// atomText is a text construct. An empty Type is Atom's default, plain text.
type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}
