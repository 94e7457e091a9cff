package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// valueKind is a leaf type a config key may have. Keys are discovered from
// the toml tags, so adding a field of one of these types needs no other code.
type valueKind int

const (
	kindUnsupported valueKind = iota
	kindString
	kindInt
	kindBool
	kindDuration
	kindStrings
)

// field is one leaf key: [section] key = value.
type field struct {
	section, key string
	index        []int // reflect index path from Config
	kind         valueKind
}

// path is the dotted key used in messages and the position index.
func (f field) path() string { return f.section + "." + f.key }

// env is the variable that overrides the key.
func (f field) env() string {
	return envPrefix + strings.ToUpper(f.section) + "_" + strings.ToUpper(f.key)
}

// fields lists every leaf key of Config in declaration order.
func fields() []field {
	var out []field
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		sf := ct.Field(i)
		section := tagName(sf)
		for j := range sf.Type.NumField() {
			kf := sf.Type.Field(j)
			out = append(out, field{
				section: section,
				key:     tagName(kf),
				index:   []int{i, j},
				kind:    kindOf(kf.Type),
			})
		}
	}
	return out
}

// sections lists the section names of Config.
func sections() []string {
	var out []string
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		out = append(out, tagName(ct.Field(i)))
	}
	return out
}

func tagName(sf reflect.StructField) string {
	name, _, _ := strings.Cut(sf.Tag.Get("toml"), ",")
	return name
}

func kindOf(t reflect.Type) valueKind {
	switch {
	case t == reflect.TypeFor[Duration]():
		return kindDuration
	case t.Kind() == reflect.String:
		return kindString
	case t.Kind() == reflect.Int:
		return kindInt
	case t.Kind() == reflect.Bool:
		return kindBool
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return kindStrings
	default:
		return kindUnsupported
	}
}

// describe names what a key expects, for type errors.
func (k valueKind) describe() string {
	switch k {
	case kindString:
		return "a string"
	case kindInt:
		return "an integer"
	case kindBool:
		return "a boolean (true or false)"
	case kindDuration:
		return `a duration string such as "30s", "5m" or "1h"`
	case kindStrings:
		return "an array of strings"
	default:
		return "an unsupported type"
	}
}

// setFromEnv parses an environment value into the field of c.
func (f field) setFromEnv(c *Config, raw string) error {
	v := reflect.ValueOf(c).Elem().FieldByIndex(f.index)
	switch f.kind {
	case kindString:
		v.SetString(raw)
	case kindInt:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("invalid integer %q", raw)
		}
		v.SetInt(int64(n))
	case kindBool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("invalid boolean %q: use true or false", raw)
		}
		v.SetBool(b)
	case kindDuration:
		var d Duration
		if err := d.UnmarshalText([]byte(strings.TrimSpace(raw))); err != nil {
			return err
		}
		v.Set(reflect.ValueOf(d))
	case kindStrings:
		// Comma-separated; blanks around items and empty items are dropped.
		var list []string
		for item := range strings.SplitSeq(raw, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		v.Set(reflect.ValueOf(list))
	default:
		return errors.New("this key cannot be set from the environment")
	}
	return nil
}

// normalize makes equal configs compare equal: an empty list is nil
// whether it came from a default, `[]` in the file or an empty variable.
func normalize(c *Config) {
	for _, f := range fields() {
		v := reflect.ValueOf(c).Elem().FieldByIndex(f.index)
		if f.kind == kindStrings && v.Len() == 0 {
			v.SetZero()
		}
	}
	c.Server.BaseURL = strings.TrimRight(c.Server.BaseURL, "/")
}

// suggest returns ` (did you mean "x"?)` for the closest candidate within a
// small edit distance, to turn a typo into a one-glance fix.
func suggest(name string, candidates []string) string {
	if len(name) > 64 {
		return "" // not a typo; and keeps the quadratic distance cheap
	}
	limit := 2 // edits tolerated; short names would match anything with 2
	if len(name) <= 4 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
