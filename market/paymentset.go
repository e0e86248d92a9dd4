package market

import (
	"p2pdesk/api"
)

func bit(p api.PaymentMethod) PaymentSet {
	for i, x := range api.PaymentMethods {
		if x == p {
			return 1 << i
		}
	}
	return 0
}

// PaymentSet is a set of payment methods, stored as a bit mask so an ad
// search can filter on it inside an index.
type PaymentSet uint8

// NewPaymentSet builds a set.
func NewPaymentSet(ms ...api.PaymentMethod) PaymentSet {
	var s PaymentSet
	for _, m := range ms {
		s |= bit(m)
	}
	return s
}

// Has reports whether m is in the set.
func (s PaymentSet) Has(m api.PaymentMethod) bool { return bit(m) != 0 && s&bit(m) != 0 }

// Methods lists the set in display order.
func (s PaymentSet) Methods() []api.PaymentMethod {
	var out []api.PaymentMethod
	for _, m := range api.PaymentMethods {
		if s.Has(m) {
			out = append(out, m)
		}
	}
	return out
}
