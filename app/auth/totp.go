package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Two-factor login with TOTP (RFC 6238): HMAC-SHA-1, 6 digits, 30-second steps, the
// parameters every authenticator app assumes. One step either side of now is accepted, for
// clocks a little off and codes typed at the end of their step.
const (
	TOTPDigits = 6
	TOTPPeriod = 30 * time.Second
	totpSkew   = 1
	// totpSecretBytes is the secret's length: 160 bits, RFC 4226's recommendation.
	totpSecretBytes = 20
	// RecoveryCodeCount is how many single-use recovery codes an enrolment gives.
	RecoveryCodeCount = 10
	// PendingLoginLifetime is how long the second step of a login may wait after the password.
	PendingLoginLifetime = 5 * time.Minute
	totpIssuer           = "statusthing"
)

// base32NoPad is how authenticator apps expect secrets: RFC 4648 base32 without padding.
var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

// HOTP returns the RFC 4226 one-time password of secret for counter, with digits digits
// (6 to 9).
func HOTP(secret []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, secret)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	// Dynamic truncation: the last nibble picks 4 bytes, the top bit is dropped.
	off := sum[len(sum)-1] & 0x0f
	bin := uint64(binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff)
	mod := uint64(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// TOTPStep is the RFC 6238 time step of t: 30-second periods since the Unix epoch.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// TOTPCode returns the 6-digit code of secret at t, as an authenticator app shows it.
func TOTPCode(secret []byte, t time.Time) string {
	return HOTP(secret, uint64(TOTPStep(t)), TOTPDigits)
}

// matchTOTP returns the step, within the window around now and later than after, whose code
// is code.
func matchTOTP(secret []byte, code string, now time.Time, after int64) (int64, bool) {
	if len(code) != TOTPDigits {
		return 0, false
	}
	cur := TOTPStep(now)
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		if step <= after || step < 0 {
			continue
		}
		if hmac.Equal([]byte(HOTP(secret, uint64(step), TOTPDigits)), []byte(code)) {
			return step, true
		}
	}
	return 0, false
}

// TOTPSetup is what an authenticator app needs: the secret in base32 and the otpauth://
// URI that carries it with the parameters (what a QR code would encode).
type TOTPSetup struct {
	Secret string
	URI    string
}

func totpSetup(account string, secret []byte) TOTPSetup {
	enc := base32NoPad.EncodeToString(secret)
	q := url.Values{"secret": {enc}, "issuer": {totpIssuer}, "algorithm": {"SHA1"},
		"digits": {strconv.Itoa(TOTPDigits)}, "period": {strconv.Itoa(int(TOTPPeriod / time.Second))}}
	label := url.PathEscape(totpIssuer + ":" + account)
	return TOTPSetup{Secret: enc, URI: "otpauth://totp/" + label + "?" + q.Encode()}
}

// TOTPStatus is a user's two-factor login as the profile shows it.
type TOTPStatus struct {
	Enabled           bool
	EnabledAt         time.Time
	Pending           *TOTPSetup // an enrolment waiting for its first code
	RecoveryCodesLeft int
}

// TOTPStatus tells whether u has two-factor login on, or an enrolment pending.
func (s *Service) TOTPStatus(ctx context.Context, u User) (TOTPStatus, error) {
	ps, err := s.profiles()
	if err != nil {
		return TOTPStatus{}, err
	}
	st, err := ps.TOTP(ctx, u.ID)
	if err != nil {
		return TOTPStatus{}, err
	}
	out := TOTPStatus{Enabled: st.Enabled(), EnabledAt: st.EnabledAt}
	switch {
	case st.Pending():
		setup := totpSetup(u.Email, st.Secret)
		out.Pending = &setup
	case st.Enabled():
		if out.RecoveryCodesLeft, err = ps.RecoveryCodesLeft(ctx, u.ID); err != nil {
			return TOTPStatus{}, err
		}
	}
	return out, nil
}

// BeginTOTP starts an enrolment: a new secret, stored but not in force until ConfirmTOTP
// gets a code made from it. Beginning again replaces a pending secret.
func (s *Service) BeginTOTP(ctx context.Context, u User) (TOTPSetup, error) {
	ps, err := s.profiles()
	if err != nil {
		return TOTPSetup{}, err
	}
	secret := randomBytes(totpSecretBytes)
	if err := ps.SetPendingTOTP(ctx, u.ID, secret, s.now()); err != nil {
		return TOTPSetup{}, err
	}
	return totpSetup(u.Email, secret), nil
}

// CancelTOTP drops a pending enrolment; ErrTOTPEnabled once it is on (DisableTOTP then).
func (s *Service) CancelTOTP(ctx context.Context, u User) error {
	ps, err := s.profiles()
	if err != nil {
		return err
	}
	st, err := ps.TOTP(ctx, u.ID)
	if err != nil {
		return err
	}
	if st.Enabled() {
		return ErrTOTPEnabled
	}
	return ps.DisableTOTP(ctx, u.ID, s.now())
}

// ConfirmTOTP turns two-factor login on once code matches the pending secret, and returns
// the recovery codes: shown once, only their hashes are kept.
func (s *Service) ConfirmTOTP(ctx context.Context, u User, code string) ([]string, error) {
	ps, err := s.profiles()
	if err != nil {
		return nil, err
	}
	st, err := ps.TOTP(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if st.Enabled() {
		return nil, ErrTOTPEnabled
	}
	if !st.Pending() {
		return nil, ErrNoTOTPSetup
	}
	now := s.now()
	step, ok := matchTOTP(st.Secret, compactCode(code), now, st.LastStep)
	if !ok {
		return nil, &ValidationError{Field: "code", Message: "is wrong: type the code the app shows now"}
	}
	codes, hashes := newRecoveryCodes()
	if err := ps.EnableTOTP(ctx, u.ID, st.Secret, step, hashes, now); err != nil {
		return nil, err
	}
	s.log.Info("two-factor login turned on", "user_id", u.ID)
	return codes, nil
}

// DisableTOTPInput turns two-factor login off: it takes the password and a code (from the
// app, or a recovery code).
type DisableTOTPInput struct {
	UserID   int64
	Password string
	Code     string
	IP       string
}

// DisableTOTP turns two-factor login off and forgets its secret and recovery codes.
func (s *Service) DisableTOTP(ctx context.Context, in DisableTOTPInput) error {
	ps, u, err := s.reauthenticate(ctx, in)
	if err != nil {
		return err
	}
	if err := ps.DisableTOTP(ctx, u.ID, s.now()); err != nil {
		return err
	}
	s.log.Info("two-factor login turned off", "user_id", u.ID)
	return nil
}

// RegenerateRecoveryCodes replaces a user's recovery codes (the old ones stop working) and
// returns the new ones, shown once; it takes the password and a code, like DisableTOTP.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, in DisableTOTPInput) ([]string, error) {
	ps, u, err := s.reauthenticate(ctx, in)
	if err != nil {
		return nil, err
	}
	codes, hashes := newRecoveryCodes()
	if err := ps.ReplaceRecoveryCodes(ctx, u.ID, hashes, s.now()); err != nil {
		return nil, err
	}
	s.log.Info("recovery codes replaced", "user_id", u.ID)
	return codes, nil
}

// reauthenticate checks the password and a code (app or recovery) of a user changing
// their two-factor login; a wrong code counts like a wrong password.
func (s *Service) reauthenticate(ctx context.Context, in DisableTOTPInput) (ProfileStore, User, error) {
	ps, err := s.profiles()
	if err != nil {
		return nil, User{}, err
	}
	u, err := s.store.UserByID(ctx, in.UserID)
	if err != nil {
		return nil, User{}, err
	}
	if err := s.checkCurrentPassword(u, in.Password, in.IP); err != nil {
		return nil, User{}, err
	}
	if _, err := s.verifySecondFactor(ctx, ps, u, in.Code); err != nil {
		if errors.Is(err, ErrInvalidCode) {
			now := s.now()
			s.perAccount.fail(accountKey(u.Email), now)
			s.perAddress.fail("address:"+in.IP, now)
			return nil, User{}, &ValidationError{Field: "code", Message: "is wrong"}
		}
		return nil, User{}, err
	}
	return ps, u, nil
}

// newRecoveryCodes makes RecoveryCodeCount codes and the hashes the store keeps.
func newRecoveryCodes() (codes []string, hashes [][]byte) {
	codes = make([]string, RecoveryCodeCount)
	hashes = make([][]byte, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = hashSecret(compactCode(codes[i]))
	}
	return codes, hashes
}

// verifySecondFactor accepts a current TOTP code not used before, or an unused recovery
// code (spent by this call): ErrInvalidCode otherwise. recovery tells which it was.
func (s *Service) verifySecondFactor(ctx context.Context, ps ProfileStore, u User, code string) (recovery bool, err error) {
	code = compactCode(code)
	st, err := ps.TOTP(ctx, u.ID)
	if err != nil {
		return false, err
	}
	if !st.Enabled() || code == "" {
		return false, ErrInvalidCode
	}
	now := s.now()
	if len(code) == TOTPDigits && strings.Trim(code, "0123456789") == "" {
		step, ok := matchTOTP(st.Secret, code, now, st.LastStep)
		if !ok {
			return false, ErrInvalidCode
		}
		// The store has the last word: two racing logins with one code, one wins.
		used, err := ps.UseTOTPStep(ctx, u.ID, step)
		if err != nil {
			return false, err
		}
		if !used {
			return false, ErrInvalidCode
		}
		return false, nil
	}
	used, err := ps.UseRecoveryCode(ctx, u.ID, hashSecret(code), now)
	if err != nil {
		return false, err
	}
	if !used {
		return false, ErrInvalidCode
	}
	return true, nil
}

// newRecoveryCode returns 80 random bits as "abcd-efgh-ijkl-mnop" (base32, lower case).
func newRecoveryCode() string {
	raw := strings.ToLower(base32NoPad.EncodeToString(randomBytes(10)))
	return raw[0:4] + "-" + raw[4:8] + "-" + raw[8:12] + "-" + raw[12:16]
}

// compactCode drops the spaces and dashes people type or copy within codes, and folds case.
func compactCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t':
			return -1
		}
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, code)
}

// SecondFactorRequired is what Login returns when the password was right but the user has
// two-factor login on: no session exists yet. Pending carries the login to
// LoginSecondFactor; it is signed, bound to the user and its password, and expires.
type SecondFactorRequired struct {
	Pending   string
	ExpiresAt time.Time
}

func (e *SecondFactorRequired) Error() string { return "two-factor code required" }

// pendingToken is "<user id>.<expiry, Unix seconds>.<mac>".
func (s *Service) pendingToken(u User, expires time.Time) string {
	payload := strconv.FormatInt(u.ID, 10) + "." + strconv.FormatInt(expires.Unix(), 10)
	return payload + "." + s.pendingMAC(payload, u.PasswordHash)
}

// pendingMAC signs a pending login with the instance key. The password hash is signed too:
// a password change voids the logins half done with the old one. The label keeps these
// MACs apart from CSRF tokens made with the same key.
func (s *Service) pendingMAC(payload, passwordHash string) string {
	mac := hmac.New(sha256.New, s.csrfKey)
	mac.Write([]byte("login-second-factor\x00"))
	mac.Write([]byte(payload))
	mac.Write([]byte{0})
	mac.Write([]byte(passwordHash))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// SecondFactorInput is the second step of a login.
type SecondFactorInput struct {
	Pending       string // from SecondFactorRequired
	Code          string // from the app, or a recovery code
	IP            string
	UserAgent     string
	PreviousToken string
}

// LoginSecondFactor finishes a login that needed a second factor and opens its session.
// It returns ErrInvalidCode (counted like a wrong password), *ThrottledError, or
// ErrLoginExpired when the pending login is forged, too old or void.
func (s *Service) LoginSecondFactor(ctx context.Context, in SecondFactorInput) (string, Session, error) {
	ps, err := s.profiles()
	if err != nil {
		return "", Session{}, err
	}
	parts := strings.Split(in.Pending, ".")
	if len(parts) != 3 {
		return "", Session{}, ErrLoginExpired
	}
	userID, err1 := strconv.ParseInt(parts[0], 10, 64)
	expires, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return "", Session{}, ErrLoginExpired
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		if IsNotFound(err) {
			return "", Session{}, ErrLoginExpired
		}
		return "", Session{}, err
	}
	now := s.now()
	want := s.pendingMAC(parts[0]+"."+parts[1], u.PasswordHash)
	if !hmac.Equal([]byte(want), []byte(parts[2])) || !now.Before(time.Unix(expires, 0)) || u.TOTPEnabledAt.IsZero() {
		return "", Session{}, ErrLoginExpired
	}
	account, address := accountKey(u.Email), "address:"+in.IP
	if wait := max(s.perAccount.retryAfter(account, now), s.perAddress.retryAfter(address, now)); wait > 0 {
		return "", Session{}, &ThrottledError{RetryAfter: wait}
	}
	recovery, err := s.verifySecondFactor(ctx, ps, u, in.Code)
	if errors.Is(err, ErrInvalidCode) {
		s.perAccount.fail(account, now)
		s.perAddress.fail(address, now)
		return "", Session{}, ErrInvalidCode
	}
	if err != nil {
		return "", Session{}, err
	}
	s.perAccount.reset(account)
	if recovery {
		left, err := ps.RecoveryCodesLeft(ctx, u.ID)
		if err != nil {
			return "", Session{}, err
		}
		s.log.Info("login with a recovery code", "user_id", u.ID, "recovery_codes_left", left)
	}
	return s.openSession(ctx, u, in.IP, in.UserAgent, in.PreviousToken)
}
