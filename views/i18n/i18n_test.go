package i18n

import "testing"

func TestNegotiate(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, setting, header, want string
	}{
		{"nothing", "", "", "en"},
		{"french browser", "", "fr-FR,fr;q=0.9,en-US;q=0.8", "fr"},
		{"english preferred", "", "en-GB,fr;q=0.5", "en"},
		{"q-values decide", "", "en;q=0.3, fr;q=0.7", "fr"},
		{"unsupported only", "", "de-DE, ja", "en"},
		{"unsupported first", "", "de, fr;q=0.5", "fr"},
		{"user setting wins", "fr", "en", "fr"},
		{"unknown setting ignored", "xx", "fr", "fr"},
		{"garbage header", "", ";;;q=abc,,", "en"},
		{"q=0 refuses", "", "fr;q=0", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Negotiate(tt.setting, tt.header); got != tt.want {
				t.Errorf("Negotiate(%q, %q) = %q, want %q", tt.setting, tt.header, got, tt.want)
			}
		})
	}
}

func TestTranslator(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fr := c.Translator("fr")
	if got := fr("nav.dashboard"); got != "Tableau de bord" {
		t.Errorf("fr nav.dashboard = %q", got)
	}
	if got := fr("setup.password_hint", 10); got != "Au moins 10 caractères." {
		t.Errorf("formatted = %q", got)
	}
	if got := c.Translator("xx")("nav.dashboard"); got != "Dashboard" {
		t.Errorf("unknown language falls back to English: %q", got)
	}
	if got := fr("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key = %q", got)
	}
	if len(c.Languages()) != 2 {
		t.Errorf("languages %+v", c.Languages())
	}
}
