package alipay_test

import (
	"context"
	"testing"

	"golang.org/x/crypto/argon2"

	"p2pdesk/alipay"
)

// A person's account is hashed with the strong parameters and a simulated
// one with the practice parameters; each hash carries its own, so both
// verify, and so does a hash from before hashes carried them.
func TestPasswordParameters(t *testing.T) {
	r, _, st := rail(t)
	ctx := context.Background()
	person, _, err := r.Open(ctx, alipay.NewAccount{Login: "13800000001", RealName: "Wang Wei", PaymentPassword: "123456", Balance: "1000"})
	if err != nil {
		t.Fatal(err)
	}
	bot, _, err := r.Open(ctx, alipay.NewAccount{Login: "13800000002", RealName: "Li Na", PaymentPassword: "654321", Balance: "1000", Simulated: true})
	if err != nil {
		t.Fatal(err)
	}
	kdf := func(id int64) alipay.KDF {
		t.Helper()
		var a alipay.Account
		if err := st.RailView(ctx, func(tx alipay.ReadTx) (err error) { a, err = tx.RailAccount(id); return err }); err != nil {
			t.Fatal(err)
		}
		k, ok := alipay.KDFOf(a.PassHash)
		if !ok {
			t.Fatalf("account %d: a hash that carries no parameters", id)
		}
		return k
	}
	if k := kdf(person.ID); k != alipay.StrongKDF {
		t.Fatalf("a person's password hashed with %+v, want %+v", k, alipay.StrongKDF)
	}
	if k := kdf(bot.ID); k != alipay.PracticeKDF {
		t.Fatalf("a simulated password hashed with %+v, want %+v", k, alipay.PracticeKDF)
	}
	if alipay.PracticeKDF == alipay.StrongKDF {
		t.Fatal("the practice parameters are the strong ones")
	}
	// Both verify through the rail: a right password pays, a wrong one
	// is refused.
	for _, c := range []struct {
		from     int64
		pin, bad string
		to       string
	}{{person.ID, "123456", "123457", "13800000002"}, {bot.ID, "654321", "654320", "13800000001"}} {
		if _, err := r.Send(ctx, c.from, alipay.SendRequest{To: c.to, Amount: "1", PaymentPassword: c.bad}, ""); !wrongPass(err) {
			t.Fatalf("account %d, wrong password: %v", c.from, err)
		}
		if _, err := r.Send(ctx, c.from, alipay.SendRequest{To: c.to, Amount: "1", PaymentPassword: c.pin}, ""); err != nil {
			t.Fatalf("account %d, right password: %v", c.from, err)
		}
	}
	// The simulator's new password at a restart stays practice-strength;
	// a password set otherwise is strong.
	if err := r.SetSimulatedPassword(ctx, bot.ID, "111111"); err != nil {
		t.Fatal(err)
	}
	if k := kdf(bot.ID); k != alipay.PracticeKDF {
		t.Fatalf("a simulated password set again hashed with %+v", k)
	}
	if err := r.SetPassword(ctx, person.ID, "222222"); err != nil {
		t.Fatal(err)
	}
	if k := kdf(person.ID); k != alipay.StrongKDF {
		t.Fatalf("a person's password set again hashed with %+v", k)
	}
	if _, err := r.Send(ctx, bot.ID, alipay.SendRequest{To: "13800000001", Amount: "1", PaymentPassword: "111111"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Send(ctx, person.ID, alipay.SendRequest{To: "13800000002", Amount: "1", PaymentPassword: "222222"}, ""); err != nil {
		t.Fatal(err)
	}
}

func TestPasswordHashFormats(t *testing.T) {
	salt := []byte("0123456789abcdef")
	for _, k := range []alipay.KDF{alipay.StrongKDF, alipay.PracticeKDF} {
		h := alipay.HashPass("123456", salt, k)
		if !alipay.CheckPass("123456", salt, h) || alipay.CheckPass("123450", salt, h) {
			t.Fatalf("%+v: the check does not tell right from wrong", k)
		}
	}
	// A hash stored before hashes carried parameters: 32 bytes, strong.
	legacy := argon2.IDKey([]byte("123456"), salt, 1, 8*1024, 1, 32)
	if !alipay.CheckPass("123456", salt, legacy) || alipay.CheckPass("123450", salt, legacy) {
		t.Fatal("a hash without parameters does not verify as the strong kind")
	}
	// A damaged hash never verifies, and never asks for absurd work.
	bad := alipay.HashPass("123456", salt, alipay.PracticeKDF)
	bad[2] = 0xff
	if alipay.CheckPass("123456", salt, bad) || alipay.CheckPass("123456", salt, bad[:20]) || alipay.CheckPass("123456", salt, nil) {
		t.Fatal("a damaged hash verified")
	}
}

func wrongPass(err error) bool {
	var e *alipay.Error
	return asErr(err, &e) && e.Code == "PAYMENT_PASSWORD_WRONG"
}
