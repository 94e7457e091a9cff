package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"statusthing/app/monitor"
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
	kindStringMap
)

// field is one leaf key: [section] key = value, or a key of the items of an
// array of tables ([[monitors]] key = value; section is then the array name).
type field struct {
	section, key string
	index        []int // reflect index path from Config, or from the item type
	kind         valueKind
	typ          reflect.Type // the Go type, pointers included
}

// path is the dotted key used in messages and the position index.
func (f field) path() string { return f.section + "." + f.key }

// env is the variable that overrides the key.
func (f field) env() string {
	return envPrefix + strings.ToUpper(f.section) + "_" + strings.ToUpper(f.key)
}

// fields lists every leaf key of the sections of Config in declaration
// order: the keys that have an environment override. Arrays of tables are
// not sections: see arrayTables.
func fields() []field {
	var out []field
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		sf := ct.Field(i)
		if sf.Type.Kind() != reflect.Struct {
			continue
		}
		section := tagName(sf)
		for j := range sf.Type.NumField() {
			kf := sf.Type.Field(j)
			out = append(out, field{
				section: section,
				key:     tagName(kf),
				index:   []int{i, j},
				kind:    kindOf(kf.Type),
				typ:     kf.Type,
			})
		}
	}
	return out
}

// sections lists the section names of Config: its [table]s.
func sections() []string {
	var out []string
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		if ct.Field(i).Type.Kind() == reflect.Struct {
			out = append(out, tagName(ct.Field(i)))
		}
	}
	return out
}

// topLevel lists every top-level name of Config: sections and arrays of tables.
func topLevel() []string {
	var out []string
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		out = append(out, tagName(ct.Field(i)))
	}
	return out
}

// arrayTable is a top-level array of tables of Config, such as [[monitors]].
// Its blocks are whole items: they have no environment override.
type arrayTable struct {
	name  string
	index []int            // reflect index of the slice in Config
	keys  map[string]field // the keys of one item, by toml name
	names []string         // the same keys, in declaration order
}

// arrayTables lists the fields of Config that are slices of structs.
func arrayTables() []arrayTable {
	var out []arrayTable
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		sf := ct.Field(i)
		if sf.Type.Kind() != reflect.Slice || sf.Type.Elem().Kind() != reflect.Struct {
			continue
		}
		at := arrayTable{name: tagName(sf), index: []int{i}, keys: map[string]field{}}
		it := sf.Type.Elem()
		for j := range it.NumField() {
			kf := it.Field(j)
			t := kf.Type
			if t.Kind() == reflect.Pointer {
				t = t.Elem() // *int: unset or a value
			}
			f := field{section: at.name, key: tagName(kf), index: []int{j}, kind: kindOf(t), typ: kf.Type}
			at.keys[f.key] = f
			at.names = append(at.names, f.key)
		}
		out = append(out, at)
	}
	return out
}

// arrayTableNamed returns the array of tables called name, if any.
func arrayTableNamed(name string) (arrayTable, bool) {
	for _, at := range arrayTables() {
		if at.name == name {
			return at, true
		}
	}
	return arrayTable{}, false
}

// itemKey names a key of the elem-th (0-based) block of an array of tables
// the way messages print it, 1-based as people count blocks:
// itemKey("monitors", 1, "url") is "monitors[2].url".
func itemKey(array string, elem int, key ...string) string {
	s := array + "[" + strconv.Itoa(elem+1) + "]"
	if len(key) > 0 {
		s += "." + strings.Join(key, ".")
	}
	return s
}

func tagName(sf reflect.StructField) string {
	name, _, _ := strings.Cut(sf.Tag.Get("toml"), ",")
	return name
}

func kindOf(t reflect.Type) valueKind {
	switch {
	case t == reflect.TypeFor[Duration]() || t == reflect.TypeFor[monitor.Duration]():
		return kindDuration
	case t.Kind() == reflect.String:
		return kindString
	case t.Kind() == reflect.Int:
		return kindInt
	case t.Kind() == reflect.Bool:
		return kindBool
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return kindStrings
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.String:
		return kindStringMap
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
	case kindStringMap:
		return `a table of strings such as { "Name" = "value" }`
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

// normalize makes equal configs compare equal: an empty list or table is
// nil whether it came from a default, `[]` or `{}` in the file or an empty
// variable; so is an empty array of tables.
func normalize(c *Config) {
	cv := reflect.ValueOf(c).Elem()
	for _, f := range fields() {
		v := cv.FieldByIndex(f.index)
		if f.kind == kindStrings && v.Len() == 0 {
			v.SetZero()
		}
	}
	normalizeItems(c)
	c.Server.BaseURL = strings.TrimRight(c.Server.BaseURL, "/")
}

// normalizeItems is normalize for the arrays of tables. Load applies it
// before validation too: `headers = {}` in a tcp monitor sets nothing, and
// must not be refused as an http-only setting.
func normalizeItems(c *Config) {
	cv := reflect.ValueOf(c).Elem()
	for _, at := range arrayTables() {
		items := cv.FieldByIndex(at.index)
		if items.Len() == 0 {
			items.SetZero()
		}
		for i := range items.Len() {
			for _, f := range at.keys {
				v := items.Index(i).FieldByIndex(f.index)
				if (f.kind == kindStrings || f.kind == kindStringMap) && v.Len() == 0 {
					v.SetZero()
				}
			}
		}
	}
}

// suggest returns ` (did you mean "x"?)` for the closest candidate within a
// small edit distance, to turn a typo into a one-glance fix.
func suggest(name string, candidates []string) string {
	best := closest(name, candidates)
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// closest returns the candidate nearest to name within a small edit
// distance, or "".
func closest(name string, candidates []string) string {
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
	return best
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
