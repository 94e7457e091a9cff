// Package heartbeat is the domain of passive (push) monitoring of cron jobs, compatible with
// Healthchecks ping URLs: ping kinds, schedules (period + grace, or cron + time zone + grace),
// the new/up/late/down/paused state machine and the lifecycle of job runs.
//
// It is pure: no I/O and no clock. Every function takes the times it needs, so the whole
// behaviour (including daylight saving transitions and restarts of statusthing itself) is
// tested with fixed times and no sleeping.
package heartbeat

import (
	"errors"
	"fmt"
	"strconv"
)

// Kind is what a ping says about the job, taken from the suffix of its URL.
type Kind string

// Ping kinds.
const (
	KindSuccess Kind = "success" // /ping/{uuid}
	KindStart   Kind = "start"   // /ping/{uuid}/start
	KindFail    Kind = "fail"    // /ping/{uuid}/fail
	KindLog     Kind = "log"     // /ping/{uuid}/log: a message that changes no state
	KindExit    Kind = "exit"    // /ping/{uuid}/{0-255}: 0 is success, anything else failure
)

// MaxExitStatus is the largest exit status a ping may report (a Unix exit status is a byte).
const MaxExitStatus = 255

// Errors of ParseKind. The ping handler answers 400 for ErrBadExitStatus (the URL has the
// right shape, the number is wrong) and 404 for ErrUnknownSuffix (no such URL), as
// Healthchecks does.
var (
	ErrBadExitStatus = errors.New("heartbeat: exit status must be between 0 and 255")
	ErrUnknownSuffix = errors.New("heartbeat: unknown ping suffix")
)

// ParseKind maps the part of a ping URL after the uuid to a kind: "" is a success, "start",
// "fail" and "log" are themselves, and a decimal number is an exit status, returned as the
// second value (it is 0 for the other kinds). Suffixes are case-sensitive. Only digits make
// a number, as in Healthchecks' URL pattern: "007" is exit status 7, while "-1" and "+1"
// are unknown suffixes, not bad exit statuses.
func ParseKind(suffix string) (Kind, int, error) {
	switch suffix {
	case "":
		return KindSuccess, 0, nil
	case "start":
		return KindStart, 0, nil
	case "fail":
		return KindFail, 0, nil
	case "log":
		return KindLog, 0, nil
	}
	if !allDigits(suffix) {
		return "", 0, fmt.Errorf("%w %q", ErrUnknownSuffix, suffix)
	}
	code, err := strconv.Atoi(suffix)
	if err != nil || code > MaxExitStatus { // err: too many digits for an int
		return "", 0, fmt.Errorf("%w, got %s", ErrBadExitStatus, suffix)
	}
	return KindExit, code, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Failed reports whether a ping of kind k with exit status exit reports a failed job: a
// fail ping, or an exit status other than 0.
func Failed(k Kind, exit int) bool {
	return k == KindFail || (k == KindExit && exit != 0)
}

// Succeeded reports whether a ping of kind k with exit status exit reports a successful
// job: a plain ping, or exit status 0. Start and log pings neither succeed nor fail.
func Succeeded(k Kind, exit int) bool {
	return k == KindSuccess || (k == KindExit && exit == 0)
}

// Finishes reports whether a ping of kind k ends a run (success, fail or an exit status).
func Finishes(k Kind) bool {
	return k == KindSuccess || k == KindFail || k == KindExit
}
