package sim

import (
	"context"
	"time"

	"p2pdesk/market"
)

// A merchant on OKX or Binance P2P trades with far more people than this
// world plays order by order: a new account shows a few dozen orders in
// 30 days, a mid-size merchant a few hundred, a large one thousands. The
// orders the world does play (the seeded past, and everything since)
// stay real; the rest of each merchant's volume is carried as one record
// rollup a day (market.Service.CarryRecords), drawn from the merchant's
// persona so its completion rate and its release and pay times match.
// Each day's figures are a pure function of the seed, the merchant and
// the day, so a world stays byte-identical for a seed, and a restart
// carries exactly the days it carried before.

// Merchant sizes: completed orders a day beyond the ones played.
const (
	sizeNew   = iota // nothing carried: the played past alone (20-110)
	sizeMid          // 5-20 a day: about 150-600 in 30 days
	sizeLarge        // 28-100 a day: about 800-2,900
)

// carrier is a merchant whose record carries volume.
type carrier struct {
	user    int64
	persona Persona
}

// mix is splitmix64: a well-spread hash of its input.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// draw is a number for (seed, user, day, what), the same on every run.
func draw(seed uint64, user, day int64, what uint64) uint64 {
	return mix(mix(mix(seed^what)^uint64(user)) ^ uint64(day))
}

// merchantSize: verified merchants are mid-size or large; most
// unverified ones are new or mid-size, a few large.
func merchantSize(seed uint64, c carrier) int {
	r := draw(seed, c.user, 0, 1) % 10
	switch {
	case c.persona.Verified && r < 6:
		return sizeLarge
	case c.persona.Verified:
		return sizeMid
	case r < 4:
		return sizeNew
	case r < 9:
		return sizeMid
	}
	return sizeLarge
}

// portion rounds n*num/den up or down by a draw, so fractions add up
// right over many days instead of always rounding down.
func portion(n, num, den int64, r uint64) int64 {
	if den <= 0 {
		return 0
	}
	p := n * num
	out := p / den
	if int64(r%uint64(den)) < p%den {
		out++
	}
	return out
}

// carriedDay is what c traded on day beyond the played orders.
func carriedDay(seed uint64, c carrier, day int64) (market.TraderDay, bool) {
	lo, hi := int64(0), int64(0)
	switch merchantSize(seed, c) {
	case sizeMid:
		lo, hi = 5, 20
	case sizeLarge:
		lo, hi = 28, 100
	default:
		return market.TraderDay{}, false
	}
	// A merchant keeps to its own level, busier some days than others.
	level := lo + int64(draw(seed, c.user, 0, 2)%uint64(hi-lo+1))
	done := level * int64(70+draw(seed, c.user, day, 3)%61) / 100
	if done <= 0 {
		return market.TraderDay{}, false
	}
	p := c.persona
	bp := max(1, min(10000, p.CompletionBP))
	// Sells are 3 in 5, as in the played past; failures are the
	// merchant's cancelled buys, enough to hold its completion rate.
	releases := portion(done, 3, 5, draw(seed, c.user, day, 4))
	pays := done - releases
	d := market.TraderDay{
		UserID:    c.user,
		Day:       day,
		Completed: done,
		Failed:    portion(done, 10000-bp, bp, draw(seed, c.user, day, 5)),
		ReleaseN:  releases,
		// The played past releases after ReleaseDelay plus up to 90 s.
		ReleaseSumS: releases * int64((p.ReleaseDelay+45*time.Second)/time.Second),
		PayN:        pays,
		PaySumS:     pays * int64(p.PayDelay/time.Second),
	}
	// A third of the buyers rate; one rating in forty is bad.
	rated := portion(done, 1, 3, draw(seed, c.user, day, 6))
	d.Negative = portion(rated, 1, 40, draw(seed, c.user, day, 7))
	d.Positive = rated - d.Negative
	return d, true
}

// carryDays are the record window's past days, the one before today back
// to the window's first: today's trades are the ones being played.
const carryDays = 29

// carry writes the carried days of every merchant up to yesterday that
// are not written yet.
func (w *World) carry(ctx context.Context) error {
	w.mu.Lock()
	cs, seed, done := w.carriers, w.seed, w.carriedTo
	w.mu.Unlock()
	if len(cs) == 0 {
		return nil
	}
	today := market.DayStart(w.Sched.Now()).Unix() / 86400
	from := max(today-carryDays, done+1)
	if from > today-1 {
		return nil
	}
	var days []market.TraderDay
	for _, c := range cs {
		for day := from; day < today; day++ {
			if d, ok := carriedDay(seed, c, day); ok {
				days = append(days, d)
			}
		}
	}
	if err := w.Market.Market.CarryRecords(ctx, days); err != nil {
		return err
	}
	w.mu.Lock()
	w.carriedTo = today - 1
	w.mu.Unlock()
	return nil
}

// carryFor sets whose records carry volume: the merchants, when the world
// has a past.
func (w *World) carryFor(seed uint64, merchants []savedPerson) {
	if !w.opts.History {
		return
	}
	cs := make([]carrier, len(merchants))
	for i, sp := range merchants {
		cs[i] = carrier{user: sp.UserID, persona: sp.Persona}
	}
	w.mu.Lock()
	w.carriers, w.seed = cs, seed
	w.mu.Unlock()
}
