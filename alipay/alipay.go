// Package alipay is the simulated Alipay payment rail: accounts in real
// names with CNY balances, a payment password, instant and final
// transfers with a note, a statement of every transfer, and withdrawals to
// a bank card that take business days. It is a separate service with its
// own database, API (/alipay/v1/) and credentials: the marketplace never
// reads it, so "check your own Alipay statement" is a real, independent
// check.
package alipay

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"p2pdesk/clock"
	"p2pdesk/money"
)

// Scale is CNY's: amounts are fen.
const Scale = 2

// BankID is the rail's own account: money from and to banks passes
// through it, so every balance sums to zero.
const BankID int64 = 1

// Role of a rail credential.
const (
	RoleUser     = "user"
	RoleAdmin    = "admin"    // opens accounts, tops up (the simulator)
	RoleVerifier = "verifier" // reads receipts (the marketplace's support)
)

// Account is one Alipay account.
type Account struct {
	ID          int64
	Login       string // phone number or e-mail
	RealName    string
	Role        string
	Balance     int64 // fen
	Frozen      int64 // held by risk control after a complaint
	PassHash    []byte
	PassSalt    []byte
	PassFails   int
	LockedUntil time.Time
	CreatedAt   time.Time
}

// Available is what can be sent.
func (a Account) Available() int64 { return a.Balance - a.Frozen }

// Transfer kinds and statuses.
const (
	KindTransfer   = "transfer"
	KindTopUp      = "topup"
	KindWithdrawal = "withdrawal"

	StatusSuccess = "success"
	StatusPending = "pending" // a withdrawal on its way to the bank
)

// Transfer is one movement of money, immutable once final.
type Transfer struct {
	Seq         int64
	TxID        string
	Kind        string
	From, To    int64
	Amount      int64
	Note        string
	Status      string
	At          time.Time
	CompletesAt time.Time // withdrawals: when the bank has it
	Card        string    // withdrawals: the card, masked
}

// Store is what the rail needs from a database.
type Store interface {
	RailUpdate(ctx context.Context, fn func(Tx) error) error
	RailView(ctx context.Context, fn func(ReadTx) error) error
}

// ReadTx reads the rail.
type ReadTx interface {
	RailAccount(id int64) (Account, error)
	RailAccountByLogin(login string) (Account, error)
	RailAccountByToken(hash []byte) (Account, error)
	RailTransfers(account, afterSeq int64, limit int) ([]Transfer, error) // one account's, newest last
	RailAllTransfers(afterSeq int64, limit int) ([]Transfer, error)
	RailTransferByTxID(txid string) (Transfer, error)
	RailDueWithdrawals(now time.Time) ([]Transfer, error)
	RailSumBalances() (int64, error)
	RailIdem(account int64, key string) (string, string, error) // fingerprint, txid
}

// Tx writes it.
type Tx interface {
	ReadTx
	InsertRailAccount(a *Account) error
	UpdateRailAccount(a Account) error
	AddRailBalance(account, delta int64) error
	InsertRailTransfer(t *Transfer) error
	SetRailTransferStatus(seq int64, status string) error
	PutRailToken(hash []byte, account int64) error
	PutRailIdem(account int64, key, fingerprint, txid string) error
}

// ErrNotFound is what a store returns for a missing row.
var ErrNotFound = errors.New("alipay: not found")

// Error is a refusal with a stable code.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errf(status int, code, field, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Rail is the payment service.
type Rail struct {
	store Store
	clock clock.Clock
	// MaxPassFails wrong payment passwords lock sending for LockFor.
	MaxPassFails int
	LockFor      time.Duration
	// Log gets the failures a caller only sees as INTERNAL.
	Logger *slog.Logger
}

// New builds a rail.
func New(st Store, clk clock.Clock) *Rail {
	return &Rail{store: st, clock: clk, MaxPassFails: 3, LockFor: 3 * time.Hour, Logger: slog.New(slog.DiscardHandler)}
}

// Clock is the rail's clock.
func (r *Rail) Clock() clock.Clock { return r.clock }

var (
	phoneRE = regexp.MustCompile(`^\+?[0-9]{6,15}$`)
	emailRE = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]{1,255}\.[a-zA-Z]{2,}$`)
	pinRE   = regexp.MustCompile(`^[0-9]{6}$`)
)

// NewAccount describes an account to open.
type NewAccount struct {
	Login           string `json:"login"`
	RealName        string `json:"realName"`
	PaymentPassword string `json:"paymentPassword"`
	Balance         string `json:"balance,omitempty"`
	Role            string `json:"role,omitempty"`
	// Simulated: a throw-away account of a simulated person in the
	// practice world, whose password no one ever chose or types. It is
	// hashed with PracticeKDF; every other account gets StrongKDF.
	Simulated bool `json:"simulated,omitempty"`
}

// Open creates an account and returns it with its first access token.
func (r *Rail) Open(ctx context.Context, n NewAccount) (Account, string, error) {
	login := strings.TrimSpace(n.Login)
	if !phoneRE.MatchString(login) && !emailRE.MatchString(login) {
		return Account{}, "", errf(400, "INVALID_ARGUMENT", "login", "an Alipay account is a phone number or an e-mail address")
	}
	name := strings.TrimSpace(n.RealName)
	if name == "" || len([]rune(name)) > 64 {
		return Account{}, "", errf(400, "INVALID_ARGUMENT", "realName", "a verified real name is required")
	}
	if !pinRE.MatchString(n.PaymentPassword) {
		return Account{}, "", errf(400, "INVALID_ARGUMENT", "paymentPassword", "the payment password is 6 digits")
	}
	role := n.Role
	if role == "" {
		role = RoleUser
	}
	if role != RoleUser && role != RoleAdmin && role != RoleVerifier {
		return Account{}, "", errf(400, "INVALID_ARGUMENT", "role", "role is user, admin or verifier")
	}
	var bal money.Amount
	if n.Balance != "" {
		var err error
		if bal, err = money.Parse(n.Balance, Scale); err != nil || bal.IsNegative() {
			return Account{}, "", errf(400, "AMOUNT_INVALID", "balance", "an opening balance is a CNY amount like \"5000.00\"")
		}
	}
	salt := randomBytes(16)
	a := Account{Login: login, RealName: name, Role: role, PassSalt: salt, PassHash: hashPass(n.PaymentPassword, salt, kdfFor(n.Simulated)), CreatedAt: r.clock.Now()}
	token := "ap_" + base64.RawURLEncoding.EncodeToString(randomBytes(24))
	err := r.store.RailUpdate(ctx, func(tx Tx) error {
		if _, err := tx.RailAccountByLogin(login); err == nil {
			return errf(409, "ACCOUNT_EXISTS", "login", "%s already has an Alipay account", login)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := tx.InsertRailAccount(&a); err != nil {
			return err
		}
		if err := tx.PutRailToken(hashToken(token), a.ID); err != nil {
			return err
		}
		if bal.IsPositive() {
			return r.move(tx, KindTopUp, BankID, a.ID, bal.Units(), "Top-up from bank card", StatusSuccess, "", nil)
		}
		return nil
	})
	if err != nil {
		return Account{}, "", err
	}
	if bal.IsPositive() {
		a.Balance = bal.Units()
	}
	return a, token, nil
}

// NewToken gives an account a fresh access token (the simulator does so
// at every start rather than keep tokens anywhere).
func (r *Rail) NewToken(ctx context.Context, account int64) (string, error) {
	token := "ap_" + base64.RawURLEncoding.EncodeToString(randomBytes(24))
	err := r.store.RailUpdate(ctx, func(tx Tx) error {
		if _, err := tx.RailAccount(account); err != nil {
			return err
		}
		return tx.PutRailToken(hashToken(token), account)
	})
	return token, err
}

// SetPassword replaces an account's payment password, hashed with
// StrongKDF.
func (r *Rail) SetPassword(ctx context.Context, account int64, pin string) error {
	return r.setPassword(ctx, account, pin, StrongKDF)
}

// SetSimulatedPassword replaces the payment password of a simulated
// person's throw-away account (the simulator gives its people a new one at
// every start instead of keeping any), hashed with PracticeKDF.
func (r *Rail) SetSimulatedPassword(ctx context.Context, account int64, pin string) error {
	return r.setPassword(ctx, account, pin, PracticeKDF)
}

func (r *Rail) setPassword(ctx context.Context, account int64, pin string, k KDF) error {
	if !pinRE.MatchString(pin) {
		return errf(400, "INVALID_ARGUMENT", "paymentPassword", "the payment password is 6 digits")
	}
	return r.store.RailUpdate(ctx, func(tx Tx) error {
		a, err := tx.RailAccount(account)
		if err != nil {
			return err
		}
		a.PassSalt = randomBytes(16)
		a.PassHash = hashPass(pin, a.PassSalt, k)
		a.PassFails, a.LockedUntil = 0, time.Time{}
		return tx.UpdateRailAccount(a)
	})
}

// Authenticate returns the account of a token.
func (r *Rail) Authenticate(ctx context.Context, token string) (Account, error) {
	var a Account
	err := r.store.RailView(ctx, func(tx ReadTx) error {
		var err error
		a, err = tx.RailAccountByToken(hashToken(token))
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return a, errf(401, "UNAUTHORIZED", "", "unknown or expired access token")
	}
	return a, err
}

// TopUp credits an account from a bank card (the simulator's faucet).
func (r *Rail) TopUp(ctx context.Context, account int64, amount money.Amount) error {
	if !amount.IsPositive() {
		return errf(400, "AMOUNT_INVALID", "amount", "a top-up is positive")
	}
	units, err := amount.UnitsAt(Scale)
	if err != nil {
		return errf(400, "AMOUNT_INVALID", "amount", "CNY has two decimals")
	}
	return r.store.RailUpdate(ctx, func(tx Tx) error {
		return r.move(tx, KindTopUp, BankID, account, units, "Top-up from bank card", StatusSuccess, "", nil)
	})
}

// move records a transfer and its two balance changes.
func (r *Rail) move(tx Tx, kind string, from, to, amount int64, note, status, card string, out *Transfer) error {
	now := r.clock.Now()
	t := Transfer{Kind: kind, From: from, To: to, Amount: amount, Note: note, Status: status, At: now, Card: card}
	if kind == KindWithdrawal {
		t.CompletesAt = addBusinessDays(now, 2)
	}
	if err := tx.InsertRailTransfer(&t); err != nil {
		return err
	}
	if err := tx.AddRailBalance(from, -amount); err != nil {
		return err
	}
	if err := tx.AddRailBalance(to, amount); err != nil {
		return err
	}
	if out != nil {
		*out = t
	}
	return nil
}

// TxID formats a transaction id: the date and the sequence, like the long
// numbers on a real Alipay receipt.
func TxID(at time.Time, seq int64) string {
	return fmt.Sprintf("%s%010d", at.UTC().Format("20060102"), seq)
}

// SendRequest pays another account.
type SendRequest struct {
	To              string `json:"to"` // login
	Amount          string `json:"amount"`
	Note            string `json:"note,omitempty"`
	PaymentPassword string `json:"paymentPassword"`
}

// Send moves money at once and for good. It checks the payment password
// (wrong ones are counted and lock sending) and the balance.
func (r *Rail) Send(ctx context.Context, from int64, req SendRequest, idemKey string) (Transfer, error) {
	amt, err := money.Parse(strings.TrimSpace(req.Amount), Scale)
	if err != nil || !amt.IsPositive() {
		return Transfer{}, errf(400, "AMOUNT_INVALID", "amount", "the amount is a positive CNY amount with at most 2 decimals, like \"725.11\"")
	}
	note := strings.TrimSpace(req.Note)
	if len([]rune(note)) > 100 {
		return Transfer{}, errf(400, "INVALID_ARGUMENT", "note", "a note is at most 100 characters")
	}
	fp := fingerprint(req.To, amt.String(), note)
	var out Transfer
	var verdict error
	err = r.store.RailUpdate(ctx, func(tx Tx) error {
		verdict = nil
		if idemKey != "" {
			if prevFP, txid, err := tx.RailIdem(from, idemKey); err == nil {
				if prevFP != fp {
					verdict = errf(409, "IDEMPOTENCY_CONFLICT", "Idempotency-Key", "this key was used for another payment")
					return nil
				}
				out, err = tx.RailTransferByTxID(txid)
				return err
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		acct, err := tx.RailAccount(from)
		if err != nil {
			return err
		}
		now := r.clock.Now()
		if now.Before(acct.LockedUntil) {
			verdict = errf(423, "PAYMENT_LOCKED", "paymentPassword", "too many wrong payment passwords: sending is locked until %s", acct.LockedUntil.Format("15:04"))
			return nil
		}
		if !checkPass(req.PaymentPassword, acct.PassSalt, acct.PassHash) {
			acct.PassFails++
			left := r.MaxPassFails - acct.PassFails
			if acct.PassFails >= r.MaxPassFails {
				acct.PassFails, acct.LockedUntil = 0, now.Add(r.LockFor)
				verdict = errf(423, "PAYMENT_LOCKED", "paymentPassword", "wrong payment password: sending is locked for %s", r.LockFor)
			} else {
				tries := "tries"
				if left == 1 {
					tries = "try"
				}
				verdict = errf(403, "PAYMENT_PASSWORD_WRONG", "paymentPassword", "wrong payment password (%d %s left)", left, tries)
			}
			return tx.UpdateRailAccount(acct) // the count must survive the refusal
		}
		to, err := tx.RailAccountByLogin(strings.TrimSpace(req.To))
		if errors.Is(err, ErrNotFound) {
			verdict = errf(404, "NO_SUCH_ACCOUNT", "to", "no Alipay account %q", req.To)
			return nil
		} else if err != nil {
			return err
		}
		if to.ID == acct.ID {
			verdict = errf(400, "INVALID_ARGUMENT", "to", "you cannot pay yourself")
			return nil
		}
		if acct.Available() < amt.Units() {
			verdict = errf(422, "INSUFFICIENT_BALANCE", "amount", "your available balance is %s CNY", money.New(acct.Available(), Scale).Fixed())
			return nil
		}
		if acct.PassFails != 0 {
			acct.PassFails = 0
			if err := tx.UpdateRailAccount(acct); err != nil {
				return err
			}
		}
		if err := r.move(tx, KindTransfer, acct.ID, to.ID, amt.Units(), note, StatusSuccess, "", &out); err != nil {
			return err
		}
		if idemKey != "" {
			return tx.PutRailIdem(from, idemKey, fp, out.TxID)
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	return out, verdict
}

// WithdrawRequest moves money to a bank card.
type WithdrawRequest struct {
	Card            string `json:"card"`
	Amount          string `json:"amount"`
	PaymentPassword string `json:"paymentPassword"`
}

var cardRE = regexp.MustCompile(`^[0-9]{12,19}$`)

// Withdraw sends money to a bank card; it arrives in two business days.
func (r *Rail) Withdraw(ctx context.Context, from int64, req WithdrawRequest) (Transfer, error) {
	card := strings.ReplaceAll(req.Card, " ", "")
	if !cardRE.MatchString(card) {
		return Transfer{}, errf(400, "INVALID_ARGUMENT", "card", "a bank card number is 12 to 19 digits")
	}
	amt, err := money.Parse(strings.TrimSpace(req.Amount), Scale)
	if err != nil || !amt.IsPositive() {
		return Transfer{}, errf(400, "AMOUNT_INVALID", "amount", "the amount is a positive CNY amount with at most 2 decimals")
	}
	var out Transfer
	var verdict error
	err = r.store.RailUpdate(ctx, func(tx Tx) error {
		verdict = nil
		acct, err := tx.RailAccount(from)
		if err != nil {
			return err
		}
		now := r.clock.Now()
		if now.Before(acct.LockedUntil) {
			verdict = errf(423, "PAYMENT_LOCKED", "paymentPassword", "sending is locked until %s", acct.LockedUntil.Format("15:04"))
			return nil
		}
		if !checkPass(req.PaymentPassword, acct.PassSalt, acct.PassHash) {
			acct.PassFails++
			if acct.PassFails >= r.MaxPassFails {
				acct.PassFails, acct.LockedUntil = 0, now.Add(r.LockFor)
			}
			verdict = errf(403, "PAYMENT_PASSWORD_WRONG", "paymentPassword", "wrong payment password")
			return tx.UpdateRailAccount(acct)
		}
		if acct.Available() < amt.Units() {
			verdict = errf(422, "INSUFFICIENT_BALANCE", "amount", "your available balance is %s CNY", money.New(acct.Available(), Scale).Fixed())
			return nil
		}
		masked := "**** " + card[len(card)-4:]
		return r.move(tx, KindWithdrawal, acct.ID, BankID, amt.Units(), "Withdrawal to bank card "+masked, StatusPending, masked, &out)
	})
	if err != nil {
		return out, err
	}
	return out, verdict
}

// Settle completes the withdrawals whose business days have passed; the
// simulator calls it on its clock. It returns how many it completed.
func (r *Rail) Settle(ctx context.Context) (int, error) {
	n := 0
	err := r.store.RailUpdate(ctx, func(tx Tx) error {
		n = 0
		due, err := tx.RailDueWithdrawals(r.clock.Now())
		if err != nil {
			return err
		}
		for _, t := range due {
			if err := tx.SetRailTransferStatus(t.Seq, StatusSuccess); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// addBusinessDays skips Saturdays and Sundays.
func addBusinessDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.Add(24 * time.Hour)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// Freeze holds an amount in an account (risk control, after a complaint
// about a payment it received). The simulator's support uses it.
func (r *Rail) Freeze(ctx context.Context, account, amount int64) error {
	return r.store.RailUpdate(ctx, func(tx Tx) error {
		a, err := tx.RailAccount(account)
		if err != nil {
			return err
		}
		a.Frozen += min(amount, a.Balance-a.Frozen)
		return tx.UpdateRailAccount(a)
	})
}

// KDF is a set of argon2id parameters; a hash carries the set it was made
// with, so accounts hashed with either set verify.
type KDF struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

var (
	// StrongKDF hashes every password a person sets or is given: a 6-digit
	// password has little entropy, so each guess must cost something even
	// with the database in hand.
	StrongKDF = KDF{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}
	// PracticeKDF hashes only the throw-away passwords of simulated
	// people in the practice world (NewAccount.Simulated,
	// SetSimulatedPassword): made up at each start, never typed, guarding
	// play money. It keeps the same algorithm at a fraction of the cost,
	// so a world of merchants is made in milliseconds.
	PracticeKDF = KDF{Time: 1, MemoryKiB: 64, Threads: 1}
)

func kdfFor(simulated bool) KDF {
	if simulated {
		return PracticeKDF
	}
	return StrongKDF
}

// kdfTag starts a hash that carries its parameters: tag, time (1 byte),
// memory in KiB (4 bytes, big-endian), threads (1 byte), then the key.
// A hash without it (32 bytes) was made with StrongKDF before hashes
// carried their parameters.
const kdfTag = 0xA2

const keyLen = 32

func hashPass(pin string, salt []byte, k KDF) []byte {
	out := make([]byte, 0, 7+keyLen)
	out = append(out, kdfTag, byte(k.Time))
	out = binary.BigEndian.AppendUint32(out, k.MemoryKiB)
	out = append(out, k.Threads)
	return append(out, argon2.IDKey([]byte(pin), salt, k.Time, k.MemoryKiB, k.Threads, keyLen)...)
}

// parseHash reads the parameters a stored hash was made with.
func parseHash(stored []byte) (KDF, []byte, bool) {
	if len(stored) == keyLen {
		return StrongKDF, stored, true
	}
	if len(stored) != 7+keyLen || stored[0] != kdfTag {
		return KDF{}, nil, false
	}
	k := KDF{Time: uint32(stored[1]), MemoryKiB: binary.BigEndian.Uint32(stored[2:6]), Threads: stored[6]}
	// Parameters no hash of ours has: refuse rather than spend whatever
	// a damaged row asks for.
	if k.Time < 1 || k.Time > 16 || k.MemoryKiB < 8*uint32(k.Threads) || k.MemoryKiB > 1<<20 || k.Threads < 1 {
		return KDF{}, nil, false
	}
	return k, stored[7:], true
}

// checkPass says whether pin is the password of a stored hash, with the
// parameters stored with it.
func checkPass(pin string, salt, stored []byte) bool {
	k, key, ok := parseHash(stored)
	if !ok {
		return false
	}
	return hmac.Equal(argon2.IDKey([]byte(pin), salt, k.Time, k.MemoryKiB, k.Threads, keyLen), key)
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

func fingerprint(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return base64.RawStdEncoding.EncodeToString(h[:])
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

// MaskName shows a real name the way Alipay does before you pay: a
// Chinese name keeps its last character ("*强"); a name in words keeps its
// last word, each earlier word hidden letter by letter ("**** Qiang"), so
// the part left is one a payer can compare with the seller's name.
func MaskName(name string) string {
	words := strings.Fields(name)
	if len(words) > 1 {
		for i, w := range words[:len(words)-1] {
			words[i] = strings.Repeat("*", utf8.RuneCountInString(w))
		}
		return strings.Join(words, " ")
	}
	r := []rune(name)
	if len(r) <= 1 {
		return "*"
	}
	return strings.Repeat("*", len(r)-1) + string(r[len(r)-1])
}

// MaskedMatches reports whether a masked name (from MaskName) fits a full
// one: the same shape, each shown character the same.
func MaskedMatches(masked, full string) bool {
	m, f := []rune(masked), []rune(MaskName(full))
	if len(m) != len(f) || len(m) == 0 {
		return false
	}
	for i := range m {
		if m[i] != f[i] {
			return false
		}
	}
	return true
}

// PracticeBalance is what a practice trader's simulated Alipay opens with.
const PracticeBalance = "20000"

// ForMarketUser is the simulated Alipay account a marketplace opens for
// one of its users: a phone-number login derived from the user's id, the
// user's verified real name (or, without one, their name), a random
// 6-digit payment password and the practice balance.
func ForMarketUser(userID int64, realName, name string) (NewAccount, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return NewAccount{}, err
	}
	if realName == "" {
		realName = name
	}
	return NewAccount{Login: fmt.Sprintf("138%08d", userID), RealName: realName, PaymentPassword: fmt.Sprintf("%06d", n.Int64()), Balance: PracticeBalance}, nil
}
