package cmd

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/sim"
)

// TestAccountCreateOnTheDatabaseOpensItsAlipay: `account create --db` on
// the file of a marketplace that serve runs with the simulation opens the
// user's simulated Alipay in the rail beside it, as --server does; the
// account logs in and its Alipay answers through the running server. On
// a marketplace with no rail beside it, the account has no Alipay and
// nothing fails.
func TestAccountCreateOnTheDatabaseOpensItsAlipay(t *testing.T) {
	home := isolate(t)
	ctx := context.Background()
	key := auth.GenerateKey()
	t.Setenv("P2PDESK_SERVER_KEY", base64.StdEncoding.EncodeToString(key))
	db := filepath.Join(home, "market.db")
	w, err := sim.Open(ctx, sim.Options{Dir: home, MarketDB: db, RailDB: railBeside(db), ServerKey: key, Seed: 3, Merchants: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	st := verbSecrets(t)
	profile := fmt.Sprintf("dbcreate-%d", time.Now().UnixNano())
	t.Cleanup(func() { run(t, st, "", "logout", "--profile", profile) })

	out, errOut, err := run(t, st, "", "account", "create", "--db", db, "--name", "carol", "--real-name", "Carol Zhou", "--kyc", "1", "--json")
	if err != nil {
		t.Fatalf("account create --db: %v\n%s", err, errOut)
	}
	var created struct {
		Alipay *api.AlipayAccount `json:"alipay"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Alipay == nil || created.Alipay.RealName != "Carol Zhou" || created.Alipay.Token == "" {
		t.Fatalf("account create --db --json has no simulated Alipay in Carol's name: %v %s", err, out)
	}
	if _, errOut, err := run(t, st, out, "login", "--server", w.URL(), "--profile", profile, "--from-json", "-"); err != nil {
		t.Fatalf("login: %v\n%s", err, errOut)
	}
	stmt, errOut, err := run(t, st, "", "alipay", "statement", "--server", w.URL(), "--profile", profile, "--json")
	if err != nil {
		t.Fatalf("alipay statement: %v\n%s", err, errOut)
	}
	if !strings.HasPrefix(strings.TrimSpace(stmt), "[") && !strings.HasPrefix(strings.TrimSpace(stmt), "{") {
		t.Fatalf("alipay statement --json: %s", stmt)
	}
	acct, _, err := run(t, st, "", "account", "--server", w.URL(), "--profile", profile, "--json")
	if err != nil || !strings.Contains(acct, created.Alipay.Account) {
		t.Fatalf("the Alipay account is not carol's payment method: %v %s", err, acct)
	}

	// No rail beside this one: an account, no Alipay.
	plain := filepath.Join(t.TempDir(), "plain.db")
	out, errOut, err = run(t, st, "", "account", "create", "--db", plain, "--name", "dan", "--kyc", "1", "--json")
	if err != nil {
		t.Fatalf("account create --db on a plain marketplace: %v\n%s", err, errOut)
	}
	created.Alipay = nil
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Alipay != nil {
		t.Fatalf("an Alipay where no rail runs: %v %s", err, out)
	}
}
