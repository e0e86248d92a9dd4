package sim

import (
	"fmt"
	"math/rand/v2"
)

var (
	surnames   = []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao"}
	givenNames = []string{"Wei", "Fang", "Na", "Min", "Jing", "Lei", "Jun", "Yan", "Tao", "Hui", "Qiang", "Xin", "Yu", "Hao", "Ting", "Bo", "Lan", "Kai", "Rui", "Mei"}
	handles    = []string{"Crypto", "Coin", "Swift", "Golden", "Lucky", "Star", "Dragon", "Jade", "Panda", "Tiger", "Phoenix", "Silk", "Lotus", "Harbor", "Summit", "Pearl", "Maple", "River", "Cloud", "Orbit"}
	suffixes   = []string{"OTC", "Trade", "Exchange", "Desk", "Capital", "Pay", "Market", "P2P", "Pro", "Hub"}
)

// person is a simulated human: a merchant, a counterparty, a bystander.
type person struct {
	Handle   string // shown on the market
	RealName string // verified name, on their accounts
	Phone    string // Alipay login
}

func newPerson(r *rand.Rand, n int) person {
	real := surnames[r.IntN(len(surnames))] + " " + givenNames[r.IntN(len(givenNames))]
	handle := handles[r.IntN(len(handles))] + suffixes[r.IntN(len(suffixes))]
	if r.IntN(3) == 0 {
		handle = handles[r.IntN(len(handles))] + "_" + givenNames[r.IntN(len(givenNames))]
	}
	return person{
		Handle:   fmt.Sprintf("%s%d", handle, 10+n),
		RealName: real,
		Phone:    fmt.Sprintf("1%d%09d", 3+r.IntN(6), 100000000+n*7919%899999999),
	}
}
