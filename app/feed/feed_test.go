package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
)

const atomNS = "http://www.w3.org/2005/Atom"

var paris = time.FixedZone("CEST", 2*60*60)

// write runs WriteTo and checks that it reports the bytes it wrote.
func write(t *testing.T, f Feed) []byte {
	t.Helper()
	var b bytes.Buffer
	n, err := f.WriteTo(&b)
	if err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if n != int64(b.Len()) {
		t.Errorf("WriteTo returned %d, wrote %d bytes", n, b.Len())
	}
	return b.Bytes()
}

// parse reads doc with gofeed twice: as a universal feed (what most readers see) and as raw
// Atom (to check rel and type attributes the universal model drops).
func parse(t *testing.T, doc []byte) (*gofeed.Feed, *atom.Feed) {
	t.Helper()
	uf, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("gofeed: %v\n%s", err, doc)
	}
	if uf.FeedType != "atom" || uf.FeedVersion != "1.0" {
		t.Errorf("detected %s %s, want atom 1.0", uf.FeedType, uf.FeedVersion)
	}
	af, err := (&atom.Parser{}).Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("gofeed atom: %v\n%s", err, doc)
	}
	return uf, af
}

// elements lists every element of doc as {namespace}local, failing unless doc is well-formed.
func elements(t *testing.T, doc []byte) []string {
	t.Helper()
	var names []string
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, doc)
		}
		if se, ok := tok.(xml.StartElement); ok {
			names = append(names, "{"+se.Name.Space+"}"+se.Name.Local)
		}
	}
}

func link(links []*atom.Link, rel string) *atom.Link {
	for _, l := range links {
		if l.Rel == rel {
			return l
		}
	}
	return nil
}

func sample() Feed {
	return Feed{
		ID:       "https://status.example.com/status/acme",
		Title:    "Acme status",
		Subtitle: "Incidents and maintenance",
		Link:     "https://status.example.com/status/acme",
		Self:     "https://status.example.com/status/acme/feed.atom",
		Updated:  time.Date(2024, 6, 2, 12, 0, 0, 0, time.UTC),
		Author:   "Acme Inc.",
		Entries: []Entry{
			{
				ID:          "tag:status.example.com,2024:incident/2",
				Title:       "API errors",
				Link:        "https://status.example.com/status/acme/incidents/2",
				Published:   time.Date(2024, 6, 2, 10, 30, 0, 0, paris),
				Updated:     time.Date(2024, 6, 2, 11, 45, 15, 0, paris),
				Summary:     "Resolved: the API returned errors for 20 minutes.",
				Content:     "<p>We rolled back a <b>bad deploy</b>.</p>",
				ContentHTML: true,
				Categories:  []string{"API", "Database"},
			},
			{
				ID:        "tag:status.example.com,2024:incident/1",
				Title:     "Slow dashboard",
				Link:      "https://status.example.com/status/acme/incidents/1",
				Published: time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC),
				Updated:   time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC),
				Content:   "Dashboard pages were slow.\nThey are fast again.",
			},
		},
	}
}

func TestWriteToRoundTrip(t *testing.T) {
	f := sample()
	doc := write(t, f)
	uf, af := parse(t, doc)

	if !bytes.HasPrefix(doc, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("no XML declaration: %.60s", doc)
	}
	if names := elements(t, doc); names[0] != "{"+atomNS+"}feed" {
		t.Errorf("root = %s, want {%s}feed", names[0], atomNS)
	}

	feedChecks := []struct {
		name, got, want string
	}{
		{name: "title", got: uf.Title, want: "Acme status"},
		{name: "subtitle", got: uf.Description, want: "Incidents and maintenance"},
		{name: "alternate link", got: uf.Link, want: f.Link},
		{name: "self link", got: uf.FeedLink, want: f.Self},
		{name: "id", got: af.ID, want: f.ID},
		{name: "updated", got: af.Updated, want: "2024-06-02T12:00:00Z"},
		{name: "author", got: uf.Author.Name, want: "Acme Inc."},
		{name: "self type", got: link(af.Links, "self").Type, want: "application/atom+xml"},
		{name: "alternate type", got: link(af.Links, "alternate").Type, want: "text/html"},
	}
	for _, c := range feedChecks {
		t.Run("feed "+c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		})
	}
	if !uf.UpdatedParsed.Equal(f.Updated) {
		t.Errorf("updated parsed = %v, want %v", uf.UpdatedParsed, f.Updated)
	}

	if len(uf.Items) != 2 || len(af.Entries) != 2 {
		t.Fatalf("got %d items, %d entries, want 2", len(uf.Items), len(af.Entries))
	}
	tests := []struct {
		name            string
		want            Entry
		wantUpdated     string
		wantPublished   string
		wantContentType string
	}{
		{name: "html content, non-UTC times", want: f.Entries[0], wantUpdated: "2024-06-02T09:45:15Z", wantPublished: "2024-06-02T08:30:00Z", wantContentType: "html"},
		{name: "text content, no summary", want: f.Entries[1], wantUpdated: "2024-06-01T09:00:00Z", wantPublished: "2024-06-01T08:00:00Z", wantContentType: "text"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item, entry := uf.Items[i], af.Entries[i]
			checks := []struct{ field, got, want string }{
				{"id", item.GUID, tt.want.ID},
				{"title", item.Title, tt.want.Title},
				{"link", item.Link, tt.want.Link},
				{"summary", item.Description, tt.want.Summary},
				{"content", item.Content, tt.want.Content},
				{"content type", entry.Content.Type, tt.wantContentType},
				{"updated", entry.Updated, tt.wantUpdated},
				{"published", entry.Published, tt.wantPublished},
				{"categories", strings.Join(item.Categories, ","), strings.Join(tt.want.Categories, ",")},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if !item.UpdatedParsed.Equal(tt.want.Updated) || !item.PublishedParsed.Equal(tt.want.Published) {
				t.Errorf("times = %v, %v, want %v, %v", item.UpdatedParsed, item.PublishedParsed, tt.want.Updated, tt.want.Published)
			}
		})
	}
}

func TestWriteToDefaults(t *testing.T) {
	newest := time.Date(2024, 6, 3, 7, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		feed        Feed
		wantUpdated string
		wantAuthor  string
		wantEntry   []string // each entry's updated
	}{
		{
			name: "feed updated from the newest entry, in any order",
			feed: Feed{ID: "urn:x", Title: "T", Author: "A", Entries: []Entry{
				{ID: "urn:1", Updated: newest.Add(-time.Hour)},
				{ID: "urn:2", Updated: newest.In(paris)},
				{ID: "urn:3", Updated: newest.Add(-2 * time.Hour)},
			}},
			wantUpdated: "2024-06-03T07:00:00Z", wantAuthor: "A",
			wantEntry: []string{"2024-06-03T06:00:00Z", "2024-06-03T07:00:00Z", "2024-06-03T05:00:00Z"},
		},
		{
			name: "entry updated falls back to published",
			feed: Feed{ID: "urn:x", Title: "T", Author: "A", Entries: []Entry{
				{ID: "urn:1", Published: newest},
			}},
			wantUpdated: "2024-06-03T07:00:00Z", wantAuthor: "A",
			wantEntry: []string{"2024-06-03T07:00:00Z"},
		},
		{
			name:        "explicit feed updated wins over entries",
			feed:        Feed{ID: "urn:x", Title: "T", Updated: newest.Add(time.Hour), Entries: []Entry{{ID: "urn:1", Updated: newest}}},
			wantUpdated: "2024-06-03T08:00:00Z", wantAuthor: "T",
			wantEntry: []string{"2024-06-03T07:00:00Z"},
		},
		{
			name:        "author defaults to the title",
			feed:        Feed{ID: "urn:x", Title: "Acme status", Updated: newest},
			wantUpdated: "2024-06-03T07:00:00Z", wantAuthor: "Acme status",
		},
		{
			name:        "fractional seconds dropped",
			feed:        Feed{ID: "urn:x", Title: "T", Updated: newest.Add(123456789 * time.Nanosecond)},
			wantUpdated: "2024-06-03T07:00:00Z", wantAuthor: "T",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, af := parse(t, write(t, tt.feed))
			if af.Updated != tt.wantUpdated {
				t.Errorf("feed updated = %q, want %q", af.Updated, tt.wantUpdated)
			}
			if len(af.Authors) != 1 || af.Authors[0].Name != tt.wantAuthor {
				t.Errorf("authors = %+v, want one named %q", af.Authors, tt.wantAuthor)
			}
			if len(af.Entries) != len(tt.wantEntry) {
				t.Fatalf("got %d entries, want %d", len(af.Entries), len(tt.wantEntry))
			}
			for i, e := range af.Entries {
				if e.Updated != tt.wantEntry[i] {
					t.Errorf("entry %d updated = %q, want %q", i, e.Updated, tt.wantEntry[i])
				}
			}
		})
	}
}

func TestWriteToRequiredElements(t *testing.T) {
	// RFC 4287: a feed has id, title, updated and (entries lacking one) an author; an entry
	// has id, title, updated and content or an alternate link.
	tests := []struct {
		name string
		feed Feed
	}{
		{name: "empty feed", feed: Feed{ID: "urn:x", Title: "Acme status", Updated: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{name: "bare entry", feed: Feed{ID: "urn:x", Entries: []Entry{{ID: "urn:1", Updated: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}}}},
		{name: "entry with a link and no content", feed: Feed{ID: "urn:x", Title: "T", Entries: []Entry{{ID: "urn:1", Title: "E", Link: "https://e/1", Updated: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := write(t, tt.feed)
			uf, _ := parse(t, doc)
			if len(uf.Items) != len(tt.feed.Entries) {
				t.Errorf("got %d items, want %d", len(uf.Items), len(tt.feed.Entries))
			}

			var got struct {
				XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
				ID      *string  `xml:"id"`
				Title   *string  `xml:"title"`
				Updated *string  `xml:"updated"`
				Author  *struct {
					Name *string `xml:"name"`
				} `xml:"author"`
				Entries []struct {
					ID      *string `xml:"id"`
					Title   *string `xml:"title"`
					Updated *string `xml:"updated"`
					Content *string `xml:"content"`
					Link    []struct {
						Rel string `xml:"rel,attr"`
					} `xml:"link"`
				} `xml:"entry"`
			}
			if err := xml.Unmarshal(doc, &got); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if got.ID == nil || got.Title == nil || got.Updated == nil || got.Author == nil || got.Author.Name == nil {
				t.Errorf("feed misses id, title, updated or author/name:\n%s", doc)
			}
			for i, e := range got.Entries {
				if e.ID == nil || e.Title == nil || e.Updated == nil {
					t.Errorf("entry %d misses id, title or updated:\n%s", i, doc)
				}
				alternate := false
				for _, l := range e.Link {
					alternate = alternate || l.Rel == "alternate"
				}
				if e.Content == nil && !alternate {
					t.Errorf("entry %d has neither content nor an alternate link:\n%s", i, doc)
				}
			}
		})
	}
}

func TestWriteToHostileText(t *testing.T) {
	hostile := []struct {
		name string
		text string
	}{
		{name: "script", text: `<script>alert("x")</script>`},
		{name: "cdata end", text: `a ]]> b <![CDATA[ c ]]>`},
		{name: "entities", text: `Tom & Jerry &amp; &lt;b&gt; &#60;i&#62;`},
		{name: "quotes", text: `it's "quoted"`},
		{name: "comment and pi", text: `<!-- x --> <?php echo 1 ?>`},
		{name: "element in namespace", text: `<atom:entry xmlns:atom="http://www.w3.org/2005/Atom"><atom:id>urn:evil</atom:id></atom:entry>`},
	}
	for _, tt := range hostile {
		t.Run(tt.name, func(t *testing.T) {
			f := Feed{
				ID: "urn:x", Title: tt.text, Subtitle: tt.text, Author: tt.text,
				Updated: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
				Entries: []Entry{{
					ID: "urn:1", Title: tt.text, Summary: tt.text, Content: tt.text,
					Updated:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
					Categories: []string{tt.text},
				}},
			}
			doc := write(t, f)

			allowed := map[string]bool{}
			for _, n := range []string{"feed", "id", "title", "subtitle", "updated", "author", "name", "entry", "summary", "content", "category"} {
				allowed["{"+atomNS+"}"+n] = true
			}
			names := elements(t, doc)
			for _, n := range names {
				if !allowed[n] {
					t.Errorf("unexpected element %s: text became markup", n)
				}
			}
			if len(names) != 14 {
				t.Errorf("got %d elements, want 14: %v", len(names), names)
			}

			uf, af := parse(t, doc)
			if len(uf.Items) != 1 {
				t.Fatalf("got %d items, want 1", len(uf.Items))
			}
			item := uf.Items[0]
			checks := []struct{ field, got string }{
				{"feed title", uf.Title},
				{"subtitle", uf.Description},
				{"author", uf.Author.Name},
				{"entry title", item.Title},
				{"summary", item.Description},
				{"content", item.Content},
				{"category", strings.Join(item.Categories, "")},
			}
			for _, c := range checks {
				if c.got != tt.text {
					t.Errorf("%s = %q, want %q", c.field, c.got, tt.text)
				}
			}
			if af.Entries[0].ID != "urn:1" {
				t.Errorf("entry id = %q: hostile text changed the structure", af.Entries[0].ID)
			}
		})
	}
}

func TestWriteToInvalidXMLCharacters(t *testing.T) {
	// Characters XML 1.0 cannot carry must not make the feed unparsable.
	f := Feed{ID: "urn:x", Title: "bell\x07 nul\x00 bad\xff utf8", Updated: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	doc := write(t, f)
	elements(t, doc)
	uf, _ := parse(t, doc)
	if want := "bell\uFFFD nul\uFFFD bad\uFFFD utf8"; uf.Title != want {
		t.Errorf("title = %q, want %q", uf.Title, want)
	}
}

func TestWriteToErrors(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		feed Feed
		want string
	}{
		{name: "no feed id", feed: Feed{Title: "T", Updated: at}, want: "feed id is empty"},
		{name: "no entry id", feed: Feed{ID: "urn:x", Entries: []Entry{{Title: "E", Updated: at}}}, want: "entry 0: id is empty"},
		{name: "entry without times", feed: Feed{ID: "urn:x", Updated: at, Entries: []Entry{{ID: "urn:1"}}}, want: `entry "urn:1": updated and published are both zero`},
		{name: "empty feed without updated", feed: Feed{ID: "urn:x", Title: "T"}, want: "updated is zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			n, err := tt.feed.WriteTo(&b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if n != 0 || b.Len() != 0 {
				t.Errorf("wrote %d bytes (reported %d) before failing", b.Len(), n)
			}
		})
	}
}

// failingWriter fails every write, like a client that went away.
type failingWriter struct{}

var errGone = errors.New("client gone")

func (failingWriter) Write([]byte) (int, error) { return 0, errGone }

func TestWriteToWriterError(t *testing.T) {
	f := Feed{ID: "urn:x", Title: "T", Updated: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := f.WriteTo(failingWriter{}); !errors.Is(err, errGone) {
		t.Errorf("err = %v, want %v", err, errGone)
	}
}

func TestWriteToDeterministic(t *testing.T) {
	a, b := write(t, sample()), write(t, sample())
	if !bytes.Equal(a, b) {
		t.Errorf("two writes differ:\n%s\n%s", a, b)
	}
}

// Feed is an io.WriterTo, so handlers can hand it to anything that takes one.
var _ io.WriterTo = Feed{}
