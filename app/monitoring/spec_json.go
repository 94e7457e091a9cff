package monitoring

import (
	"encoding/json"

	"statusthing/app/monitor"
)

// specJSON is a canonical encoding of a spec for comparison (maps are sorted by encoding/json).
func specJSON(s monitor.Spec) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}
