package web

import (
	"testing"
	"time"
)

func TestStampInUserTimeZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 1, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		loc  *time.Location
		want string
	}{
		{"no zone: UTC", nil, "2026-07-01 10:30:00 UTC"},
		{"Europe/Paris in summer", paris, "2026-07-01 12:30:00 CEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := testFormatter(t, "en")
			f.loc = tt.loc
			if got := f.stamp(at); got != tt.want {
				t.Errorf("stamp = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSettingsFlash(t *testing.T) {
	tests := map[string]string{"1": "settings.saved", "password": "profile.flash.password", "totp_off": "profile.flash.totp_off",
		"": "", "<script>": ""}
	for saved, want := range tests {
		if got := settingsFlash(saved); got != want {
			t.Errorf("settingsFlash(%q) = %q, want %q", saved, got, want)
		}
	}
}
