package storetest

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"p2pdesk/market"
	"p2pdesk/money"
)

// testProperty runs random sequences of deposits, ads, takes, payments,
// releases, cancels, disputes, resolutions and clock jumps across several
// users. Before each action it predicts, from the order's state alone,
// whether the rules allow it; after each it checks the prediction, that a
// refusal wrote nothing, and every ledger invariant.
func testProperty(t *testing.T, open Opener) {
	rapid.Check(t, func(rt *rapid.T) {
		st := open(t)
		defer st.Close()
		f := fixtureOn(rt, st)
		var traders []market.User
		for i := 0; i < 3; i++ {
			traders = append(traders, f.trader(fmt.Sprintf("u%d", i), 2, "USDT", "5000", "BTC", "2"))
		}
		support, err := f.svc.CreateUser(f.ctx, market.NewUser{Name: "support", KYCLevel: 2, Role: market.RoleSupport})
		if err != nil {
			rt.Fatal(err)
		}
		var ads, orders []int64
		trader := func(label string) market.User {
			return rapid.SampledFrom(traders).Draw(rt, label)
		}
		order := func() (market.OrderView, bool) {
			if len(orders) == 0 {
				return market.OrderView{}, false
			}
			id := rapid.SampledFrom(orders).Draw(rt, "order")
			o, err := f.svc.GetOrder(f.ctx, support.ID, id)
			if err != nil {
				rt.Fatal(err)
			}
			return o, true
		}
		party := func(o market.OrderView) (int64, bool) {
			if rapid.Bool().Draw(rt, "actorIsBuyer") {
				return o.Buyer.ID, true
			}
			return o.Seller.ID, false
		}
		// expect checks an action's outcome against the prediction.
		expect := func(name string, before string, err error, want market.Code) {
			rt.Helper()
			if got := market.CodeOf(err); got != want || (want == "" && err != nil) {
				rt.Fatalf("%s: error %v, want %q", name, err, want)
			}
			if err != nil && digest(rt, st) != before {
				rt.Fatalf("%s was refused but wrote", name)
			}
		}
		rt.Repeat(map[string]func(*rapid.T){
			"deposit": func(rt *rapid.T) {
				u := trader("user")
				asset := rapid.SampledFrom([]market.Asset{market.USDT, market.BTC}).Draw(rt, "asset")
				units := rapid.Int64Range(1, 1_000_000_000).Draw(rt, "units")
				f.n++
				_, err := f.svc.Deposit(f.ctx, u.ID, asset, money.New(units, asset.Scale()), fmt.Sprintf("p%d", f.n))
				expect("deposit", "", err, "")
			},
			"postAd": func(rt *rapid.T) {
				u := trader("maker")
				side := rapid.SampledFrom([]string{"sell", "buy"}).Draw(rt, "side")
				asset, price, total := "USDT", money.New(rapid.Int64Range(69000, 75000).Draw(rt, "price"), 4), money.New(rapid.Int64Range(1, 3000).Draw(rt, "total"), 0)
				if rapid.Bool().Draw(rt, "btc") {
					asset, price, total = "BTC", money.New(rapid.Int64Range(5_000_000_000, 7_000_000_000).Draw(rt, "price"), 4), money.New(rapid.Int64Range(1_000_000, 200_000_000).Draw(rt, "total"), 8)
				}
				before := digest(rt, st)
				a, err := f.svc.PostAd(f.ctx, u.ID, market.AdRequest{Side: side, Asset: asset, Fiat: "CNY", Price: price.String(),
					Total: total.String(), MinFiat: "10", MaxFiat: "50000", Payments: []string{"alipay"}, WindowMin: 15}, nil)
				if err != nil {
					expect("postAd", before, err, market.CodeInsufficientBalance)
					return
				}
				ads = append(ads, a.ID)
			},
			"take": func(rt *rapid.T) {
				if len(ads) == 0 {
					rt.Skip("no ads")
				}
				id := rapid.SampledFrom(ads).Draw(rt, "ad")
				u := trader("taker")
				ad, err := f.svc.GetAd(f.ctx, 0, id)
				if err != nil {
					rt.Skip("deleted")
				}
				qty := money.New(rapid.Int64Range(1, ad.Total.Units()).Draw(rt, "qty"), ad.Asset.Scale())
				before := digest(rt, st)
				o, err := f.svc.TakeAd(f.ctx, u.ID, market.TakeRequest{AdID: id, Amount: qty.String()}, nil)
				if err != nil {
					switch market.CodeOf(err) {
					case market.CodeNotFound, market.CodeOwnAd, market.CodeAdNotOnline, market.CodeAmountOutOfRange, market.CodeAmountOverAvailable,
						market.CodeInsufficientBalance, market.CodeDailyLimitExceeded:
						expect("take", before, err, market.CodeOf(err))
					default:
						rt.Fatalf("take: %v", err)
					}
					return
				}
				if o.Amount.Cmp(qty) != 0 || o.State != market.StateCreated {
					rt.Fatalf("take gave %+v", o)
				}
				orders = append(orders, o.ID)
			},
			"markPaid": func(rt *rapid.T) {
				o, ok := order()
				if !ok {
					rt.Skip("no orders")
				}
				actor, isBuyer := party(o)
				want := market.Code("")
				switch {
				case !isBuyer:
					want = market.CodeNotYourRole
				case o.State != market.StateCreated:
					want = market.CodeOrderStateConflict
				case !f.clk.Now().Before(o.PayDeadline):
					want = market.CodeOrderExpired
				}
				before := digest(rt, st)
				_, err := f.svc.MarkPaid(f.ctx, actor, o.ID, market.Expect{})
				expect("markPaid", before, err, want)
			},
			"release": func(rt *rapid.T) {
				o, ok := order()
				if !ok {
					rt.Skip("no orders")
				}
				actor, isBuyer := party(o)
				want := market.Code("")
				switch {
				case isBuyer:
					want = market.CodeNotYourRole
				case o.State != market.StatePaid && o.State != market.StateDisputed:
					want = market.CodeOrderStateConflict
				}
				before := digest(rt, st)
				_, err := f.svc.Release(f.ctx, actor, o.ID, market.Expect{})
				expect("release", before, err, want)
			},
			"cancel": func(rt *rapid.T) {
				o, ok := order()
				if !ok {
					rt.Skip("no orders")
				}
				actor, isBuyer := party(o)
				want := market.Code("")
				switch {
				case !isBuyer:
					want = market.CodeNotYourRole
				case o.State != market.StateCreated:
					want = market.CodeOrderStateConflict
				}
				before := digest(rt, st)
				_, err := f.svc.Cancel(f.ctx, actor, o.ID, market.Expect{})
				expect("cancel", before, err, want)
			},
			"dispute": func(rt *rapid.T) {
				o, ok := order()
				if !ok {
					rt.Skip("no orders")
				}
				actor, _ := party(o)
				want := market.Code("")
				if o.State != market.StatePaid {
					want = market.CodeOrderStateConflict
				}
				before := digest(rt, st)
				_, err := f.svc.Dispute(f.ctx, actor, o.ID, market.DisputeRequest{Reason: "other"}, market.Expect{})
				expect("dispute", before, err, want)
			},
			"resolve": func(rt *rapid.T) {
				o, ok := order()
				if !ok {
					rt.Skip("no orders")
				}
				res := rapid.SampledFrom([]market.Resolution{market.ResolveRelease, market.ResolveRefund}).Draw(rt, "resolution")
				want := market.Code("")
				if o.State != market.StateDisputed {
					want = market.CodeOrderStateConflict
				}
				before := digest(rt, st)
				_, err := f.svc.Resolve(f.ctx, support.ID, o.ID, res, "")
				expect("resolve", before, err, want)
			},
			"editAd": func(rt *rapid.T) {
				if len(ads) == 0 {
					rt.Skip("no ads")
				}
				id := rapid.SampledFrom(ads).Draw(rt, "ad")
				ad, err := f.svc.GetAd(f.ctx, 0, id)
				if err != nil {
					rt.Skip("deleted")
				}
				total := money.New(rapid.Int64Range(1, ad.Total.Units()*2).Draw(rt, "total"), ad.Asset.Scale()).String()
				before := digest(rt, st)
				_, err = f.svc.EditAd(f.ctx, ad.Maker.ID, id, market.AdPatch{Total: &total})
				if c := market.CodeOf(err); err != nil && c != market.CodeAmountOutOfRange && c != market.CodeInsufficientBalance && c != market.CodeAdStateConflict {
					rt.Fatalf("editAd: %v", err)
				} else if err != nil {
					expect("editAd", before, err, c)
				}
			},
			"pauseResume": func(rt *rapid.T) {
				if len(ads) == 0 {
					rt.Skip("no ads")
				}
				id := rapid.SampledFrom(ads).Draw(rt, "ad")
				ad, err := f.svc.GetAd(f.ctx, 0, id)
				if err != nil {
					rt.Skip("deleted")
				}
				act := rapid.SampledFrom([]string{"pause", "resume", "delete"}).Draw(rt, "action")
				_, err = f.svc.SetAdStatus(f.ctx, ad.Maker.ID, id, act)
				if err != nil && market.CodeOf(err) != market.CodeAdStateConflict {
					rt.Fatalf("%s: %v", act, err)
				}
			},
			"tick": func(rt *rapid.T) {
				f.clk.Advance(time.Duration(rapid.IntRange(1, 40).Draw(rt, "minutes")) * time.Minute)
				now := f.clk.Now()
				var due []int64
				for _, id := range orders {
					o, _ := f.svc.GetOrder(f.ctx, support.ID, id)
					if (o.State == market.StateCreated && !now.Before(o.PayDeadline)) ||
						(o.State == market.StatePaid && !now.Before(*o.ReleaseDeadline)) {
						due = append(due, id)
					}
				}
				n, err := f.svc.Sweep(f.ctx, 1000)
				if err != nil || n != len(due) {
					rt.Fatalf("sweep moved %d (%v), %d were due", n, err, len(due))
				}
				for _, id := range due {
					o, _ := f.svc.GetOrder(f.ctx, support.ID, id)
					if o.State != market.StateExpired && o.State != market.StateDisputed {
						rt.Fatalf("order %d due but %s after sweep", id, o.State)
					}
				}
			},
			"": func(rt *rapid.T) {
				if err := market.CheckInvariants(f.ctx, st); err != nil {
					rt.Fatalf("invariants: %v", err)
				}
			},
		})
	})
}
