package auth

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"p2pdesk/api"
	"p2pdesk/clock"
	"p2pdesk/usertext"
)

// Service issues and checks credentials.
type Service struct {
	store Store
	key   *ServerKey
	clock clock.Clock // wall time: request signatures are about real time
	// Codes is the clock of one-time codes: wall time, except in a
	// deterministic simulation, whose authenticator runs on its clock.
	Codes clock.Clock
	// Issuer names the account in authenticator apps.
	Issuer string
	// MaxFailures within FailureWindow lock two-factor checks for the rest
	// of the window.
	MaxFailures   int
	FailureWindow time.Duration

	mu     sync.Mutex
	cache  map[string]cached // api key -> verified material, for a short while
	pruned time.Time         // when old signatures were last dropped
}

type cached struct {
	cred   Credential
	secret string
	until  time.Time
}

// cacheTTL bounds how long a key revoked elsewhere (by another server
// sharing the database) can still work on this one; a revocation made
// here drops the key from this cache at once.
const cacheTTL = 500 * time.Millisecond

// NewService builds a Service.
func NewService(st Store, key *ServerKey, clk clock.Clock) *Service {
	return &Service{store: st, key: key, clock: clk, Codes: clk, Issuer: "p2pdesk", MaxFailures: 5,
		FailureWindow: 15 * time.Minute, cache: map[string]cached{}}
}

// Issue creates a credential for a user and returns it in the clear once.
func (s *Service) Issue(ctx context.Context, user int64, label string) (api.Credentials, error) {
	out := api.Credentials{UserID: user, APIKey: "pk_" + randomString(16), Secret: randomString(32), Passphrase: randomString(16)}
	c := Credential{
		APIKey: out.APIKey, UserID: user, PassphraseHash: s.key.HashPassphrase(out.Passphrase),
		SecretEnc: s.key.Seal([]byte(out.Secret), "api-secret:"+out.APIKey), Label: label, CreatedAt: s.clock.Now(),
	}
	err := s.store.AuthUpdate(ctx, func(tx Tx) error { return tx.InsertCredential(c) })
	return out, err
}

// Reissue revokes every key of a user and issues a new one, in one
// transaction: the old keys stop working at once (on this server now, on
// every server sharing the database within cacheTTL).
func (s *Service) Reissue(ctx context.Context, user int64, label string) (api.Credentials, error) {
	out := api.Credentials{UserID: user, APIKey: "pk_" + randomString(16), Secret: randomString(32), Passphrase: randomString(16)}
	c := Credential{
		APIKey: out.APIKey, UserID: user, PassphraseHash: s.key.HashPassphrase(out.Passphrase),
		SecretEnc: s.key.Seal([]byte(out.Secret), "api-secret:"+out.APIKey), Label: label, CreatedAt: s.clock.Now(),
	}
	err := s.store.AuthUpdate(ctx, func(tx Tx) error {
		if err := tx.RevokeCredentials(user); err != nil {
			return err
		}
		return tx.InsertCredential(c)
	})
	s.forget(func(c cached) bool { return c.cred.UserID == user })
	if err != nil {
		return api.Credentials{}, err
	}
	return out, nil
}

// RevokeAll revokes every key of a user.
func (s *Service) RevokeAll(ctx context.Context, user int64) error {
	err := s.store.AuthUpdate(ctx, func(tx Tx) error { return tx.RevokeCredentials(user) })
	s.forget(func(c cached) bool { return c.cred.UserID == user })
	return err
}

// Keys lists a user's API keys, revoked ones included, oldest first.
func (s *Service) Keys(ctx context.Context, user int64) ([]api.KeyInfo, error) {
	out := []api.KeyInfo{}
	err := s.store.AuthView(ctx, func(tx ReadTx) error {
		cs, err := tx.CredentialsOf(user)
		for _, c := range cs {
			out = append(out, api.KeyInfo{APIKey: c.APIKey, UserID: c.UserID, Label: c.Label, CreatedAt: c.CreatedAt, Revoked: c.Revoked})
		}
		return err
	})
	return out, err
}

// ErrNoSuchKey: the key does not exist, or belongs to someone else.
var ErrNoSuchKey = errors.New("auth: no such API key")

// Revoke revokes one API key. owner is the user who must own it; 0 lets
// any key be revoked (an administrator). Revoking a revoked key is a
// no-op.
func (s *Service) Revoke(ctx context.Context, apiKey string, owner int64) (api.KeyInfo, error) {
	var out api.KeyInfo
	err := s.store.AuthUpdate(ctx, func(tx Tx) error {
		c, err := tx.Credential(apiKey)
		if errors.Is(err, ErrNotFound) || (err == nil && owner != 0 && c.UserID != owner) {
			return ErrNoSuchKey
		}
		if err != nil {
			return err
		}
		out = api.KeyInfo{APIKey: c.APIKey, UserID: c.UserID, Label: c.Label, CreatedAt: c.CreatedAt, Revoked: true}
		return tx.RevokeCredential(apiKey)
	})
	s.forget(func(c cached) bool { return c.cred.APIKey == apiKey })
	return out, err
}

// Active says whether a key still works: not revoked, here or on another
// server sharing the database (seen within cacheTTL). Open streams ask it
// so that a revoked key's stream ends.
func (s *Service) Active(ctx context.Context, apiKey string) (bool, error) {
	_, _, err := s.lookup(ctx, apiKey)
	var ue *ErrUnauthorized
	if errors.As(err, &ue) {
		return false, nil
	}
	return err == nil, err
}

func (s *Service) forget(match func(cached) bool) {
	s.mu.Lock()
	for k, c := range s.cache {
		if match(c) {
			delete(s.cache, k)
		}
	}
	s.mu.Unlock()
}

// ErrUnauthorized covers every reason a signed request is refused; the
// reason goes to the log, not to the caller.
type ErrUnauthorized struct {
	Reason string
	// Code, when set, is the refusal's own code, for a client that
	// signed correctly and can fix what went wrong (a reused signature).
	Code api.Code
}

func (e *ErrUnauthorized) Error() string { return "unauthorized: " + e.Reason }

func unauthorized(format string, args ...any) error {
	return &ErrUnauthorized{Reason: fmt.Sprintf(format, args...)}
}

// Request is what Verify needs of an HTTP request.
type Request struct {
	APIKey, Passphrase, Timestamp, Sign string
	Method, PathWithQuery               string
	Body                                []byte
}

// Verify checks a signed request and returns the user it speaks for.
func (s *Service) Verify(ctx context.Context, r Request) (int64, error) {
	if r.APIKey == "" || r.Passphrase == "" || r.Timestamp == "" || r.Sign == "" {
		return 0, unauthorized("missing authentication headers")
	}
	ts, err := time.Parse(api.TimestampLayout, r.Timestamp)
	if err != nil {
		return 0, unauthorized("timestamp %q is not UTC ISO-8601 with milliseconds", r.Timestamp)
	}
	if d := s.clock.Now().Sub(ts); d > api.MaxSkew || d < -api.MaxSkew {
		return 0, &ErrUnauthorized{Code: api.CodeTimestampExpired, Reason: fmt.Sprintf("timestamp is %s off the server clock", d.Round(time.Second))}
	}
	c, secret, err := s.lookup(ctx, r.APIKey)
	if err != nil {
		return 0, err
	}
	if !hmac.Equal(s.key.HashPassphrase(r.Passphrase), c.PassphraseHash) {
		return 0, unauthorized("wrong passphrase for key %s", r.APIKey)
	}
	want := api.Sign(secret, r.Timestamp, r.Method, r.PathWithQuery, r.Body)
	if !hmac.Equal([]byte(want), []byte(r.Sign)) {
		return 0, unauthorized("bad signature for key %s", r.APIKey)
	}
	if r.Method != "GET" && r.Method != "HEAD" {
		if err := s.once(ctx, r.Sign, ts); err != nil {
			return 0, err
		}
	}
	return c.UserID, nil
}

// once refuses a signature seen before. Every request that may change
// something is recorded in the database, shared by every server, until
// its timestamp is out of the window; a captured request sent again is
// refused wherever it arrives. Reads are not recorded: sending one again
// changes nothing.
func (s *Service) once(ctx context.Context, sign string, ts time.Time) error {
	now := s.clock.Now()
	s.mu.Lock()
	prune := now.Sub(s.pruned) > pruneEvery
	if prune {
		s.pruned = now
	}
	s.mu.Unlock()
	fresh := false
	err := s.store.AuthUpdate(ctx, func(tx Tx) error {
		if prune {
			// Older than the window on any server's clock: refused by
			// the timestamp check already.
			if err := tx.ForgetSignatures(now.Add(-2*api.MaxSkew - pruneEvery)); err != nil {
				return err
			}
		}
		var err error
		fresh, err = tx.SeeSignature(sign, ts)
		return err
	})
	if err != nil {
		return err
	}
	if !fresh {
		return &ErrUnauthorized{Code: api.CodeSignatureReused, Reason: "signature already used"}
	}
	return nil
}

// pruneEvery is how often a server drops old signatures.
const pruneEvery = 10 * time.Second

func (s *Service) lookup(ctx context.Context, apiKey string) (Credential, string, error) {
	now := time.Now()
	s.mu.Lock()
	if c, ok := s.cache[apiKey]; ok && now.Before(c.until) {
		s.mu.Unlock()
		return c.cred, c.secret, nil
	}
	s.mu.Unlock()
	var c Credential
	err := s.store.AuthView(ctx, func(tx ReadTx) error {
		var err error
		c, err = tx.Credential(apiKey)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return c, "", unauthorized("unknown key %q", apiKey)
	}
	if err != nil {
		return c, "", err
	}
	if c.Revoked {
		return c, "", unauthorized("revoked key %s", apiKey)
	}
	plain, err := s.key.Open(c.SecretEnc, "api-secret:"+apiKey)
	if err != nil {
		return c, "", err
	}
	s.mu.Lock()
	if len(s.cache) > 100_000 {
		s.cache = map[string]cached{}
	}
	s.cache[apiKey] = cached{cred: c, secret: string(plain), until: now.Add(cacheTTL)}
	s.mu.Unlock()
	return c, string(plain), nil
}

// Enroll creates (or replaces, while not yet enabled) a user's seed.
func (s *Service) Enroll(ctx context.Context, user int64, account string) (api.Enrollment, error) {
	var out api.Enrollment
	err := s.store.AuthUpdate(ctx, func(tx Tx) error {
		st, err := tx.TOTP(user)
		if err == nil && st.Enabled {
			return &api.Error{Code: api.CodeTOTPAlreadyEnabled, Field: "totp", Message: "two-factor authentication is already on"}
		}
		// Keep the anti-phishing phrase across a re-enrolment.
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		k, err := totp.Generate(totp.GenerateOpts{Issuer: s.Issuer, AccountName: account, SecretSize: 20})
		if err != nil {
			return err
		}
		st.UserID, st.Enabled, st.LastStep = user, false, 0
		st.SeedEnc = s.key.Seal([]byte(k.Secret()), fmt.Sprintf("totp:%d", user))
		out = api.Enrollment{Secret: k.Secret(), URI: k.URL()}
		return tx.PutTOTP(st)
	})
	return out, err
}

// SetTOTPSeed installs a known seed and enables it at once. For
// operator-created accounts, whose seed is handed over with the keys.
func (s *Service) SetTOTPSeed(ctx context.Context, user int64, seed string) error {
	return s.store.AuthUpdate(ctx, func(tx Tx) error {
		return tx.PutTOTP(TOTPState{UserID: user, SeedEnc: s.key.Seal([]byte(seed), fmt.Sprintf("totp:%d", user)), Enabled: true})
	})
}

// NewTOTPSeed returns a fresh base32 seed and its otpauth URI.
func (s *Service) NewTOTPSeed(account string) (api.Enrollment, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: s.Issuer, AccountName: account, SecretSize: 20})
	if err != nil {
		return api.Enrollment{}, err
	}
	return api.Enrollment{Secret: k.Secret(), URI: k.URL()}, nil
}

// Confirm enables a pending enrollment with its first valid code.
func (s *Service) Confirm(ctx context.Context, user int64, code string) error {
	return s.check(ctx, user, code, true)
}

// Check verifies a one-time code for an action (release). Each code
// works once; wrong codes (not reused ones) are counted in the database and, past MaxFailures
// in FailureWindow, lock checks until the window has passed. A restart
// does not reset the count.
func (s *Service) Check(ctx context.Context, user int64, code string) error {
	return s.check(ctx, user, code, false)
}

func (s *Service) check(ctx context.Context, user int64, code string, enabling bool) error {
	_, err := s.spend(ctx, user, code, enabling)
	return err
}

// Spent is a one-time code accepted and used up: Step is its time step,
// Before the last step used until then.
type Spent struct {
	UserID       int64
	Step, Before int64
}

// CheckFor verifies a one-time code for an action and spends it only if
// the action is done: when action refuses (returns a refusal, not a
// failure to reach the database), the code is given back and works again.
// The code is spent first, so two actions racing with one code cannot both
// pass; the loser gets TOTP_REUSED.
func (s *Service) CheckFor(ctx context.Context, user int64, code string, action func() error, refused func(error) bool) error {
	sp, err := s.spend(ctx, user, code, false)
	if err != nil {
		return err
	}
	aerr := action()
	if aerr != nil && refused(aerr) {
		if err := s.giveBack(ctx, sp); err != nil {
			return errors.Join(aerr, err)
		}
	}
	return aerr
}

// giveBack un-spends a code, unless a later one was used meanwhile.
func (s *Service) giveBack(ctx context.Context, sp Spent) error {
	return s.store.AuthUpdate(ctx, func(tx Tx) error {
		st, err := tx.TOTP(sp.UserID)
		if err != nil || st.LastStep != sp.Step {
			return err
		}
		st.LastStep = sp.Before
		return tx.PutTOTP(st)
	})
}

func (s *Service) spend(ctx context.Context, user int64, code string, enabling bool) (Spent, error) {
	now := s.Codes.Now()
	var verdict error
	var spent Spent
	err := s.store.AuthUpdate(ctx, func(tx Tx) error {
		verdict, spent = nil, Spent{}
		st, err := tx.TOTP(user)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		noSeed := errors.Is(err, ErrNotFound) || len(st.SeedEnc) == 0
		switch {
		case enabling && noSeed:
			verdict = &api.Error{Code: api.CodeTOTPNotEnrolled, Field: "totp", Message: "start two-factor enrolment first"}
		case enabling && st.Enabled:
			verdict = &api.Error{Code: api.CodeTOTPAlreadyEnabled, Field: "totp", Message: "two-factor authentication is already on"}
		case !enabling && (noSeed || !st.Enabled):
			verdict = &api.Error{Code: api.CodeTOTPRequired, Field: "totp", Message: "turn on two-factor authentication before releasing crypto"}
		}
		if verdict != nil {
			return nil
		}
		fails, err := tx.TOTPFailures(user, now.Add(-s.FailureWindow))
		if err != nil {
			return err
		}
		if fails >= s.MaxFailures {
			verdict = &api.Error{Code: api.CodeTOTPLocked, Field: "totp", Message: fmt.Sprintf("too many wrong codes: two-factor checks are locked for up to %s", s.FailureWindow),
				RetryAfter: s.FailureWindow}
			return nil
		}
		code = strings.TrimSpace(code)
		if code == "" {
			verdict = &api.Error{Code: api.CodeTOTPRequired, Field: "totp", Message: "enter the 6-digit code from your authenticator"}
			return nil
		}
		seed, err := s.key.Open(st.SeedEnc, fmt.Sprintf("totp:%d", user))
		if err != nil {
			return err
		}
		step, ok := matchStep(string(seed), code, now)
		switch {
		case !ok:
			verdict = &api.Error{Code: api.CodeTOTPInvalid, Field: "totp", Message: fmt.Sprintf("the code is wrong (%d of %d tries left)", s.MaxFailures-fails-1, s.MaxFailures)}
			return tx.AddTOTPFailure(user, now)
		case step <= st.LastStep:
			// A right code used before is not a guess: it does not count
			// toward the lockout.
			verdict = &api.Error{Code: api.CodeTOTPReused, Field: "totp", Message: "this code was already used: wait for the next one"}
			return nil
		}
		spent = Spent{UserID: user, Step: step, Before: st.LastStep}
		st.LastStep, st.Enabled = step, true
		if err := tx.ClearTOTPFailures(user); err != nil {
			return err
		}
		return tx.PutTOTP(st)
	})
	if err != nil {
		return Spent{}, err
	}
	return spent, verdict
}

// matchStep finds the time step (of 30 s) whose code matches, allowing
// one step of drift either way.
func matchStep(seed, code string, now time.Time) (int64, bool) {
	cur := now.Unix() / 30
	for _, d := range []int64{0, -1, 1} {
		step := cur + d
		want, err := totp.GenerateCodeCustom(seed, time.Unix(step*30, 0), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && hmacEqual(want, code) {
			return step, true
		}
	}
	return 0, false
}

func hmacEqual(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// Status reports a user's two-factor state.
func (s *Service) Status(ctx context.Context, user int64) (api.TwoFactor, error) {
	var out api.TwoFactor
	err := s.store.AuthView(ctx, func(tx ReadTx) error {
		st, err := tx.TOTP(user)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out.Enabled, out.Pending = st.Enabled, !st.Enabled && len(st.SeedEnc) > 0
		n, err := tx.TOTPFailures(user, s.Codes.Now().Add(-s.FailureWindow))
		out.FailuresWindow, out.Locked = n, n >= s.MaxFailures
		return err
	})
	return out, err
}

// SetAntiPhishing stores the user's anti-phishing phrase, sealed.
func (s *Service) SetAntiPhishing(ctx context.Context, user int64, phrase string) error {
	phrase = strings.TrimSpace(phrase)
	if n := len([]rune(phrase)); n < 4 || n > 20 {
		return &api.Error{Code: api.CodeInvalidArgument, Field: "code", Message: "an anti-phishing code is 4 to 20 characters"}
	}
	// The code is shown in every genuine message to prove it genuine: a
	// control or invisible character in it could draw something else.
	if r, bad := usertext.Forbidden(phrase, false); bad {
		return &api.Error{Code: api.CodeInvalidArgument, Field: "code", Message: fmt.Sprintf("an anti-phishing code is visible characters only, not %U", r)}
	}
	return s.store.AuthUpdate(ctx, func(tx Tx) error {
		st, err := tx.TOTP(user)
		if errors.Is(err, ErrNotFound) {
			st = TOTPState{UserID: user}
		} else if err != nil {
			return err
		}
		st.AntiPhishingEnc = s.key.Seal([]byte(phrase), fmt.Sprintf("anti-phishing:%d", user))
		return tx.PutTOTP(st)
	})
}

// AntiPhishing returns the user's phrase, or "" if none is set.
func (s *Service) AntiPhishing(ctx context.Context, user int64) (string, error) {
	var out string
	err := s.store.AuthView(ctx, func(tx ReadTx) error {
		st, err := tx.TOTP(user)
		if errors.Is(err, ErrNotFound) || (err == nil && len(st.AntiPhishingEnc) == 0) {
			return nil
		}
		if err != nil {
			return err
		}
		b, err := s.key.Open(st.AntiPhishingEnc, fmt.Sprintf("anti-phishing:%d", user))
		out = string(b)
		return err
	})
	return out, err
}
