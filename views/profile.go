package views

import "github.com/a-h/templ"

// ProfileSection is the user's own part of the settings page: profile, password, sessions
// and two-factor login. Errors are keyed by form field; values are what was posted when a
// form was refused.
type ProfileSection struct {
	Languages      []Option
	Name           string
	Email          string
	TimeZone       string
	Errors         map[string]string // name, email, locale, time_zone, current_password
	PasswordHint   string
	PasswordErrors map[string]string // current_password, new_password
	// OtherSessions says how many other sessions the user has open.
	OtherSessions int
	TwoFactor     TwoFactorSection
}

// TwoFactorSection is one of: off, an enrolment waiting for its first code (PendingURI
// set), just turned on (RecoveryCodes, shown this once), on.
type TwoFactorSection struct {
	Enabled       bool
	Status        string // "On since ... Recovery codes left: 9."
	PendingURI    string
	PendingQR     templ.SafeURL // the URI as a QR code (a data: PNG) to scan with the app; "" if it could not be made
	PendingSecret string
	RecoveryCodes []string
	Errors        map[string]string // code, current_password; "" for the form as a whole
}

// LoginTOTPPage is the second step of a login with two-factor on.
type LoginTOTPPage struct {
	Page
	Pending string // the signed pending login, carried in the form
	Next    string
	Error   string
}
