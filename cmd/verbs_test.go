package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/authenticator"
	"p2pdesk/sim"
	"p2pdesk/store/secrets"
)

// verbSecrets is the real OS keyring where one works (CI runs
// gnome-keyring), else memory; P2PDESK_REQUIRE_KEYRING makes a missing
// keyring a failure.
func verbSecrets(t *testing.T) secrets.Store {
	t.Helper()
	if st := secrets.Probe(5 * time.Second); st.Available {
		return secrets.Keyring{Timeout: 5 * time.Second}
	} else if os.Getenv("P2PDESK_REQUIRE_KEYRING") == "1" {
		t.Fatalf("no keyring: %s", st.Message())
	}
	return secrets.NewMemory()
}

func must2(t *testing.T, st secrets.Store, stdin string, args ...string) (string, string) {
	t.Helper()
	out, errOut, err := run(t, st, stdin, args...)
	if err != nil {
		t.Fatalf("p2pdesk %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out, errOut
}

// TestTwoPeopleTradeThroughTheVerbs: on a shared marketplace running the
// simulation (what `serve` runs, on loopback), an operator opens two
// accounts, each with a simulated Alipay; alice posts a sell ad, bob
// takes it, pays through `alipay pay` and marks paid; alice sees the
// money in her statement and releases with her 2FA code; bob holds the
// crypto. Everything through the verbs, profiles in the keyring.
func TestTwoPeopleTradeThroughTheVerbs(t *testing.T) {
	home := isolate(t)
	ctx := context.Background()
	if err := os.MkdirAll(filepath.Join(home, "serve"), 0o700); err != nil {
		t.Fatal(err)
	}
	w, err := sim.Open(ctx, sim.Options{Dir: filepath.Join(home, "serve"), ServerKey: auth.GenerateKey(), Seed: 5, Merchants: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	st := verbSecrets(t)
	tag := fmt.Sprintf("verbs-%d-", time.Now().UnixNano())
	srv := []string{"--server", w.URL()}
	as := func(who string, args ...string) []string {
		return append(append([]string{}, args...), append(srv, "--profile", tag+who)...)
	}
	must := func(stdin string, args ...string) string {
		t.Helper()
		out, errOut, err := run(t, st, stdin, args...)
		if err != nil {
			t.Fatalf("p2pdesk %s: %v\n%s", strings.Join(args, " "), err, errOut)
		}
		return out
	}
	t.Cleanup(func() {
		for _, who := range []string{"admin", "alice", "bob"} {
			run(t, st, "", "logout", "--profile", tag+who)
		}
	})

	adm, err := w.Market.Provision(ctx, api.NewUserRequest{Name: "operator", KYCLevel: 2, Role: api.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	admJSON, _ := json.Marshal(map[string]string{"apiKey": adm.Credentials.APIKey, "secret": adm.Credentials.Secret, "passphrase": adm.Credentials.Passphrase})
	must(string(admJSON), as("admin", "login", "--from-json", "-")...)
	seeds := map[string]string{}
	for _, p := range []struct{ name, real, deposit string }{{"alice", "Alice Wu", "USDT=500"}, {"bob", "Bob Li", ""}} {
		args := []string{"account", "create", "--server", w.URL(), "--admin-profile", tag + "admin", "--name", p.name, "--real-name", p.real, "--kyc", "2", "--json"}
		if p.deposit != "" {
			args = append(args, "--deposit", p.deposit)
		}
		out := must("", args...)
		var created struct {
			APIKey     string             `json:"apiKey"`
			Secret     string             `json:"secret"`
			Passphrase string             `json:"passphrase"`
			TOTPSecret string             `json:"totpSecret"`
			Alipay     *api.AlipayAccount `json:"alipay"`
		}
		if err := json.Unmarshal([]byte(out), &created); err != nil || created.Alipay == nil || created.Alipay.RealName != p.real {
			t.Fatalf("account create --json: %v, no simulated Alipay in the name %q: %s", err, p.real, out)
		}
		seeds[p.name] = created.TOTPSecret
		if p.name == "alice" {
			must(out, as(p.name, "login", "--from-json", "-")...)
			continue
		}
		// bob logs in as a person does: login asks for the keys, then for
		// the simulated Alipay (answers piped, one per line). A token the
		// rail does not know saves nothing.
		answers := func(tok string) string {
			return strings.Join([]string{created.APIKey, created.Secret, created.Passphrase, tok, created.Alipay.PaymentPassword}, "\n") + "\n"
		}
		if _, _, err := run(t, st, answers("not-a-token"), as(p.name, "login")...); err == nil || !strings.Contains(err.Error(), "refused this token") {
			t.Fatalf("login with a wrong Alipay token: %v", err)
		}
		if _, _, err := run(t, st, "", as(p.name, "whoami")...); err == nil {
			t.Fatal("a refused login saved a profile")
		}
		_, asked := must2(t, st, answers(created.Alipay.Token), as(p.name, "login")...)
		if !strings.Contains(asked, "Simulated Alipay token") || !strings.Contains(asked, created.Alipay.Account) {
			t.Fatalf("login did not ask for the simulated Alipay, or did not name it: %s", asked)
		}
	}

	var ad api.AdView
	decode(t, must("", as("alice", "ad", "post", "--side", "sell", "--margin", "0.5", "--total", "200", "--min", "100", "--max", "5000", "--json")...), &ad)
	// ad edit changes what it is given and nothing else.
	var edited api.AdView
	decode(t, must("", as("alice", "ad", "edit", fmt.Sprint(ad.ID), "--max", "4000", "--margin", "0.29", "--terms", "Own-name payments only.", "--json")...), &edited)
	if edited.MaxFiat.FixedN(2) != "4000.00" || edited.MarginBP != 29 || edited.Terms != "Own-name payments only." ||
		edited.MinFiat.Cmp(ad.MinFiat) != 0 || edited.Total.Cmp(ad.Total) != 0 || edited.WindowMin != ad.WindowMin {
		t.Fatalf("ad edit: %+v, from %+v", edited, ad)
	}
	for _, bad := range [][]string{{"ad", "edit", fmt.Sprint(ad.ID)}, {"ad", "edit", fmt.Sprint(ad.ID), "--price", "7.2", "--margin", "1"}, {"ad", "edit", "x1", "--max", "10"}} {
		if _, _, err := run(t, st, "", as("alice", bad...)...); !isUsage(err) {
			t.Fatalf("p2pdesk %s: %v, want a usage error", strings.Join(bad, " "), err)
		}
	}
	if _, _, err := run(t, st, "", as("bob", "ad", "edit", fmt.Sprint(ad.ID), "--max", "100000")...); err == nil || isUsage(err) || !strings.Contains(err.Error(), "NOT_FOUND") {
		t.Fatalf("bob edited alice's ad: %v", err)
	}
	var page api.AdPage
	decode(t, must("", as("bob", "ads", "--side", "buy", "--amount", "720", "--json")...), &page)
	found := false
	for _, a := range page.Ads {
		found = found || a.ID == ad.ID
	}
	if !found {
		t.Fatalf("bob does not see alice's ad %d among %d", ad.ID, len(page.Ads))
	}
	var o api.OrderView
	decode(t, must("", as("bob", "order", "take", fmt.Sprint(ad.ID), "--fiat", "720", "--json")...), &o)
	id := fmt.Sprint(o.ID)
	if o.State != api.StateCreated || o.PayTo.Account == "" {
		t.Fatalf("order after the take: %+v", o)
	}
	if out := must("", as("bob", "alipay", "pay", id)...); !strings.Contains(out, "paid 720.00 CNY") {
		t.Fatalf("alipay pay: %s", out)
	}
	// Paying twice by running it twice is the mistake a retry must not make.
	if out, _, err := run(t, st, "", as("bob", "alipay", "pay", id)...); err != nil || !strings.Contains(out, "paid 720.00 CNY") {
		t.Fatalf("alipay pay again: %v %s", err, out)
	}
	must("", as("bob", "order", "paid", id)...)

	stmt := must("", as("alice", "alipay", "statement")...)
	if strings.Count(stmt, "+720.00 CNY") != 1 || !strings.Contains(stmt, "Bob Li") {
		t.Fatalf("alice's statement does not show bob's one payment of 720.00:\n%s", stmt)
	}
	// Refusals: a wrong code (1), another person's order, a bad id (2).
	if _, _, err := run(t, st, "", as("bob", "order", "release", id, "--code", "000000")...); err == nil || isUsage(err) {
		t.Fatalf("bob released alice's escrow: %v", err)
	}
	if _, _, err := run(t, st, "", as("alice", "order", "release", id, "--code", "abc")...); err == nil || isUsage(err) {
		t.Fatalf("a malformed code: %v", err)
	}
	if _, _, err := run(t, st, "", as("alice", "order", "show", "seven")...); !isUsage(err) {
		t.Fatalf("a bad id: %v, want a usage error", err)
	}
	if _, _, err := run(t, st, "", as("bob", "order", "take", fmt.Sprint(ad.ID))...); !isUsage(err) {
		t.Fatalf("a take without an amount: %v, want a usage error", err)
	}
	code, err := authenticator.Code(seeds["alice"], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	must(code+"\n", as("alice", "order", "release", id, "--code", "-")...)

	decode(t, must("", as("bob", "order", "show", id, "--json")...), &o)
	if o.State != api.StateCompleted {
		t.Fatalf("bob's order after the release: %s", o.State)
	}
	var bals []api.BalanceView
	decode(t, must("", as("bob", "wallet", "--json")...), &bals)
	for _, b := range bals {
		if b.Asset == api.USDT && b.Available.Cmp(o.Amount) != 0 {
			t.Fatalf("bob holds %s USDT, bought %s", b.Available, o.Amount)
		}
	}
	if csv := must("", as("bob", "orders", "--history", "--csv")...); !strings.Contains(csv, id+",") || !strings.Contains(csv, ",completed,") {
		t.Fatalf("orders --history --csv:\n%s", csv)
	}

	// In Chinese the verbs print Chinese, columns aligned by display
	// width (a Chinese character is two columns).
	zh := func(who string, args ...string) string {
		return must("", append(as(who, args...), "--lang", "zh-CN")...)
	}
	adsZH := strings.Split(strings.TrimSpace(zh("bob", "ads", "--side", "buy")), "\n")
	if len(adsZH) < 2 || !strings.Contains(adsZH[0], "商家") || strings.Contains(adsZH[0], "MERCHANT") {
		t.Fatalf("ads in Chinese:\n%s", strings.Join(adsZH, "\n"))
	}
	col := func(line, of string) int { return ansi.StringWidth(line[:strings.Index(line, of)]) }
	if h, r := col(adsZH[0], "付款方式"), col(adsZH[1], "alipay"); h != r {
		t.Errorf("the payment column starts at %d in the heading, at %d in the row:\n%s", h, r, strings.Join(adsZH[:2], "\n"))
	}
	if out := zh("bob", "orders", "--history"); !strings.Contains(out, "订单 "+id) || !strings.Contains(out, "已完成") || strings.Contains(out, "COMPLETED") {
		t.Fatalf("orders in Chinese:\n%s", out)
	}
	if out := zh("bob", "wallet"); !strings.Contains(out, "托管中") {
		t.Fatalf("wallet in Chinese:\n%s", out)
	}
	if out := zh("alice", "account"); !strings.Contains(out, "KYC 等级 2") || !strings.Contains(out, "今日剩余限额") {
		t.Fatalf("account in Chinese:\n%s", out)
	}

	// A dispute with evidence, through the verbs: bob pays again for a
	// second order, alice does not release, bob disputes with the line.
	decode(t, must("", as("bob", "order", "take", fmt.Sprint(ad.ID), "--fiat", "150", "--json")...), &o)
	id = fmt.Sprint(o.ID)
	var paid alipay.Line
	decode(t, must("", as("bob", "alipay", "pay", id, "--json")...), &paid)
	must("", as("bob", "order", "paid", id)...)
	decode(t, must("", as("bob", "order", "dispute", id, "--reason", "paid-not-released", "--statement", "I paid, no release", "--evidence", paid.TxID, "--json")...), &o)
	if o.State != api.StateDisputed {
		t.Fatalf("after order dispute: %s", o.State)
	}
	must("", as("bob", "order", "evidence", id, "--text", "paid from my own account")...)
	var log []api.OrderLogEntry
	decode(t, must("", as("alice", "order", "chat", id, "--json")...), &log)
	var line, note bool
	for _, e := range log {
		line = line || e.Kind == api.LogEvidence && e.Ref == paid.TxID
		note = note || e.Kind == api.LogEvidence && strings.Contains(e.Text, "own account")
	}
	if !line || !note {
		t.Fatalf("alice sees the statement line %v and the note %v as evidence: %+v", line, note, log)
	}
	if err := w.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("not the API's JSON (%v): %s", err, s)
	}
}

func isUsage(err error) bool {
	var ue *usageError
	return errors.As(err, &ue)
}

// Completion offers scenario names, and ids from the marketplace.
func TestCompletion(t *testing.T) {
	isolate(t)
	out, _, err := run(t, secrets.NewMemory(), "", "__complete", "sim", "run", "")
	if err != nil || !strings.Contains(out, "honest-seller") || !strings.Contains(out, "third-party-payer") {
		t.Fatalf("sim run completes to %q (%v)", out, err)
	}
}

// TestRefusalsInChinese: a server's refusal, printed by the command line
// in Chinese, is said from its stable code (the server writes English);
// in English it reads as the server wrote it.
func TestRefusalsInChinese(t *testing.T) {
	err := fmt.Errorf("taking ad 4: %w", api.Errorf(api.CodeNotFound, "", "no ad 4"))
	zh := &app{}
	zh.cfg.UI.Lang = "zh-CN"
	if got := zh.errorText(err); got != "未找到 (NOT_FOUND)" {
		t.Errorf("in Chinese: %q", got)
	}
	en := &app{}
	en.cfg.UI.Lang = "en"
	if got := en.errorText(err); got != err.Error() {
		t.Errorf("in English: %q, want %q", got, err.Error())
	}
	if got := zh.errorText(errors.New("disk full")); got != "disk full" {
		t.Errorf("not a refusal: %q", got)
	}
}
