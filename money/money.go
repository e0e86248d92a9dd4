// Package money holds fixed-point decimal amounts. Every amount is an
// integer count of minor units at a fixed scale (number of decimals); no
// float is used anywhere. Arithmetic is checked: overflow is an error,
// never a wrap.
package money

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strings"
)

// MaxScale is the largest scale an Amount may carry (ETH uses 9).
const MaxScale = 18

var (
	// ErrSyntax: the text is not a plain decimal number.
	ErrSyntax = errors.New("not a decimal number")
	// ErrPrecision: the text has more decimals than the scale allows.
	ErrPrecision = errors.New("too many decimal places")
	// ErrOverflow: the value does not fit in 64 bits of minor units.
	ErrOverflow = errors.New("amount too large")
	// ErrDivZero: division by a zero amount.
	ErrDivZero = errors.New("division by zero")
)

var pow10 [MaxScale + 1]int64

func init() {
	p := int64(1)
	for i := range pow10 {
		pow10[i] = p
		if i < MaxScale {
			p *= 10
		}
	}
}

// Pow10 returns 10^n for 0 <= n <= MaxScale.
func Pow10(n int) int64 { return pow10[n] }

// Amount is a signed fixed-point number: Units / 10^Scale.
type Amount struct {
	units int64
	scale uint8
}

// New builds an Amount from minor units at a scale.
func New(units int64, scale int) Amount {
	if scale < 0 || scale > MaxScale {
		panic(fmt.Sprintf("money: scale %d out of range", scale))
	}
	return Amount{units: units, scale: uint8(scale)}
}

// Zero is the zero amount at a scale.
func Zero(scale int) Amount { return New(0, scale) }

// Units is the integer count of minor units.
func (a Amount) Units() int64 { return a.units }

// Scale is the number of decimals.
func (a Amount) Scale() int { return int(a.scale) }

func (a Amount) IsZero() bool     { return a.units == 0 }
func (a Amount) IsNegative() bool { return a.units < 0 }
func (a Amount) IsPositive() bool { return a.units > 0 }

// Parse reads a plain decimal string ("100", "-0.5", "7.215") at a scale.
// It refuses exponents, signs other than a leading '-', thousands
// separators, blanks and more decimals than the scale: an amount is never
// rounded silently on the way in.
func Parse(s string, scale int) (Amount, error) {
	if scale < 0 || scale > MaxScale {
		return Amount{}, fmt.Errorf("money: scale %d out of range", scale)
	}
	if s == "" {
		return Amount{}, ErrSyntax
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") {
		return Amount{}, ErrSyntax
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return Amount{}, ErrSyntax
			}
		}
	}
	// Trailing zeros beyond the scale carry no precision ("1.500" at scale 1).
	frac = strings.TrimRight(frac, "0")
	if len(frac) > scale {
		return Amount{}, ErrPrecision
	}
	intPart = strings.TrimLeft(intPart, "0")
	var u uint64
	for _, c := range intPart + frac + strings.Repeat("0", scale-len(frac)) {
		hi, lo := bits.Mul64(u, 10)
		if hi != 0 {
			return Amount{}, ErrOverflow
		}
		lo, carry := bits.Add64(lo, uint64(c-'0'), 0)
		if carry != 0 {
			return Amount{}, ErrOverflow
		}
		u = lo
	}
	if neg {
		if u > 1<<63 {
			return Amount{}, ErrOverflow
		}
		return Amount{units: int64(-u), scale: uint8(scale)}, nil
	}
	if u > math.MaxInt64 {
		return Amount{}, ErrOverflow
	}
	return Amount{units: int64(u), scale: uint8(scale)}, nil
}

// MustParse is Parse for constants in code and tests.
func MustParse(s string, scale int) Amount {
	a, err := Parse(s, scale)
	if err != nil {
		panic(fmt.Sprintf("money: MustParse(%q, %d): %v", s, scale, err))
	}
	return a
}

// String is the canonical form: no trailing zeros after the point, no
// point for whole numbers. Parse(String()) gives back the same amount.
func (a Amount) String() string {
	s := a.Fixed()
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// Fixed prints every decimal of the scale ("71.00").
func (a Amount) Fixed() string {
	u := uint64(a.units)
	neg := a.units < 0
	if neg {
		u = uint64(-(a.units + 1)) + 1 // safe for MinInt64
	}
	digits := fmt.Sprintf("%0*d", int(a.scale)+1, u)
	cut := len(digits) - int(a.scale)
	out := digits[:cut]
	if a.scale > 0 {
		out += "." + digits[cut:]
	}
	if neg {
		out = "-" + out
	}
	return out
}

// FixedN prints with exactly n decimals, rounding half-up (away from zero)
// when n is below the scale. For display only.
func (a Amount) FixedN(n int) string {
	if n >= int(a.scale) {
		r, err := a.Rescale(n)
		if err != nil {
			return a.Fixed()
		}
		return r.Fixed()
	}
	r, err := a.RoundHalfUp(n)
	if err != nil {
		return a.Fixed()
	}
	return r.Fixed()
}

// align brings two amounts to the wider of their scales without losing
// anything. Scale is precision, not a unit: the caller keeps track of
// which asset an amount is in.
func align(a, b Amount) (Amount, Amount, error) {
	if a.scale == b.scale {
		return a, b, nil
	}
	s := max(a.scale, b.scale)
	var err error
	if a, err = a.Rescale(int(s)); err != nil {
		return a, b, err
	}
	b, err = b.Rescale(int(s))
	return a, b, err
}

// Add returns a+b.
func (a Amount) Add(b Amount) (Amount, error) {
	a, b, err := align(a, b)
	if err != nil {
		return Amount{}, err
	}
	s := a.units + b.units
	if (s > a.units) != (b.units > 0) {
		return Amount{}, ErrOverflow
	}
	return Amount{units: s, scale: a.scale}, nil
}

// Sub returns a-b.
func (a Amount) Sub(b Amount) (Amount, error) {
	a, b, err := align(a, b)
	if err != nil {
		return Amount{}, err
	}
	s := a.units - b.units
	if (s < a.units) != (b.units > 0) {
		return Amount{}, ErrOverflow
	}
	return Amount{units: s, scale: a.scale}, nil
}

// Neg returns -a.
func (a Amount) Neg() (Amount, error) {
	if a.units == math.MinInt64 {
		return Amount{}, ErrOverflow
	}
	return Amount{units: -a.units, scale: a.scale}, nil
}

// Cmp compares two amounts exactly, whatever their scales: -1, 0 or +1.
func (a Amount) Cmp(b Amount) int {
	if a.scale != b.scale {
		// Compare the 128-bit products so no rescale can overflow.
		sa, sb := a, b
		ha, la := bits.Mul64(uabs(sa.units), uint64(pow10[max(sa.scale, sb.scale)-sa.scale]))
		hb, lb := bits.Mul64(uabs(sb.units), uint64(pow10[max(sa.scale, sb.scale)-sb.scale]))
		na, nb := sa.units < 0, sb.units < 0
		if na != nb {
			if na {
				return -1
			}
			return 1
		}
		c := 0
		switch {
		case ha != hb:
			c = cmpU(ha, hb)
		default:
			c = cmpU(la, lb)
		}
		if na {
			return -c
		}
		return c
	}
	switch {
	case a.units < b.units:
		return -1
	case a.units > b.units:
		return 1
	}
	return 0
}

// Rescale changes the scale without losing information: it refuses to
// drop non-zero digits.
func (a Amount) Rescale(scale int) (Amount, error) {
	if scale < 0 || scale > MaxScale {
		return Amount{}, fmt.Errorf("money: scale %d out of range", scale)
	}
	if scale >= int(a.scale) {
		m := pow10[scale-int(a.scale)]
		hi, lo := bits.Mul64(uabs(a.units), uint64(m))
		if hi != 0 || lo > math.MaxInt64 {
			return Amount{}, ErrOverflow
		}
		return Amount{units: sign(a.units) * int64(lo), scale: uint8(scale)}, nil
	}
	d := pow10[int(a.scale)-scale]
	if a.units%d != 0 {
		return Amount{}, ErrPrecision
	}
	return Amount{units: a.units / d, scale: uint8(scale)}, nil
}

// UnitsAt is the amount in units of the given scale. Amounts decoded from
// JSON keep the scale they were written with ("718.6" has scale 1), so
// code that does arithmetic on units must say which scale it means.
func (a Amount) UnitsAt(scale int) (int64, error) {
	r, err := a.Rescale(scale)
	return r.units, err
}

// RoundHalfUp reduces the scale, rounding half away from zero.
func (a Amount) RoundHalfUp(scale int) (Amount, error) {
	if scale >= int(a.scale) {
		return a.Rescale(scale)
	}
	d := uint64(pow10[int(a.scale)-scale])
	q, r := uabs(a.units)/d, uabs(a.units)%d
	if r*2 >= d {
		q++
	}
	return Amount{units: sign(a.units) * int64(q), scale: uint8(scale)}, nil
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func uabs(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}

func sign(v int64) int64 {
	if v < 0 {
		return -1
	}
	return 1
}

// Rounding says how a result that falls between two minor units is
// resolved.
type Rounding int

const (
	// HalfUp rounds to the nearest unit, ties away from zero. Used for a
	// fiat total: price x quantity.
	HalfUp Rounding = iota
	// Down truncates toward zero. Used when a fiat amount is turned into
	// a quantity, so the quantity never costs more than was entered.
	Down
)

func (r Rounding) String() string {
	if r == Down {
		return "down"
	}
	return "half-up"
}

// MulDiv returns a*b/10^(a.scale+b.scale-outScale), i.e. the product of two
// fixed-point numbers at outScale, rounded as asked. The intermediate
// product is 128 bits wide, so no realistic price x quantity overflows
// before rounding; a result that does not fit in 64 bits is an error.
func MulDiv(a, b Amount, outScale int, mode Rounding) (Amount, error) {
	if outScale < 0 || outScale > MaxScale {
		return Amount{}, fmt.Errorf("money: scale %d out of range", outScale)
	}
	neg := (a.units < 0) != (b.units < 0)
	hi, lo := bits.Mul64(uabs(a.units), uabs(b.units))
	shift := int(a.scale) + int(b.scale) - outScale
	if shift < 0 {
		// Scale up: multiply the 128-bit product by 10^-shift.
		m := uint64(pow10[-shift])
		h2, l2 := bits.Mul64(lo, m)
		hh, hl := bits.Mul64(hi, m)
		if hh != 0 {
			return Amount{}, ErrOverflow
		}
		var c uint64
		h2, c = bits.Add64(h2, hl, 0)
		if c != 0 {
			return Amount{}, ErrOverflow
		}
		hi, lo = h2, l2
		shift = 0
	}
	if shift > 19 {
		return Amount{}, fmt.Errorf("money: scale gap %d too wide", shift)
	}
	q, r, err := div128(hi, lo, pow10Wide(shift))
	if err != nil {
		return Amount{}, err
	}
	if mode == HalfUp && shift > 0 && r >= pow10Wide(shift)-r {
		q++
	}
	if q > math.MaxInt64 {
		return Amount{}, ErrOverflow
	}
	v := int64(q)
	if neg {
		v = -v
	}
	return Amount{units: v, scale: uint8(outScale)}, nil
}

// Quo returns a/b at outScale, rounded as asked. For turning a fiat sum
// into a quantity at a price.
func Quo(a, b Amount, outScale int, mode Rounding) (Amount, error) {
	if b.units == 0 {
		return Amount{}, ErrDivZero
	}
	if outScale < 0 || outScale > MaxScale {
		return Amount{}, fmt.Errorf("money: scale %d out of range", outScale)
	}
	neg := (a.units < 0) != (b.units < 0)
	// q = a.units * 10^(outScale + b.scale - a.scale) / b.units
	exp := outScale + int(b.scale) - int(a.scale)
	num := uabs(a.units)
	den := uabs(b.units)
	var hi, lo uint64
	if exp >= 0 {
		if exp > MaxScale {
			return Amount{}, ErrOverflow
		}
		hi, lo = bits.Mul64(num, uint64(pow10[exp]))
	} else {
		if -exp > MaxScale {
			return Amount{}, ErrOverflow
		}
		// Dividing by a further power of ten: fold it into the divisor.
		h, l := bits.Mul64(den, uint64(pow10[-exp]))
		if h != 0 {
			return Amount{}, ErrOverflow
		}
		den = l
		hi, lo = 0, num
	}
	if hi >= den {
		return Amount{}, ErrOverflow
	}
	q, r := bits.Div64(hi, lo, den)
	if mode == HalfUp && r >= den-r {
		q++
	}
	if q > math.MaxInt64 {
		return Amount{}, ErrOverflow
	}
	v := int64(q)
	if neg {
		v = -v
	}
	return Amount{units: v, scale: uint8(outScale)}, nil
}

// pow10Wide is 10^n for n up to 2*MaxScale as far as uint64 reaches (n<=19).
func pow10Wide(n int) uint64 {
	p := uint64(1)
	for i := 0; i < n; i++ {
		p *= 10
	}
	return p
}

// div128 divides a 128-bit number by a 64-bit divisor, failing when the
// quotient does not fit in 64 bits.
func div128(hi, lo, d uint64) (q, r uint64, err error) {
	if d == 0 {
		return 0, 0, ErrDivZero
	}
	if hi >= d {
		return 0, 0, ErrOverflow
	}
	q, r = bits.Div64(hi, lo, d)
	return q, r, nil
}

// MarshalJSON writes the canonical decimal string: amounts are never JSON
// numbers on the wire.
func (a Amount) MarshalJSON() ([]byte, error) {
	return json.Marshal(a.String())
}

// UnmarshalJSON accepts only a JSON string holding a plain decimal; a JSON
// number is refused so that no float ever carries money. The scale is the
// number of decimals written (at most MaxScale); code that needs an
// asset's scale parses with Parse instead.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("amount must be a decimal string: %w", ErrSyntax)
	}
	v, err := ParseAuto(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// ParseAuto parses a decimal at the scale its text shows.
func ParseAuto(s string) (Amount, error) {
	_, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	if len(frac) > MaxScale {
		return Amount{}, ErrPrecision
	}
	return Parse(s, len(frac))
}
