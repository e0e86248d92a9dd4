package sim

import (
	"math/rand/v2"
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
)

// level is where an index starts and returns to, with its volatility.
type level struct {
	price  int64 // at market.PriceScale
	volPPM int64 // standard deviation of one tick, parts per million
}

// levels are realistic reference prices (late 2026, made up but sane),
// consistent across fiats: CNY = USD x 7.215, EUR = USD x 0.926 (BTC/CNY
// was ten times too high, found playing).
var levels = map[api.Pair]level{
	{Asset: api.USDT, Fiat: api.CNY}: {72150, 150},
	{Asset: api.USDT, Fiat: api.USD}: {10000, 60},
	{Asset: api.USDT, Fiat: api.EUR}: {9260, 120},
	{Asset: api.BTC, Fiat: api.CNY}:  {702_000_0000, 900},
	{Asset: api.BTC, Fiat: api.USD}:  {97_300_0000, 900},
	{Asset: api.BTC, Fiat: api.EUR}:  {90_100_0000, 900},
	{Asset: api.ETH, Fiat: api.CNY}:  {24_500_0000, 1100},
	{Asset: api.ETH, Fiat: api.USD}:  {3_400_0000, 1100},
	{Asset: api.ETH, Fiat: api.EUR}:  {3_150_0000, 1100},
}

// Feed is the market index: per pair, a seeded mean-reverting random walk
// (a discrete Ornstein-Uhlenbeck process) around a realistic level, in
// integer arithmetic so no float touches a price.
type Feed struct {
	rng   *rand.Rand
	price map[api.Pair]int64
	// RevertPPM is the pull back toward the level per tick, in ppm of the gap.
	RevertPPM int64
}

// NewFeed starts every pair at its level.
func NewFeed(seed uint64) *Feed {
	f := &Feed{rng: rand.New(rand.NewPCG(seed, 0x1dea)), price: map[api.Pair]int64{}, RevertPPM: 20_000}
	for _, p := range api.Pairs() {
		f.price[p] = levels[p].price
	}
	return f
}

// normal draws an approximately standard normal integer scaled by 1000
// (the sum of 12 uniforms minus 6, the classic Irwin-Hall trick).
func (f *Feed) normal() int64 {
	var s int64
	for i := 0; i < 12; i++ {
		s += f.rng.Int64N(1001)
	}
	return s - 6000
}

// Tick moves every pair one step and returns the new prices in pair order.
func (f *Feed) Tick() []api.IndexPoint {
	out := make([]api.IndexPoint, 0, len(f.price))
	for _, p := range api.Pairs() {
		lv := levels[p]
		cur := f.price[p]
		pull := (lv.price - cur) * f.RevertPPM / 1_000_000
		shock := cur * lv.volPPM * f.normal() / 1_000_000_000 // fits: 7e10 * 1100 * 6000 < 9.2e18
		next := cur + pull + shock
		if next < lv.price/2 {
			next = lv.price / 2
		}
		f.price[p] = next
		out = append(out, api.IndexPoint{Asset: p.Asset, Fiat: p.Fiat, Price: money.New(next, api.PriceScale)})
	}
	return out
}

// Price is the current index of a pair.
func (f *Feed) Price(p api.Pair) money.Amount { return money.New(f.price[p], api.PriceScale) }

// Past is the index of the last hours before start, one point an hour per
// pair, in time order: a walk of its own seed (the live feed's draws stay
// as they were) that ends where the live feed begins, so a chart of 30
// days has a past that leads to now.
func (f *Feed) Past(seed uint64, start time.Time, hours int) []api.IndexPoint {
	rng := rand.New(rand.NewPCG(seed, 0x9a57))
	past := &Feed{rng: rng, price: map[api.Pair]int64{}, RevertPPM: 30_000}
	walks := map[api.Pair][]int64{}
	for _, p := range api.Pairs() {
		past.price[p] = levels[p].price
		walk := make([]int64, hours)
		for i := range walk {
			lv := levels[p]
			cur := past.price[p]
			// An hour is 360 ticks of ten seconds: about 19 times a tick's
			// spread.
			next := cur + (lv.price-cur)*past.RevertPPM/1_000_000 + cur*lv.volPPM*19/1000*past.normal()/1_000_000
			next = max(next, lv.price/2)
			past.price[p], walk[i] = next, next
		}
		// Bend the walk so its last hour lands on the live feed's first price.
		gap := f.price[p] - walk[hours-1]
		for i := range walk {
			walk[i] += gap * int64(i+1) / int64(hours)
		}
		walks[p] = walk
	}
	out := make([]api.IndexPoint, 0, hours*len(walks))
	for i := 0; i < hours; i++ {
		at := start.Add(-time.Duration(hours-i) * time.Hour)
		for _, p := range api.Pairs() {
			out = append(out, api.IndexPoint{Asset: p.Asset, Fiat: p.Fiat, At: at, Price: money.New(walks[p][i], api.PriceScale)})
		}
	}
	return out
}
