package market

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"p2pdesk/money"
	"p2pdesk/usertext"
)

func canTrade(u User) error {
	if u.Restricted {
		return Errorf(CodeAccountRestricted, "", "this account is restricted and cannot trade")
	}
	if u.KYCLevel < 1 {
		return Errorf(CodeKYCRequired, "", "KYC level 0 cannot trade: complete identity verification first")
	}
	return nil
}

// NewUser describes an account to open.
type NewUser struct {
	Name     string `json:"name"`
	RealName string `json:"realName"`
	KYCLevel int    `json:"kycLevel"`
	Role     Role   `json:"role,omitempty"`
	Verified bool   `json:"verified,omitempty"`
}

var nameRE = regexp.MustCompile(`^[\p{L}\p{N}_.\- ]{2,32}$`)

// CreateUser opens an account. Run by an operator, not by a trader.
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	var out User
	err := s.update(ctx, func(o *op) error {
		u, err := o.createUser(nu)
		out = u
		return err
	})
	return out, err
}

func (o *op) createUser(nu NewUser) (User, error) {
	name := strings.TrimSpace(nu.Name)
	if !nameRE.MatchString(name) {
		return User{}, Errorf(CodeInvalidArgument, "name", "a name is 2 to 32 letters, digits, spaces, '.', '_' or '-'")
	}
	real := strings.TrimSpace(nu.RealName)
	if real == "" {
		real = name
	}
	if len([]rune(real)) > 64 {
		return User{}, Errorf(CodeTextTooLong, "realName", "the real name is too long")
	}
	for _, f := range [][2]string{{"name", name}, {"realName", real}} {
		if r, bad := usertext.Forbidden(f[1], false); bad {
			return User{}, Errorf(CodeInvalidArgument, f[0], "%s contains a control or invisible character (%U)", f[0], r)
		}
	}
	if nu.KYCLevel < 0 || nu.KYCLevel > 2 {
		return User{}, Errorf(CodeInvalidArgument, "kycLevel", "KYC level must be 0, 1 or 2")
	}
	role := nu.Role
	switch role {
	case "":
		role = RoleTrader
	case RoleTrader, RoleSupport, RoleAdmin:
	default:
		return User{}, Errorf(CodeInvalidArgument, "role", "role must be trader, support or admin")
	}
	u := User{Name: name, RealName: real, Role: role, KYCLevel: nu.KYCLevel, Verified: nu.Verified, CreatedAt: o.now}
	if err := o.tx.InsertUser(&u); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return User{}, Errorf(CodeNameTaken, "name", "the name %q is taken", name)
		}
		return User{}, err
	}
	return u, nil
}

// Deposit credits a trader from outside the desk (an on-chain deposit;
// in the simulator, the practice faucet). ref makes it happen once.
func (s *Service) Deposit(ctx context.Context, user int64, asset Asset, amount money.Amount, ref string) (BalanceView, error) {
	var out BalanceView
	err := s.update(ctx, func(o *op) error {
		if _, err := o.user(user); err != nil {
			return err
		}
		a, err := amount.Rescale(asset.Scale())
		if err != nil || !a.IsPositive() {
			return Errorf(CodeAmountInvalid, "amount", "a deposit is a positive %s amount with at most %d decimals", asset, asset.Scale())
		}
		if ref == "" {
			return Errorf(CodeInvalidArgument, "ref", "a deposit needs a reference")
		}
		err = transfer(o.tx, Transfer{ID: "deposit/" + ref, Kind: TransferPosted, Debit: SystemUserID, Credit: user,
			Asset: asset, Amount: a.Units(), Code: "deposit", At: o.now})
		if err != nil && !errors.Is(err, errAlreadyDone) {
			return err
		}
		b, err := o.tx.Balance(user, asset)
		if err != nil {
			return err
		}
		out = balanceView(b)
		return o.emit(user, "balance.changed", out)
	})
	return out, err
}

// BalanceView is one asset of a trader's wallet.
type BalanceView struct {
	Asset     Asset        `json:"asset"`
	Available money.Amount `json:"available"`
	Locked    money.Amount `json:"locked"`   // in escrow for open orders where you sell
	Incoming  money.Amount `json:"incoming"` // in escrow for open orders where you buy
	Total     money.Amount `json:"total"`    // available + locked
}

func balanceView(b Balance) BalanceView {
	sc := b.Asset.Scale()
	return BalanceView{
		Asset:     b.Asset,
		Available: money.New(b.Available(), sc),
		Locked:    money.New(b.Locked(), sc),
		Incoming:  money.New(b.CreditsPending, sc),
		Total:     money.New(b.Available()+b.Locked(), sc),
	}
}

// Balances lists the user's wallet, one line per asset.
func (s *Service) Balances(ctx context.Context, user int64) ([]BalanceView, error) {
	var out []BalanceView
	err := s.view(ctx, func(tx ReadTx, _ time.Time) error {
		for _, a := range Assets {
			b, err := tx.Balance(user, a)
			if err != nil {
				return err
			}
			b.UserID, b.Asset = user, a
			out = append(out, balanceView(b))
		}
		return nil
	})
	return out, err
}

var (
	phoneRE = regexp.MustCompile(`^\+?[0-9]{6,15}$`)
	emailRE = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]{1,255}\.[a-zA-Z]{2,}$`)
	cardRE  = regexp.MustCompile(`^[0-9]{12,19}$`)
	wxRE    = regexp.MustCompile(`^[a-zA-Z][-_a-zA-Z0-9]{5,19}$`)
)

// SetPaymentAccount records where the user receives fiat by a method. The
// account must be in the user's own verified name: third-party accounts
// are not allowed.
func (s *Service) SetPaymentAccount(ctx context.Context, user int64, p PaymentAccount) (PaymentAccount, error) {
	err := s.update(ctx, func(o *op) error {
		u, err := o.user(user)
		if err != nil {
			return err
		}
		m, err := ParsePaymentMethod(string(p.Method))
		if err != nil {
			return err
		}
		p.Method, p.UserID = m, user
		p.Account = strings.TrimSpace(p.Account)
		p.RealName = strings.TrimSpace(p.RealName)
		ok := false
		switch m {
		case Alipay:
			ok = phoneRE.MatchString(p.Account) || emailRE.MatchString(p.Account)
		case WeChat:
			ok = wxRE.MatchString(p.Account) || phoneRE.MatchString(p.Account)
		case Bank:
			ok = cardRE.MatchString(strings.ReplaceAll(p.Account, " ", ""))
		}
		if !ok {
			hint := map[PaymentMethod]string{Alipay: "a phone number or e-mail", WeChat: "a WeChat id or phone number", Bank: "a card number of 12 to 19 digits"}[m]
			return Errorf(CodeInvalidArgument, "account", "an %s account is %s", m.Label(), hint)
		}
		if p.RealName == "" {
			p.RealName = u.RealName
		}
		if p.RealName != u.RealName {
			return Errorf(CodeNameMismatch, "realName", "the account must be in your own verified name (%s): third-party accounts are not allowed", u.RealName)
		}
		return o.tx.PutPaymentAccount(p)
	})
	return p, err
}

// LimitView is one fiat's daily limit.
type LimitView struct {
	Fiat      Fiat         `json:"fiat"`
	Limit     money.Amount `json:"limit"`
	Used      money.Amount `json:"used"`
	Remaining money.Amount `json:"remaining"`
}

// AccountView is what a trader knows of their own account.
type AccountView struct {
	User      User             `json:"user"`
	Limits    []LimitView      `json:"limits"`
	Record    Record           `json:"record"`
	Payments  []PaymentAccount `json:"paymentAccounts"`
	DayResets time.Time        `json:"limitsResetAt"`
}

// Account returns the user's own account view.
func (s *Service) Account(ctx context.Context, user int64) (AccountView, error) {
	var out AccountView
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		u, err := tx.User(user)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return notFound("account")
			}
			return err
		}
		out.User = u
		for _, f := range Fiats {
			lim, ok := s.cfg.DailyLimits[u.KYCLevel][f]
			if !ok {
				lim = money.Zero(f.Scale())
			}
			use, err := tx.Usage(user, dayOf(now), f)
			if err != nil {
				return err
			}
			used := money.New(use.Amount, f.Scale())
			left, _ := lim.Sub(used)
			if left.IsNegative() {
				left = money.Zero(f.Scale())
			}
			out.Limits = append(out.Limits, LimitView{Fiat: f, Limit: lim, Used: used, Remaining: left})
		}
		recs, err := records(tx, []int64{user}, now, s.cfg.RecordDays)
		if err != nil {
			return err
		}
		out.Record = recs[user]
		if out.Payments, err = tx.PaymentAccounts(user); err != nil {
			return err
		}
		if out.Payments == nil {
			out.Payments = []PaymentAccount{}
		}
		out.DayResets = DayStart(now).Add(24 * time.Hour)
		return nil
	})
	return out, err
}

// Trader returns a trader's public card.
func (s *Service) Trader(ctx context.Context, id int64) (TraderCard, error) {
	var out TraderCard
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		u, err := tx.User(id)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return notFound("trader")
			}
			return err
		}
		recs, err := records(tx, []int64{id}, now, s.cfg.RecordDays)
		out = card(u, recs[id])
		return err
	})
	return out, err
}

// SetUser changes what an operator may change of an account: KYC level,
// merchant badge, restriction.
func (s *Service) SetUser(ctx context.Context, id int64, kyc *int, verified, restricted *bool) (User, error) {
	var out User
	err := s.update(ctx, func(o *op) error {
		u, err := o.user(id)
		if err != nil {
			return err
		}
		if kyc != nil {
			if *kyc < 0 || *kyc > 2 {
				return Errorf(CodeInvalidArgument, "kycLevel", "KYC level must be 0, 1 or 2")
			}
			u.KYCLevel = *kyc
		}
		if verified != nil {
			u.Verified = *verified
		}
		if restricted != nil {
			u.Restricted = *restricted
		}
		out = u
		return o.tx.UpdateUser(u)
	})
	return out, err
}
