package heartbeat

import (
	"errors"
	"testing"
)

func TestParseKind(t *testing.T) {
	tests := []struct {
		suffix  string
		kind    Kind
		exit    int
		wantErr error // nil: accepted
	}{
		{"", KindSuccess, 0, nil},
		{"start", KindStart, 0, nil},
		{"fail", KindFail, 0, nil},
		{"log", KindLog, 0, nil},
		{"0", KindExit, 0, nil},
		{"7", KindExit, 7, nil},
		{"007", KindExit, 7, nil}, // leading zeros are still digits, as in Healthchecks' \d+
		{"255", KindExit, 255, nil},
		{"256", "", 0, ErrBadExitStatus},
		{"1000", "", 0, ErrBadExitStatus},
		{"99999999999999999999", "", 0, ErrBadExitStatus}, // overflows int: still a number
		// Not made of digits only: no such URL, not a bad number.
		{"-1", "", 0, ErrUnknownSuffix},
		{"+1", "", 0, ErrUnknownSuffix},
		{"1.0", "", 0, ErrUnknownSuffix},
		{"0x1", "", 0, ErrUnknownSuffix},
		{" 1", "", 0, ErrUnknownSuffix},
		{"١", "", 0, ErrUnknownSuffix}, // a non-ASCII digit
		{"Start", "", 0, ErrUnknownSuffix},
		{"FAIL", "", 0, ErrUnknownSuffix},
		{"start/", "", 0, ErrUnknownSuffix},
		{"x", "", 0, ErrUnknownSuffix},
		{"success", "", 0, ErrUnknownSuffix}, // the kind's name is not a suffix
		{"exit", "", 0, ErrUnknownSuffix},
	}
	for _, tt := range tests {
		kind, exit, err := ParseKind(tt.suffix)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("ParseKind(%q) error = %v, want %v", tt.suffix, err, tt.wantErr)
			}
			other := ErrUnknownSuffix
			if tt.wantErr == ErrUnknownSuffix {
				other = ErrBadExitStatus
			}
			if errors.Is(err, other) {
				t.Errorf("ParseKind(%q) error %v also matches %v", tt.suffix, err, other)
			}
			if kind != "" || exit != 0 {
				t.Errorf("ParseKind(%q) = %q, %d with an error, want zero values", tt.suffix, kind, exit)
			}
			continue
		}
		if err != nil || kind != tt.kind || exit != tt.exit {
			t.Errorf("ParseKind(%q) = %q, %d, %v; want %q, %d, nil", tt.suffix, kind, exit, err, tt.kind, tt.exit)
		}
	}
}

func TestParseKindErrorNamesTheSuffix(t *testing.T) {
	// The handler shows the message to the user, who needs to see what was wrong.
	for suffix, want := range map[string]string{
		"256": "heartbeat: exit status must be between 0 and 255, got 256",
		"x":   `heartbeat: unknown ping suffix "x"`,
	} {
		if _, _, err := ParseKind(suffix); err == nil || err.Error() != want {
			t.Errorf("ParseKind(%q) error = %v, want %q", suffix, err, want)
		}
	}
}

func TestOutcomes(t *testing.T) {
	tests := []struct {
		kind                        Kind
		exit                        int
		failed, succeeded, finishes bool
	}{
		{KindSuccess, 0, false, true, true},
		{KindSuccess, 3, false, true, true}, // the exit field only counts for KindExit
		{KindFail, 0, true, false, true},
		{KindExit, 0, false, true, true},
		{KindExit, 1, true, false, true},
		{KindExit, 255, true, false, true},
		{KindStart, 0, false, false, false},
		{KindStart, 1, false, false, false},
		{KindLog, 0, false, false, false},
		{KindLog, 1, false, false, false},
		{"", 0, false, false, false},
	}
	for _, tt := range tests {
		if got := Failed(tt.kind, tt.exit); got != tt.failed {
			t.Errorf("Failed(%q, %d) = %v, want %v", tt.kind, tt.exit, got, tt.failed)
		}
		if got := Succeeded(tt.kind, tt.exit); got != tt.succeeded {
			t.Errorf("Succeeded(%q, %d) = %v, want %v", tt.kind, tt.exit, got, tt.succeeded)
		}
		if got := Finishes(tt.kind); got != tt.finishes {
			t.Errorf("Finishes(%q) = %v, want %v", tt.kind, got, tt.finishes)
		}
	}
}
