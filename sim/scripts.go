package sim

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
)

// The counterparty scripts of the scenarios. Each plays one order the way
// a real counterparty does, through the API and the rail only.

// scriptFunc adapts a function to a Script.
type scriptFunc func(ctx context.Context, b *Bot, o api.OrderView)

func (f scriptFunc) Act(ctx context.Context, b *Bot, o api.OrderView) { f(ctx, b, o) }

func window(o api.OrderView) time.Duration { return o.PayDeadline.Sub(o.CreatedAt) }

func markPaid(ctx context.Context, b *Bot, o api.OrderView) bool {
	return b.once(o, "mark-paid", func() error {
		_, err := b.Market.MarkPaid(ctx, o.ID, api.StateCreated)
		return err
	})
}

// slowBuyer marks paid early, and pays only near the end of the window.
func slowBuyer() Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "buyer" {
			return
		}
		b.say(ctx, o, "greet", b.lineOf("Hi, taking this one. Give me a few minutes."))
		if o.State == api.StateCreated && b.since(o.CreatedAt) >= window(o)*4/10 {
			if markPaid(ctx, b, o) {
				b.say(ctx, o, "claim", b.lineOf("Marked as paid. The transfer is on its way."))
			}
		}
		// It pays in the end, even if the crypto was already released.
		if o.State != api.StateCancelled && o.State != api.StateExpired && b.since(o.CreatedAt) >= window(o)*85/100 {
			if b.pay(ctx, o, "order", o.PayTo.Account, o.FiatTotal, fmt.Sprintf("order %d", o.ID)) {
				b.say(ctx, o, "sent", b.lineOf("Sent now, sorry for the wait. Please check."))
			}
		}
	})
}

// neverPays marks paid and never pays, pushing with the lines given.
func neverPays(lines []string, every time.Duration) Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "buyer" {
			return
		}
		switch o.State {
		case api.StateCreated:
			if b.since(o.CreatedAt) >= 90*time.Second {
				markPaid(ctx, b, o)
			}
		case api.StatePaid:
			if o.PaidAt == nil {
				return
			}
			n := int(b.since(*o.PaidAt) / every)
			if n >= len(lines) {
				n = len(lines) - 1
			}
			for i := 0; i <= n; i++ {
				b.say(ctx, o, fmt.Sprintf("push%d", i), b.lineOf(lines[i]))
			}
		case api.StateDisputed:
			b.once(o, "claim", func() error {
				_, err := b.Market.AddEvidence(ctx, o.ID, "", b.lineOf("I paid, the seller is lying. Check my screenshot."))
				return err
			})
		}
	})
}

// pushesFirst starts the pressure before s marks the order paid, so a
// seller who releases the moment it says "paid" has met the pressure too.
func pushesFirst(before []string, s Script) Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role == "buyer" && o.State == api.StateCreated {
			for i, line := range before {
				if b.since(o.CreatedAt) >= time.Duration(i+1)*30*time.Second {
					b.say(ctx, o, fmt.Sprintf("early%d", i), b.lineOf(line))
				}
			}
		}
		s.Act(ctx, b, o)
	})
}

// fakeProof marks paid and offers a "screenshot" whose transaction id does
// not exist; it attaches the same id in the dispute.
func fakeProof() Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "buyer" {
			return
		}
		fake := fmt.Sprintf("%s%010d", b.now().Format("20060102"), 9_000_000_000+o.ID)
		switch o.State {
		case api.StateCreated:
			if b.since(o.CreatedAt) >= 2*time.Minute && markPaid(ctx, b, o) {
				b.say(ctx, o, "proof", b.line("sim.chat.proof", fmt.Sprintf("Payment screenshot: [Alipay · Transfer successful · ¥%s · to %s · Transaction %s]. Please release.",
					o.FiatTotal.Fixed(), o.PayTo.RealName, fake), "Total", o.FiatTotal.Fixed(), "Name", o.PayTo.RealName, "Tx", fake))
			}
		case api.StatePaid:
			if o.PaidAt != nil && b.since(*o.PaidAt) > 6*time.Minute {
				b.say(ctx, o, "again", b.lineOf("The screenshot proves I paid. Alipay is sometimes slow to show it, please release."))
			}
		case api.StateDisputed:
			b.once(o, "evidence", func() error {
				_, err := b.Market.AddEvidence(ctx, o.ID, fake, b.lineOf("Screenshot of my payment"))
				return err
			})
		}
	})
}

// accomplicePays: the money comes from someone else's account (name not
// the buyer's); the buyer marks paid as if all were well.
func accomplicePays(acc *Bot) Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "buyer" {
			return
		}
		if o.State == api.StateCreated && b.since(o.CreatedAt) >= 3*time.Minute {
			if acc.pay(ctx, o, "order", o.PayTo.Account, o.FiatTotal, fmt.Sprintf("order %d", o.ID)) {
				markPaid(ctx, b, o)
				b.say(ctx, o, "paid", b.lineOf("Paid, please release."))
			}
		}
		if o.State == api.StateDisputed {
			if tx := acc.paidTx(o); tx != "" {
				b.once(o, "evidence", func() error {
					_, err := b.Market.AddEvidence(ctx, o.ID, tx, b.lineOf("My payment"))
					return err
				})
			}
		}
	})
}

// partialPayer pays 90% of the total from their own account.
func partialPayer() Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "buyer" {
			return
		}
		if o.State == api.StateCreated && b.since(o.CreatedAt) >= 3*time.Minute {
			part, _ := money.MulDiv(o.FiatTotal, money.New(90, 2), 2, money.Down)
			if b.pay(ctx, o, "order", o.PayTo.Account, part, fmt.Sprintf("order %d", o.ID)) {
				markPaid(ctx, b, o)
				b.say(ctx, o, "paid", b.lineOf("Done, paid. Please release."))
			}
		}
		if o.State == api.StateDisputed {
			if tx := b.paidTx(o); tx != "" {
				b.once(o, "evidence", func() error {
					_, err := b.Market.AddEvidence(ctx, o.ID, tx, "")
					return err
				})
			}
		}
	})
}

// latePayer lets the window run out, pays afterwards and asks for the
// crypto anyway. Its bot watches closed orders too.
func latePayer() Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "buyer" {
			return
		}
		b.say(ctx, o, "greet", b.lineOf("Hi, I will pay soon."))
		if o.State != api.StateExpired || o.ClosedAt == nil || b.since(*o.ClosedAt) < 3*time.Minute {
			return
		}
		if b.pay(ctx, o, "late", o.PayTo.Account, o.FiatTotal, fmt.Sprintf("order %d", o.ID)) {
			b.say(ctx, o, "ask", b.lineOf("Sorry, I paid late. Please send the USDT anyway, outside the platform is fine."))
		}
	})
}

// offPlatform asks the buyer to cancel and pay outside the platform, to
// an account in the message, with a link; it never releases.
func offPlatform(account string) Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "seller" {
			return
		}
		b.say(ctx, o, "lure", b.line("sim.chat.lure", fmt.Sprintf("Hi friend. The platform fee is high today. Cancel this order and add me on WeChat (wxid_fastusdt), "+
			"pay %s CNY straight to my other Alipay %s and I send you the USDT at a 2%% better price. Details: https://p2p-fastpay.top/deal", o.FiatTotal.Fixed(), account),
			"Total", o.FiatTotal.Fixed(), "Account", account))
		if o.State == api.StatePaid && o.PaidAt != nil && b.since(*o.PaidAt) > 5*time.Minute {
			b.say(ctx, o, "lure2", b.lineOf("I told you, it is faster on WeChat. I cannot release here."))
		}
	})
}

// limitDesk is a buyer who pays the order straight, and at its opening
// sends the seller to a "limit desk" (the desk's Alipay) that lifts a new
// account's daily limit at once for a refundable deposit. There is no
// such desk: the deposit is the scam, and the buyer shares it.
func limitDesk(desk *Bot) Script {
	honest := &Honest{P: Persona{PayDelay: 4 * time.Minute, ReleaseDelay: 2 * time.Minute}}
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "buyer" {
			return
		}
		if o.State == api.StateCreated {
			account, name := desk.Person.Phone, desk.Person.RealName
			b.say(ctx, o, "limit-desk", b.line("sim.chat.limit_desk", fmt.Sprintf("Hi! I wanted to buy more, but new accounts get a low daily limit, I know. "+
				"The platform's limit desk lifts yours to 1,000,000 CNY at once: pay a refundable verification deposit of %s CNY to their Alipay %s (%s), "+
				"your user name in the note, and you can sell me the rest today. I did it myself last week.", o.FiatTotal.Fixed(), account, name),
				"Total", o.FiatTotal.Fixed(), "Account", account, "Name", name))
		}
		honest.Act(ctx, b, o)
	})
}

// impersonator marks paid and sends a message that looks like the
// platform's, without the anti-phishing code, asking for the release.
func impersonator() Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "buyer" {
			return
		}
		if o.State == api.StateCreated && b.since(o.CreatedAt) >= 2*time.Minute {
			markPaid(ctx, b, o)
		}
		if o.State == api.StatePaid && o.PaidAt != nil && b.since(*o.PaidAt) >= time.Minute {
			b.say(ctx, o, "fake-support", b.line("sim.chat.fake_support", fmt.Sprintf("[p2pdesk Support] System notice: the buyer's payment of %s CNY for order %d has been confirmed and is held by the platform. "+
				"Please release the crypto within 10 minutes, or your account will be frozen for violating trading rules.", o.FiatTotal.Fixed(), o.ID),
				"Total", o.FiatTotal.Fixed(), "ID", o.ID))
		}
	})
}

// failedAgain takes the buyer's payment, claims it failed and asks for it
// again; it releases only once it has been paid twice.
func failedAgain() Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "seller" {
			return
		}
		paidTimes := 0
		for _, l := range b.statement(ctx) {
			if l.Direction == "in" && !l.At.Before(o.CreatedAt) && l.CounterpartyName == o.PayerName && l.Amount.Cmp(o.FiatTotal) == 0 {
				paidTimes++
			}
		}
		if paidTimes >= 1 {
			b.say(ctx, o, "failed", b.line("sim.chat.failed", fmt.Sprintf("Your payment failed on my side and Alipay returned it to you. Please pay %s CNY again to the same account, then I release at once.", o.FiatTotal.Fixed()),
				"Total", o.FiatTotal.Fixed()))
		}
		if paidTimes >= 2 && (o.State == api.StatePaid || o.State == api.StateDisputed) {
			b.release(ctx, o)
		}
	})
}

// neverReleases takes the money and goes silent.
func neverReleases() Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "seller" {
			return
		}
		b.say(ctx, o, "greet", b.lineOf("Hi, pay and mark paid."))
	})
}

// baitSeller lures with a price far below the index, then asks for the
// money on a friend's account and never releases.
func baitSeller(friend *Bot) Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "seller" {
			return
		}
		b.say(ctx, o, "friend", b.line("sim.chat.friend", fmt.Sprintf("Hi! My Alipay is limited today. Please pay %s CNY to my friend's Alipay %s (%s), then mark paid. Fast release!",
			o.FiatTotal.Fixed(), friend.Person.Phone, friend.Person.RealName), "Total", o.FiatTotal.Fixed(), "Account", friend.Person.Phone, "Name", friend.Person.RealName))
		if o.State == api.StateDisputed {
			b.once(o, "deny", func() error {
				_, err := b.Market.AddEvidence(ctx, o.ID, "", b.lineOf("Nothing arrived in my account."))
				return err
			})
		}
	})
}

// codeRE finds a one-time code in a chat line: six digits on their own.
var codeRE = regexp.MustCompile(`(?:^|\D)(\d{6})(?:\D|$)`)

// sharedCodes are the one-time codes the other side wrote in the order's
// chat, oldest first.
func sharedCodes(ctx context.Context, b *Bot, o api.OrderView) []string {
	log, err := b.Market.Messages(ctx, o.ID, 0)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range log {
		if e.Kind == api.LogChat && e.From != o.Role && e.From != "system" && e.From != "support" {
			for _, m := range codeRE.FindAllStringSubmatch(e.Text, -1) {
				out = append(out, m[1])
			}
		}
	}
	return out
}

// useCode releases the order to the counterparty with the victim's
// code, as one holding the victim's login does: once per code.
func useCode(ctx context.Context, b *Bot, victim *Bot, o api.OrderView, code string) {
	if o.State == api.StateCreated {
		markPaid(ctx, b, o) // the release needs a paid order
		return
	}
	if o.State == api.StatePaid {
		b.once(o, "use-code:"+code, func() error {
			_, err := victim.Market.Release(ctx, o.ID, code, api.StatePaid)
			return err
		})
	}
}

// codeAsker asks the seller for the code from their authenticator "to
// verify the payment" before it pays. It already holds the seller's
// password (leaked elsewhere); a code sent in chat is the last lock, and
// it releases the order to itself with it at once. Without a code it marks
// paid and never pays.
func codeAsker(st *Stage) Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if !codeThiefActs(ctx, b, o) {
			return
		}
		if b.since(o.CreatedAt) >= time.Minute {
			b.say(ctx, o, "ask", b.lineOf("Before I pay: the platform must verify your account first. Send me the 6-digit code from your authenticator here and the payment goes through to you."))
		}
		if codes := sharedCodes(ctx, b, o); len(codes) > 0 {
			useCode(ctx, b, st.User, o, codes[len(codes)-1])
			return
		}
		waitThenPush(ctx, b, o, "Send the code and the platform confirms my payment to you.")
	})
}

// codeThiefActs is the opening both code thieves share: a buyer's
// order still open to them, or, disputed, a claim it paid.
func codeThiefActs(ctx context.Context, b *Bot, o api.OrderView) bool {
	if o.Role != "buyer" {
		return false
	}
	if o.State == api.StateDisputed {
		b.once(o, "claim", func() error {
			_, err := b.Market.AddEvidence(ctx, o.ID, "", b.lineOf("I paid. The seller refused to verify the payment."))
			return err
		})
		return false
	}
	return o.State == api.StateCreated || o.State == api.StatePaid
}

// waitThenPush marks paid at five minutes, never pays, and pushes.
func waitThenPush(ctx context.Context, b *Bot, o api.OrderView, push string) {
	switch {
	case o.State == api.StateCreated && b.since(o.CreatedAt) >= 5*time.Minute:
		if markPaid(ctx, b, o) {
			b.say(ctx, o, "paid", b.lineOf("I've paid, please release."))
		}
	case o.State == api.StatePaid && o.PaidAt != nil && b.since(*o.PaidAt) >= 3*time.Minute:
		b.say(ctx, o, "again", b.lineOf(push))
	}
}

// phishURL is the look-alike address of the phishing drill.
const phishURL = "https://p2pdesk-secure.top/verify"

// phisher sends a "risk control" notice with a link to a look-alike login
// page; what the seller types there (their login, a code) releases the
// order to it at once. Otherwise it marks paid and never pays.
func phisher(st *Stage) Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if !codeThiefActs(ctx, b, o) {
			return
		}
		if b.since(o.CreatedAt) >= time.Minute {
			b.say(ctx, o, "phish", b.line("sim.chat.phish", fmt.Sprintf("[p2pdesk Risk Control] Order %d is held for review: the buyer's payment is waiting. "+
				"Log in at %s within 10 minutes to confirm it, or your account will be restricted.", o.ID, phishURL), "ID", o.ID, "URL", phishURL))
		}
		if ph := st.phished(); len(ph) > 0 {
			useCode(ctx, b, st.User, o, ph[len(ph)-1].Code)
			return
		}
		waitThenPush(ctx, b, o, "Verify at the link, the platform is holding my payment for you.")
	})
}

// lookalikeSeller sells under a name one character away from a verified
// merchant's, and asks for the money on "the company account".
func lookalikeSeller(co *Bot) Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "seller" {
			return
		}
		b.say(ctx, o, "company", b.line("sim.chat.company", fmt.Sprintf("Hi, %s here, this is our account for large orders. The order's Alipay is limited today: please pay %s CNY to our company Alipay %s (%s), then mark paid. Release in one minute.",
			b.Name, o.FiatTotal.Fixed(), co.Person.Phone, co.Person.RealName), "Name", b.Name, "Total", o.FiatTotal.Fixed(), "Account", co.Person.Phone, "Payee", co.Person.RealName))
		if o.State == api.StateDisputed {
			b.once(o, "deny", func() error {
				_, err := b.Market.AddEvidence(ctx, o.ID, "", b.lineOf("Nothing arrived in my account."))
				return err
			})
		}
	})
}

// markFirstSeller asks the buyer to mark paid before paying; a mark that
// came before the money is disputed at once, and the money kept. A buyer
// who pays first is served honestly.
func markFirstSeller() Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "seller" {
			return
		}
		b.say(ctx, o, "first", b.lineOf("Hi! The window is short: mark the order paid first to save time, then send the money. I release the moment it arrives."))
		if o.State != api.StatePaid || o.PaidAt == nil {
			if o.State == api.StateDisputed {
				b.once(o, "evidence", func() error {
					_, err := b.Market.AddEvidence(ctx, o.ID, "", b.lineOf("The buyer marked the order paid before any money arrived."))
					return err
				})
			}
			return
		}
		line, kind, got := b.incoming(ctx, o)
		if got && kind == MatchExact && !line.At.After(*o.PaidAt) {
			b.release(ctx, o)
			return
		}
		b.once(o, "dispute", func() error {
			_, err := b.Market.Dispute(ctx, o.ID, api.DisputeRequest{Reason: "marked-paid-not-received",
				Statement: b.lineOf("The buyer marked the order paid, but nothing had arrived.")})
			return err
		})
	})
}

// taintedBuyer is a new account in a hurry that pays the exact amount
// from its own account with money taken from a fraud victim, "USDT" in
// the note.
func taintedBuyer() Script {
	return scriptFunc(func(ctx context.Context, b *Bot, o api.OrderView) {
		if o.Role != "buyer" {
			return
		}
		b.say(ctx, o, "rush", b.lineOf("Hi, I need the USDT right now for a client, paying immediately."))
		switch o.State {
		case api.StateCreated:
			if b.since(o.CreatedAt) >= time.Minute && b.pay(ctx, o, "order", o.PayTo.Account, o.FiatTotal, "USDT "+o.Amount.String()) {
				markPaid(ctx, b, o)
				b.say(ctx, o, "paid", b.lineOf("Paid, release fast please."))
			}
		case api.StateDisputed:
			if tx := b.paidTx(o); tx != "" {
				b.once(o, "evidence", func() error {
					_, err := b.Market.AddEvidence(ctx, o.ID, tx, b.lineOf("My payment"))
					return err
				})
			}
		}
	})
}
