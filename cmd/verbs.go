package cmd

// The verbs: the terminal app's operations on ads, orders, the wallet and
// the simulated Alipay, for scripts. Each shares client/ with the TUI,
// takes --server and --profile, prints the API's own JSON with --json,
// puts errors (with their stable code) on stderr, and exits 0, 1 on a
// refused or failed request, 2 on a usage error. Without --server a verb
// talks to the practice marketplace: it joins the running p2pdesk, or
// starts the embedded one for its own run.

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/embedded"
	"p2pdesk/i18n"
	"p2pdesk/store/secrets"
)

// desk is what a verb talks to.
type desk struct {
	mc      *client.Client
	rail    *client.Alipay // nil where the marketplace runs no simulated Alipay
	profile secrets.Profile
}

// openDesk connects to the profile's marketplace, or to the practice one.
func (a *app) openDesk(ctx context.Context) (*desk, error) {
	st, status, err := a.openSecrets()
	if err != nil {
		return nil, err
	}
	if a.cfg.Server != "" {
		p, err := secrets.LoadProfile(st, a.cfg.Profile)
		if err != nil {
			msg := fmt.Sprintf("no saved login %q for %s (%v): run p2pdesk login --server %s", a.cfg.Profile, a.cfg.Server, err, a.cfg.Server)
			if !status.Available {
				msg += "\n" + a.keyringNotice(status)
			}
			return nil, errors.New(msg)
		}
		p.Server = a.cfg.Server
		return a.newDesk(p)
	}
	dir, key, _, err := a.embeddedPlace(st)
	if err != nil {
		return nil, err
	}
	e, err := embedded.Start(ctx, embedded.Options{Dir: dir, ServerKey: key, Secrets: st, Speed: a.cfg.Embedded.Speed,
		Seed: a.cfg.Embedded.Seed, Merchants: a.cfg.Embedded.Merchants, Log: a.log, Version: Version})
	var busy *embedded.BusyError
	if errors.As(err, &busy) {
		p, err := joinProfile(st, dir, busy)
		if err != nil {
			return nil, err
		}
		return a.newDesk(p)
	}
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, closerFunc(func() error { e.Close(); return nil }))
	return a.newDesk(e.Profile)
}

func (a *app) newDesk(p secrets.Profile) (*desk, error) {
	mc, err := client.New(p.Server, client.Credentials{APIKey: p.APIKey, Secret: p.Secret, Passphrase: p.Passphrase}, client.Options{TLS: a.tlsOptions()})
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	d := &desk{mc: mc, profile: p}
	if p.AlipayKey != "" {
		d.rail = client.NewAlipay(p.Server, p.AlipayKey, a.railHTTP())
	}
	return d, nil
}

func (d *desk) needRail() error {
	if d.rail == nil {
		return errors.New("this profile has no simulated Alipay account (accounts opened with `p2pdesk account create --server` on a marketplace that runs the simulation have one; then `p2pdesk login --from-json`)")
	}
	return nil
}

// verb builds a command that opens the desk and runs fn with it.
func (a *app) verb(use, short, example string, args cobra.PositionalArgs, fn func(ctx context.Context, d *desk, args []string) error) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Example: example, Args: usageArgs(args),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := a.openDesk(cmd.Context())
			if err != nil {
				return err
			}
			return fn(cmd.Context(), d, args)
		}}
}

// usageArgs turns cobra's argument errors into usage errors (exit 2).
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if check == nil {
			return nil
		}
		if err := check(cmd, args); err != nil {
			return &usageError{err.Error()}
		}
		return nil
	}
}

// print writes v as the API's JSON with --json, else as human lines.
func (a *app) print(asJSON bool, v any, human func(w io.Writer)) error {
	if asJSON {
		enc := json.NewEncoder(a.out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	human(a.out)
	return nil
}

// word is the catalogue's word for a value of the wire (a state, a role),
// or the value itself where the catalogue has none.
func word(tr *i18n.Tr, prefix, v string) string {
	if _, ok := i18n.Messages(tr.Lang())[prefix+v]; ok {
		return tr.T(prefix + v)
	}
	return v
}

// pad fits s to width display columns (a Chinese character is two),
// on the left for a negative width, as %-*s would for ASCII.
func pad(s string, width int) string {
	left := width < 0
	if left {
		width = -width
	}
	gap := width - ansi.StringWidth(s)
	if gap <= 0 {
		return s
	}
	if left {
		return s + strings.Repeat(" ", gap)
	}
	return strings.Repeat(" ", gap) + s
}

func parseID(s, what string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, &usageError{fmt.Sprintf("%s must be a number like 42, not %q", what, s)}
	}
	return id, nil
}

func (a *app) addVerbs(root *cobra.Command) {
	root.AddCommand(a.adsVerb(), a.adVerb(), a.orderVerb(), a.ordersVerb(), a.walletVerb(), a.alipayVerb())
	// `account` (which also holds the operator's `account create`) shows
	// your own account, and sets your payment methods.
	for _, c := range root.Commands() {
		if c.Name() == "account" {
			a.ownAccount(c)
		}
	}
}

// complete offers values from the marketplace for a verb's first
// argument: what ids lists, each with a short description.
func (a *app) complete(ids func(ctx context.Context, d *desk) ([]string, error)) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if a.cfg.Server == "" && a.log == nil {
			// The completion command did not load this verb's flags.
			if err := a.setup(cmd); err != nil {
				return nil, cobra.ShellCompDirectiveError
			}
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
		defer cancel()
		d, err := a.openDesk(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		out, err := ids(ctx, d)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func completeOrders(ctx context.Context, d *desk) ([]string, error) {
	os, err := d.mc.Orders(ctx, client.OrderQuery{Limit: 50})
	var out []string
	for _, o := range os {
		out = append(out, fmt.Sprintf("%d\t%s %s %s · %s", o.ID, o.Role, o.Amount, o.Asset, o.State))
	}
	return out, err
}

func completeAds(mine bool) func(ctx context.Context, d *desk) ([]string, error) {
	return func(ctx context.Context, d *desk) ([]string, error) {
		var ads []api.AdView
		var err error
		if mine {
			ads, err = d.mc.MyAds(ctx)
		} else {
			var page api.AdPage
			page, err = d.mc.Ads(ctx, client.AdQuery{Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, Limit: 50})
			ads = page.Ads
		}
		var out []string
		for _, ad := range ads {
			out = append(out, fmt.Sprintf("%d\t%s %s at %s by %s", ad.ID, ad.Side, ad.Asset, ad.Price.FixedN(4), ad.Maker.Name))
		}
		return out, err
	}
}

// --- ads ---

func (a *app) adsVerb() *cobra.Command {
	var side, asset, fiat, method, amount, sort string
	var verified, asJSON bool
	c := a.verb("ads", "List the ads you can take", "  p2pdesk ads --side buy --asset USDT --amount 700\n  p2pdesk ads --side sell --json", cobra.NoArgs,
		func(ctx context.Context, d *desk, _ []string) error {
			// --side is yours: to buy you take an ad that sells.
			maker := api.Sell
			switch side {
			case "buy":
			case "sell":
				maker = api.Buy
			default:
				return &usageError{fmt.Sprintf("--side is buy or sell, not %q", side)}
			}
			page, err := d.mc.Ads(ctx, client.AdQuery{Side: maker, Asset: api.Asset(strings.ToUpper(asset)), Fiat: api.Fiat(strings.ToUpper(fiat)),
				Payment: api.PaymentMethod(method), Amount: amount, VerifiedOnly: verified, Sort: sort, Limit: 100})
			if err != nil {
				return err
			}
			tr := a.tr()
			return a.print(asJSON, page, func(w io.Writer) {
				fmt.Fprintln(w, pad(tr.T("verb.col.ad"), -8)+" "+pad(tr.T("verb.col.merchant"), -20)+" "+pad(tr.T("verb.col.orders"), 8)+" "+
					pad(tr.T("verb.col.done"), 7)+" "+pad(tr.T("verb.col.price"), 12)+" "+pad(tr.T("verb.col.available"), 16)+" "+
					pad(tr.T("verb.col.limits"), 21)+"  "+tr.T("verb.col.pay"))
				for _, ad := range page.Ads {
					done := "-"
					if c := ad.Maker.Record.CompletionBP; c != nil {
						done = fmt.Sprintf("%.1f", float64(*c)/100) // display only
					}
					fmt.Fprintf(w, "%-8d %-20s %8d %7s %12s %16s %21s  %s\n", ad.ID, ad.Maker.Name, ad.Maker.Record.Orders30d, done, ad.Price.FixedN(4),
						ad.Remaining.String(), ad.MinFiat.FixedN(2)+"-"+ad.MaxFiat.FixedN(2), joinMethods(ad.Payments))
				}
				if len(page.Ads) == 0 {
					fmt.Fprintln(w, tr.T("verb.no_ads"))
				}
			})
		})
	f := c.Flags()
	f.StringVar(&side, "side", "buy", "your side: buy (ads that sell) or sell (ads that buy)")
	f.StringVar(&asset, "asset", "USDT", "crypto asset")
	f.StringVar(&fiat, "fiat", "CNY", "fiat currency")
	f.StringVar(&method, "method", "", "payment method (alipay, wechat, bank)")
	f.StringVar(&amount, "amount", "", "a fiat amount the ad's limits must take")
	f.BoolVar(&verified, "verified", false, "verified merchants only")
	f.StringVar(&sort, "sort", "", "price (best first, the default), completion (the makers' 30-day completion rate), release (their average release time) or newest")
	f.BoolVar(&asJSON, "json", false, "print the API's JSON")
	return c
}

func joinMethods(ms []api.PaymentMethod) string {
	var s []string
	for _, m := range ms {
		s = append(s, string(m))
	}
	return strings.Join(s, ",")
}

func (a *app) adVerb() *cobra.Command {
	c := &cobra.Command{Use: "ad", Short: "Show, post, edit, pause, resume or delete an ad"}
	var asJSON bool
	show := a.verb("show AD_ID", "Show an ad", "  p2pdesk ad show 12", cobra.ExactArgs(1), func(ctx context.Context, d *desk, args []string) error {
		id, err := parseID(args[0], "AD_ID")
		if err != nil {
			return err
		}
		ad, err := d.mc.Ad(ctx, id)
		if err != nil {
			return err
		}
		return a.print(asJSON, ad, func(w io.Writer) { printAd(w, a.tr(), ad) })
	})
	show.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")
	show.ValidArgsFunction = a.complete(completeAds(false))
	var req api.AdRequest
	var methods []string
	var margin string
	post := a.verb("post", "Post an ad (you are its maker)",
		"  p2pdesk ad post --side sell --asset USDT --fiat CNY --price 7.20 --total 500 --min 100 --max 3600 --method alipay", cobra.NoArgs,
		func(ctx context.Context, d *desk, _ []string) error {
			req.Payments = methods
			req.PriceType = "fixed"
			if margin != "" {
				bp, err := parseMargin(margin)
				if err != nil || req.Price != "" {
					return &usageError{"give --price or --margin PERCENT (e.g. 0.5 or -1.2), not both"}
				}
				req.PriceType, req.MarginBP = "floating", bp
			}
			ad, err := d.mc.PostAd(ctx, req)
			if err != nil {
				return err
			}
			tr := a.tr()
			return a.print(asJSON, ad, func(w io.Writer) { fmt.Fprintln(w, tr.T("verb.ad_posted", "ID", ad.ID)); printAd(w, tr, ad) })
		})
	pf := post.Flags()
	pf.StringVar(&req.Side, "side", "", "sell (you sell crypto) or buy")
	pf.StringVar(&req.Asset, "asset", "USDT", "crypto asset")
	pf.StringVar(&req.Fiat, "fiat", "CNY", "fiat currency")
	adTermFlags(pf, &req, &margin, &methods, []string{"alipay"}, "payment method (repeatable)")
	pf.BoolVar(&asJSON, "json", false, "print the API's JSON")
	post.MarkFlagRequired("side")
	c.AddCommand(show, post, a.adEditVerb())
	for _, act := range []string{"pause", "resume", "delete"} {
		act := act
		v := a.verb(act+" AD_ID", strings.ToUpper(act[:1])+act[1:]+" one of your ads", "  p2pdesk ad "+act+" 12", cobra.ExactArgs(1),
			func(ctx context.Context, d *desk, args []string) error {
				id, err := parseID(args[0], "AD_ID")
				if err != nil {
					return err
				}
				ad, err := d.mc.SetAdStatus(ctx, id, act)
				if err != nil {
					return err
				}
				tr := a.tr()
				return a.print(asJSON, ad, func(w io.Writer) {
					fmt.Fprintln(w, tr.T("verb.ad_status", "ID", ad.ID, "Status", word(tr, "verb.adstatus.", string(ad.Status))))
				})
			})
		v.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")
		v.ValidArgsFunction = a.complete(completeAds(true))
		c.AddCommand(v)
	}
	return c
}

// adEditVerb changes the given fields of one of your ads; the flags not
// given stay as they are.
func (a *app) adEditVerb() *cobra.Command {
	var req api.AdRequest
	var margin string
	var methods []string
	var asJSON bool
	var edit *cobra.Command
	edit = a.verb("edit AD_ID", "Change one of your ads: only the flags you give change",
		"  p2pdesk ad edit 12 --price 7.18 --max 5000\n  p2pdesk ad edit 12 --margin -0.3 --terms \"Pay from your own account.\"", cobra.ExactArgs(1),
		func(ctx context.Context, d *desk, args []string) error {
			id, err := parseID(args[0], "AD_ID")
			if err != nil {
				return err
			}
			set := edit.Flags().Changed
			if set("price") && set("margin") {
				return &usageError{"give --price or --margin PERCENT, not both"}
			}
			var p api.AdPatch
			if set("price") {
				fixed := "fixed"
				p.PriceType, p.Price = &fixed, &req.Price
			}
			if set("margin") {
				bp, err := parseMargin(margin)
				if err != nil {
					return &usageError{"--margin is a percent over (or under, negative) the index, e.g. 0.5 or -1.2"}
				}
				floating := "floating"
				p.PriceType, p.MarginBP = &floating, &bp
			}
			given := func(name string, v *string) *string {
				if set(name) {
					return v
				}
				return nil
			}
			p.Total, p.MinFiat, p.MaxFiat, p.Terms = given("total", &req.Total), given("min", &req.MinFiat), given("max", &req.MaxFiat), given("terms", &req.Terms)
			if set("method") {
				p.Payments = &methods
			}
			if set("window") {
				p.WindowMin = &req.WindowMin
			}
			if p == (api.AdPatch{}) {
				return &usageError{"nothing to change: give at least one of --price, --margin, --total, --min, --max, --method, --window, --terms"}
			}
			ad, err := d.mc.EditAd(ctx, id, p)
			if err != nil {
				return err
			}
			tr := a.tr()
			return a.print(asJSON, ad, func(w io.Writer) { fmt.Fprintln(w, tr.T("verb.ad_changed", "ID", ad.ID)); printAd(w, tr, ad) })
		})
	f := edit.Flags()
	adTermFlags(f, &req, &margin, &methods, nil, "payment method (repeatable; replaces the ad's list)")
	f.BoolVar(&asJSON, "json", false, "print the API's JSON")
	edit.ValidArgsFunction = a.complete(completeAds(true))
	return edit
}

// adTermFlags are the flags of an ad's terms, shared by post and edit.
func adTermFlags(f *pflag.FlagSet, req *api.AdRequest, margin *string, methods *[]string, methodDefault []string, methodHelp string) {
	f.StringVar(&req.Price, "price", "", "fixed price per unit")
	f.StringVar(margin, "margin", "", "floating price: percent over (or under, negative) the index")
	f.StringVar(&req.Total, "total", "", "crypto offered in total")
	f.StringVar(&req.MinFiat, "min", "", "smallest order, in fiat")
	f.StringVar(&req.MaxFiat, "max", "", "largest order, in fiat")
	f.StringArrayVar(methods, "method", methodDefault, methodHelp)
	f.IntVar(&req.WindowMin, "window", 15, "payment window in minutes")
	f.StringVar(&req.Terms, "terms", "", "terms shown to takers")
}

// parseMargin reads a percent over the index into basis points, rounded
// (0.29 is 29, not the 28 that truncating 0.29*100 gives).
func parseMargin(s string) (int64, error) {
	pct, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(pct) || math.IsInf(pct, 0) || math.Abs(pct) > 100 {
		return 0, fmt.Errorf("bad margin %q", s)
	}
	return int64(math.Round(pct * 100)), nil
}

func printAd(w io.Writer, tr *i18n.Tr, ad api.AdView) {
	fmt.Fprintln(w, tr.T("verb.ad_line", "ID", ad.ID, "Side", word(tr, "verb.adside.", string(ad.Side)), "Asset", ad.Asset, "Fiat", ad.Fiat,
		"Price", ad.Price.FixedN(4), "Left", ad.Remaining, "Min", ad.MinFiat.FixedN(2), "Max", ad.MaxFiat.FixedN(2),
		"Methods", joinMethods(ad.Payments), "Window", ad.WindowMin, "Maker", ad.Maker.Name))
	if ad.Terms != "" {
		fmt.Fprintln(w, tr.T("verb.ad_terms", "Terms", ad.Terms))
	}
}

// --- orders ---

func printOrder(w io.Writer, tr *i18n.Tr, o api.OrderView) {
	state := word(tr, "verb.state.", string(o.State))
	if o.Resolution != "" {
		state += "/" + word(tr, "verb.resolution.", string(o.Resolution))
	}
	fmt.Fprintln(w, tr.T("verb.order_line", "ID", o.ID, "Role", word(tr, "verb.role.", o.Role), "Amount", o.Amount, "Asset", o.Asset,
		"Total", o.FiatTotal.FixedN(2), "Fiat", o.Fiat, "Price", o.Price.FixedN(4), "With", o.Counterparty.Name, "State", state))
	if o.State == api.StateCreated && o.Role == "buyer" {
		fmt.Fprintln(w, tr.T("verb.pay_exactly", "Total", o.FiatTotal.FixedN(2), "Fiat", o.Fiat, "Account", o.PayTo.Account,
			"Name", o.PayTo.RealName, "By", o.PayDeadline.Format(time.TimeOnly), "ID", o.ID))
	}
}

func (a *app) orderVerb() *cobra.Command {
	c := &cobra.Command{Use: "order", Short: "Take an ad and run the order: show, paid, release, cancel, dispute, evidence, rate, chat, watch"}
	var asJSON bool
	withID := func(use, short, example string, fn func(ctx context.Context, d *desk, id int64, args []string) error) *cobra.Command {
		v := a.verb(use, short, example, cobra.MinimumNArgs(1), func(ctx context.Context, d *desk, args []string) error {
			id, err := parseID(args[0], "ORDER_ID")
			if err != nil {
				return err
			}
			return fn(ctx, d, id, args[1:])
		})
		v.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")
		v.ValidArgsFunction = a.complete(completeOrders)
		return v
	}
	show := func(o api.OrderView, err error) error {
		if err != nil {
			return err
		}
		return a.print(asJSON, o, func(w io.Writer) { printOrder(w, a.tr(), o) })
	}

	var amount, fiatAmt string
	take := a.verb("take AD_ID", "Open an order on an ad: its crypto is locked in escrow", "  p2pdesk order take 12 --fiat 700\n  p2pdesk order take 12 --amount 100 --json",
		cobra.ExactArgs(1), func(ctx context.Context, d *desk, args []string) error {
			id, err := parseID(args[0], "AD_ID")
			if err != nil {
				return err
			}
			if (amount == "") == (fiatAmt == "") {
				return &usageError{"give --amount CRYPTO or --fiat FIAT"}
			}
			// One key per invocation: a retried request (the client
			// retries on its own) never opens a second order.
			o, err := d.mc.TakeAd(ctx, api.TakeRequest{AdID: id, Amount: amount, FiatAmount: fiatAmt, Payment: string(api.Alipay)},
				fmt.Sprintf("cli-take-%d-%d", id, time.Now().UnixNano()))
			return show(o, err)
		})
	take.ValidArgsFunction = a.complete(completeAds(false))
	take.Flags().StringVar(&amount, "amount", "", "crypto amount")
	take.Flags().StringVar(&fiatAmt, "fiat", "", "fiat amount")
	take.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")

	var code string
	release := withID("release ORDER_ID --code CODE", "Release the escrow to the buyer (final): only with the exact money in your own statement",
		"  p2pdesk order release 7 --code 123456\n  oathtool --totp -b SEED | p2pdesk order release 7 --code -", func(ctx context.Context, d *desk, id int64, _ []string) error {
			c := code
			if c == "" || c == "-" {
				prompt := "2FA code: "
				if c == "-" {
					prompt = ""
				}
				line, err := a.readLine(prompt)
				if err != nil {
					return err
				}
				c = strings.TrimSpace(line)
			}
			return show(d.mc.Release(ctx, id, c, api.StatePaid))
		})
	release.Flags().StringVar(&code, "code", "", "the code from your authenticator; - reads it from standard input; empty asks")

	var reason, statement string
	var evidence []string
	dispute := withID("dispute ORDER_ID --reason R", "Open a dispute: support decides from payment records", "  p2pdesk order dispute 7 --reason paid-not-released --evidence 2026112200000042",
		func(ctx context.Context, d *desk, id int64, _ []string) error {
			return show(d.mc.Dispute(ctx, id, api.DisputeRequest{Reason: reason, Statement: statement, Evidence: evidence}))
		})
	dispute.Flags().StringVar(&reason, "reason", "", "why (e.g. paid-not-released, no-payment, wrong-amount, third-party-payment)")
	dispute.Flags().StringVar(&statement, "statement", "", "what happened, in your words")
	dispute.Flags().StringArrayVar(&evidence, "evidence", nil, "a transaction id from your Alipay statement (repeatable)")

	var line, text string
	ev := withID("evidence ORDER_ID (--line TX_ID | --text TEXT)", "Add evidence to a dispute", "  p2pdesk order evidence 7 --line 2026112200000042",
		func(ctx context.Context, d *desk, id int64, _ []string) error {
			if (line == "") == (text == "") {
				return &usageError{"give --line TX_ID or --text TEXT"}
			}
			e, err := d.mc.AddEvidence(ctx, id, line, text)
			if err != nil {
				return err
			}
			return a.print(asJSON, e, func(w io.Writer) { fmt.Fprintln(w, a.tr().T("verb.evidence_added", "ID", id)) })
		})
	ev.Flags().StringVar(&line, "line", "", "a transaction id of your Alipay statement")
	ev.Flags().StringVar(&text, "text", "", "a note")

	var comment string
	rate := withID("rate ORDER_ID good|bad", "Rate the counterparty of a finished order", "  p2pdesk order rate 7 good --comment 'fast release'",
		func(ctx context.Context, d *desk, id int64, args []string) error {
			if len(args) != 1 || (args[0] != "good" && args[0] != "bad") {
				return &usageError{"say good or bad"}
			}
			return show(d.mc.Rate(ctx, id, args[0] == "good", comment))
		})
	rate.Flags().StringVar(&comment, "comment", "", "a short comment")

	chat := withID("chat ORDER_ID [MESSAGE]", "Print the order's chat, or send a message", "  p2pdesk order chat 7\n  p2pdesk order chat 7 'paid, please check'",
		func(ctx context.Context, d *desk, id int64, args []string) error {
			if len(args) > 0 {
				e, err := d.mc.SendMessage(ctx, id, strings.Join(args, " "))
				if err != nil {
					return err
				}
				return a.print(asJSON, e, func(w io.Writer) { fmt.Fprintln(w, a.tr().T("verb.chat_sent")) })
			}
			log, err := d.mc.Messages(ctx, id, 0)
			if err != nil {
				return err
			}
			return a.print(asJSON, log, func(w io.Writer) {
				for _, e := range log {
					printLogEntry(w, e)
				}
			})
		})

	watch := withID("watch ORDER_ID", "Print the order's events until it ends (one JSON line per event with --json)", "  p2pdesk order watch 7 --json",
		func(ctx context.Context, d *desk, id int64, _ []string) error {
			return a.watchOrder(ctx, d, id, asJSON)
		})

	c.AddCommand(take,
		withID("show ORDER_ID", "Show an order", "  p2pdesk order show 7 --json", func(ctx context.Context, d *desk, id int64, _ []string) error {
			return show(d.mc.Order(ctx, id))
		}),
		withID("paid ORDER_ID", "Mark paid, once the exact total has left your own Alipay", "  p2pdesk order paid 7", func(ctx context.Context, d *desk, id int64, _ []string) error {
			return show(d.mc.MarkPaid(ctx, id, api.StateCreated))
		}),
		withID("cancel ORDER_ID", "Cancel an order you have not paid", "  p2pdesk order cancel 7", func(ctx context.Context, d *desk, id int64, _ []string) error {
			return show(d.mc.Cancel(ctx, id, api.StateCreated))
		}),
		release, dispute, ev, rate, chat, watch)
	return c
}

func printLogEntry(w io.Writer, e api.OrderLogEntry) {
	who := e.From
	if e.Kind == api.LogEvidence {
		who = "evidence"
	}
	fmt.Fprintf(w, "%s %-8s %s\n", e.At.Format(time.TimeOnly), who, e.Text)
	for _, warn := range e.Warnings {
		fmt.Fprintf(w, "         ⚠ %s\n", warn)
	}
}

// watchOrder prints the order's new log lines until it ends, polling: a
// script wants the lines, not the stream's envelope.
func (a *app) watchOrder(ctx context.Context, d *desk, id int64, asJSON bool) error {
	var after int64
	enc := json.NewEncoder(a.out)
	for {
		log, err := d.mc.Messages(ctx, id, after)
		if err != nil {
			return err
		}
		for _, e := range log {
			after = max(after, e.ID)
			if asJSON {
				enc.Encode(e)
			} else {
				printLogEntry(a.out, e)
			}
		}
		o, err := d.mc.Order(ctx, id)
		if err != nil {
			return err
		}
		if o.State.Terminal() && len(log) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

func (a *app) ordersVerb() *cobra.Command {
	var open, history, asJSON, asCSV bool
	c := a.verb("orders", "List your orders", "  p2pdesk orders --open\n  p2pdesk orders --history --csv > orders.csv", cobra.NoArgs,
		func(ctx context.Context, d *desk, _ []string) error {
			if open && history {
				return &usageError{"--open or --history, not both"}
			}
			q := client.OrderQuery{Limit: 200}
			if open || history {
				q.Open = &open
			}
			os, err := d.mc.Orders(ctx, q)
			if err != nil {
				return err
			}
			if asCSV {
				w := csv.NewWriter(a.out)
				w.Write([]string{"id", "created", "role", "asset", "amount", "fiat", "total", "price", "counterparty", "state", "resolution"})
				for _, o := range os {
					w.Write([]string{strconv.FormatInt(o.ID, 10), o.CreatedAt.Format(time.RFC3339), o.Role, string(o.Asset), o.Amount.String(), string(o.Fiat),
						o.FiatTotal.FixedN(2), o.Price.String(), o.Counterparty.Name, string(o.State), string(o.Resolution)})
				}
				w.Flush()
				return w.Error()
			}
			tr := a.tr()
			return a.print(asJSON, os, func(w io.Writer) {
				for _, o := range os {
					printOrder(w, tr, o)
				}
				if len(os) == 0 {
					fmt.Fprintln(w, tr.T("verb.no_orders"))
				}
			})
		})
	f := c.Flags()
	f.BoolVar(&open, "open", false, "only orders still running")
	f.BoolVar(&history, "history", false, "only finished orders")
	f.BoolVar(&asJSON, "json", false, "print the API's JSON")
	f.BoolVar(&asCSV, "csv", false, "print CSV")
	return c
}

// --- wallet, alipay, account ---

func (a *app) walletVerb() *cobra.Command {
	var asJSON bool
	c := a.verb("wallet", "Your crypto balances", "  p2pdesk wallet --json", cobra.NoArgs, func(ctx context.Context, d *desk, _ []string) error {
		bs, err := d.mc.Balances(ctx)
		if err != nil {
			return err
		}
		tr := a.tr()
		return a.print(asJSON, bs, func(w io.Writer) {
			fmt.Fprintln(w, pad(tr.T("verb.col.asset"), -6)+" "+pad(tr.T("verb.col.available"), 20)+" "+pad(tr.T("verb.col.escrow"), 20)+" "+pad(tr.T("verb.col.incoming"), 20))
			for _, b := range bs {
				fmt.Fprintf(w, "%-6s %20s %20s %20s\n", b.Asset, b.Available, b.Locked, b.Incoming)
			}
		})
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")
	return c
}

func (a *app) alipayVerb() *cobra.Command {
	c := &cobra.Command{Use: "alipay", Short: "Your simulated Alipay: statement, paying an order, sending money"}
	var asJSON bool
	stmt := a.verb("statement", "Your Alipay statement, newest last", "  p2pdesk alipay statement --json", cobra.NoArgs, func(ctx context.Context, d *desk, _ []string) error {
		if err := d.needRail(); err != nil {
			return err
		}
		ls, err := d.rail.Statement(ctx, 0)
		if err != nil {
			return err
		}
		return a.print(asJSON, ls, func(w io.Writer) {
			for _, l := range ls {
				sign := "+"
				if l.Direction == "out" {
					sign = "-"
				}
				fmt.Fprintf(w, "%s %-3s %s%s CNY  %-16s %-14s %s %s\n", l.At.Format(time.DateTime), strings.ToUpper(l.Direction), sign, l.Amount.FixedN(2),
					l.CounterpartyName, l.CounterpartyLogin, l.TxID, l.Status)
			}
		})
	})
	stmt.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")
	pay := a.verb("pay ORDER_ID", "Pay an order's seller its exact total from your simulated Alipay", "  p2pdesk alipay pay 7", cobra.ExactArgs(1),
		func(ctx context.Context, d *desk, args []string) error {
			if err := d.needRail(); err != nil {
				return err
			}
			id, err := parseID(args[0], "ORDER_ID")
			if err != nil {
				return err
			}
			o, err := d.mc.Order(ctx, id)
			if err != nil {
				return err
			}
			if tr := a.tr(); o.Role != "buyer" || o.State != api.StateCreated {
				return errors.New(tr.T("verb.not_yours_to_pay", "ID", o.ID, "State", word(tr, "state.", string(o.State)), "Role", word(tr, "role.", o.Role)))
			}
			// One key per order: paying twice by running this twice is
			// the mistake a retry must never make.
			l, err := d.rail.Send(ctx, o.PayTo.Account, o.FiatTotal.FixedN(2), fmt.Sprintf("order %d", o.ID), d.profile.AlipayPassword, fmt.Sprintf("cli-pay-order-%d", o.ID))
			if err != nil {
				return err
			}
			return a.print(asJSON, l, func(w io.Writer) {
				fmt.Fprintln(w, a.tr().T("verb.paid", "Amount", l.Amount.FixedN(2), "Name", l.CounterpartyName, "Account", l.CounterpartyLogin, "Tx", l.TxID, "ID", o.ID))
			})
		})
	pay.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")
	var to, name, amount, note string
	send := a.verb("send --to ACCOUNT --amount X", "Send money from your simulated Alipay (instant and final: a refund, say)", "  p2pdesk alipay send --to 13800000012 --name 'Zhang San' --amount 720.00",
		cobra.NoArgs, func(ctx context.Context, d *desk, _ []string) error {
			if err := d.needRail(); err != nil {
				return err
			}
			if to == "" || amount == "" {
				return &usageError{"--to and --amount are needed"}
			}
			if name != "" {
				// Alipay shows the payee's masked real name before you pay;
				// here a wrong name refuses the payment.
				p, err := d.rail.Lookup(ctx, to)
				if err != nil {
					return err
				}
				if !alipay.MaskedMatches(p.MaskedName, name) {
					return errors.New(a.tr().T("verb.wrong_payee", "Account", to, "Masked", p.MaskedName, "Name", name))
				}
			}
			l, err := d.rail.Send(ctx, to, amount, note, d.profile.AlipayPassword, fmt.Sprintf("cli-send-%d", time.Now().UnixNano()))
			if err != nil {
				return err
			}
			return a.print(asJSON, l, func(w io.Writer) {
				fmt.Fprintln(w, a.tr().T("verb.sent", "Amount", l.Amount.FixedN(2), "Name", l.CounterpartyName, "Account", to, "Tx", l.TxID))
			})
		})
	sf := send.Flags()
	sf.StringVar(&to, "to", "", "the payee's Alipay account")
	sf.StringVar(&name, "name", "", "the payee's real name, checked before sending")
	sf.StringVar(&amount, "amount", "", "CNY, at most 2 decimals")
	sf.StringVar(&note, "note", "", "a note")
	sf.BoolVar(&asJSON, "json", false, "print the API's JSON")
	c.AddCommand(stmt, pay, send)
	return c
}

func (a *app) ownAccount(c *cobra.Command) {
	var asJSON bool
	c.Short = "Your account (KYC level, limits left today, record, payment methods, 2FA); account create for operators"
	c.Example = "  p2pdesk account --json\n  p2pdesk account payment-method set alipay --account 13800000012"
	c.Args = usageArgs(cobra.NoArgs)
	own := a.verb("account", "", "", cobra.NoArgs,
		func(ctx context.Context, d *desk, _ []string) error {
			acct, err := d.mc.Account(ctx)
			if err != nil {
				return err
			}
			tr := a.tr()
			return a.print(asJSON, acct, func(w io.Writer) {
				fmt.Fprintln(w, tr.T("verb.account_line", "Name", acct.User.Name, "KYC", acct.User.KYCLevel, "TwoFA", tr.T(fmt.Sprintf("verb.2fa.%v", acct.TwoFactor.Enabled))))
				for _, l := range acct.Limits {
					fmt.Fprintln(w, tr.T("verb.limit_left", "Fiat", l.Fiat, "Left", l.Remaining.FixedN(2)))
				}
				for _, p := range acct.Payments {
					fmt.Fprintln(w, tr.T("verb.payment_method", "Method", p.Method, "Account", p.Account))
				}
			})
		})
	c.RunE = own.RunE
	c.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")
	var account, name string
	pm := &cobra.Command{Use: "payment-method", Short: "Your payment methods"}
	set := a.verb("set METHOD --account ACCOUNT", "Set the account buyers pay you at (alipay, wechat, bank)", "  p2pdesk account payment-method set alipay --account 13800000012",
		cobra.ExactArgs(1), func(ctx context.Context, d *desk, args []string) error {
			if account == "" {
				return &usageError{"--account is needed"}
			}
			p, err := d.mc.SetPaymentAccount(ctx, api.PaymentMethod(args[0]), account, name)
			if err != nil {
				return err
			}
			return a.print(asJSON, p, func(w io.Writer) {
				fmt.Fprintln(w, a.tr().T("verb.payment_method", "Method", args[0], "Account", account))
			})
		})
	set.Flags().StringVar(&account, "account", "", "the account")
	set.Flags().StringVar(&name, "name", "", "the real name on it (default: your verified one)")
	set.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")
	pm.AddCommand(set)
	c.AddCommand(pm)
}
