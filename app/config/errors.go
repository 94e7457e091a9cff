package config

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Error is every problem found while loading or validating, so a user fixes
// a config in one round instead of one error per restart.
type Error struct {
	Problems []Problem
}

// Error prints one problem per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Problem is one thing wrong with the configuration and where it came from:
// a file position (File, Line, Col), an environment variable (Env), or only
// the key when the value is a default or Validate was called directly.
type Problem struct {
	File      string // config file, when the value or problem is in it
	Line, Col int    // 1-based position in File; 0 when the whole file is concerned
	Key       string // "section.key" or "monitors[N].key" (N counts blocks from 1), when known
	Env       string // the variable the value came from
	Message   string // what is wrong, and what would be right
}

// String formats the problem as "file:line:col: key: message",
// "env NAME: message" or "key: message".
func (p Problem) String() string {
	var b strings.Builder
	switch {
	case p.Env != "":
		b.WriteString("env " + p.Env + ": ")
	case p.File != "":
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col))
		}
		b.WriteString(": ")
	}
	if p.Key != "" && p.Env == "" && !p.namesKey() {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// namesKey reports whether the message already names the key, so String
// need not: it quotes it ("unknown key ..."), or it is about a block of an
// array of tables and starts with the block's name ("monitors[2] ...").
func (p Problem) namesKey() bool {
	if strings.Contains(p.Message, strconv.Quote(p.Key)) {
		return true
	}
	block, _, ok := strings.Cut(p.Key, "]")
	return ok && strings.HasPrefix(p.Message, block+"]")
}

// errorOf returns nil for no problems, so callers never get a typed nil error.
func errorOf(problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	return &Error{Problems: problems}
}

// sortProblems orders file problems as they appear in the file, then the
// environment ones, then the rest, keeping discovery order within a group.
func sortProblems(problems []Problem) {
	group := func(p Problem) int {
		switch {
		case p.Env != "":
			return 2
		case p.File != "" && p.Line == 0:
			return 0
		case p.File != "":
			return 1
		default:
			return 3
		}
	}
	slices.SortStableFunc(problems, func(a, b Problem) int {
		if c := cmp.Compare(group(a), group(b)); c != 0 {
			return c
		}
		if group(a) == 1 {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
		}
		return 0
	})
}
