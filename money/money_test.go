package money

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

func TestParseFormat(t *testing.T) {
	cases := []struct {
		in    string
		scale int
		units int64
		canon string
		fixed string
	}{
		{"100", 6, 100_000_000, "100", "100.000000"},
		{"100.5", 6, 100_500_000, "100.5", "100.500000"},
		{"0.000001", 6, 1, "0.000001", "0.000001"},
		{"-0.5", 2, -50, "-0.5", "-0.50"},
		{"007.2150", 4, 72150, "7.215", "7.2150"},
		{"1.500", 1, 15, "1.5", "1.5"},
		{"0", 0, 0, "0", "0"},
		{"9223372036.854775807", 9, math.MaxInt64, "9223372036.854775807", "9223372036.854775807"},
	}
	for _, c := range cases {
		a, err := Parse(c.in, c.scale)
		if err != nil {
			t.Fatalf("Parse(%q,%d): %v", c.in, c.scale, err)
		}
		if a.Units() != c.units || a.Scale() != c.scale {
			t.Errorf("Parse(%q) = %d@%d, want %d@%d", c.in, a.Units(), a.Scale(), c.units, c.scale)
		}
		if a.String() != c.canon {
			t.Errorf("String(%q) = %q, want %q", c.in, a.String(), c.canon)
		}
		if a.Fixed() != c.fixed {
			t.Errorf("Fixed(%q) = %q, want %q", c.in, a.Fixed(), c.fixed)
		}
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		in    string
		scale int
		err   error
	}{
		{"", 2, ErrSyntax},
		{"1e5", 2, ErrSyntax},
		{"+1", 2, ErrSyntax},
		{"1,000", 2, ErrSyntax},
		{" 1", 2, ErrSyntax},
		{"1.", 2, ErrSyntax},
		{".5", 2, ErrSyntax},
		{"--1", 2, ErrSyntax},
		{"0x10", 2, ErrSyntax},
		{"NaN", 2, ErrSyntax},
		{"1.234", 2, ErrPrecision},
		{"0.0000001", 6, ErrPrecision},
		{"9223372036.854775808", 9, ErrOverflow},
		{"99999999999999999999999", 0, ErrOverflow},
	}
	for _, c := range cases {
		if _, err := Parse(c.in, c.scale); !errors.Is(err, c.err) {
			t.Errorf("Parse(%q,%d) err = %v, want %v", c.in, c.scale, err, c.err)
		}
	}
}

func TestRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		scale := rapid.IntRange(0, MaxScale).Draw(t, "scale")
		units := rapid.Int64().Draw(t, "units")
		a := New(units, scale)
		for _, s := range []string{a.String(), a.Fixed()} {
			b, err := Parse(s, scale)
			if err != nil {
				t.Fatalf("Parse(%q): %v", s, err)
			}
			if b != a {
				t.Fatalf("round trip %d@%d via %q gave %d", units, scale, s, b.Units())
			}
		}
	})
}

func TestCheckedArithmetic(t *testing.T) {
	max := New(math.MaxInt64, 2)
	one := New(1, 2)
	if _, err := max.Add(one); !errors.Is(err, ErrOverflow) {
		t.Errorf("MaxInt64+1: err = %v", err)
	}
	min := New(math.MinInt64, 2)
	if _, err := min.Sub(one); !errors.Is(err, ErrOverflow) {
		t.Errorf("MinInt64-1: err = %v", err)
	}
	if _, err := min.Neg(); !errors.Is(err, ErrOverflow) {
		t.Errorf("-MinInt64: err = %v", err)
	}
	if sum, err := one.Add(New(1, 3)); err != nil || sum.String() != "0.011" {
		t.Errorf("0.01+0.001 = %v, %v", sum, err)
	}
	if New(10, 1).Cmp(New(100, 2)) != 0 || New(-1, 0).Cmp(New(5, 9)) != -1 || New(math.MaxInt64, 0).Cmp(New(1, 18)) != 1 {
		t.Errorf("mixed-scale Cmp wrong")
	}
	s, err := New(150, 2).Sub(New(200, 2))
	if err != nil || s.Units() != -50 {
		t.Errorf("1.50-2.00 = %v, %v", s, err)
	}
}

func TestArithmeticMatchesBigInt(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Int64().Draw(t, "a")
		b := rapid.Int64().Draw(t, "b")
		want := new(big.Int).Add(big.NewInt(a), big.NewInt(b))
		got, err := New(a, 4).Add(New(b, 4))
		if want.IsInt64() != (err == nil) {
			t.Fatalf("%d+%d: fits=%v err=%v", a, b, want.IsInt64(), err)
		}
		if err == nil && got.Units() != want.Int64() {
			t.Fatalf("%d+%d = %d, want %s", a, b, got.Units(), want)
		}
		want = new(big.Int).Sub(big.NewInt(a), big.NewInt(b))
		got, err = New(a, 4).Sub(New(b, 4))
		if want.IsInt64() != (err == nil) {
			t.Fatalf("%d-%d: fits=%v err=%v", a, b, want.IsInt64(), err)
		}
		if err == nil && got.Units() != want.Int64() {
			t.Fatalf("%d-%d = %d, want %s", a, b, got.Units(), want)
		}
	})
}

func TestMulDivFiatTotal(t *testing.T) {
	price := MustParse("7.215", 4) // CNY per USDT
	qty := MustParse("100.5", 6)   // USDT
	total, err := MulDiv(price, qty, 2, HalfUp)
	if err != nil {
		t.Fatal(err)
	}
	// 7.215 * 100.5 = 725.1075 -> 725.11 half-up
	if total.String() != "725.11" {
		t.Errorf("total = %s, want 725.11", total)
	}
	down, _ := MulDiv(price, qty, 2, Down)
	if down.String() != "725.1" {
		t.Errorf("total down = %s, want 725.1", down)
	}
	// Exactly half rounds up: 0.005 -> 0.01.
	half, _ := MulDiv(MustParse("0.5", 4), MustParse("0.01", 6), 2, HalfUp)
	if half.String() != "0.01" {
		t.Errorf("half = %s, want 0.01", half)
	}
	// A BTC trade whose 64-bit intermediate would overflow.
	btcPrice := MustParse("712345.6789", 4)
	btc := MustParse("25", 8)
	big1, err := MulDiv(btcPrice, btc, 2, HalfUp)
	if err != nil || big1.String() != "17808641.97" {
		t.Errorf("btc total = %v, %v", big1, err)
	}
	if _, err := MulDiv(New(math.MaxInt64, 0), New(math.MaxInt64, 0), 0, HalfUp); !errors.Is(err, ErrOverflow) {
		t.Errorf("huge product: err = %v", err)
	}
}

func TestMulDivMatchesBigInt(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Int64Range(-1e15, 1e15).Draw(t, "a")
		b := rapid.Int64Range(-1e15, 1e15).Draw(t, "b")
		as := rapid.IntRange(0, 9).Draw(t, "as")
		bs := rapid.IntRange(0, 9).Draw(t, "bs")
		out := rapid.IntRange(0, as+bs).Draw(t, "out")
		got, err := MulDiv(New(a, as), New(b, bs), out, HalfUp)
		// reference: |a*b| / 10^shift, half up, sign restored
		prod := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		neg := prod.Sign() < 0
		prod.Abs(prod)
		d := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(as+bs-out)), nil)
		q, r := new(big.Int).QuoRem(prod, d, new(big.Int))
		if new(big.Int).Mul(r, big.NewInt(2)).Cmp(d) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		if neg {
			q.Neg(q)
		}
		if q.IsInt64() != (err == nil) {
			t.Fatalf("fits=%v err=%v", q.IsInt64(), err)
		}
		if err == nil && got.Units() != q.Int64() {
			t.Fatalf("MulDiv = %d, want %s", got.Units(), q)
		}
	})
}

func TestQuo(t *testing.T) {
	fiat := MustParse("500", 2)
	price := MustParse("7.215", 4)
	qty, err := Quo(fiat, price, 6, Down)
	if err != nil {
		t.Fatal(err)
	}
	// 500 / 7.215 = 69.3000693... -> 69.300069 truncated at 6 dp
	if qty.String() != "69.300069" {
		t.Errorf("qty = %s", qty)
	}
	// Never costs more than entered.
	back, _ := MulDiv(price, qty, 2, HalfUp)
	if back.Cmp(fiat) > 0 {
		t.Errorf("qty %s costs %s > %s", qty, back, fiat)
	}
	if _, err := Quo(fiat, Zero(4), 6, Down); !errors.Is(err, ErrDivZero) {
		t.Errorf("div zero err = %v", err)
	}
}

func TestRescaleAndRound(t *testing.T) {
	a := MustParse("1.25", 2)
	if _, err := a.Rescale(1); !errors.Is(err, ErrPrecision) {
		t.Errorf("lossy rescale err = %v", err)
	}
	r, _ := a.RoundHalfUp(1)
	if r.String() != "1.3" {
		t.Errorf("round = %s", r)
	}
	n, _ := MustParse("-1.25", 2).RoundHalfUp(1)
	if n.String() != "-1.3" {
		t.Errorf("neg round = %s", n)
	}
	if got := MustParse("3", 0).FixedN(2); got != "3.00" {
		t.Errorf("FixedN = %s", got)
	}
}

func TestJSON(t *testing.T) {
	var a Amount
	if err := json.Unmarshal([]byte(`"100.50"`), &a); err != nil || a.String() != "100.5" {
		t.Fatalf("unmarshal: %v %v", a, err)
	}
	if err := json.Unmarshal([]byte(`100.5`), &a); err == nil {
		t.Fatal("a JSON number must be refused")
	}
	b, _ := json.Marshal(MustParse("7.215", 4))
	if string(b) != `"7.215"` {
		t.Fatalf("marshal = %s", b)
	}
}

func TestUnitsAt(t *testing.T) {
	a, err := ParseAuto("718.6")
	if err != nil {
		t.Fatal(err)
	}
	if a.Units() != 7186 {
		t.Fatalf("units at the written scale: %d", a.Units())
	}
	if u, err := a.UnitsAt(2); err != nil || u != 71860 {
		t.Fatalf("UnitsAt(2) = %d, %v; want 71860", u, err)
	}
	if _, err := MustParse("0.125", 3).UnitsAt(2); err == nil {
		t.Fatal("UnitsAt dropped a digit without an error")
	}
}
