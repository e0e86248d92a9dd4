package money

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

var (
	maxI64 = big.NewInt(math.MaxInt64)
	minI64 = big.NewInt(math.MinInt64)
)

func pow10Big(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// FuzzParse: Parse never panics; what it accepts is exactly the decimal
// it was given (checked against math/big) and prints back to itself;
// what it refuses for precision or size really is too precise or too
// large.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "1", "-1", "7.215", "100.50", "0.000001", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"92233720368.54775807", "1e5", "+1", " 1", "1.", ".5", "--1", "1.2345678901234567890", "00012.3400", "", "-", "1_000", "１"} {
		for _, sc := range []uint8{0, 2, 4, 6, 8, 9, 18} {
			f.Add(s, sc)
		}
	}
	f.Fuzz(func(t *testing.T, s string, sc uint8) {
		scale := int(sc) % (MaxScale + 1)
		a, err := Parse(s, scale)
		exact, isNum := new(big.Rat).SetString(s)
		plain := isNum && !strings.ContainsAny(s, "eE+/_xXoObB ") && !strings.HasPrefix(s, ".")
		scaled := new(big.Rat)
		if isNum {
			scaled.Mul(exact, new(big.Rat).SetInt(pow10Big(scale)))
		}
		switch {
		case err == nil:
			if !isNum {
				t.Fatalf("Parse(%q) accepted a non-number: %v", s, a)
			}
			if !scaled.IsInt() || scaled.Num().Cmp(big.NewInt(a.Units())) != 0 || a.Scale() != scale {
				t.Fatalf("Parse(%q, %d) = %d units, want %s", s, scale, a.Units(), scaled.RatString())
			}
			b, err := Parse(a.String(), scale)
			if err != nil || b != a {
				t.Fatalf("%q -> %v -> %q -> %v, %v: no round trip", s, a, a.String(), b, err)
			}
		case errors.Is(err, ErrPrecision):
			if plain && scaled.IsInt() {
				t.Fatalf("Parse(%q, %d): ErrPrecision, but it fits the scale", s, scale)
			}
		case errors.Is(err, ErrOverflow):
			if plain && scaled.IsInt() && scaled.Num().Cmp(maxI64) <= 0 && scaled.Num().Cmp(minI64) >= 0 {
				t.Fatalf("Parse(%q, %d): ErrOverflow, but %s fits", s, scale, scaled.RatString())
			}
		}
	})
}

// roundBig is n/d rounded half away from zero (halfUp) or toward zero.
func roundBig(n, d *big.Int, halfUp bool) *big.Int {
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if halfUp && r.Sign() != 0 {
		twice := new(big.Int).Abs(r)
		twice.Lsh(twice, 1)
		if twice.Cmp(new(big.Int).Abs(d)) >= 0 {
			if (n.Sign() < 0) != (d.Sign() < 0) {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	return q
}

func fits(v *big.Int) bool { return v.Cmp(maxI64) <= 0 && v.Cmp(new(big.Int).Neg(maxI64)) >= 0 }

// FuzzMulDiv: price x quantity against math/big: the same result, rounded
// as asked, or an error exactly when the result does not fit.
func FuzzMulDiv(f *testing.F) {
	f.Add(int64(72150), int64(100_000000), uint8(4), uint8(6), uint8(2), false) // 7.215 x 100 USDT
	f.Add(int64(72155), int64(1), uint8(4), uint8(0), uint8(3), false)          // a tie, half-up
	f.Add(int64(-72155), int64(1), uint8(4), uint8(0), uint8(3), true)          // negative, down
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64), uint8(18), uint8(18), uint8(0), false)
	f.Add(int64(920000000000000000), int64(100_000000), uint8(4), uint8(6), uint8(2), false) // the KYC overflow of issue 12
	f.Add(int64(math.MinInt64), int64(1), uint8(0), uint8(0), uint8(0), false)
	f.Add(int64(3), int64(7), uint8(0), uint8(0), uint8(18), false)
	f.Fuzz(func(t *testing.T, au, bu int64, as, bs, os uint8, down bool) {
		sa, sb, so := int(as)%(MaxScale+1), int(bs)%(MaxScale+1), int(os)%(MaxScale+1)
		mode := HalfUp
		if down {
			mode = Down
		}
		got, err := MulDiv(New(au, sa), New(bu, sb), so, mode)
		prod := new(big.Int).Mul(big.NewInt(au), big.NewInt(bu))
		shift := sa + sb - so
		var want *big.Int
		if shift <= 0 {
			want = prod.Mul(prod, pow10Big(-shift))
		} else {
			want = roundBig(prod, pow10Big(shift), !down)
		}
		switch {
		case shift > 19:
			if err == nil && (got.Units() != want.Int64() || !fits(want)) {
				t.Fatalf("scale gap %d: %v, want %s", shift, got, want)
			}
		case !fits(want):
			if err == nil {
				t.Fatalf("MulDiv(%d@%d, %d@%d, %d, %v) = %d, but the result %s does not fit", au, sa, bu, sb, so, mode, got.Units(), want)
			}
		case err != nil:
			t.Fatalf("MulDiv(%d@%d, %d@%d, %d, %v): %v, want %s", au, sa, bu, sb, so, mode, err, want)
		case got.Units() != want.Int64() || got.Scale() != so:
			t.Fatalf("MulDiv(%d@%d, %d@%d, %d, %v) = %d@%d, want %s@%d", au, sa, bu, sb, so, mode, got.Units(), got.Scale(), want, so)
		}
	})
}

// FuzzQuo: a fiat sum turned into a quantity against math/big.
func FuzzQuo(f *testing.F) {
	f.Add(int64(72000), int64(72150), uint8(2), uint8(4), uint8(6), true) // 720 CNY at 7.215
	f.Add(int64(1), int64(3), uint8(0), uint8(0), uint8(18), false)
	f.Add(int64(1), int64(0), uint8(0), uint8(0), uint8(0), true)
	f.Add(int64(math.MaxInt64), int64(1), uint8(0), uint8(18), uint8(18), true)
	f.Add(int64(-5), int64(2), uint8(0), uint8(0), uint8(0), false)
	f.Fuzz(func(t *testing.T, au, bu int64, as, bs, os uint8, down bool) {
		sa, sb, so := int(as)%(MaxScale+1), int(bs)%(MaxScale+1), int(os)%(MaxScale+1)
		mode := HalfUp
		if down {
			mode = Down
		}
		got, err := Quo(New(au, sa), New(bu, sb), so, mode)
		if bu == 0 {
			if !errors.Is(err, ErrDivZero) {
				t.Fatalf("a division by zero: %v, %v", got, err)
			}
			return
		}
		exp := so + sb - sa
		num, den := big.NewInt(au), big.NewInt(bu)
		if exp >= 0 {
			num.Mul(num, pow10Big(exp))
		} else {
			den.Mul(den, pow10Big(-exp))
		}
		want := roundBig(num, den, !down)
		if err != nil {
			// Refusing is right where the result does not fit, and
			// allowed where the divisor's own scaling leaves 64 bits.
			// A scale gap past MaxScale is refused too (a safe refusal:
			// real prices and amounts stay far inside it).
			wideDen := new(big.Int).Abs(den).Cmp(new(big.Int).SetUint64(math.MaxUint64)) > 0
			if fits(want) && !wideDen && exp <= MaxScale && -exp <= MaxScale {
				t.Fatalf("Quo(%d@%d, %d@%d, %d, %v): %v, want %s", au, sa, bu, sb, so, mode, err, want)
			}
			return
		}
		if !fits(want) || got.Units() != want.Int64() || got.Scale() != so {
			t.Fatalf("Quo(%d@%d, %d@%d, %d, %v) = %d@%d, want %s@%d", au, sa, bu, sb, so, mode, got.Units(), got.Scale(), want, so)
		}
	})
}
