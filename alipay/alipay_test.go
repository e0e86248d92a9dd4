package alipay_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/clock"
	"p2pdesk/money"
	"p2pdesk/store"
)

func rail(t *testing.T) (*alipay.Rail, *clock.Manual, *store.SQLite) {
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "alipay.db"), store.SQLiteOptions{Schema: "alipay"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewManual(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) // a Friday
	return alipay.New(st, clk), clk, st
}

func code(err error) string { return string(api.CodeOf(err)) }

func TestRailOverHTTP(t *testing.T) {
	r, clk, st := rail(t)
	ctx := context.Background()
	admin, adminTok, err := r.Open(ctx, alipay.NewAccount{Login: "admin@rail.example", RealName: "Rail", PaymentPassword: "000000", Role: alipay.RoleAdmin})
	if err != nil || admin.Role != alipay.RoleAdmin {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	ac := client.NewAlipay(srv.URL, adminTok, nil)
	wang, err := ac.Open(ctx, alipay.NewAccount{Login: "13800000001", RealName: "Wang Wei", PaymentPassword: "123456", Balance: "1000"})
	if err != nil {
		t.Fatal(err)
	}
	li, err := ac.Open(ctx, alipay.NewAccount{Login: "li.na@example.com", RealName: "Li Na", PaymentPassword: "654321"})
	if err != nil {
		t.Fatal(err)
	}
	w := client.NewAlipay(srv.URL, wang.Token, nil)
	l := client.NewAlipay(srv.URL, li.Token, nil)

	if p, err := w.Lookup(ctx, "li.na@example.com"); err != nil || p.MaskedName != "** Na" {
		t.Fatalf("lookup: %+v %v", p, err)
	}
	// A wrong password is counted; three lock sending.
	_, err = w.Send(ctx, "li.na@example.com", "10", "", "111111", "")
	if code(err) != "PAYMENT_PASSWORD_WRONG" {
		t.Fatalf("wrong password: %v", err)
	}
	line, err := w.Send(ctx, "li.na@example.com", "725.11", "order 42", "123456", "pay-1")
	if err != nil || line.Direction != "out" || line.CounterpartyName != "Li Na" || line.Amount.String() != "725.11" || line.Status != "success" {
		t.Fatalf("send: %+v %v", line, err)
	}
	again, err := w.Send(ctx, "li.na@example.com", "725.11", "order 42", "123456", "pay-1")
	if err != nil || again.TxID != line.TxID {
		t.Fatalf("a retried payment paid twice: %+v %v", again, err)
	}
	if _, err := w.Send(ctx, "li.na@example.com", "1", "", "123456", "pay-1"); code(err) != "IDEMPOTENCY_CONFLICT" {
		t.Fatalf("same key, other payment: %v", err)
	}
	if _, err := w.Send(ctx, "li.na@example.com", "10000", "", "123456", ""); code(err) != "INSUFFICIENT_BALANCE" {
		t.Fatalf("overdraft: %v", err)
	}
	if _, err := w.Send(ctx, "13900000000", "1", "", "123456", ""); code(err) != "NO_SUCH_ACCOUNT" {
		t.Fatalf("unknown payee: %v", err)
	}
	if _, err := w.Send(ctx, "li.na@example.com", "1.001", "", "123456", ""); code(err) != "AMOUNT_INVALID" {
		t.Fatalf("over-precise: %v", err)
	}
	// Li sees the money, from Wang Wei by name, in her own statement.
	stmt, err := l.Statement(ctx, 0)
	if err != nil || len(stmt) != 1 || stmt[0].Direction != "in" || stmt[0].CounterpartyName != "Wang Wei" || stmt[0].Note != "order 42" {
		t.Fatalf("statement: %+v %v", stmt, err)
	}
	me, _ := w.Me(ctx)
	if me.Balance.String() != "274.89" {
		t.Fatalf("balance %s", me.Balance)
	}
	// Receipts: a stranger cannot read them, a verifier can.
	if _, err := w.Receipt(ctx, line.TxID); err != nil {
		t.Fatalf("own receipt: %v", err)
	}
	eve, _ := ac.Open(ctx, alipay.NewAccount{Login: "13700000000", RealName: "Eve", PaymentPassword: "222222"})
	if _, err := client.NewAlipay(srv.URL, eve.Token, nil).Receipt(ctx, line.TxID); code(err) != "NOT_FOUND" {
		t.Fatalf("a stranger read a receipt: %v", err)
	}
	ver, verTok, _ := r.Open(ctx, alipay.NewAccount{Login: "support@p2pdesk.example", RealName: "Support", PaymentPassword: "333333", Role: alipay.RoleVerifier})
	_ = ver
	rc, err := client.NewAlipay(srv.URL, verTok, nil).Receipt(ctx, line.TxID)
	if err != nil || rc.FromName != "Wang Wei" || rc.ToLogin != "li.na@example.com" || rc.Amount.String() != "725.11" {
		t.Fatalf("verifier receipt: %+v %v", rc, err)
	}
	// Withdrawals take two business days: Friday -> Tuesday.
	wd, err := l.Withdraw(ctx, "6222 0000 1111 2222", "700", "654321")
	if err != nil || wd.Status != "pending" || wd.CompletesAt == nil || wd.CompletesAt.Weekday() != time.Tuesday {
		t.Fatalf("withdrawal: %+v %v", wd, err)
	}
	clk.Advance(24 * time.Hour)
	if n, _ := r.Settle(ctx); n != 0 {
		t.Fatal("settled on Saturday")
	}
	clk.Advance(4 * 24 * time.Hour)
	if n, _ := r.Settle(ctx); n != 1 {
		t.Fatal("not settled by Tuesday")
	}
	stmt, _ = l.Statement(ctx, 0)
	if stmt[1].Status != "success" || stmt[1].CounterpartyName != "Bank card **** 2222" {
		t.Fatalf("withdrawal line: %+v", stmt[1])
	}
	// A user cannot open accounts.
	if _, err := w.Open(ctx, alipay.NewAccount{Login: "13600000000", RealName: "X", PaymentPassword: "123456"}); code(err) != "NOT_FOUND" {
		t.Fatalf("a user opened an account: %v", err)
	}
	if _, err := client.NewAlipay(srv.URL, "ap_forged", nil).Me(ctx); code(err) != "UNAUTHORIZED" {
		t.Fatalf("forged token: %v", err)
	}
	if err := alipay.CheckInvariants(ctx, st); err != nil {
		t.Fatal(err)
	}
}

func TestPaymentPasswordLockout(t *testing.T) {
	r, clk, _ := rail(t)
	ctx := context.Background()
	a, _, _ := r.Open(ctx, alipay.NewAccount{Login: "13800000001", RealName: "A", PaymentPassword: "123456", Balance: "100"})
	r.Open(ctx, alipay.NewAccount{Login: "13800000002", RealName: "B", PaymentPassword: "123456"})
	for i := 0; i < 3; i++ {
		r.Send(ctx, a.ID, alipay.SendRequest{To: "13800000002", Amount: "1", PaymentPassword: "999999"}, "")
	}
	_, err := r.Send(ctx, a.ID, alipay.SendRequest{To: "13800000002", Amount: "1", PaymentPassword: "123456"}, "")
	var e *alipay.Error
	if !asErr(err, &e) || e.Code != "PAYMENT_LOCKED" {
		t.Fatalf("after three wrong passwords the right one must be locked out too: %v", err)
	}
	clk.Advance(3*time.Hour + time.Second)
	if _, err := r.Send(ctx, a.ID, alipay.SendRequest{To: "13800000002", Amount: "1", PaymentPassword: "123456"}, ""); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if me, _ := r.Me(ctx, a.ID); me.Balance.Cmp(money.MustParse("99", 2)) != 0 {
		t.Fatalf("balance %s", me.Balance)
	}
}

// TestMaskedNames: what a payer sees before paying keeps a part of the
// name that tells one payee from another, in Chinese and in words, and a
// masked name fits only names of its shape.
func TestMaskedNames(t *testing.T) {
	for name, want := range map[string]string{"王强": "*强", "张小明": "**明", "Wang Qiang": "**** Qiang", "Li  Na": "** Na", "Alice": "****e", "": "*"} {
		if got := alipay.MaskName(name); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", name, got, want)
		}
	}
	for _, c := range []struct {
		masked, full string
		fits         bool
	}{{"**** Qiang", "Wang Qiang", true}, {"**** Qiang", "Zhao Qiang", true}, {"**** Qiang", "Li Qiang", false},
		{"**** Qiang", "Wang Wei", false}, {"*强", "王强", true}, {"*强", "张小强", false}, {"", "王强", false}} {
		if got := alipay.MaskedMatches(c.masked, c.full); got != c.fits {
			t.Errorf("MaskedMatches(%q, %q) = %v, want %v", c.masked, c.full, got, c.fits)
		}
	}
}
