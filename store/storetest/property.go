package storetest

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"p2pdesk/api"
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
		var traders []api.User
		for i := 0; i < 3; i++ {
			traders = append(traders, f.trader(fmt.Sprintf("u%d", i), 2, "USDT", "5000", "BTC", "2"))
		}
		support, err := f.svc.CreateUser(f.ctx, market.NewUser{Name: "support", KYCLevel: 2, Role: api.RoleSupport})
		if err != nil {
			rt.Fatal(err)
		}
		var ads, orders []int64
		trader := func(label string) api.User {
			return rapid.SampledFrom(traders).Draw(rt, label)
		}
		order := func() (api.OrderView, bool) {
			if len(orders) == 0 {
				return api.OrderView{}, false
			}
			id := rapid.SampledFrom(orders).Draw(rt, "order")
			o, err := f.svc.GetOrder(f.ctx, support.ID, id)
			if err != nil {
				rt.Fatal(err)
			}
			return o, true
		}
		party := func(o api.OrderView) (int64, bool) {
			if rapid.Bool().Draw(rt, "actorIsBuyer") {
				return o.Buyer.ID, true
			}
			return o.Seller.ID, false
		}
		// expect checks an action's outcome against the prediction.
		expect := func(name string, before string, err error, want api.Code) {
			rt.Helper()
			if got := api.CodeOf(err); got != want || (want == "" && err != nil) {
				rt.Fatalf("%s: error %v, want %q", name, err, want)
			}
			if err != nil && digest(rt, st) != before {
				rt.Fatalf("%s was refused but wrote", name)
			}
		}
		rt.Repeat(map[string]func(*rapid.T){
			"deposit": func(rt *rapid.T) {
				u := trader("user")
				asset := rapid.SampledFrom([]api.Asset{api.USDT, api.BTC}).Draw(rt, "asset")
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
				a, err := f.svc.PostAd(f.ctx, u.ID, api.AdRequest{Side: side, Asset: asset, Fiat: "CNY", Price: price.String(),
					Total: total.String(), MinFiat: "10", MaxFiat: "50000", Payments: []string{"alipay"}, WindowMin: 15}, nil)
				if err != nil {
					expect("postAd", before, err, api.CodeInsufficientBalance)
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
				o, err := f.svc.TakeAd(f.ctx, u.ID, api.TakeRequest{AdID: id, Amount: qty.String()}, nil)
				if err != nil {
					switch api.CodeOf(err) {
					case api.CodeNotFound, api.CodeOwnAd, api.CodeAdNotOnline, api.CodeAmountOutOfRange, api.CodeAmountOverAvailable,
						api.CodeInsufficientBalance, api.CodeDailyLimitExceeded:
						expect("take", before, err, api.CodeOf(err))
					default:
						rt.Fatalf("take: %v", err)
					}
					return
				}
				if o.Amount.Cmp(qty) != 0 || o.State != api.StateCreated {
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
				want := api.Code("")
				switch {
				case !isBuyer:
					want = api.CodeNotYourRole
				case o.State != api.StateCreated:
					want = api.CodeOrderStateConflict
				case !f.clk.Now().Before(o.PayDeadline):
					want = api.CodeOrderExpired
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
				want := api.Code("")
				switch {
				case isBuyer:
					want = api.CodeNotYourRole
				case o.State != api.StatePaid && o.State != api.StateDisputed:
					want = api.CodeOrderStateConflict
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
				want := api.Code("")
				switch {
				case !isBuyer:
					want = api.CodeNotYourRole
				case o.State != api.StateCreated:
					want = api.CodeOrderStateConflict
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
				want := api.Code("")
				if o.State != api.StatePaid {
					want = api.CodeOrderStateConflict
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
				res := rapid.SampledFrom([]api.Resolution{api.ResolveRelease, api.ResolveRefund}).Draw(rt, "resolution")
				want := api.Code("")
				if o.State != api.StateDisputed {
					want = api.CodeOrderStateConflict
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
				_, err = f.svc.EditAd(f.ctx, ad.Maker.ID, id, api.AdPatch{Total: &total})
				if c := api.CodeOf(err); err != nil && c != api.CodeAmountOutOfRange && c != api.CodeInsufficientBalance && c != api.CodeAdStateConflict {
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
				if err != nil && api.CodeOf(err) != api.CodeAdStateConflict {
					rt.Fatalf("%s: %v", act, err)
				}
			},
			"tick": func(rt *rapid.T) {
				f.clk.Advance(time.Duration(rapid.IntRange(1, 40).Draw(rt, "minutes")) * time.Minute)
				now := f.clk.Now()
				var due []int64
				for _, id := range orders {
					o, _ := f.svc.GetOrder(f.ctx, support.ID, id)
					if (o.State == api.StateCreated && !now.Before(o.PayDeadline)) ||
						(o.State == api.StatePaid && !now.Before(*o.ReleaseDeadline)) {
						due = append(due, id)
					}
				}
				n, err := f.svc.Sweep(f.ctx, 1000)
				if err != nil || n != len(due) {
					rt.Fatalf("sweep moved %d (%v), %d were due", n, err, len(due))
				}
				for _, id := range due {
					o, _ := f.svc.GetOrder(f.ctx, support.ID, id)
					if o.State != api.StateExpired && o.State != api.StateDisputed {
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
