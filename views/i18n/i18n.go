// Package i18n holds the message catalogs of the user interface (one JSON file per language)
// and picks a language from a user setting or an Accept-Language header.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

//go:embed *.json
var catalogFiles embed.FS

// Default is the language used when nothing else matches.
const Default = "en"

// Language is one supported language.
type Language struct {
	Code string // BCP 47 base tag: "en", "fr"
	Name string // its own name: "English", "Français"
}

// Catalogs holds every language's messages. It is read-only after Load.
type Catalogs struct {
	messages  map[string]map[string]string
	languages []Language
}

// Load parses the embedded catalogs. Every catalog must have the same keys as the default one,
// so a missing translation fails at start (and in tests), not in front of a user.
func Load() (*Catalogs, error) {
	entries, err := catalogFiles.ReadDir(".")
	if err != nil {
		return nil, err
	}
	c := &Catalogs{messages: map[string]map[string]string{}}
	for _, e := range entries {
		code := strings.TrimSuffix(e.Name(), ".json")
		data, err := catalogFiles.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", e.Name(), err)
		}
		name, ok := m["language.name"]
		if !ok {
			return nil, fmt.Errorf("i18n: %s: missing key language.name", e.Name())
		}
		c.messages[code] = m
		c.languages = append(c.languages, Language{Code: code, Name: name})
	}
	base, ok := c.messages[Default]
	if !ok {
		return nil, fmt.Errorf("i18n: no %s catalog", Default)
	}
	for code, m := range c.messages {
		for k := range base {
			if _, ok := m[k]; !ok {
				return nil, fmt.Errorf("i18n: %s.json: missing key %q", code, k)
			}
		}
		for k := range m {
			if _, ok := base[k]; !ok {
				return nil, fmt.Errorf("i18n: %s.json: key %q is not in %s.json", code, k, Default)
			}
		}
	}
	sort.Slice(c.languages, func(i, j int) bool { return c.languages[i].Code < c.languages[j].Code })
	return c, nil
}

// Languages lists the supported languages, sorted by code.
func (c *Catalogs) Languages() []Language { return c.languages }

// Supported reports whether code has a catalog.
func (c *Catalogs) Supported(code string) bool {
	_, ok := c.messages[code]
	return ok
}

// Keys returns every message key, sorted (for tests that check templates use known keys).
func (c *Catalogs) Keys() []string {
	keys := make([]string, 0, len(c.messages[Default]))
	for k := range c.messages[Default] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Translator returns the message function of one language. An unknown key comes back as the
// key itself, which is visible but harmless.
func (c *Catalogs) Translator(code string) func(key string, args ...any) string {
	m, ok := c.messages[code]
	if !ok {
		m = c.messages[Default]
	}
	return func(key string, args ...any) string {
		msg, ok := m[key]
		if !ok {
			return key
		}
		if len(args) > 0 {
			return fmt.Sprintf(msg, args...)
		}
		return msg
	}
}

// Negotiate picks the language: the user's setting if supported, else the best supported
// match of the Accept-Language header, else Default.
func (c *Catalogs) Negotiate(userSetting, acceptLanguage string) string {
	if c.Supported(userSetting) {
		return userSetting
	}
	best, bestQ := Default, 0.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if c.Supported(base) && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}
