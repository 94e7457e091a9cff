// Package badge draws shields.io "flat" style SVG badges, such as the status and uptime badges
// people embed in READMEs and dashboards. It is pure: text in, SVG bytes out, so handlers can
// cache the bytes and tests need no browser.
package badge

import (
	"bytes"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
)

// Color is a badge background colour as an SVG paint value ("#4c1"). It is a named type so
// callers reach for the palette below instead of inventing shades per handler.
type Color string

// The shields.io palette, so our badges sit next to other projects' badges without clashing.
const (
	// Green means healthy: up, operational, uptime at or above 99.9%.
	Green Color = "#4c1"
	// YellowGreen is uptime that is good but short of three nines.
	YellowGreen Color = "#97ca00"
	// Yellow means degraded, or uptime that users have started to notice.
	Yellow Color = "#dfb317"
	// Orange is uptime between 95% and 97%: a bad month.
	Orange Color = "#fe7d37"
	// Red means down, or uptime below 95%.
	Red Color = "#e05d44"
	// Grey means we know nothing useful: an unknown status, or no data yet.
	Grey Color = "#9f9f9f"
	// Blue is planned maintenance: not healthy, but not a failure either.
	Blue Color = "#007ec6"
)

// labelColor is the dark grey of the left-hand box, as on shields.io.
const labelColor = "#555"

const (
	// height is the badge height in pixels; the flat style is always 20.
	height = 20
	// padding is the space in pixels on each side of a text inside its box.
	padding = 5
)

// Render draws a flat badge with label on a dark grey box and message on a box of the given
// colour. An empty label draws the message box alone, as shields does. Label, message and
// colour are escaped, so user text (monitor names) cannot inject markup. The output depends
// only on the arguments, so it can be cached and compared byte for byte.
func Render(label, message string, color Color) []byte {
	labelText := textWidth(label)
	messageText := textWidth(message)
	labelWidth := 0
	if label != "" {
		labelWidth = boxWidth(labelText)
	}
	messageWidth := boxWidth(messageText)
	width := labelWidth + messageWidth

	title := message
	if label != "" {
		title = label + ": " + message
	}
	title = escape(title)
	w := strconv.Itoa(width)

	var b bytes.Buffer
	b.Grow(1200 + 2*len(label) + 2*len(message))
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + w + `" height="20" role="img" aria-label="` + title + `">`)
	b.WriteString(`<title>` + title + `</title>`)
	// A faint top-to-bottom gradient over both boxes, and a clip path rounding the corners:
	// together they are what makes the style "flat" rather than "flat-square".
	b.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	b.WriteString(`<clipPath id="r"><rect width="` + w + `" height="20" rx="3" fill="#fff"/></clipPath>`)
	b.WriteString(`<g clip-path="url(#r)">`)
	if label != "" {
		b.WriteString(`<rect width="` + strconv.Itoa(labelWidth) + `" height="20" fill="` + labelColor + `"/>`)
	}
	b.WriteString(`<rect x="` + strconv.Itoa(labelWidth) + `" width="` + strconv.Itoa(messageWidth) + `" height="20" fill="` + escape(string(color)) + `"/>`)
	b.WriteString(`<rect width="` + w + `" height="20" fill="url(#s)"/></g>`)
	// Text is laid out at ten times the size under scale(.1), as shields does, so that
	// positions and lengths in tenths of a pixel stay integers.
	b.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">`)
	if label != "" {
		writeText(&b, label, labelWidth*5, labelText)
	}
	writeText(&b, message, labelWidth*10+messageWidth*5, messageText)
	b.WriteString(`</g></svg>`)
	return b.Bytes()
}

// writeText writes one text twice: a dark shadow one pixel lower, hidden from screen readers
// (the svg's aria-label already says it), then the white text. x is the centre and length the
// estimated width, both in tenths of a pixel. textLength makes the browser fit the text to our
// estimate, so a wrong guess at a glyph's width never makes text overflow its box.
func writeText(b *bytes.Buffer, text string, x, length int) {
	t := escape(text)
	xs, ls := strconv.Itoa(x), strconv.Itoa(length)
	b.WriteString(`<text aria-hidden="true" x="` + xs + `" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="` + ls + `">` + t + `</text>`)
	b.WriteString(`<text x="` + xs + `" y="140" transform="scale(.1)" fill="#fff" textLength="` + ls + `">` + t + `</text>`)
}

// escape makes s safe as XML character data and inside double-quoted attributes. Characters
// XML cannot carry at all (most control characters, invalid UTF-8) become U+FFFD, so hostile
// input cannot make the document ill-formed either.
func escape(s string) string {
	var b strings.Builder
	// EscapeText only fails when the writer does; strings.Builder never does.
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// boxWidth is the width in whole pixels of a box holding text of the given width in tenths of
// a pixel: rounded up, so the text always fits, plus the padding on both sides.
func boxWidth(text int) int {
	return (text+9)/10 + 2*padding
}

// textWidth estimates the width of s in Verdana 11px, in tenths of a pixel. A real font engine
// is far too heavy for a badge; an estimate within a pixel or two looks right.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// runeWidth is the approximate advance of r in Verdana 11px, in tenths of a pixel.
func runeWidth(r rune) int {
	switch {
	case r >= 0x20 && r <= 0x7e:
		return asciiWidths[r-0x20]
	case r < 0x250:
		// Accented Latin letters are about as wide as the letters they decorate.
		return 70
	default:
		// Other scripts (CJK, symbols, emoji) are mostly full-width: erring wide keeps the
		// text inside its box, and textLength spreads it a little if we guessed too wide.
		return 110
	}
}

// asciiWidths are approximate Verdana 11px advances for printable ASCII (0x20 to 0x7e), in
// tenths of a pixel.
var asciiWidths = [...]int{
	39, 43, 50, 90, 70, 118, 80, 29, 50, 50, 70, 90, 40, 50, 40, 50, // ` !"#$%&'()*+,-./`
	70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 50, 50, 90, 90, 90, 60, // `0123456789:;<=>?`
	110, 75, 75, 77, 85, 70, 63, 85, 83, 46, 50, 76, 61, 93, 82, 87, // `@ABCDEFGHIJKLMNO`
	66, 87, 76, 75, 68, 80, 75, 109, 75, 68, 75, 50, 50, 50, 90, 70, // `PQRSTUVWXYZ[\]^_`
	70, 66, 69, 57, 69, 65, 39, 69, 70, 30, 38, 65, 30, 107, 70, 67, // "`abcdefghijklmno"
	69, 69, 47, 57, 43, 70, 65, 90, 65, 65, 58, 70, 50, 70, 90, // `pqrstuvwxyz{|}~`
}

// StatusColor is the colour of a status badge. It accepts monitor statuses and the words of a
// status page ("operational"), in any case, so one helper serves every badge; statuses it
// does not know (pending, paused, late...) are grey rather than guessed.
func StatusColor(status string) Color {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "up", "operational":
		return Green
	case "degraded":
		return Yellow
	case "down":
		return Red
	case "maintenance":
		return Blue
	default:
		return Grey
	}
}

// UptimeColor is the colour of an uptime badge for a percentage (0 to 100); NaN means no data
// and is grey. It judges the same value FormatUptime shows, so a badge reading "99.9%" is
// never painted as if it were 99.89%.
func UptimeColor(percent float64) Color {
	h, ok := hundredths(percent)
	switch {
	case !ok:
		return Grey
	case h >= 9990:
		return Green
	case h >= 9900:
		return YellowGreen
	case h >= 9700:
		return Yellow
	case h >= 9500:
		return Orange
	default:
		return Red
	}
}

// FormatUptime writes an uptime percentage for a badge: "99.95%", "99.9%", "100%", or
// "no data" for NaN. It truncates to two decimals instead of rounding, because rounding
// would claim "100%" for a monitor that had downtime (99.996 shows "99.99%"). Values outside
// 0 to 100 are clamped: a badge never says 101%.
func FormatUptime(percent float64) string {
	h, ok := hundredths(percent)
	if !ok {
		return "no data"
	}
	whole, frac := h/100, h%100
	switch {
	case frac == 0:
		return strconv.FormatInt(whole, 10) + "%"
	case frac%10 == 0:
		return strconv.FormatInt(whole, 10) + "." + strconv.FormatInt(frac/10, 10) + "%"
	default:
		return strconv.FormatInt(whole, 10) + "." + strconv.FormatInt(frac/10, 10) + strconv.FormatInt(frac%10, 10) + "%"
	}
}

// hundredths is percent clamped to [0, 100] and truncated to hundredths of a percent
// (99.996 -> 9999); ok is false for NaN. The value is first rounded to 1e-9 so that float
// noise from computing a ratio (99.89999999999999 for 99.9) does not cost a whole hundredth.
func hundredths(percent float64) (h int64, ok bool) {
	if math.IsNaN(percent) {
		return 0, false
	}
	percent = math.Max(0, math.Min(100, percent))
	nano := int64(math.Round(percent * 1e9))
	return nano / 1e7, true
}
