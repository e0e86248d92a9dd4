package sim

import (
	"p2pdesk/api"
	"p2pdesk/market"
	"p2pdesk/money"
)

// PracticeRules are the simulated market's rules: the bundled
// marketplace's, with a first KYC tier a new account meets with the
// practice balances. 20,000 CNY a day is what a practice account's
// Alipay holds, and about half its USDT: a learner who withdraws it all
// in a day meets the limit, and learns the ways past it (another day, the
// next tier), as a new user with real sums does.
func PracticeRules() market.Config {
	c := market.DefaultConfig()
	c.DailyLimits[1] = map[api.Fiat]money.Amount{
		api.CNY: money.MustParse("20000", 2), api.USD: money.MustParse("2800", 2), api.EUR: money.MustParse("2600", 2),
	}
	return c
}

func rules(c *market.Config) *market.Config {
	if c != nil {
		return c
	}
	r := PracticeRules()
	return &r
}
