package api

import (
	"fmt"
	"slices"
	"strings"

	"p2pdesk/money"
)

// Asset is a crypto asset traded on the desk.
type Asset string

const (
	USDT Asset = "USDT"
	BTC  Asset = "BTC"
	ETH  Asset = "ETH"
)

// Assets lists every tradable asset in display order.
var Assets = []Asset{USDT, BTC, ETH}

// Scale is the number of decimals the ledger keeps for the asset.
func (a Asset) Scale() int {
	switch a {
	case BTC:
		return 8
	case ETH:
		return 9
	default:
		return 6
	}
}

// ParseAsset reads an asset code, case-insensitively.
func ParseAsset(s string) (Asset, error) {
	a := Asset(strings.ToUpper(strings.TrimSpace(s)))
	for _, x := range Assets {
		if a == x {
			return a, nil
		}
	}
	return "", Errorf(CodeUnknownAsset, "asset", "unknown asset %q: use one of USDT, BTC, ETH", s)
}

// Fiat is a fiat currency the price is quoted in.
type Fiat string

const (
	CNY Fiat = "CNY"
	USD Fiat = "USD"
	EUR Fiat = "EUR"
)

// Fiats lists every fiat currency in display order.
var Fiats = []Fiat{CNY, USD, EUR}

// Scale is the number of decimals of the fiat (cents, fen).
func (Fiat) Scale() int { return 2 }

// ParseFiat reads a fiat code, case-insensitively.
func ParseFiat(s string) (Fiat, error) {
	f := Fiat(strings.ToUpper(strings.TrimSpace(s)))
	for _, x := range Fiats {
		if f == x {
			return f, nil
		}
	}
	return "", Errorf(CodeUnknownFiat, "fiat", "unknown fiat currency %q: use one of CNY, USD, EUR", s)
}

// PriceScale is the number of decimals of a price (fiat per one unit of
// the asset), e.g. 7.2150 CNY per USDT.
const PriceScale = 4

// Side is the maker's side of an ad: a "sell" ad sells crypto (the taker
// buys), a "buy" ad buys crypto (the taker sells).
type Side string

const (
	Sell Side = "sell"
	Buy  Side = "buy"
)

// ParseSide reads a side.
func ParseSide(s string) (Side, error) {
	switch Side(strings.ToLower(strings.TrimSpace(s))) {
	case Sell:
		return Sell, nil
	case Buy:
		return Buy, nil
	}
	return "", Errorf(CodeInvalidArgument, "side", "side must be \"buy\" or \"sell\", not %q", s)
}

// Opposite is the taker's side of an ad with this maker side.
func (s Side) Opposite() Side {
	if s == Sell {
		return Buy
	}
	return Sell
}

// PaymentMethod is a way the fiat leg is paid.
type PaymentMethod string

const (
	Alipay PaymentMethod = "alipay"
	WeChat PaymentMethod = "wechat"
	Bank   PaymentMethod = "bank"
)

// PaymentMethods lists every method in display order.
var PaymentMethods = []PaymentMethod{Alipay, WeChat, Bank}

// Label is the name people know the method by.
func (p PaymentMethod) Label() string {
	switch p {
	case Alipay:
		return "Alipay"
	case WeChat:
		return "WeChat Pay"
	case Bank:
		return "Bank transfer"
	}
	return string(p)
}

// ParsePaymentMethod reads a payment method name.
func ParsePaymentMethod(s string) (PaymentMethod, error) {
	p := PaymentMethod(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(PaymentMethods, p) {
		return "", Errorf(CodeUnknownPaymentMethod, "payment", "unknown payment method %q: use alipay, wechat or bank", s)
	}
	return p, nil
}

// ParseAmount reads a positive amount at a scale, with the error codes a
// person can act on.
func ParseAmount(s string, scale int, field string) (money.Amount, error) {
	a, err := money.Parse(strings.TrimSpace(s), scale)
	switch {
	case err == money.ErrPrecision:
		return a, Errorf(CodeAmountPrecision, field, "%s has more than %d decimal places", field, scale)
	case err == money.ErrOverflow:
		return a, Errorf(CodeAmountTooLarge, field, "%s is too large", field)
	case err != nil:
		return a, Errorf(CodeAmountInvalid, field, "%s must be a plain decimal number like \"100.5\", not %q", field, s)
	case !a.IsPositive():
		return a, Errorf(CodeAmountNotPositive, field, "%s must be greater than zero", field)
	}
	return a, nil
}

// FiatTotal is the one rounding rule of the desk: the fiat total of a
// trade is price x quantity rounded half-up to the fiat's scale.
func FiatTotal(price, qty money.Amount, fiat Fiat) (money.Amount, error) {
	t, err := money.MulDiv(price, qty, fiat.Scale(), money.HalfUp)
	if err != nil {
		return t, Errorf(CodeAmountTooLarge, "amount", "the fiat total is too large")
	}
	return t, nil
}

// QuantityForFiat is the largest quantity of the asset whose fiat total
// does not exceed the fiat sum: the quotient is rounded down to the
// asset's scale.
func QuantityForFiat(fiatSum, price money.Amount, asset Asset) (money.Amount, error) {
	q, err := money.Quo(fiatSum, price, asset.Scale(), money.Down)
	if err != nil {
		return q, Errorf(CodeAmountTooLarge, "amount", "the amount is too large: %v", err)
	}
	return q, nil
}

// Pair names an index: an asset priced in a fiat.
type Pair struct {
	Asset Asset `json:"asset"`
	Fiat  Fiat  `json:"fiat"`
}

func (p Pair) String() string { return fmt.Sprintf("%s/%s", p.Asset, p.Fiat) }

// Pairs lists every index the market keeps.
func Pairs() []Pair {
	var out []Pair
	for _, a := range Assets {
		for _, f := range Fiats {
			out = append(out, Pair{a, f})
		}
	}
	return out
}
