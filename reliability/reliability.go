// Package reliability scores an ad as a careful taker would, from what
// the ad's view shows: the wizards rank by it and the simulated careful
// trader chooses by it, so both read one rule.
package reliability

import (
	"fmt"

	"p2pdesk/api"
	"p2pdesk/money"
)

// Score is an ad's reliability as the wizard shows it.
type Score struct {
	Score    int64  // 0..100
	Excluded string // why a careful user would not take it at all
	Parts    []string
}

// Reliability scores an ad: completion rate (40), orders in 30 days (20),
// release speed (20), verified badge (10), price within 1% of the index
// (10). Beyond 2% of the index, or with fewer than 10 orders, it is
// excluded: that is what bait looks like.
func Of(a api.AdView) Score {
	var s Score
	r := a.Maker.Record
	comp := int64(0)
	if r.CompletionBP != nil {
		comp = *r.CompletionBP
	}
	// 40 points scale from 90% to 100% completion.
	cp := max(0, min(40, (comp-9000)*40/1000))
	op := min(20, r.Orders30d/10)
	rp := int64(0)
	if r.AvgReleaseS != nil {
		rp = max(0, 20-*r.AvgReleaseS/60*2)
	}
	vp := int64(0)
	if a.Maker.Verified {
		vp = 10
	}
	dp := int64(0)
	dev := int64(0)
	if a.DevBP != nil {
		dev = *a.DevBP
		if dev < 0 {
			dev = -dev
		}
		if dev <= 100 {
			dp = 10
		}
	}
	s.Score = cp + op + rp + vp + dp
	s.Parts = []string{
		fmt.Sprintf("completion %d/40", cp), fmt.Sprintf("orders %d/20", op), fmt.Sprintf("release %d/20", rp),
		fmt.Sprintf("badge %d/10", vp), fmt.Sprintf("price %d/10", dp),
	}
	switch {
	case dev > 200:
		s.Excluded = fmt.Sprintf("price %s%% from the index: too good to be true", money.New(dev, 2))
	case r.Orders30d < 10:
		s.Excluded = fmt.Sprintf("only %d orders in 30 days", r.Orders30d)
	}
	return s
}
