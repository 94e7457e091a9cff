package config

import (
	"fmt"
	"strings"
	"time"
)

// Duration is a time.Duration written as a string in TOML ("30s", "5m",
// "1h"): TOML has no duration type and a bare number would hide its unit.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string such as "90s" or "1h30m".
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf("invalid duration %q: use a number with a unit, e.g. \"30s\", \"5m\" or \"1h\"", text)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration the way people write it: "168h", not "168h0m0s".
func (d Duration) MarshalText() ([]byte, error) {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return []byte(s), nil
}
