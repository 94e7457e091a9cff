package probe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"statusthing/app/monitor"
)

// parseJSON decodes a body keeping numbers as written (json.Number), so that messages quote
// them as the server sent them.
func parseJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the body is empty")
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return doc, nil
}

// checkJSON evaluates one assertion against a parsed body and returns "" when it holds, else
// the message of its failure.
func checkJSON(doc any, a monitor.JSONAssertion) string {
	expr := a.Raw
	if expr == "" {
		expr = fmt.Sprintf("%s %s %s", pathString(a.Path), a.Op, render(a.Value))
	}
	got := doc
	for i, step := range a.Path {
		here, parent := pathString(a.Path[:i+1]), pathString(a.Path[:i])
		if step.IsIdx {
			arr, ok := got.([]any)
			if !ok {
				return fmt.Sprintf("%s: %s is %s, not an array", here, parent, kind(got))
			}
			if step.Index < 0 || step.Index >= len(arr) {
				return fmt.Sprintf("%s: no such index (the array has %d elements)", here, len(arr))
			}
			got = arr[step.Index]
			continue
		}
		obj, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %s is %s, not an object", here, parent, kind(got))
		}
		if got, ok = obj[step.Key]; !ok {
			return fmt.Sprintf("%s: no such key", here)
		}
	}

	failed := fmt.Sprintf("%s failed: got %s", expr, render(got))
	switch a.Op {
	case "==", "!=":
		if jsonEqual(got, a.Value) != (a.Op == "==") {
			return failed
		}
	case "<", "<=", ">", ">=":
		x, ok := number(got)
		if !ok {
			return fmt.Sprintf("%s, which is not a number", failed)
		}
		y, ok := number(a.Value)
		if !ok {
			return fmt.Sprintf("%s: %s needs a number on the right", expr, a.Op)
		}
		var holds bool
		switch a.Op {
		case "<":
			holds = x < y
		case "<=":
			holds = x <= y
		case ">":
			holds = x > y
		default:
			holds = x >= y
		}
		if !holds {
			return failed
		}
	case "contains":
		switch g := got.(type) {
		case string:
			want, ok := a.Value.(string)
			if !ok || !strings.Contains(g, want) {
				return failed
			}
		case []any:
			for _, e := range g {
				if jsonEqual(e, a.Value) {
					return ""
				}
			}
			return failed
		default:
			return fmt.Sprintf("%s, which is not a string or an array", failed)
		}
	default:
		return fmt.Sprintf("%s: unknown operator %q", expr, a.Op)
	}
	return ""
}

// jsonEqual compares a value from the body with a literal: numbers numerically, strings
// exactly, booleans and null by value; objects and arrays never equal a literal.
func jsonEqual(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// render shows a JSON value compactly, cut so that a message stays short.
func render(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // show <html> as the server sent it
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	const limit = 100
	if len(b) > limit {
		i := limit
		for i > 0 && b[i]&0xC0 == 0x80 {
			i--
		}
		return string(b[:i]) + "…"
	}
	return string(b)
}

// simpleKey reports whether key reads well after a dot.
func simpleKey(key string) bool {
	for i, c := range key {
		letter := c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || !(c == '-' || (c >= '0' && c <= '9'))) {
			return false
		}
	}
	return key != ""
}

// pathString writes a path back as $.a.b[0]["odd key"].
func pathString(path []monitor.PathStep) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, s := range path {
		switch {
		case s.IsIdx:
			b.WriteString("[" + strconv.Itoa(s.Index) + "]")
		case simpleKey(s.Key):
			b.WriteString("." + s.Key)
		default:
			b.WriteString("[" + strconv.Quote(s.Key) + "]")
		}
	}
	return b.String()
}
