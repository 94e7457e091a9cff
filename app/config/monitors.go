package config

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"

	"statusthing/app/heartbeat"
	"statusthing/app/monitor"
)

// monitorsKey is the toml name of Config.Monitors.
const monitorsKey = "monitors"

// checkArrays checks the blocks of the arrays of tables ([[monitors]]) on
// the syntax tree, where block numbers are known, as decode does for the
// sections: values of the wrong type are returned in problems, unknown keys
// in unknown (capped with the others by the caller), and both are blanked
// so the strict decoder sees only what it can decode. It records the
// position of every block header as "monitors[N]" and of every key as
// "monitors[N].key".
func (s *sources) checkArrays(doc *document, arrays []arrayTable, bl *blanker) (problems, unknown []Problem) {
	byName := map[string]arrayTable{}
	for _, at := range arrays {
		byName[at.name] = at
	}
	// miscased returns the array name spelled differently as name, or "":
	// go-toml would match it, TOML does not.
	miscased := func(name string) string {
		for _, at := range arrays {
			if strings.EqualFold(name, at.name) && name != at.name {
				return at.name
			}
		}
		return ""
	}

	for _, t := range doc.tables {
		name := t.path[0]
		at, ok := byName[name]
		if !ok {
			if want := miscased(name); want != "" {
				unknown = append(unknown, s.fileProblem(t.key, name,
					fmt.Sprintf("unknown key %q (did you mean %q? keys are case-sensitive)", name, want)))
				bl.table(t)
			}
			continue
		}
		switch {
		case len(t.path) == 1 && t.array:
			s.setPos(itemKey(name, t.elem), t.key)
		case len(t.path) == 1 || t.elem < 0:
			problems = append(problems, s.fileProblem(t.key, name,
				fmt.Sprintf("expected [[%s]] blocks, got a [%s] table", name, strings.Join(t.path, "."))))
			bl.table(t)
		default:
			key := t.path[1]
			disp := itemKey(name, t.elem, key)
			f, ok := at.keys[key]
			got := "a table"
			if t.array {
				got = "an array of tables"
			}
			switch {
			case !ok:
				unknown = append(unknown, s.unknownItemKey(t.key, at, t.elem, key))
				bl.table(t)
			case f.kind == kindStringMap && len(t.path) == 2 && !t.array:
				s.setPos(disp, t.key) // [monitors.headers]: its keys are checked below
			default:
				msg := fmt.Sprintf("expected %s, got %s", f.kind.describe(), got)
				if f.kind == kindStringMap && len(t.path) > 2 {
					msg = fmt.Sprintf("expected %s, %q is %s", f.kind.describe(), t.path[2], got)
				}
				problems = append(problems, s.fileProblem(t.key, disp, msg))
				s.bad[disp] = true
				bl.table(t)
			}
		}
	}

	for _, en := range doc.entries {
		if len(en.path) == 0 || bl.blanked[en.expr] {
			continue
		}
		name := en.path[0]
		at, ok := byName[name]
		if !ok {
			if want := miscased(name); want != "" {
				unknown = append(unknown, s.fileProblem(en.key, name,
					fmt.Sprintf("unknown key %q (did you mean %q? keys are case-sensitive)", name, want)))
				bl.expr(en.expr)
			}
			continue
		}
		if en.elem < 0 || len(en.path) < 2 {
			// monitors = [...] or monitors.x = ... outside any [[monitors]] block.
			pos, got := en.key, "a table"
			if len(en.path) == 1 {
				pos, got = en.val, describeValue(en.kind, en.text)
			}
			problems = append(problems, s.fileProblem(pos, name, fmt.Sprintf("expected [[%s]] blocks, got %s", name, got)))
			bl.expr(en.expr)
			continue
		}
		key := en.path[1]
		disp := itemKey(name, en.elem, key)
		f, ok := at.keys[key]
		if !ok {
			unknown = append(unknown, s.unknownItemKey(en.key, at, en.elem, key))
			bl.expr(en.expr)
			continue
		}
		var pos position
		var msg string
		switch {
		case len(en.path) == 2:
			s.setPos(disp, en.val)
			for i, el := range en.elems {
				s.setPos(disp+"["+strconv.Itoa(i)+"]", el.pos)
			}
			pos, msg = checkType(f, en)
		case f.kind != kindStringMap:
			pos, msg = en.key, fmt.Sprintf("expected %s, got a table", f.kind.describe())
		case len(en.path) > 3:
			pos, msg = en.key, fmt.Sprintf("expected %s, %q is a table", f.kind.describe(), en.path[2])
		default:
			s.setPos(disp, en.key) // headers.Name = "value" as a dotted key
			if en.kind != unstable.String {
				pos, msg = en.val, fmt.Sprintf("expected %s, %q is %s", f.kind.describe(), en.path[2], describeValue(en.kind, en.text))
			}
		}
		if msg != "" {
			problems = append(problems, s.fileProblem(pos, disp, msg))
			s.bad[disp] = true
			bl.expr(en.expr)
		}
	}
	return problems, unknown
}

// unknownItemKey reports key, unknown in the elem-th block of at, with the
// key it probably meant.
func (s *sources) unknownItemKey(pos position, at arrayTable, elem int, key string) Problem {
	disp := itemKey(at.name, elem, key)
	msg := fmt.Sprintf("unknown key %q", disp)
	for _, k := range at.names {
		if strings.EqualFold(k, key) {
			return s.fileProblem(pos, disp, msg+fmt.Sprintf(" (did you mean %q? keys are case-sensitive)", itemKey(at.name, elem, k)))
		}
	}
	if k := closest(key, at.names); k != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", itemKey(at.name, elem, k))
	}
	return s.fileProblem(pos, disp, msg)
}

// setPos records where key is, keeping the first position of a key
// given twice (the decoder reports the second).
func (s *sources) setPos(key string, pos position) {
	if _, dup := s.pos[key]; !dup {
		s.pos[key] = pos
	}
}

// itemKeyOf returns "monitors[N].key" for the top-level expression at index
// expr when it is a key of a block of an array of tables, or "".
func (d *document) itemKeyOf(expr int, arrays []arrayTable) string {
	if expr < 0 {
		return ""
	}
	i := sort.Search(len(d.entries), func(i int) bool { return d.entries[i].expr >= expr })
	if i == len(d.entries) || d.entries[i].expr != expr {
		return ""
	}
	en := d.entries[i]
	if en.elem < 0 || len(en.path) < 2 {
		return ""
	}
	for _, at := range arrays {
		if at.name == en.path[0] {
			return itemKey(at.name, en.elem, en.path[1])
		}
	}
	return ""
}

// monitors builds every [[monitors]] block, reporting each refused value
// at its key in the block, or at the block's header when the key is not
// there (a missing name or url), and refuses names used twice: names
// identify the monitors of the file.
func (v *checker) monitors(specs []monitor.Spec) {
	first := map[string]int{} // trimmed name -> block index
	for i, spec := range specs {
		label := monitorLabel(i, spec.Name)
		if _, err := heartbeat.BuildSpec(spec); err != nil {
			var verr *monitor.ValidationError
			if errors.As(err, &verr) && len(verr.Fields) > 0 {
				for _, fe := range verr.Fields {
					v.addMonitor(i, fe.Field, quotedItem(spec, fe), "%s: %s: %s", label, fe.Field, fe.Message)
				}
			} else {
				v.addMonitor(i, "", -1, "%s: %s", label, err)
			}
		}
		name := strings.TrimSpace(spec.Name)
		if name == "" {
			continue
		}
		if j, dup := first[name]; dup {
			v.addMonitor(i, "name", -1, "%s: name: %s is already named %q: each monitor of the config file needs its own name",
				label, itemKey(monitorsKey, j), name)
			continue
		}
		first[name] = i
	}
}

// addMonitor adds a problem about field ("": the whole block) of the i-th
// [[monitors]] block, at the field (elem >= 0: that list item) when it is in
// the file, else at the block.
func (v *checker) addMonitor(i int, field string, elem int, format string, args ...any) {
	key := itemKey(monitorsKey, i)
	if field != "" {
		key = itemKey(monitorsKey, i, field)
	}
	if v.src.isBad(key) {
		return
	}
	p := v.src.at(key, elem)
	if v.src != nil && p.File == "" {
		if pos, ok := v.src.pos[itemKey(monitorsKey, i)]; ok {
			p.File, p.Line, p.Col = v.src.file, pos.line, pos.col
		}
	}
	p.Message = fmt.Sprintf(format, args...)
	v.problems = append(v.problems, p)
}

// quotedItem returns the index of the item of a list field that the
// message of fe quotes (json = [...]: which assertion is wrong), or -1.
func quotedItem(spec monitor.Spec, fe monitor.FieldError) int {
	at, _ := arrayTableNamed(monitorsKey)
	f, ok := at.keys[fe.Field]
	if !ok || f.kind != kindStrings {
		return -1
	}
	list, _ := reflect.ValueOf(spec).FieldByIndex(f.index).Interface().([]string)
	for i, item := range list {
		if strings.Contains(fe.Message, strconv.Quote(item)) {
			return i
		}
	}
	return -1
}

// monitorLabel names the i-th block in messages: monitors[2] ("Website").
func monitorLabel(i int, name string) string {
	label := itemKey(monitorsKey, i)
	if name = strings.TrimSpace(name); name != "" {
		if r := []rune(name); len(r) > 40 {
			name = string(r[:40]) + "..."
		}
		label += fmt.Sprintf(" (%q)", name)
	}
	return label
}
