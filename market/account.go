package market

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
	"p2pdesk/usertext"
)

func canTrade(u api.User) error {
	if u.Restricted {
		return api.Errorf(api.CodeAccountRestricted, "", "this account is restricted and cannot trade")
	}
	if u.KYCLevel < 1 {
		return api.Errorf(api.CodeKYCRequired, "", "KYC level 0 cannot trade: complete identity verification first")
	}
	return nil
}

// NewUser describes an account to open.
type NewUser struct {
	Name     string   `json:"name"`
	RealName string   `json:"realName"`
	KYCLevel int      `json:"kycLevel"`
	Role     api.Role `json:"role,omitempty"`
	Verified bool     `json:"verified,omitempty"`
}

var nameRE = regexp.MustCompile(`^[\p{L}\p{N}_.\- ]{2,32}$`)

// CreateUser opens an account. Run by an operator, not by a trader.
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (api.User, error) {
	var out api.User
	err := s.update(ctx, func(o *op) error {
		u, err := o.createUser(nu)
		out = u
		return err
	})
	return out, err
}

func (o *op) createUser(nu NewUser) (api.User, error) {
	name := strings.TrimSpace(nu.Name)
	if !nameRE.MatchString(name) {
		return api.User{}, api.Errorf(api.CodeInvalidArgument, "name", "a name is 2 to 32 letters, digits, spaces, '.', '_' or '-'")
	}
	real := strings.TrimSpace(nu.RealName)
	if real == "" {
		real = name
	}
	if len([]rune(real)) > 64 {
		return api.User{}, api.Errorf(api.CodeTextTooLong, "realName", "the real name is too long")
	}
	for _, f := range [][2]string{{"name", name}, {"realName", real}} {
		if r, bad := usertext.Forbidden(f[1], false); bad {
			return api.User{}, api.Errorf(api.CodeInvalidArgument, f[0], "%s contains a control or invisible character (%U)", f[0], r)
		}
	}
	if nu.KYCLevel < 0 || nu.KYCLevel > 2 {
		return api.User{}, api.Errorf(api.CodeInvalidArgument, "kycLevel", "KYC level must be 0, 1 or 2")
	}
	role := nu.Role
	switch role {
	case "":
		role = api.RoleTrader
	case api.RoleTrader, api.RoleSupport, api.RoleAdmin:
	default:
		return api.User{}, api.Errorf(api.CodeInvalidArgument, "role", "role must be trader, support or admin")
	}
	u := api.User{Name: name, RealName: real, Role: role, KYCLevel: nu.KYCLevel, Verified: nu.Verified, CreatedAt: o.now}
	if err := o.tx.InsertUser(&u); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return api.User{}, api.Errorf(api.CodeNameTaken, "name", "the name %q is taken", name)
		}
		return api.User{}, err
	}
	return u, nil
}

// Deposit credits a trader from outside the desk (an on-chain deposit;
// in the simulator, the practice faucet). ref makes it happen once.
func (s *Service) Deposit(ctx context.Context, user int64, asset api.Asset, amount money.Amount, ref string) (api.BalanceView, error) {
	var out api.BalanceView
	err := s.update(ctx, func(o *op) error {
		if _, err := o.user(user); err != nil {
			return err
		}
		a, err := amount.Rescale(asset.Scale())
		if err != nil || !a.IsPositive() {
			return api.Errorf(api.CodeAmountInvalid, "amount", "a deposit is a positive %s amount with at most %d decimals", asset, asset.Scale())
		}
		if ref == "" {
			return api.Errorf(api.CodeInvalidArgument, "ref", "a deposit needs a reference")
		}
		err = transfer(o.tx, Transfer{ID: "deposit/" + ref, Kind: TransferImmediate, Debit: SystemUserID, Credit: user,
			Asset: asset, Amount: a.Units(), Code: "deposit", At: o.now})
		if err != nil && !errors.Is(err, errAlreadyDone) {
			return err
		}
		b, err := o.tx.Balance(user, asset)
		if err != nil {
			return err
		}
		out = balanceView(b)
		return o.emit(user, api.EventBalanceChanged, out)
	})
	return out, err
}

func balanceView(b Balance) api.BalanceView {
	sc := b.Asset.Scale()
	return api.BalanceView{
		Asset:     b.Asset,
		Available: money.New(b.Available(), sc),
		Locked:    money.New(b.Locked(), sc),
		Incoming:  money.New(b.CreditsPending, sc),
		Total:     money.New(b.Available()+b.Locked(), sc),
	}
}

// Balances lists the user's wallet, one line per asset.
func (s *Service) Balances(ctx context.Context, user int64) ([]api.BalanceView, error) {
	var out []api.BalanceView
	err := s.view(ctx, func(tx ReadTx, _ time.Time) error {
		for _, a := range api.Assets {
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
func (s *Service) SetPaymentAccount(ctx context.Context, user int64, p api.PaymentAccount) (api.PaymentAccount, error) {
	err := s.update(ctx, func(o *op) error {
		u, err := o.user(user)
		if err != nil {
			return err
		}
		m, err := api.ParsePaymentMethod(string(p.Method))
		if err != nil {
			return err
		}
		p.Method, p.UserID = m, user
		p.Account = strings.TrimSpace(p.Account)
		p.RealName = strings.TrimSpace(p.RealName)
		ok := false
		switch m {
		case api.Alipay:
			ok = phoneRE.MatchString(p.Account) || emailRE.MatchString(p.Account)
		case api.WeChat:
			ok = wxRE.MatchString(p.Account) || phoneRE.MatchString(p.Account)
		case api.Bank:
			ok = cardRE.MatchString(strings.ReplaceAll(p.Account, " ", ""))
		}
		if !ok {
			hint := map[api.PaymentMethod]string{api.Alipay: "a phone number or e-mail", api.WeChat: "a WeChat id or phone number", api.Bank: "a card number of 12 to 19 digits"}[m]
			return api.Errorf(api.CodeInvalidArgument, "account", "an %s account is %s", m.Label(), hint)
		}
		if p.RealName == "" {
			p.RealName = u.RealName
		}
		if p.RealName != u.RealName {
			return api.Errorf(api.CodeNameMismatch, "realName", "the account must be in your own verified name (%s): third-party accounts are not allowed", u.RealName)
		}
		return o.tx.PutPaymentAccount(p)
	})
	return p, err
}

// Account returns the user's own account view.
func (s *Service) Account(ctx context.Context, user int64) (api.AccountView, error) {
	var out api.AccountView
	err := s.view(ctx, func(tx ReadTx, now time.Time) error {
		u, err := tx.User(user)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return notFound("account")
			}
			return err
		}
		out.User = u
		for _, f := range api.Fiats {
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
			out.Limits = append(out.Limits, api.LimitView{Fiat: f, Limit: lim, Used: used, Remaining: left})
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
			out.Payments = []api.PaymentAccount{}
		}
		out.DayResets = DayStart(now).Add(24 * time.Hour)
		out.Tiers = s.tiers()
		return nil
	})
	return out, err
}

// tiers are the KYC levels that may trade, lowest first, with their
// daily limits: what raising a level buys.
func (s *Service) tiers() []api.TierView {
	var out []api.TierView
	for lvl := 1; lvl <= 2; lvl++ {
		t := api.TierView{Level: lvl}
		for _, f := range api.Fiats {
			if lim, ok := s.cfg.DailyLimits[lvl][f]; ok {
				t.Limits = append(t.Limits, api.TierLimit{Fiat: f, Limit: lim})
			}
		}
		out = append(out, t)
	}
	return out
}

// Trader returns a trader's public card.
func (s *Service) Trader(ctx context.Context, id int64) (api.TraderCard, error) {
	var out api.TraderCard
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
func (s *Service) SetUser(ctx context.Context, id int64, kyc *int, verified, restricted *bool) (api.User, error) {
	var out api.User
	err := s.update(ctx, func(o *op) error {
		u, err := o.user(id)
		if err != nil {
			return err
		}
		if kyc != nil {
			if *kyc < 0 || *kyc > 2 {
				return api.Errorf(api.CodeInvalidArgument, "kycLevel", "KYC level must be 0, 1 or 2")
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
