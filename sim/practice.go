package sim

import (
	"context"
	"fmt"
	"time"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
)

// PracticeAccount is what a person at the keyboard gets in a simulated
// market: marketplace credentials (2FA still to enrol) and an Alipay
// account of their own with its payment password. The caller keeps these
// in the OS keyring; the world keeps nothing of them.
type PracticeAccount struct {
	UserID         int64
	Name           string
	RealName       string
	Credentials    api.Credentials
	AlipayLogin    string
	AlipayToken    string
	AlipayPassword string
	AlipayURL      string
}

// Starting balances of a practice account.
var practiceDeposits = map[string]string{"USDT": "5000", "BTC": "0.05", "ETH": "1.5"}

const practiceCNY = alipay.PracticeBalance

// OpenPracticeAccount creates the person at the keyboard: KYC level 1
// (where a new user starts: 20,000 CNY a day under PracticeRules; the
// Account tab shows what the next tier needs), starting crypto, an Alipay account in their real name with CNY in it,
// and that account registered as their Alipay payment method.
func (w *World) OpenPracticeAccount(ctx context.Context, name, realName string) (PracticeAccount, error) {
	acct, err := w.Admin.CreateUser(ctx, api.NewUserRequest{Name: name, RealName: realName, KYCLevel: 1, Deposits: practiceDeposits})
	if err != nil {
		return PracticeAccount{}, err
	}
	login := fmt.Sprintf("139%08d", acct.User.ID)
	pin := w.railPin()
	ra, err := w.RailAdmin.Open(ctx, alipay.NewAccount{Login: login, RealName: realName, PaymentPassword: pin, Balance: practiceCNY})
	if err != nil {
		return PracticeAccount{}, err
	}
	mc := w.clientFor(acct.Credentials)
	if _, err := mc.SetPaymentAccount(ctx, api.Alipay, login, ""); err != nil {
		return PracticeAccount{}, err
	}
	return PracticeAccount{UserID: acct.User.ID, Name: name, RealName: realName, Credentials: acct.Credentials,
		AlipayLogin: login, AlipayToken: ra.Token, AlipayPassword: pin, AlipayURL: w.railBase}, nil
}

// Human wraps the person at the keyboard as a Bot with no script, so a
// scenario can be staged around them; nothing acts for them.
func (w *World) Human(userID, railID int64, name string, mc *client.Client, rc *client.Alipay) *Bot {
	b := w.newBot(name, userID, person{Handle: name}, mc, rc, "", "")
	b.RailID = railID
	return b
}

// KYCReview is how long the practice platform takes to check an ID
// document and a face scan: an hour of market time, where a real platform
// takes a day or two.
const KYCReview = time.Hour

// ApplyKYC applies for the user's next KYC tier; the review approves it
// after KYCReview of market time, and ApplyKYC says when.
func (w *World) ApplyKYC(ctx context.Context, user *Bot) (time.Time, error) {
	a, err := user.Market.Account(ctx)
	if err != nil {
		return time.Time{}, err
	}
	next := a.User.KYCLevel + 1
	found := false
	for _, t := range a.Tiers {
		found = found || t.Level == next
	}
	if !found {
		return time.Time{}, fmt.Errorf("KYC %d is the highest tier", a.User.KYCLevel)
	}
	id := a.User.ID
	now := w.Sched.Now()
	// The latest over-the-limit drill of this user learns of it: a
	// higher tier is its careful way past the limit.
	w.mu.Lock()
	for i := len(w.stages) - 1; i >= 0; i-- {
		if st := w.stages[i]; st.User.UserID == id && st.Scenario.limit {
			st.kycMu.Lock()
			if st.kycApplied.IsZero() {
				st.kycApplied = now
			}
			st.kycMu.Unlock()
			break
		}
	}
	w.mu.Unlock()
	w.Sched.After(KYCReview, "kyc review", func() {
		if _, err := w.Admin.PatchUser(context.Background(), id, api.UserPatch{KYCLevel: &next}); err != nil {
			w.log.Warn("kyc review", "user", id, "err", err)
		}
	})
	return w.Sched.Now().Add(KYCReview), nil
}
