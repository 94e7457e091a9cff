package probe

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// fmtDuration rounds d to what a human reads: 812ms, 1.23s, 2m5s.
func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// day formats a certificate date; UTC so that messages do not depend on the server's zone.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// expiresIn says how far away a certificate's expiry is, rounded to what matters.
func expiresIn(left time.Duration) string {
	if left < 24*time.Hour {
		return plural(int(math.Ceil(left.Hours())), "hour")
	}
	return plural(int(math.Round(left.Hours()/24)), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// quote returns s in double quotes with non-printable characters escaped, cut to at most limit
// runes so that messages stay one short line.
func quote(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= limit {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return strconv.Quote(string(r[:limit])) + "…"
}

// list formats values as [a, b, c], eliding past the first ten.
func list(values []string) string {
	const show = 10
	if len(values) <= show {
		return "[" + strings.Join(values, ", ") + "]"
	}
	return fmt.Sprintf("[%s, … %d more]", strings.Join(values[:show], ", "), len(values)-show)
}

// snippet returns the start of a body as valid UTF-8 of at most snippetBytes bytes, cut on a
// character boundary.
func snippet(b []byte) string {
	s := string(b[:min(len(b), snippetBytes)])
	if len(b) > snippetBytes {
		// Drop a character cut in half by the limit rather than turn it into U+FFFD.
		for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
			if utf8.RuneStart(s[i]) {
				if !utf8.FullRuneInString(s[i:]) {
					s = s[:i]
				}
				break
			}
		}
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > snippetBytes {
		i := snippetBytes
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return s
}

// oneLine makes a message fit one line, whatever an error or a server put in it.
func oneLine(s string) string {
	if strings.ContainsAny(s, "\r\n\t") {
		s = strings.Join(strings.Fields(s), " ")
	}
	const max = 500
	if len(s) > max {
		i := max
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}
