package market

import (
	"errors"
	"math/big"
	"testing"

	"p2pdesk/api"
	"p2pdesk/money"
)

// FuzzParseAmount: an amount or price a person typed is a positive
// decimal at the scale, or a refusal with a code they can act on; never a
// panic, never a silent rounding.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"100", "7.215", "7.21555", "0", "-1", "0.000001", "1e3", " 12.5 ", "９", "92233720368547.75808", "1,000", "0x10", "NaN", "Inf", ""} {
		f.Add(s, uint8(api.PriceScale))
		f.Add(s, uint8(6))
	}
	f.Fuzz(func(t *testing.T, s string, sc uint8) {
		scale := int(sc) % (money.MaxScale + 1)
		a, err := api.ParseAmount(s, scale, "amount")
		if err != nil {
			var me *api.Error
			if !errors.As(err, &me) || me.Field != "amount" {
				t.Fatalf("%q: %v is not a market error on the field", s, err)
			}
			switch me.Code {
			case api.CodeAmountInvalid, api.CodeAmountPrecision, api.CodeAmountTooLarge, api.CodeAmountNotPositive:
			default:
				t.Fatalf("%q: code %s", s, me.Code)
			}
			return
		}
		if !a.IsPositive() || a.Scale() != scale {
			t.Fatalf("%q accepted as %v", s, a)
		}
	})
}

// FuzzPricing: for any price and quantity a person could type, the fiat
// total is price x quantity rounded half-up at the fiat's scale (checked
// against math/big) or AMOUNT_TOO_LARGE; a fiat sum turned into a
// quantity never costs more than the sum; and the price band check agrees
// with math/big.
func FuzzPricing(f *testing.F) {
	f.Add("7.215", "100", "720", uint8(0), uint8(0), int64(2000))
	f.Add("7.2155", "0.000001", "0.01", uint8(0), uint8(0), int64(500))
	f.Add("920000000000000", "100", "100000", uint8(0), uint8(0), int64(2000)) // the overflow of issue 12
	f.Add("65000.5", "0.00000001", "1", uint8(1), uint8(1), int64(2000))
	f.Add("3500", "0.000000001", "99999999.99", uint8(2), uint8(2), int64(10000))
	f.Add("0.0001", "922337203685", "1", uint8(0), uint8(0), int64(1))
	f.Fuzz(func(t *testing.T, priceS, qtyS, fiatS string, ai, fi uint8, bandBP int64) {
		asset, fiat := api.Assets[int(ai)%len(api.Assets)], api.Fiats[int(fi)%len(api.Fiats)]
		price, err1 := api.ParseAmount(priceS, api.PriceScale, "price")
		qty, err2 := api.ParseAmount(qtyS, asset.Scale(), "amount")
		sum, err3 := api.ParseAmount(fiatS, fiat.Scale(), "fiatAmount")
		if err1 != nil || err2 != nil {
			return
		}
		total, err := api.FiatTotal(price, qty, fiat)
		exact := new(big.Int).Mul(big.NewInt(price.Units()), big.NewInt(qty.Units()))
		want := roundHalfUp(exact, pow10(api.PriceScale+asset.Scale()-fiat.Scale()))
		fitsWant := want.IsInt64()
		switch {
		case err != nil:
			var me *api.Error
			if !errors.As(err, &me) || me.Code != api.CodeAmountTooLarge {
				t.Fatalf("FiatTotal(%s, %s): %v", priceS, qtyS, err)
			}
			if fitsWant {
				t.Fatalf("FiatTotal(%s, %s) refused, but %s fits", priceS, qtyS, want)
			}
		case !fitsWant || total.Units() != want.Int64() || total.Scale() != fiat.Scale():
			t.Fatalf("FiatTotal(%s, %s) = %v, want %s units", priceS, qtyS, total, want)
		}
		if err3 == nil {
			q, err := api.QuantityForFiat(sum, price, asset)
			if err == nil && !q.IsNegative() {
				back, err := api.FiatTotal(price, q, fiat)
				if err != nil || back.Cmp(sum) > 0 {
					t.Fatalf("%s %s at %s is %v %s, which costs %v (%v): more than entered", fiatS, fiat, priceS, q, asset, back, err)
				}
			}
		}
		// The band: |price-index| <= index x band, the limit rounded down.
		if bandBP < 0 {
			bandBP = -bandBP
		}
		bandBP %= 10001
		index := qty // any positive amount, at its own scale
		if idx, err := index.Rescale(api.PriceScale); err == nil {
			got := withinBand(price, idx, bandBP)
			limit := new(big.Int).Mul(big.NewInt(idx.Units()), big.NewInt(bandBP))
			limit.Quo(limit, big.NewInt(10000))
			diff := new(big.Int).Sub(big.NewInt(price.Units()), big.NewInt(idx.Units()))
			want := diff.Abs(diff).Cmp(limit) <= 0
			hi := new(big.Int).Add(big.NewInt(idx.Units()), limit)
			if got != want && hi.IsInt64() {
				t.Fatalf("withinBand(%v, %v, %d) = %v, want %v", price, idx, bandBP, got, want)
			}
			if got && !want {
				t.Fatalf("withinBand(%v, %v, %d) let a price outside the band through", price, idx, bandBP)
			}
		}
	})
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// roundHalfUp is n/d (n >= 0) rounded half up.
func roundHalfUp(n, d *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if r.Lsh(r, 1).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}
