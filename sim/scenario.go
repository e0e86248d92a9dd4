package sim

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/money"
)

// Direction is the user's side of the trade.
type Direction string

const (
	// Withdraw: the user sells crypto and is paid to their Alipay.
	Withdraw Direction = "withdraw"
	// Deposit: the user buys crypto and pays the seller's Alipay.
	Deposit Direction = "deposit"
)

// Scenario stages one risk of a P2P trade with a scripted counterparty.
type Scenario struct {
	Name      string
	Summary   string    // one line
	Direction Direction // the user's side
	Risk      string    // what the counterparty does
	Careful   string    // what a careful user does
	Careless  string    // what happens to the funds on the wrong move
	// Expect is what the user's funds do, per policy: the change of the
	// crypto balance and of the Alipay balance, as a share of the order.
	Expect map[Policy]Expectation
	// counterparty makes the scripted counterparty; accomplice helpers
	// are made with it.
	counterparty func(ctx context.Context, w *World, st *Stage) (Script, error)
	// bait: the counterparty's ad is priced far from the index and the
	// account is new.
	bait bool
	// choose: the learner picks among the market's ads, the drill's own
	// among them (a bait, a look-alike).
	choose bool
	// newAccount: the counterparty has no trading record.
	newAccount bool
	// marginBP, when set, prices the drill's ad off the index by it.
	marginBP int64
	// mimic: the counterparty's name is one character away from a
	// verified merchant's on offer, and it has no badge.
	mimic bool
	// slip: the payment form is filled in with an account one transposed
	// digit away from the seller's, which belongs to a stranger (see
	// Stage.Slip).
	slip bool
	// friend: someone close to the user offers to pay the order from an
	// account in their own name (see Stage.Friend).
	friend bool
	// limit: the user needs more fiat today than their KYC tier leaves
	// them (see Stage.Need), and someone offers to lift the limit for a
	// fee (Stage.FeeTo).
	limit bool
	// watchClosed: the counterparty keeps acting after the order ends.
	watchClosed bool
	// aftermath runs half an hour after the order ends: the consequences that
	// come later, like a complaint from a fraud victim.
	aftermath func(ctx context.Context, w *World, st *Stage, o api.OrderView)
}

// Expectation is the outcome of a run in units of the order: crypto and
// fiat are -1, 0 or +1 times the order's amount and total (Lost marks a
// fiat loss that is not a whole order).
type Expectation struct {
	Crypto int    // user's crypto change / order amount
	Fiat   int    // user's Alipay change / order total
	State  string // the order's final state, and resolution if resolved
	Grade  string // best (A) to worst (F)
}

// Scenarios are every scenario, by name.
var Scenarios = map[string]*Scenario{}

// ScenarioNames lists them in a stable order.
func ScenarioNames() []string {
	var out []string
	for n := range Scenarios {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func add(s *Scenario) { Scenarios[s.Name] = s }

func init() {
	add(&Scenario{Name: "honest-buyer", Direction: Withdraw,
		Summary:  "A buyer who pays the exact amount from their own account, then marks paid.",
		Risk:     "None: this is how a trade should go.",
		Careful:  "Check your own Alipay statement for the exact amount from the buyer's name, then release.",
		Careless: "Releasing on the 'paid' status happens to work here, because the money really came first.",
		Expect:   map[Policy]Expectation{Careful: {-1, +1, "completed", "A"}, Careless: {-1, +1, "completed", "A"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) {
			return &Honest{P: Persona{PayDelay: 3 * time.Minute, ReleaseDelay: 2 * time.Minute}}, nil
		}})
	add(&Scenario{Name: "honest-seller", Direction: Deposit,
		Summary:  "A seller who releases as soon as your payment is in their statement.",
		Risk:     "None: this is how a trade should go.",
		Careful:  "Pay exactly the order total to the order's account from your own account, mark paid, wait.",
		Careless: "Nothing goes wrong when the seller is honest.",
		Expect:   map[Policy]Expectation{Careful: {+1, -1, "completed", "A"}, Careless: {+1, -1, "completed", "A"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) {
			return &Honest{P: Persona{PayDelay: 3 * time.Minute, ReleaseDelay: 2 * time.Minute}}, nil
		}})
	add(&Scenario{Name: "slow-buyer", Direction: Withdraw, watchClosed: true,
		Summary:      "Marks paid early, but the money arrives only near the end of the window.",
		Risk:         "The 'paid' status runs ahead of the money.",
		Careful:      "Wait until the exact amount is in your own statement before releasing, however long the buyer says it takes.",
		Careless:     "Releasing on 'paid' hands over the crypto before any money arrived; here the money came later, by luck.",
		Expect:       map[Policy]Expectation{Careful: {-1, +1, "completed", "A"}, Careless: {-1, +1, "completed", "C"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) { return slowBuyer(), nil }})
	add(&Scenario{Name: "marks-paid-never-pays", Direction: Withdraw,
		Summary:  "Marks the order paid and never pays, hoping you release on trust.",
		Risk:     "A false 'paid' status and chat claims.",
		Careful:  "No money in your own statement, no release. Open a dispute; support finds no payment record and returns your crypto.",
		Careless: "Releasing on 'paid' loses the whole amount: nothing was paid and a release is final.",
		Expect:   map[Policy]Expectation{Careful: {0, 0, "resolved/refund", "A"}, Careless: {-1, 0, "completed", "F"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) {
			return neverPays([]string{"I've paid, please release.", "Paid 5 minutes ago, please check and release.", "Why are you not releasing? I paid."}, 3*time.Minute), nil
		}})
	add(&Scenario{Name: "fake-proof", Direction: Withdraw,
		Summary:      "Sends a 'payment screenshot' in chat; no money arrives.",
		Risk:         "A doctored screenshot with a made-up transaction id.",
		Careful:      "A screenshot is not a payment: only your own statement counts. Dispute; the made-up id does not exist on Alipay.",
		Careless:     "Releasing on the screenshot loses the whole amount.",
		Expect:       map[Policy]Expectation{Careful: {0, 0, "resolved/refund", "A"}, Careless: {-1, 0, "completed", "F"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) { return fakeProof(), nil }})
	add(&Scenario{Name: "payment-failed-pay-again", Direction: Deposit,
		Summary:      "The seller receives your payment, claims it failed and asks you to pay again.",
		Risk:         "A lie about your own payment, to be paid twice.",
		Careful:      "Your own statement shows the transfer succeeded and was not returned. Do not pay again; dispute with the transaction id.",
		Careless:     "Paying again loses the second payment: transfers are final and support cannot return money sent outside an order.",
		Expect:       map[Policy]Expectation{Careful: {+1, -1, "resolved/release", "A"}, Careless: {+1, -2, "completed", "F"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) { return failedAgain(), nil }})
	add(&Scenario{Name: "third-party-payer", Direction: Withdraw,
		Summary:   "The money arrives from an Alipay account whose real name is not the buyer's.",
		Risk:      "Third-party payment: often stolen money, which the victim later claws back.",
		Careful:   "The payer's name must match the buyer's. Refund the payer, do not release, dispute as third-party payment.",
		Careless:  "Releasing loses the crypto, and the victim's complaint freezes the money received.",
		Expect:    map[Policy]Expectation{Careful: {0, 0, "resolved/refund", "A"}, Careless: {-1, 0, "completed", "F"}},
		aftermath: complaint,
		counterparty: func(ctx context.Context, w *World, _ *Stage) (Script, error) {
			acc, err := w.accomplice(ctx, "zhang-san-", "Zhang San", "50000")
			if err != nil {
				return nil, err
			}
			return accomplicePays(acc), nil
		}})
	add(&Scenario{Name: "partial-payment", Direction: Withdraw,
		Summary:      "The buyer pays 90% of the total and marks paid.",
		Risk:         "An amount that is almost right.",
		Careful:      "The amount must be exact. Refund what arrived, do not release, dispute as wrong amount.",
		Careless:     "Releasing on 'paid' loses a tenth of the order's value.",
		Expect:       map[Policy]Expectation{Careful: {0, 0, "resolved/refund", "A"}, Careless: {-1, +1, "completed", "F"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) { return partialPayer(), nil }})
	add(&Scenario{Name: "late-payment", Direction: Withdraw, watchClosed: true,
		Summary:      "The buyer lets the window run out, pays afterwards, and asks for the crypto outside the platform.",
		Risk:         "Money for an order that no longer exists, and a push off the platform.",
		Careful:      "The order expired and your crypto came back. Refund the late payment to the payer; never send crypto outside an order.",
		Careless:     "Keeping money that is not yours invites a complaint that freezes it.",
		Expect:       map[Policy]Expectation{Careful: {0, 0, "expired", "A"}, Careless: {0, 0, "expired", "D"}},
		aftermath:    complaint,
		counterparty: func(context.Context, *World, *Stage) (Script, error) { return latePayer(), nil }})
	add(&Scenario{Name: "off-platform-lure", Direction: Deposit,
		Summary:  "The seller asks you to cancel and pay on WeChat at a 'better price', with a link.",
		Risk:     "Off the platform there is no escrow: once paid, the money is gone.",
		Careful:  "Never leave the platform or follow links. Cancel before paying; the order ends and nothing is lost.",
		Careless: "Cancelling and paying off-platform loses the whole payment.",
		Expect:   map[Policy]Expectation{Careful: {0, 0, "cancelled", "A"}, Careless: {0, -1, "cancelled", "F"}},
		counterparty: func(ctx context.Context, w *World, _ *Stage) (Script, error) {
			other, err := w.accomplice(ctx, "fast-usdt-", "Chen Gang", "")
			if err != nil {
				return nil, err
			}
			return offPlatform(other.Person.Phone), nil
		}})
	add(&Scenario{Name: "impersonated-support", Direction: Withdraw,
		Summary:      "A chat message poses as platform support and orders you to release.",
		Risk:         "An official-looking message from the counterparty, without your anti-phishing code.",
		Careful:      "Genuine platform messages carry your anti-phishing code and never come from the counterparty. Check your statement; dispute.",
		Careless:     "Releasing on the fake notice loses the whole amount.",
		Expect:       map[Policy]Expectation{Careful: {0, 0, "resolved/refund", "A"}, Careless: {-1, 0, "completed", "F"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) { return impersonator(), nil }})
	add(&Scenario{Name: "pressure", Direction: Withdraw,
		Summary:  "Marks paid and floods the chat with 'release now', threats and urgency.",
		Risk:     "Pressure instead of payment.",
		Careful:  "Urgency is a red flag. No money in your statement, no release; dispute.",
		Careless: "Releasing under pressure loses the whole amount.",
		Expect:   map[Policy]Expectation{Careful: {0, 0, "resolved/refund", "A"}, Careless: {-1, 0, "completed", "F"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) {
			return pushesFirst([]string{"Quick please, I am paying now. Release the second I mark it, my boss is waiting!", "Hurry up, I need it in 2 minutes or I report you."},
				neverPays([]string{"Paid! Release now please.", "Hurry, release it now, my boss is waiting!", "Release immediately or I report you and your account gets frozen!", "RELEASE NOW"}, 2*time.Minute)), nil
		}})
	add(&Scenario{Name: "bait-price", Direction: Deposit, bait: true, choose: true, newAccount: true, marginBP: -450,
		Summary:  "A new seller offers USDT 4.5% under the index, then asks for the money on a friend's account.",
		Risk:     "A price too good to be true, from an account with no record.",
		Careful:  "Skip ads beyond 2% of the index and sellers without a record; buy from a reliable merchant instead.",
		Careless: "Paying the 'friend' sends money outside the order: support cannot find a payment to the seller and the money is lost.",
		Expect:   map[Policy]Expectation{Careful: {+1, -1, "completed", "A"}, Careless: {0, -1, "resolved/refund", "F"}},
		counterparty: func(ctx context.Context, w *World, _ *Stage) (Script, error) {
			friend, err := w.accomplice(ctx, "li-ming-", "Li Ming", "")
			if err != nil {
				return nil, err
			}
			return baitSeller(friend), nil
		}})
	add(&Scenario{Name: "seller-never-releases", Direction: Deposit,
		Summary:      "You pay correctly; the seller never releases and goes silent.",
		Risk:         "A seller who keeps the money.",
		Careful:      "Keep your transaction id. When the release window ends, dispute and attach it: support verifies it on Alipay and releases to you.",
		Careless:     "A dispute without a payment record cannot be decided for you: support returns the crypto to the seller and the payment is lost.",
		Expect:       map[Policy]Expectation{Careful: {+1, -1, "resolved/release", "A"}, Careless: {0, -1, "resolved/refund", "F"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) { return neverReleases(), nil }})
	add(&Scenario{Name: "asked-for-code", Direction: Withdraw,
		Summary:  "Before paying, the buyer asks for the 6-digit code from your authenticator 'to verify the payment'.",
		Risk:     "A code request: with your leaked password, your code is the last lock on your crypto.",
		Careful:  "Never give a 2FA code, an Alipay verification code, a password or an ID photo to anyone, in chat or elsewhere: no real payment needs one. Wait for money in your own statement; dispute.",
		Careless: "The code sent in chat is used at once, with your leaked password, to release your crypto to the buyer.",
		Expect:   map[Policy]Expectation{Careful: {0, 0, "resolved/refund", "A"}, Careless: {-1, 0, "completed", "F"}},
		counterparty: func(_ context.Context, _ *World, st *Stage) (Script, error) {
			return codeAsker(st), nil
		}})
	add(&Scenario{Name: "phishing-link", Direction: Withdraw,
		Summary:  "A 'risk control' message with a link asks you to log in on a look-alike site to confirm the buyer's payment.",
		Risk:     "Phishing: a page that looks like the platform's, at an address that is not, takes your login and code.",
		Careful:  "Log in only through the app itself, never from a link in chat; real platform messages carry your anti-phishing code. Check your own statement; dispute.",
		Careless: "The login and code typed on the look-alike page are used at once to release your crypto to the buyer.",
		Expect:   map[Policy]Expectation{Careful: {0, 0, "resolved/refund", "A"}, Careless: {-1, 0, "completed", "F"}},
		counterparty: func(_ context.Context, _ *World, st *Stage) (Script, error) {
			return phisher(st), nil
		}})
	add(&Scenario{Name: "lookalike-merchant", Direction: Deposit, choose: true, newAccount: true, mimic: true, marginBP: -60,
		Summary:  "A seller named one character away from a verified merchant, without the badge, asks you to pay 'our company account'.",
		Risk:     "A look-alike name (a Cyrillic letter for a Latin one), no badge, no record.",
		Careful:  "Read the name, the badge and the record, not the look of the name: the real merchant has the badge and hundreds of orders. Buy from it, and pay only the order's account.",
		Careless: "Paying the 'company account' sends money outside the order: support cannot find a payment to the seller and the money is lost.",
		Expect:   map[Policy]Expectation{Careful: {+1, -1, "completed", "A"}, Careless: {0, -1, "resolved/refund", "F"}},
		counterparty: func(ctx context.Context, w *World, _ *Stage) (Script, error) {
			co, err := w.accomplice(ctx, "chen-jie-", "Chen Jie", "")
			if err != nil {
				return nil, err
			}
			return lookalikeSeller(co), nil
		}})
	add(&Scenario{Name: "mark-paid-first", Direction: Deposit,
		Summary:      "The seller asks you to mark the order paid before paying, 'to save time'.",
		Risk:         "Pressure on the buyer: a 'paid' mark with no payment behind it, which the seller then disputes.",
		Careful:      "Pay first, exactly, from your own account; mark paid only then. 'Paid' is your statement that the money left.",
		Careless:     "Marking paid first gives the seller a true complaint: it disputes at once, and a payment sent afterwards without its record attached is lost.",
		Expect:       map[Policy]Expectation{Careful: {+1, -1, "completed", "A"}, Careless: {0, -1, "resolved/refund", "F"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) { return markFirstSeller(), nil }})
	add(&Scenario{Name: "tainted-money", Direction: Withdraw, newAccount: true, aftermath: victimComplaint,
		Summary:      "A brand-new buyer in a rush pays the exact amount from their own account, with 'USDT' in the payment note.",
		Risk:         "Money taken from a fraud victim: the victim complains later and Alipay freezes what you received.",
		Careful:      "A new account, a rush and crypto words in the note (the platform's rules forbid them) are the signs. Refund the payer, do not release, dispute as a scam attempt.",
		Careless:     "Releasing loses the crypto, and the victim's complaint freezes the money received.",
		Expect:       map[Policy]Expectation{Careful: {0, 0, "resolved/refund", "A"}, Careless: {-1, 0, "completed", "F"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) { return taintedBuyer(), nil }})
	add(&Scenario{Name: "friend-pays", Direction: Deposit, friend: true,
		Summary:  "Your cousin offers to pay the order for you from his own Alipay: 'quicker, you pay me back later'.",
		Risk:     "A payment from an account not in your name: to a careful seller it is a third party's money, which it must refund.",
		Careful:  "Pay only from an Alipay account in your own real name, the one the order names as yours; settle with family outside the trade.",
		Careless: "The seller sees a payer who is not the buyer, refunds your cousin and disputes: the trade fails, you get no crypto, and the dispute stays on your record.",
		Expect:   map[Policy]Expectation{Careful: {+1, -1, "completed", "A"}, Careless: {0, 0, "resolved/refund", "C"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) {
			return &Honest{P: Persona{PayDelay: 3 * time.Minute, ReleaseDelay: 2 * time.Minute}}, nil
		}})
	add(&Scenario{Name: "over-the-limit", Direction: Withdraw, limit: true,
		Summary:  "You need 5,000 CNY more today than your KYC 1 limit leaves you; the buyer knows a 'limit desk' that lifts it at once for a refundable deposit.",
		Risk:     "A limit met mid-withdrawal, and an advance fee to lift it: no platform charges for a higher tier, and none takes money through the chat.",
		Careful:  "Sell what today's limit allows on the platform. For the rest, wait for tomorrow's limit or apply for the next tier in the app itself (K on the Account tab: an ID check, free). Never pay to lift a limit, and never take the rest off the platform.",
		Careless: "The 'deposit' goes to a stranger's Alipay: nothing is lifted, nothing is refunded, and the money is gone.",
		Expect:   map[Policy]Expectation{Careful: {-1, +1, "completed", "A"}, Careless: {-1, 0, "completed", "F"}},
		counterparty: func(ctx context.Context, w *World, st *Stage) (Script, error) {
			desk, err := w.accomplice(ctx, "limit-desk-", "Wang Qiang", "")
			if err != nil {
				return nil, err
			}
			st.FeeTo = desk.Person.Phone
			return limitDesk(desk), nil
		}})
	add(&Scenario{Name: "own-payment-mistake", Direction: Deposit, slip: true,
		Summary:  "The payment form comes filled in with the seller's account, two digits swapped, as a hurried copy leaves it.",
		Risk:     "Your own mistake: a transfer to the wrong account is instant and final, and the seller never sees it.",
		Careful:  "Before the password, read the account and the real name the form shows against the order's payee, and the amount against the order's total. Only then pay, and mark paid once the money left.",
		Careless: "The money goes to a stranger: the seller receives nothing, support finds no payment to the seller, and neither can bring it back.",
		Expect:   map[Policy]Expectation{Careful: {+1, -1, "completed", "A"}, Careless: {0, -1, "resolved/refund", "F"}},
		counterparty: func(context.Context, *World, *Stage) (Script, error) {
			return &Honest{P: Persona{PayDelay: 3 * time.Minute, ReleaseDelay: 2 * time.Minute}}, nil
		}})
}

// accomplice makes a scenario's helper (a payer, a "friend", another
// account): the same kind of person every time the drill is staged, with
// a handle and an Alipay login of its own, so a drill can be staged any
// number of times in one market.
func (w *World) accomplice(ctx context.Context, handle, realName, cny string) (*Bot, error) {
	b, _, err := w.newUnique(ctx, func() person {
		n := w.nextNumber()
		// 130 and eight digits: no merchant's login (newPerson never makes
		// a 0 after the 13) nor a practice account's (139) looks like it.
		return person{Handle: fmt.Sprintf("%s%d", handle, 10+n), RealName: realName, Phone: fmt.Sprintf("130%08d", n)}
	}, 1, false, nil, cny)
	return b, err
}

// newUnique creates the person mk makes up, making up another when the
// name or the login is taken: a counter lost in a crash must not make a
// drill impossible to stage.
func (w *World) newUnique(ctx context.Context, mk func() person, kyc int, verified bool, deposits map[string]string, cny string) (*Bot, savedPerson, error) {
	for tries := 0; ; tries++ {
		b, sp, err := w.NewPerson(ctx, mk(), kyc, verified, deposits, cny)
		if c := api.CodeOf(err); (c == "NAME_TAKEN" || c == "ACCOUNT_EXISTS") && tries < 20 {
			continue
		}
		if err == nil {
			err = w.savePeople(ctx)
		}
		return b, sp, err
	}
}

// Stage is a scenario set up in a world: the user, the counterparty and
// the ads on offer.
type Stage struct {
	Scenario     *Scenario
	User         *Bot
	Counterparty *Bot
	Ad           api.AdView   // the counterparty's ad
	Offered      []api.AdView // what the user chooses from
	Amount       string       // what the user trades (crypto, or fiat for deposits)
	StartCNY     money.Amount
	StartCrypto  money.Amount
	// StartFrozen is what Alipay's risk control held of the user's
	// balance when the drill was staged: a freeze from an earlier drill
	// is not this one's.
	StartFrozen money.Amount
	// Exam: staged in exam mode, where the app shows none of its labels.
	Exam bool
	// untaken: the drill's ad came down after an hour nobody took it.
	untaken atomic.Bool
	// Friend, in the friend-pays drill, is the user's cousin, who offers
	// to pay the order from his own Alipay; friendPaid is when he did.
	Friend     *Bot
	friendMu   sync.Mutex
	friendPaid time.Time
	// Slip is the account the payment form of the drill's order is filled
	// in with when it is not the order's own ("" when it is): a stranger's.
	Slip string
	// Need, in the over-the-limit drill, is the CNY the user wants today:
	// more than their tier leaves them. FeeTo is the Alipay login of the
	// "limit desk" that asks a fee to lift the limit.
	Need  money.Amount
	FeeTo string
	// kycApplied is when the user applied for the next tier during the
	// drill (World.ApplyKYC).
	kycMu      sync.Mutex
	kycApplied time.Time
	// phish is what the user typed on a page a chat link opened.
	phishMu sync.Mutex
	phish   []Phished
}

// Phished is what the user typed on the look-alike page of a chat link.
type Phished struct {
	At   time.Time
	URL  string
	Code string
}

// Phish records what the user typed on a page a chat link of this drill
// opened: in the practice market every such page is the scammer's.
func (st *Stage) Phish(at time.Time, url, code string) {
	st.phishMu.Lock()
	defer st.phishMu.Unlock()
	st.phish = append(st.phish, Phished{At: at, URL: url, Code: code})
}

func (st *Stage) phished() []Phished {
	st.phishMu.Lock()
	defer st.phishMu.Unlock()
	return append([]Phished(nil), st.phish...)
}

// StageOf is the drill an order belongs to: the one whose ad it took.
func (w *World) StageOf(o api.OrderView) *Stage {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, st := range w.stages {
		if st.Ad.ID == o.AdID {
			return st
		}
	}
	return nil
}

// StageScenario creates the user and the counterparty and posts its ad.
func (w *World) StageScenario(ctx context.Context, name string, user *Bot) (*Stage, error) {
	sc, ok := Scenarios[name]
	if !ok {
		return nil, fmt.Errorf("unknown scenario %q: p2pdesk sim scenarios lists them", name)
	}
	// A drill plays in the market the merchants make (a restart brings
	// them back in the background).
	select {
	case <-w.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	st := &Stage{Scenario: sc, User: user, StartFrozen: stmtFrozen(ctx, user)}
	script, err := sc.counterparty(ctx, w, st)
	if err != nil {
		return nil, err
	}
	deposits := map[string]string{"USDT": "50000"}
	mk := w.nextPerson
	if sc.mimic {
		if mk, err = w.mimicOf(ctx, user); err != nil {
			return nil, err
		}
	}
	cp, sp, err := w.newUnique(ctx, mk, 2, false, deposits, "200000")
	if err != nil {
		return nil, err
	}
	cp.Script = script
	// The counterparty looks at the drill's order after it ends when it
	// still acts then, or when the drill has consequences to bring.
	cp.WatchClosed = sc.watchClosed || sc.aftermath != nil
	if !sc.newAccount {
		// A counterparty with an ordinary record: scammers use bought or
		// aged accounts too.
		sp.Persona = Persona{PayDelay: 3 * time.Minute, ReleaseDelay: 2 * time.Minute, CompletionBP: 9700}
		if err := w.givePast(ctx, []*Bot{cp}, []Persona{sp.Persona}, []span{{20, 30}}); err != nil {
			return nil, err
		}
	}
	st.Counterparty = cp
	if sc.slip {
		if st.Slip, err = w.stranger(ctx, cp.Person); err != nil {
			return nil, err
		}
	}
	if sc.friend {
		if st.Friend, err = w.accomplice(ctx, "li-hua-", "Li Hua", "50000"); err != nil {
			return nil, err
		}
	}
	side, margin := "buy", int64(-40)
	if sc.Direction == Deposit {
		side, margin = "sell", 40
	}
	if sc.marginBP != 0 {
		margin = sc.marginBP
	}
	total, maxFiat := "5000", "20000"
	if sc.limit {
		// What the user needs is more than their tier leaves them today;
		// the buyer would take all of it.
		if st.Need, err = needOverLimit(ctx, user); err != nil {
			return nil, err
		}
		total, maxFiat = "20000", "100000"
	}
	ad, err := cp.Market.PostAd(ctx, api.AdRequest{Side: side, Asset: "USDT", Fiat: "CNY", PriceType: "floating", MarginBP: margin,
		Total: total, MinFiat: "100", MaxFiat: maxFiat, Payments: []string{"alipay"}, WindowMin: 15,
		Terms: "Real-name payment only. Fast and safe."})
	if err != nil {
		return nil, err
	}
	st.Ad = ad
	w.mu.Lock()
	w.stages = append(w.stages, st)
	w.mu.Unlock()
	// The drill's ad is for this drill only: it comes down when its order
	// opens, or after an hour nobody took it, so old drills never crowd
	// the market's lists.
	dc := drillCounterparty{Script: script, ad: ad.ID, actsClosed: sc.watchClosed}
	if sc.aftermath != nil {
		// The consequences come half an hour after the order ends,
		// wherever the drill is played: sim run, the TUI, a replay.
		dc.closed = func(o api.OrderView) {
			w.Sched.After(30*time.Minute, "aftermath", func() { sc.aftermath(context.Background(), w, st, o) })
		}
	}
	cp.Script = dc
	w.Sched.After(time.Hour, "drill ad expires", func() {
		if a, err := cp.Market.Ad(context.Background(), ad.ID); err == nil && a.Status != api.AdDeleted {
			if _, err := cp.Market.SetAdStatus(context.Background(), ad.ID, "delete"); err == nil {
				st.untaken.Store(true)
			}
		}
	})
	st.Offered = []api.AdView{ad}
	st.Amount = "100"
	if sc.choose {
		page, err := user.Market.Ads(ctx, clientAdQuery(api.Sell))
		if err != nil {
			return nil, err
		}
		st.Offered = page.Ads
		if len(st.Offered) < 2 && len(w.Merchants) > 0 {
			// A small world may have no honest ad that fits the amount;
			// the drill needs one to choose instead of the bait.
			if _, err := w.Merchants[0].Market.PostAd(ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", PriceType: "floating",
				MarginBP: 30, Total: "3000", MinFiat: "100", MaxFiat: "20000", Payments: []string{"alipay"}, WindowMin: 15,
				Terms: "Pay from an account in your own name."}); err != nil {
				return nil, err
			}
			if page, err = user.Market.Ads(ctx, clientAdQuery(api.Sell)); err != nil {
				return nil, err
			}
			st.Offered = page.Ads
		}
	}
	return st, nil
}

// needOverLimit is 5,000 CNY more than the user's tier leaves them today.
func needOverLimit(ctx context.Context, user *Bot) (money.Amount, error) {
	a, err := user.Market.Account(ctx)
	if err != nil {
		return money.Amount{}, err
	}
	for _, l := range a.Limits {
		if l.Fiat == api.CNY {
			return l.Remaining.Add(money.MustParse("5000", 2))
		}
	}
	return money.Amount{}, fmt.Errorf("the account has no CNY limit")
}

// KYCApplied is when the user applied for the next tier during the drill
// (zero if they did not).
func (st *Stage) KYCApplied() time.Time {
	st.kycMu.Lock()
	defer st.kycMu.Unlock()
	return st.kycApplied
}

// drillCounterparty is a drill's counterparty: its scenario's script,
// and its ad taken down once the drill's order is open.
type drillCounterparty struct {
	Script
	ad int64
	// actsClosed: the script acts on the order after it ends too.
	actsClosed bool
	// closed, if set, runs once when the drill's order has ended.
	closed func(api.OrderView)
}

func (d drillCounterparty) Act(ctx context.Context, b *Bot, o api.OrderView) {
	if o.AdID == d.ad {
		b.once(o, "ad-down", func() error {
			_, err := b.Market.SetAdStatus(ctx, d.ad, "delete")
			return err
		})
		if o.State.Terminal() && d.closed != nil {
			b.once(o, "aftermath", func() error { d.closed(o); return nil })
		}
	}
	if o.State.Terminal() && !d.actsClosed {
		return
	}
	d.Script.Act(ctx, b, o)
}

// Choose: the learner picks among the market's ads, the drill's own bait
// among them; otherwise the drill's ad is the one on offer.
func (sc *Scenario) Choose() bool { return sc.choose }

func clientAdQuery(side api.Side) client.AdQuery {
	return client.AdQuery{Side: side, Asset: api.USDT, Fiat: api.CNY, Payment: api.Alipay, Amount: "725"}
}

// Watch starts the scripted counterparty: it looks at its orders often,
// as someone waiting for a deal does, until its drill is over.
func (st *Stage) Watch(w *World) {
	cp := st.Counterparty
	cp.retired = st.over()
	w.Watch(cp, 20*time.Second)
}

// over tells a drill's counterparty when its part is over: twice the
// drill's settling time after the drill's order ended (late money,
// refunds, complaints and ratings all come before), or once its ad came
// down untaken. A counterparty never trades outside its drill, so each
// drill staged in a long practice session leaves no one polling behind:
// without this, a session's cost grew with every drill played.
func (st *Stage) over() func(seen []api.OrderView) bool {
	cp, adID, settle := st.Counterparty, st.Ad.ID, 2*st.Scenario.Settle()
	var order int64
	var ended time.Time
	return func(seen []api.OrderView) bool {
		open := false
		for _, o := range seen {
			if o.AdID == adID {
				order = o.ID
				open = open || !o.State.Terminal()
			}
		}
		if order == 0 || open {
			ended = time.Time{}
			return order == 0 && st.untaken.Load()
		}
		if ended.IsZero() {
			ended = cp.now()
		}
		return cp.since(ended) > settle
	}
}

// complaint is what happens to money kept that was not the buyer's to
// give: its owner complains, and Alipay's risk control freezes the amount
// in the account that received it.
func complaint(ctx context.Context, w *World, st *Stage, o api.OrderView) {
	stmt, err := st.User.Rail.Statement(ctx, 0)
	if err != nil {
		return
	}
	kept := map[string]int64{}
	for _, l := range stmt {
		if l.At.Before(o.CreatedAt) || l.Kind != "transfer" {
			continue
		}
		exactFromBuyer := l.CounterpartyName == o.PayerName && l.Amount.Cmp(o.FiatTotal) == 0
		if l.Direction == "in" && (!exactFromBuyer || o.State == api.StateExpired) {
			u, _ := l.Amount.UnitsAt(2)
			kept[l.CounterpartyLogin] += u
		}
		if l.Direction == "out" {
			u, _ := l.Amount.UnitsAt(2)
			kept[l.CounterpartyLogin] -= u
		}
	}
	for _, v := range kept {
		if v > 0 {
			w.Rail.Freeze(ctx, st.User.RailID, v)
		}
	}
}

// stranger opens an Alipay account, and only that, at the seller's login
// with two neighbouring digits swapped: where a hurried copy of the
// seller's account sends the money. Its owner has another name.
func (w *World) stranger(ctx context.Context, seller person) (string, error) {
	name := "Zhao Lei"
	if seller.RealName == name {
		name = "Sun Li"
	}
	d := []byte(seller.Phone)
	for i := len(d) - 2; i >= 3; i-- {
		if d[i] == d[i+1] {
			continue
		}
		slip := append([]byte(nil), d...)
		slip[i], slip[i+1] = slip[i+1], slip[i]
		_, err := w.RailAdmin.Open(ctx, alipay.NewAccount{Login: string(slip), RealName: name, PaymentPassword: w.railPin()})
		if api.CodeOf(err) == "ACCOUNT_EXISTS" {
			continue
		}
		return string(slip), err
	}
	return "", fmt.Errorf("no free account two swapped digits from %s", seller.Phone)
}

// FriendPays: the user's cousin pays the drill's order, the exact total
// to the order's account, from his own Alipay.
func (st *Stage) FriendPays(ctx context.Context, o api.OrderView) error {
	if st.Friend == nil || o.AdID != st.Ad.ID || o.Role != "buyer" || o.State != api.StateCreated {
		return fmt.Errorf("no one offered to pay order %d", o.ID)
	}
	if !st.Friend.pay(ctx, o, "order", o.PayTo.Account, o.FiatTotal, fmt.Sprintf("order %d", o.ID)) && !st.Friend.did(o, "pay:order") {
		return fmt.Errorf("%s could not pay order %d", st.Friend.Person.RealName, o.ID)
	}
	st.friendMu.Lock()
	defer st.friendMu.Unlock()
	if st.friendPaid.IsZero() {
		st.friendPaid = st.Friend.now()
	}
	return nil
}

// FriendPaid is when the cousin paid the drill's order (zero if not).
func (st *Stage) FriendPaid() time.Time {
	st.friendMu.Lock()
	defer st.friendMu.Unlock()
	return st.friendPaid
}

// SlipOf is the account the payment form of an order is filled in with:
// the order's own, except in a drill whose lesson is a hurried copy.
func (w *World) SlipOf(o api.OrderView) string {
	if st := w.StageOf(o); st != nil && st.Slip != "" && o.Role == "buyer" {
		return st.Slip
	}
	return o.PayTo.Account
}

// homoglyphs are Cyrillic letters drawn like Latin ones (and digits):
// a scammer's name that reads as a verified merchant's at a glance.
var homoglyphs = map[rune]rune{
	'a': 'а', 'e': 'е', 'o': 'о', 'p': 'р', 'c': 'с', 'x': 'х', 'y': 'у', 'i': 'і',
	'A': 'А', 'B': 'В', 'C': 'С', 'E': 'Е', 'H': 'Н', 'K': 'К', 'M': 'М', 'O': 'О', 'P': 'Р', 'T': 'Т', 'X': 'Х',
	'6': 'б', '3': 'З', '0': 'О',
}

// lookalike is name with one character swapped for its look-alike: the
// n-th candidate from the end, so each try makes another name.
func lookalike(name string, n int) string {
	rs := []rune(name)
	var at []int
	for i := len(rs) - 1; i >= 0; i-- {
		if _, ok := homoglyphs[rs[i]]; ok {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return name + "_"
	}
	i := at[n%len(at)]
	rs[i] = homoglyphs[rs[i]]
	return string(rs)
}

// mimicOf makes up people named like the most trusted seller the user
// sees on offer (a verified merchant if there is one): the look-alike
// drill's counterparty, with a real name and an Alipay of its own.
func (w *World) mimicOf(ctx context.Context, user *Bot) (func() person, error) {
	page, err := user.Market.Ads(ctx, clientAdQuery(api.Sell))
	if err != nil {
		return nil, err
	}
	target := ""
	for _, a := range page.Ads {
		if target == "" || a.Maker.Verified {
			target = a.Maker.Name
		}
		if a.Maker.Verified {
			break
		}
	}
	tries := 0
	return func() person {
		p := w.nextPerson()
		if target != "" {
			p.Handle = lookalike(target, tries)
		}
		tries++
		return p
	}, nil
}

// victimComplaint: the buyer's money was a fraud victim's. The victim
// complains to Alipay, whose risk control freezes, in the account that
// received it, whatever of the order's money was kept.
func victimComplaint(ctx context.Context, w *World, st *Stage, o api.OrderView) {
	stmt, err := st.User.Rail.Statement(ctx, 0)
	if err != nil {
		return
	}
	var kept int64
	payer := ""
	for _, l := range stmt {
		if l.At.Before(o.CreatedAt) || l.Kind != "transfer" {
			continue
		}
		u, _ := l.Amount.UnitsAt(2)
		switch {
		case l.Direction == "in" && l.CounterpartyName == o.PayerName:
			kept += u
			payer = l.CounterpartyLogin
		case l.Direction == "out" && payer != "" && l.CounterpartyLogin == payer:
			kept -= u
		}
	}
	if kept > 0 {
		w.Rail.Freeze(ctx, st.User.RailID, kept)
	}
}
