package config

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// Bounds on hopeless files: past them a file is more noise than config, and
// go-toml's cost per reported error grows with the file size.
const (
	maxDecodeRetries = 100
	maxUnknownKeys   = 100
	maxFileSize      = 8 << 20
)

// Load builds the configuration: Default(), then the TOML file at path (""
// means no file), then the STATUSTHING_* overrides found in env (a list of
// "K=V" like os.Environ()), then validation. On failure it returns a zero
// Config and an *Error holding every problem found, each naming its origin.
func Load(path string, env []string) (Config, error) {
	cfg := Default()
	src := &sources{
		file: path,
		pos:  map[string]position{},
		env:  map[string]string{},
		bad:  map[string]bool{},
	}
	var problems []Problem
	usable := true
	if path != "" {
		data, err := readConfigFile(path)
		if err != nil {
			problems = append(problems, Problem{File: path, Message: "cannot read config file: " + err.Error()})
			usable = false
		} else {
			var ps []Problem
			ps, usable = src.decode(&cfg, data)
			problems = append(problems, ps...)
		}
	}
	problems = append(problems, src.applyEnv(&cfg, env)...)
	// A file that could not be decoded leaves cfg half-filled: checking it
	// would only add noise to the errors that matter.
	if usable {
		normalizeItems(&cfg)
		problems = append(problems, validate(&cfg, src)...)
	}
	if len(problems) > 0 {
		sortProblems(problems)
		return Config{}, &Error{Problems: problems}
	}
	normalize(&cfg)
	return cfg, nil
}

// sources remembers where each value came from, so that a validation
// problem can point at the file position or variable to fix.
type sources struct {
	file string
	pos  map[string]position // "section.key", "section.key[i]", "monitors[N]" (block header), "monitors[N].key" -> position in file
	env  map[string]string   // "section.key" -> variable that set it
	bad  map[string]bool     // keys whose value was rejected while decoding: not validated again
}

// at starts a Problem about key (elem >= 0: that list item) located at its
// origin. A nil *sources (plain Validate) knows only the key.
func (s *sources) at(key string, elem int) Problem {
	p := Problem{Key: key}
	if s == nil {
		return p
	}
	if name, ok := s.env[key]; ok {
		p.Env = name
		return p
	}
	pos, ok := s.pos[key+"["+strconv.Itoa(elem)+"]"]
	if !ok {
		pos, ok = s.pos[key]
	}
	if ok {
		p.File, p.Line, p.Col = s.file, pos.line, pos.col
	}
	return p
}

func (s *sources) isBad(key string) bool {
	return s != nil && s.bad[key]
}

// decode fills cfg from the file contents. It reports every problem it can:
// values of the wrong type are found on the syntax tree and blanked out
// before decoding, so the strict decoder then reports every unknown key
// (go-toml stops at the first type error, and reports unknown keys only when
// nothing else failed). usable is false when the file could not be decoded
// as a whole (syntax error), so cfg must not be validated.
func (s *sources) decode(cfg *Config, data []byte) (problems []Problem, usable bool) {
	doc := parseDocument(data)
	known := map[string]field{}
	folded := map[string]string{}
	var paths []string
	for _, f := range fields() {
		known[f.path()] = f
		folded[strings.ToLower(f.path())] = f.path()
		paths = append(paths, f.path())
	}

	bl := &blanker{doc: doc, work: slices.Clone(data), blanked: make([]bool, len(doc.exprs))}
	work, blanked, blank := bl.work, bl.blanked, bl.expr
	arrays := arrayTables()
	itemProblems, itemUnknown := s.checkArrays(doc, arrays, bl)
	problems = append(problems, itemProblems...)
	for _, en := range doc.entries {
		if isArrayPath(en.path, arrays) {
			continue // checked by checkArrays
		}
		path := strings.Join(en.path, ".")
		f, ok := known[path]
		if !ok {
			// Found here rather than by the decoder, whose messages would
			// name Go types or miss the problem.
			switch {
			case blanked[en.expr]:
				// Already reported for this expression.
			case len(en.path) == 1 && slices.Contains(sections(), path) && en.kind != unstable.InlineTable:
				problems = append(problems, s.fileProblem(en.val, path,
					"expected a table, got "+describeValue(en.kind, en.text)))
				blank(en.expr)
			case len(en.path) > 2 && known[strings.Join(en.path[:2], ".")].kind != kindUnsupported:
				problems = append(problems, s.fileProblem(en.key, path,
					fmt.Sprintf("unknown key %q: %s is not a table", path, strings.Join(en.path[:2], "."))))
				blank(en.expr)
			case folded[strings.ToLower(path)] != "":
				// go-toml matches keys case-insensitively; TOML keys are
				// case-sensitive and ours are documented lowercase.
				problems = append(problems, s.fileProblem(en.key, path,
					fmt.Sprintf("unknown key %q (did you mean %q? keys are case-sensitive)", path, folded[strings.ToLower(path)])))
				blank(en.expr)
			}
			continue // other unknown keys are reported by the strict decoder
		}
		if _, dup := s.pos[path]; !dup {
			s.pos[path] = en.val
			for i, el := range en.elems {
				s.pos[path+"["+strconv.Itoa(i)+"]"] = el.pos
			}
		}
		if at, msg := checkType(f, en); msg != "" && !blanked[en.expr] {
			problems = append(problems, s.fileProblem(at, path, msg))
			s.bad[path] = true
			blank(en.expr)
		}
	}

	if unknown := doc.unknown(folded, blanked); len(unknown)+len(itemUnknown) > maxUnknownKeys {
		all := slices.Clone(itemUnknown)
		for _, u := range unknown {
			key := strings.Join(u.path, ".")
			all = append(all, s.fileProblem(u.key, key, fmt.Sprintf("unknown key %q", key)))
		}
		sortProblems(all)
		next := all[maxUnknownKeys]
		problems = append(problems, all[:maxUnknownKeys]...)
		return append(problems, s.fileProblem(position{next.Line, next.Col}, "", fmt.Sprintf(
			"%d more unknown keys from here: is this a statusthing config file?", len(all)-maxUnknownKeys))), false
	}
	problems = append(problems, itemUnknown...)

	for attempt := 0; ; attempt++ {
		c := *cfg
		err := decodeStrict(&c, work)
		var serr *toml.StrictMissingError
		var derr *toml.DecodeError
		switch {
		case err == nil:
			*cfg = c
			return problems, true
		// StrictMissingError first: it unwraps to DecodeErrors, so As(&derr) would match it too.
		case errors.As(err, &serr):
			for i := range serr.Errors {
				line, col := serr.Errors[i].Position()
				if reportedAt(problems, line, col) {
					continue // an array of tables key, reported by checkArrays
				}
				key := strings.Join(serr.Errors[i].Key(), ".")
				candidates := paths
				if !strings.Contains(key, ".") {
					candidates = topLevel()
				}
				problems = append(problems, Problem{File: s.file, Line: line, Col: col, Key: key,
					Message: fmt.Sprintf("unknown key %q", key) + suggest(key, candidates)})
			}
			*cfg = c
			return problems, true
		case errors.As(err, &derr):
			line, col := derr.Position()
			key := strings.Join(derr.Key(), ".")
			p := Problem{File: s.file, Line: line, Col: col, Message: strings.TrimPrefix(derr.Error(), "toml: ")}
			expr := doc.exprAt(doc.offset(line, col))
			// go-toml's key may be relative to the table (duplicate keys), and
			// lacks block numbers: print only full ones.
			if item := doc.itemKeyOf(expr, arrays); item != "" {
				key = item
				p.Key = key
			} else if _, ok := known[key]; ok || slices.Contains(topLevel(), key) {
				p.Key = key
			}
			problems = append(problems, p)
			if expr < 0 || blanked[expr] || attempt >= maxDecodeRetries {
				return problems, false
			}
			s.bad[key] = true
			blank(expr)
		default:
			return append(problems, Problem{File: s.file, Message: err.Error()}), false
		}
	}
}

func (s *sources) fileProblem(at position, key, msg string) Problem {
	return Problem{File: s.file, Line: at.line, Col: at.col, Key: key, Message: msg}
}

// reportedAt reports whether a problem is already located at line:col.
func reportedAt(problems []Problem, line, col int) bool {
	for _, p := range problems {
		if p.Line == line && p.Col == col {
			return true
		}
	}
	return false
}

// blanker hides from the decoder the parts of the file already reported.
type blanker struct {
	doc     *document
	work    []byte // the file as the decoder sees it
	blanked []bool // by index in doc.exprs
}

// expr blanks the top-level key = value expression at index i (-1: none).
func (b *blanker) expr(i int) {
	if i >= 0 && !b.blanked[i] {
		b.blanked[i] = true
		blankRange(b.work, b.doc.exprs[i])
	}
}

// table blanks a [table] header with every key = value under it, so what
// remains means the same without it.
func (b *blanker) table(t header) {
	blankRange(b.work, t.line)
	for i := t.exprs.start; i < t.exprs.end; i++ {
		b.expr(i)
	}
}

// checkType returns where and why en cannot be decoded as f, or "" when it can.
func checkType(f field, en entry) (position, string) {
	kind := f.kind
	mismatch := func() (position, string) {
		return en.val, fmt.Sprintf("expected %s, got %s", kind.describe(), describeValue(en.kind, en.text))
	}
	switch kind {
	case kindString:
		if en.kind != unstable.String {
			return mismatch()
		}
	case kindInt:
		if en.kind != unstable.Integer {
			return mismatch()
		}
	case kindBool:
		if en.kind != unstable.Bool {
			return mismatch()
		}
	case kindDuration:
		if en.kind != unstable.String {
			return mismatch()
		}
		if u, ok := reflect.New(f.typ).Interface().(encoding.TextUnmarshaler); ok {
			if err := u.UnmarshalText([]byte(en.text)); err != nil {
				return en.val, err.Error()
			}
		}
	case kindStrings:
		if en.kind != unstable.Array {
			return mismatch()
		}
		for i, el := range en.elems {
			if el.kind != unstable.String {
				return el.pos, fmt.Sprintf("expected %s, item %d is %s", kind.describe(), i+1, describeValue(el.kind, el.text))
			}
		}
	case kindStringMap:
		// Its entries are checked one by one, as keys below it.
		if en.kind != unstable.InlineTable {
			return mismatch()
		}
	default:
		return en.val, "this key has a type the loader does not support"
	}
	return position{}, ""
}

// decodeStrict decodes data into c, rejecting unknown keys. A panic inside
// the third-party decoder becomes an error: a bad file must not crash
// `statusthing config check`.
func decodeStrict(c *Config, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in the TOML decoder: %v", r)
		}
	}()
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(c)
}

// blankRange replaces r with spaces, keeping line breaks so every position
// after it stays the same.
func blankRange(data []byte, r byteRange) {
	for i := r.start; i < r.end && i < len(data); i++ {
		if data[i] != '\n' && data[i] != '\r' {
			data[i] = ' '
		}
	}
}

// applyEnv sets every key that has a STATUSTHING_<SECTION>_<KEY> variable in
// env (the last one wins, as with exec.Cmd) and reports unknown variables.
func (s *sources) applyEnv(cfg *Config, env []string) []Problem {
	var problems []Problem
	byName := map[string]field{}
	var names []string
	for _, f := range fields() {
		byName[f.env()] = f
		names = append(names, f.env())
	}
	values := map[string]string{}
	reported := map[string]bool{}
	for _, kv := range env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, envPrefix) {
			continue
		}
		switch name {
		case EnvConfigFile, EnvAdminEmail, EnvAdminPassword:
			continue
		}
		if _, ok := byName[name]; !ok {
			if !reported[name] {
				reported[name] = true
				problems = append(problems, Problem{Env: name, Message: unknownVariable(name, names)})
			}
			continue
		}
		values[name] = value
	}
	for _, f := range fields() {
		value, ok := values[f.env()]
		if !ok {
			continue
		}
		if err := f.setFromEnv(cfg, value); err != nil {
			problems = append(problems, Problem{Env: f.env(), Key: f.path(), Message: err.Error()})
			s.bad[f.path()] = true
			continue
		}
		s.env[f.path()] = f.env()
		delete(s.bad, f.path()) // a good override replaces a bad file value
	}
	return problems
}

// unknownVariable explains why name is not an override; names lists the real ones.
func unknownVariable(name string, names []string) string {
	for _, at := range arrayTables() {
		if strings.HasPrefix(name, envPrefix+strings.ToUpper(at.name)) {
			return fmt.Sprintf("unknown variable: [[%s]] blocks are read from the config file only, they have no environment overrides", at.name)
		}
	}
	return "unknown variable: no config key has this name" + suggest(name, names)
}

// readConfigFile reads path, refusing sizes no config reaches.
func readConfigFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.New(reason(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, errors.New(reason(err))
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("larger than %d MiB", maxFileSize>>20)
	}
	return data, nil
}

// reason drops the "open <path>:" prefix that the caller already prints.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
