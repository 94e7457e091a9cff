package config

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// position is a 1-based line and byte column in the file, as go-toml reports them.
type position struct{ line, col int }

// byteRange is a half-open range of byte offsets in the file.
type byteRange struct{ start, end int }

// entry is one key = value found in the file, with the positions the decoder
// does not keep: where each value is, so later checks can point at it.
type entry struct {
	path  []string
	elem  int      // which [[path[0]]] block holds it, 0-based; -1 outside arrays of tables
	key   position // of the last key part
	val   position // of the value; the key's when the value has none (arrays)
	kind  unstable.Kind
	text  string    // string values
	elems []element // array items
	expr  int       // index in document.exprs of the top-level expression holding it
}

// element is one item of an array value.
type element struct {
	pos  position
	kind unstable.Kind
	text string
}

// header is a [table] or [[array]] header line.
type header struct {
	path  []string
	array bool      // [[array]]
	elem  int       // as entry.elem: for [[a]] the index of this block, for [a.b] that of the last [[a]]
	key   position  // of the first key part
	line  byteRange // the whole line: a header is alone on its line
	exprs byteRange // indexes in document.exprs of the key = value lines under it
}

// document is the syntax-level view of a TOML file.
type document struct {
	entries    []entry
	tables     []header
	exprs      []byteRange // top-level key = value expressions, in file order
	lineStarts []int
	size       int
}

// parseDocument indexes every key = value of data, including those inside
// inline tables. On a syntax error it keeps what came before: the decoder
// reports the error itself.
func parseDocument(data []byte) *document {
	d := &document{lineStarts: []int{0}, size: len(data)}
	for i, b := range data {
		if b == '\n' {
			d.lineStarts = append(d.lineStarts, i+1)
		}
	}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	elem := -1
	blocks := map[string]int{} // [[name]] headers seen, by top-level name
	for nextExpression(&p) {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyPath(e.Key())
			if n := len(d.tables); n > 0 {
				d.tables[n-1].exprs.end = len(d.exprs)
			}
			first := e.Child()
			if len(table) == 0 || first == nil {
				elem = -1
				continue
			}
			array := e.Kind == unstable.ArrayTable
			if array && len(table) == 1 {
				blocks[table[0]]++
			}
			elem = blocks[table[0]] - 1
			start := int(first.Raw.Offset)
			d.tables = append(d.tables, header{
				path:  table,
				array: array,
				elem:  elem,
				key:   d.position(start),
				line:  d.lineAt(start),
				exprs: byteRange{len(d.exprs), len(d.exprs)},
			})
		case unstable.KeyValue:
			d.exprs = append(d.exprs, byteRange{int(e.Raw.Offset), int(e.Raw.Offset + e.Raw.Length)})
			d.walk(e, table, elem, len(d.exprs)-1)
		}
	}
	if n := len(d.tables); n > 0 {
		d.tables[n-1].exprs.end = len(d.exprs)
	}
	return d
}

// lineAt returns the line holding offset, without its line break.
func (d *document) lineAt(offset int) byteRange {
	p := d.position(offset)
	end := d.size
	if p.line < len(d.lineStarts) {
		end = d.lineStarts[p.line] - 1
	}
	return byteRange{d.lineStarts[p.line-1], end}
}

// nextExpression advances p, turning a panic of the (unstable) parser into
// the end of the document; the decoder then reports the problem.
func nextExpression(p *unstable.Parser) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return p.NextExpression()
}

func (d *document) walk(kv *unstable.Node, prefix []string, elem, expr int) {
	it := kv.Key()
	path := slices.Clone(prefix)
	var last *unstable.Node
	for it.Next() {
		last = it.Node()
		path = append(path, string(last.Data))
	}
	val := kv.Value()
	en := entry{path: path, elem: elem, kind: val.Kind, expr: expr}
	if last != nil {
		en.key = d.position(int(last.Raw.Offset))
	}
	en.val = en.key
	if val.Raw.Length > 0 {
		en.val = d.position(int(val.Raw.Offset))
	}
	// The entry goes before those of an inline table value, so a problem
	// with the table is seen before problems inside it.
	d.entries = append(d.entries, entry{})
	at := len(d.entries) - 1
	switch val.Kind {
	case unstable.String:
		en.text = string(val.Data)
	case unstable.Array:
		items := val.Children()
		for items.Next() {
			n := items.Node()
			if n.Kind == unstable.Comment {
				continue
			}
			el := element{pos: en.key, kind: n.Kind}
			if n.Raw.Length > 0 {
				el.pos = d.position(int(n.Raw.Offset))
			}
			if n.Kind == unstable.String {
				el.text = string(n.Data)
			}
			en.elems = append(en.elems, el)
		}
	case unstable.InlineTable:
		children := val.Children()
		for children.Next() {
			if n := children.Node(); n.Kind == unstable.KeyValue {
				d.walk(n, path, elem, expr)
			}
		}
	}
	d.entries[at] = en
}

func keyPath(it unstable.Iterator) []string {
	var path []string
	for it.Next() {
		path = append(path, string(it.Node().Data))
	}
	return path
}

// position converts a byte offset; computed from a line table because
// Parser.Shape rescans the file from the start on every call.
func (d *document) position(offset int) position {
	line := sort.Search(len(d.lineStarts), func(i int) bool { return d.lineStarts[i] > offset })
	return position{line: line, col: offset - d.lineStarts[line-1] + 1}
}

// offset converts a 1-based line and column back to a byte offset, or -1.
func (d *document) offset(line, col int) int {
	if line < 1 || line > len(d.lineStarts) || col < 1 {
		return -1
	}
	return d.lineStarts[line-1] + col - 1
}

// exprAt returns the index of the top-level expression containing offset, or -1.
func (d *document) exprAt(offset int) int {
	i := sort.Search(len(d.exprs), func(i int) bool { return d.exprs[i].end > offset })
	if offset >= 0 && i < len(d.exprs) && d.exprs[i].start <= offset {
		return i
	}
	return -1
}

// describeValue names a TOML value for "expected X, got Y" messages.
func describeValue(kind unstable.Kind, text string) string {
	switch kind {
	case unstable.String:
		if len(text) > 40 {
			text = text[:40] + "..."
		}
		return "string " + strconv.Quote(text)
	case unstable.Integer:
		return "an integer"
	case unstable.Float:
		return "a float"
	case unstable.Bool:
		return "a boolean"
	case unstable.Array:
		return "an array"
	case unstable.InlineTable:
		return "a table"
	case unstable.LocalDate, unstable.LocalTime, unstable.LocalDateTime, unstable.DateTime:
		return "a date/time"
	default:
		return fmt.Sprint(kind)
	}
}

// unknown lists the headers and not yet blanked keys that match no config
// key, even ignoring case, in file order. folded maps lowercased known paths.
// Arrays of tables are left out: their keys are checked (and their unknown
// keys reported) before.
func (d *document) unknown(folded map[string]string, blanked []bool) []entry {
	arrays := arrayTables()
	isKnown := func(path []string) bool {
		if isArrayPath(path, arrays) {
			return true
		}
		p := strings.ToLower(strings.Join(path, "."))
		return folded[p] != "" || (len(path) == 1 && slices.Contains(sections(), p))
	}
	var out []entry
	for _, t := range d.tables {
		if !isKnown(t.path) {
			out = append(out, entry{path: t.path, key: t.key, elem: t.elem})
		}
	}
	for _, en := range d.entries {
		if !blanked[en.expr] && !isKnown(en.path) {
			out = append(out, en)
		}
	}
	slices.SortStableFunc(out, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.key.line, b.key.line), cmp.Compare(a.key.col, b.key.col))
	})
	return out
}

// isArrayPath reports whether path is in an array of tables of Config, its
// first part spelled in any case.
func isArrayPath(path []string, arrays []arrayTable) bool {
	if len(path) == 0 {
		return false
	}
	for _, at := range arrays {
		if strings.EqualFold(path[0], at.name) {
			return true
		}
	}
	return false
}
