package badge

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

const svgNS = "http://www.w3.org/2000/svg"

// svgDoc is the part of a rendered badge the tests look at.
type svgDoc struct {
	XMLName   xml.Name `xml:"svg"`
	Width     string   `xml:"width,attr"`
	Height    string   `xml:"height,attr"`
	Role      string   `xml:"role,attr"`
	AriaLabel string   `xml:"aria-label,attr"`
	Title     string   `xml:"title"`
	Gradient  struct {
		ID string `xml:"id,attr"`
	} `xml:"linearGradient"`
	Clip struct {
		ID   string `xml:"id,attr"`
		Rect struct {
			Width string `xml:"width,attr"`
			RX    string `xml:"rx,attr"`
		} `xml:"rect"`
	} `xml:"clipPath"`
	Groups []struct {
		ClipPath string `xml:"clip-path,attr"`
		Rects    []struct {
			X     string `xml:"x,attr"`
			Width string `xml:"width,attr"`
			Fill  string `xml:"fill,attr"`
		} `xml:"rect"`
		Texts []struct {
			X          string `xml:"x,attr"`
			TextLength string `xml:"textLength,attr"`
			Text       string `xml:",chardata"`
		} `xml:"text"`
	} `xml:"g"`
}

// parse decodes a badge strictly, failing the test unless it is well-formed XML whose root
// is an svg element in the SVG namespace.
func parse(t *testing.T, svg []byte) svgDoc {
	t.Helper()
	var doc svgDoc
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, svg)
	}
	if doc.XMLName.Space != svgNS || doc.XMLName.Local != "svg" {
		t.Fatalf("root = {%s}%s, want {%s}svg", doc.XMLName.Space, doc.XMLName.Local, svgNS)
	}
	return doc
}

// elements lists the local names of every element in doc, in document order.
func elements(t *testing.T, svg []byte) []string {
	t.Helper()
	var names []string
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("token: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			names = append(names, se.Name.Local)
		}
	}
}

func width(t *testing.T, doc svgDoc) int {
	t.Helper()
	w, err := strconv.Atoi(doc.Width)
	if err != nil {
		t.Fatalf("width %q: %v", doc.Width, err)
	}
	return w
}

func TestRender(t *testing.T) {
	tests := []struct {
		name      string
		label     string
		message   string
		color     Color
		wantTitle string
		wantRects int // coloured boxes, before the gradient overlay
		wantTexts []string
	}{
		{name: "status", label: "api", message: "up", color: Green, wantTitle: "api: up", wantRects: 2, wantTexts: []string{"api", "api", "up", "up"}},
		{name: "uptime", label: "uptime", message: "99.95%", color: YellowGreen, wantTitle: "uptime: 99.95%", wantRects: 2, wantTexts: []string{"uptime", "uptime", "99.95%", "99.95%"}},
		{name: "no label", label: "", message: "maintenance", color: Blue, wantTitle: "maintenance", wantRects: 1, wantTexts: []string{"maintenance", "maintenance"}},
		{name: "script in label", label: "<script>alert(1)</script>", message: "down", color: Red, wantTitle: "<script>alert(1)</script>: down", wantRects: 2, wantTexts: []string{"<script>alert(1)</script>", "<script>alert(1)</script>", "down", "down"}},
		{name: "ampersand and quotes", label: `R&D "core" 'api'`, message: `a"b&c<d>e`, color: Grey, wantTitle: `R&D "core" 'api': a"b&c<d>e`, wantRects: 2, wantTexts: []string{`R&D "core" 'api'`, `R&D "core" 'api'`, `a"b&c<d>e`, `a"b&c<d>e`}},
		{name: "attribute breakout", label: `x" onload="alert(1)`, message: `]]><!--`, color: Green, wantTitle: `x" onload="alert(1): ]]><!--`, wantRects: 2, wantTexts: []string{`x" onload="alert(1)`, `x" onload="alert(1)`, `]]><!--`, `]]><!--`}},
		{name: "unicode", label: "café", message: "稼働中", color: Green, wantTitle: "café: 稼働中", wantRects: 2, wantTexts: []string{"café", "café", "稼働中", "稼働中"}},
		{name: "hostile colour", label: "a", message: "b", color: Color(`red"/><script/>`), wantTitle: "a: b", wantRects: 2, wantTexts: []string{"a", "a", "b", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg := Render(tt.label, tt.message, tt.color)
			doc := parse(t, svg)

			if doc.Height != "20" {
				t.Errorf("height = %q, want 20", doc.Height)
			}
			if doc.Role != "img" {
				t.Errorf("role = %q, want img", doc.Role)
			}
			if doc.AriaLabel != tt.wantTitle || doc.Title != tt.wantTitle {
				t.Errorf("aria-label = %q, title = %q, want %q", doc.AriaLabel, doc.Title, tt.wantTitle)
			}
			if doc.Gradient.ID == "" || doc.Clip.ID == "" || doc.Clip.Rect.RX != "3" || doc.Clip.Rect.Width != doc.Width {
				t.Errorf("missing flat-style gradient or rounded clip path: %+v %+v", doc.Gradient, doc.Clip)
			}
			if len(doc.Groups) != 2 || doc.Groups[0].ClipPath != "url(#"+doc.Clip.ID+")" {
				t.Fatalf("want a clipped group of boxes and a group of texts, got %+v", doc.Groups)
			}

			rects := doc.Groups[0].Rects
			if len(rects) != tt.wantRects+1 {
				t.Fatalf("rects = %+v, want %d boxes and the gradient overlay", rects, tt.wantRects)
			}
			if got := rects[tt.wantRects-1].Fill; got != string(tt.color) {
				t.Errorf("message box fill = %q, want %q", got, tt.color)
			}
			sum := 0
			for _, r := range rects[:tt.wantRects] {
				w, err := strconv.Atoi(r.Width)
				if err != nil {
					t.Fatalf("rect width %q: %v", r.Width, err)
				}
				sum += w
			}
			if sum != width(t, doc) {
				t.Errorf("boxes add up to %d, badge is %s wide", sum, doc.Width)
			}

			var texts []string
			for _, tx := range doc.Groups[1].Texts {
				texts = append(texts, tx.Text)
			}
			if strings.Join(texts, "|") != strings.Join(tt.wantTexts, "|") {
				t.Errorf("texts = %q, want %q", texts, tt.wantTexts)
			}

			for _, name := range elements(t, svg) {
				switch name {
				case "svg", "title", "linearGradient", "stop", "clipPath", "rect", "g", "text":
				default:
					t.Errorf("unexpected element <%s>: user text became markup", name)
				}
			}
			if bytes.Contains(svg, []byte("<script")) || bytes.Contains(svg, []byte(`" onload=`)) {
				t.Errorf("hostile text not escaped:\n%s", svg)
			}
		})
	}
}

func TestRenderDeterministic(t *testing.T) {
	a := Render("api", "up", Green)
	b := Render("api", "up", Green)
	if !bytes.Equal(a, b) {
		t.Errorf("two renders differ:\n%s\n%s", a, b)
	}
}

func TestRenderWidth(t *testing.T) {
	tests := []struct {
		name           string
		narrow, wide   [2]string // label, message
		sameLabelWidth bool
	}{
		{name: "longer message", narrow: [2]string{"api", "up"}, wide: [2]string{"api", "operational"}, sameLabelWidth: true},
		{name: "longer label", narrow: [2]string{"api", "up"}, wide: [2]string{"billing api", "up"}},
		{name: "wide letters", narrow: [2]string{"api", "iiii"}, wide: [2]string{"api", "WWWW"}, sameLabelWidth: true},
		{name: "full-width text", narrow: [2]string{"api", "ok"}, wide: [2]string{"api", "稼働中"}, sameLabelWidth: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := parse(t, Render(tt.narrow[0], tt.narrow[1], Green))
			w := parse(t, Render(tt.wide[0], tt.wide[1], Green))
			if width(t, w) <= width(t, n) {
				t.Errorf("%q is %s wide, not wider than %q at %s", tt.wide, w.Width, tt.narrow, n.Width)
			}
			nl, wl := n.Groups[0].Rects[0].Width, w.Groups[0].Rects[0].Width
			if tt.sameLabelWidth && nl != wl {
				t.Errorf("label box changed width with the message: %s -> %s", nl, wl)
			}
		})
	}
}

func TestTextFitsBox(t *testing.T) {
	// Every text must be centred in its own box and no wider than it, padding included.
	for _, s := range []string{"", "i", "api", "uptime 30d", "WWWWWWWWWW", "<&>\"'", "日本語テキスト"} {
		t.Run(s, func(t *testing.T) {
			doc := parse(t, Render(s, s, Green))
			rects, texts := doc.Groups[0].Rects, doc.Groups[1].Texts
			left := 0
			for i := 0; i+1 < len(rects); i++ {
				w, _ := strconv.Atoi(rects[i].Width)
				tx := texts[2*i]
				x, _ := strconv.Atoi(tx.X)
				length, _ := strconv.Atoi(tx.TextLength)
				if 2*x != 10*(2*left+w) {
					t.Errorf("text %d centred at %d/10, box spans %d..%d", i, x, left, left+w)
				}
				if length+10*2*padding > 10*w {
					t.Errorf("text %d is %d/10 wide, box %d holds %d", i, length, w, w-2*padding)
				}
				left += w
			}
		})
	}
}

func TestStatusColor(t *testing.T) {
	tests := []struct {
		name   string
		status string
		want   Color
	}{
		{name: "up", status: "up", want: Green},
		{name: "operational", status: "operational", want: Green},
		{name: "case and space", status: " Up ", want: Green},
		{name: "degraded", status: "degraded", want: Yellow},
		{name: "down", status: "down", want: Red},
		{name: "maintenance", status: "maintenance", want: Blue},
		{name: "pending", status: "pending", want: Grey},
		{name: "paused", status: "paused", want: Grey},
		{name: "empty", status: "", want: Grey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StatusColor(tt.status); got != tt.want {
				t.Errorf("StatusColor(%q) = %q, want %q", tt.status, got, tt.want)
			}
		})
	}
}

func TestUptimeColor(t *testing.T) {
	tests := []struct {
		name    string
		percent float64
		want    Color
	}{
		{name: "perfect", percent: 100, want: Green},
		{name: "three nines", percent: 99.9, want: Green},
		{name: "three nines from a ratio", percent: 0.999 * 100, want: Green},
		{name: "float noise below three nines", percent: 99.89999999999999, want: Green},
		{name: "just below three nines", percent: 99.89, want: YellowGreen},
		{name: "two nines", percent: 99, want: YellowGreen},
		{name: "just below two nines", percent: 98.999, want: Yellow},
		{name: "97", percent: 97, want: Yellow},
		{name: "96.99", percent: 96.99, want: Orange},
		{name: "95", percent: 95, want: Orange},
		{name: "94.99", percent: 94.99, want: Red},
		{name: "zero", percent: 0, want: Red},
		{name: "negative", percent: -5, want: Red},
		{name: "above 100", percent: 150, want: Green},
		{name: "no data", percent: math.NaN(), want: Grey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := UptimeColor(tt.percent); got != tt.want {
				t.Errorf("UptimeColor(%v) = %q, want %q", tt.percent, got, tt.want)
			}
		})
	}
}

func TestFormatUptime(t *testing.T) {
	tests := []struct {
		name    string
		percent float64
		want    string
	}{
		{name: "hundred", percent: 100, want: "100%"},
		{name: "two decimals", percent: 99.95, want: "99.95%"},
		{name: "trailing zero trimmed", percent: 99.9, want: "99.9%"},
		{name: "both zeros trimmed", percent: 99, want: "99%"},
		{name: "never rounds up to 100", percent: 99.996, want: "99.99%"},
		{name: "never rounds up to 100, closer", percent: 99.9999, want: "99.99%"},
		{name: "truncates", percent: 98.7654, want: "98.76%"},
		{name: "naive floor says 0.28", percent: 0.29, want: "0.29%"},
		{name: "float noise below a boundary", percent: 99.89999999999999, want: "99.9%"},
		{name: "one hundredth", percent: 0.01, want: "0.01%"},
		{name: "tenth with a hundredth", percent: 50.05, want: "50.05%"},
		{name: "zero", percent: 0, want: "0%"},
		{name: "tiny", percent: 0.004, want: "0%"},
		{name: "negative clamps", percent: -3, want: "0%"},
		{name: "above 100 clamps", percent: 100.5, want: "100%"},
		{name: "infinity clamps", percent: math.Inf(1), want: "100%"},
		{name: "no data", percent: math.NaN(), want: "no data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatUptime(tt.percent); got != tt.want {
				t.Errorf("FormatUptime(%v) = %q, want %q", tt.percent, got, tt.want)
			}
		})
	}
}
