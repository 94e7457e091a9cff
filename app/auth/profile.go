package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Profile is what a user may change about themselves (besides the password).
type Profile struct {
	Name     string
	Email    string
	Locale   string // "" follows the browser
	TimeZone string // IANA name; "" shows times in UTC
}

// TOTPState is a user's two-factor login as stored. Secret is set from the start of an
// enrolment on; EnabledAt only once a first code confirmed it.
type TOTPState struct {
	Secret    []byte
	EnabledAt time.Time // zero: off (pending when Secret is set)
	LastStep  int64     // the last time step a code was accepted for (never accepted again)
}

// Pending reports whether an enrolment was started and not confirmed yet.
func (t TOTPState) Pending() bool { return len(t.Secret) > 0 && t.EnabledAt.IsZero() }

// Enabled reports whether logins need a second factor.
func (t TOTPState) Enabled() bool { return len(t.Secret) > 0 && !t.EnabledAt.IsZero() }

// ProfileStore is the persistence of profiles, sessions seen from their user and two-factor
// login; *store.Store satisfies it.
type ProfileStore interface {
	// UpdateUserProfile stores p; ErrEmailTaken when another user has p.Email.
	UpdateUserProfile(ctx context.Context, userID int64, p Profile, now time.Time) error
	// ReplacePassword stores a new password hash and, in the same transaction, ends every
	// session of the user but keepSessionID (0: all). It returns how many it ended.
	ReplacePassword(ctx context.Context, userID int64, hash string, keepSessionID int64, now time.Time) (int64, error)
	CountUserSessions(ctx context.Context, userID int64) (int, error)
	// DeleteOtherSessions ends every session of the user but keepSessionID.
	DeleteOtherSessions(ctx context.Context, userID, keepSessionID int64) (int64, error)

	TOTP(ctx context.Context, userID int64) (TOTPState, error)
	// SetPendingTOTP stores the secret of a new enrolment unless two-factor login is on
	// (ErrTOTPEnabled).
	SetPendingTOTP(ctx context.Context, userID int64, secret []byte, now time.Time) error
	// EnableTOTP turns on the pending enrolment whose secret is secret, records step as used
	// and replaces the user's recovery codes with codeHashes, in one transaction;
	// ErrNoTOTPSetup when that enrolment is no longer pending.
	EnableTOTP(ctx context.Context, userID int64, secret []byte, step int64, codeHashes [][]byte, now time.Time) error
	// DisableTOTP forgets the secret (pending or on) and the recovery codes.
	DisableTOTP(ctx context.Context, userID int64, now time.Time) error
	// UseTOTPStep records step as used unless a step as late or later was: false then.
	UseTOTPStep(ctx context.Context, userID, step int64) (bool, error)
	// UseRecoveryCode spends the unused recovery code with this hash: false when none.
	UseRecoveryCode(ctx context.Context, userID int64, hash []byte, now time.Time) (bool, error)
	RecoveryCodesLeft(ctx context.Context, userID int64) (int, error)
	// ReplaceRecoveryCodes replaces the recovery codes of a user whose TOTP is on
	// (ErrNoTOTPSetup otherwise).
	ReplaceRecoveryCodes(ctx context.Context, userID int64, codeHashes [][]byte, now time.Time) error
}

// Profile errors; their messages are safe to show.
var (
	ErrTOTPEnabled   = errors.New("two-factor login is already on")
	ErrNoTOTPSetup   = errors.New("no two-factor enrolment is pending: start again")
	ErrInvalidCode   = errors.New("invalid two-factor code")
	ErrLoginExpired  = errors.New("this login took too long: enter your password again")
	errWrongPassword = &ValidationError{Field: "current_password", Message: "is wrong"}
)

func (s *Service) profiles() (ProfileStore, error) {
	ps, ok := s.store.(ProfileStore)
	if !ok {
		return nil, errors.New("auth: the store keeps no profiles")
	}
	return ps, nil
}

// ProfileInput is a change of profile. CurrentPassword is needed only when the e-mail
// changes; IP is where the request came from (wrong passwords are throttled like logins).
type ProfileInput struct {
	UserID          int64
	Profile         Profile
	CurrentPassword string
	IP              string
}

// ValidateTimeZone says why tz is not an IANA time zone name, or nil. "" (UTC) is fine.
func ValidateTimeZone(tz string) error {
	if tz == "" {
		return nil
	}
	if len(tz) > 64 || tz == "Local" {
		return &ValidationError{Field: "time_zone", Message: "must be an IANA time zone such as Europe/Paris"}
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return &ValidationError{Field: "time_zone", Message: "must be an IANA time zone such as Europe/Paris"}
	}
	return nil
}

// UpdateProfile changes a user's name, e-mail, language and time zone. A new e-mail needs
// the current password and must be free (ErrEmailTaken).
func (s *Service) UpdateProfile(ctx context.Context, in ProfileInput) error {
	ps, err := s.profiles()
	if err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, in.UserID)
	if err != nil {
		return err
	}
	p := in.Profile
	p.Name = strings.TrimSpace(p.Name)
	if len(p.Name) > 100 {
		return &ValidationError{Field: "name", Message: "must be at most 100 characters"}
	}
	if p.Email, err = normalizeEmail(p.Email); err != nil {
		return err
	}
	if len(p.Locale) > 35 {
		return &ValidationError{Field: "locale", Message: "is not a language"}
	}
	p.TimeZone = strings.TrimSpace(p.TimeZone)
	if err := ValidateTimeZone(p.TimeZone); err != nil {
		return err
	}
	if !strings.EqualFold(p.Email, u.Email) {
		if err := s.checkCurrentPassword(u, in.CurrentPassword, in.IP); err != nil {
			return err
		}
	}
	if err := ps.UpdateUserProfile(ctx, u.ID, p, s.now()); err != nil {
		return err // ErrEmailTaken among others
	}
	if p.Email != u.Email {
		s.log.Info("user e-mail changed", "user_id", u.ID)
	}
	return nil
}

// checkCurrentPassword confirms a sensitive change with the user's password. Failures count
// against the account and the address like failed logins, so a borrowed session cannot
// guess it.
func (s *Service) checkCurrentPassword(u User, password, ip string) error {
	now := s.now()
	account, address := accountKey(u.Email), "address:"+ip
	if wait := max(s.perAccount.retryAfter(account, now), s.perAddress.retryAfter(address, now)); wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	if password == "" {
		return errWrongPassword // no guess made: nothing to count
	}
	ok, err := CheckPassword(u.PasswordHash, password)
	if err != nil {
		return err
	}
	if !ok {
		s.perAccount.fail(account, now)
		s.perAddress.fail(address, now)
		return errWrongPassword
	}
	return nil
}

// ChangePasswordInput changes the password of the user of a session.
type ChangePasswordInput struct {
	UserID          int64
	SessionID       int64 // kept; the user's other sessions end
	CurrentPassword string
	NewPassword     string
	IP              string
}

// ChangePassword checks the current password, stores the new one and logs the user's other
// sessions out. It returns how many sessions ended.
func (s *Service) ChangePassword(ctx context.Context, in ChangePasswordInput) (int64, error) {
	ps, err := s.profiles()
	if err != nil {
		return 0, err
	}
	u, err := s.store.UserByID(ctx, in.UserID)
	if err != nil {
		return 0, err
	}
	if err := s.checkCurrentPassword(u, in.CurrentPassword, in.IP); err != nil {
		return 0, err
	}
	if err := ValidatePassword(in.NewPassword); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return 0, &ValidationError{Field: "new_password", Message: ve.Message}
		}
		return 0, err
	}
	hash, err := HashPassword(in.NewPassword)
	if err != nil {
		return 0, err
	}
	n, err := ps.ReplacePassword(ctx, u.ID, hash, in.SessionID, s.now())
	if err != nil {
		return 0, err
	}
	s.log.Info("password changed", "user_id", u.ID, "sessions_ended", n)
	return n, nil
}

// OtherSessions counts the sessions of id's user besides id's own.
func (s *Service) OtherSessions(ctx context.Context, id Identity) (int, error) {
	ps, err := s.profiles()
	if err != nil {
		return 0, err
	}
	n, err := ps.CountUserSessions(ctx, id.User.ID)
	if err != nil {
		return 0, err
	}
	return max(n-1, 0), nil
}

// LogoutOtherSessions ends every session of id's user but id's own and returns how many.
func (s *Service) LogoutOtherSessions(ctx context.Context, id Identity) (int64, error) {
	ps, err := s.profiles()
	if err != nil {
		return 0, err
	}
	n, err := ps.DeleteOtherSessions(ctx, id.User.ID, id.Session.ID)
	if err != nil {
		return 0, fmt.Errorf("auth: log out other sessions: %w", err)
	}
	s.log.Info("other sessions logged out", "user_id", id.User.ID, "sessions_ended", n)
	return n, nil
}

func accountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }
