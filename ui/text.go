package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"p2pdesk/api"
	"p2pdesk/i18n"
	"p2pdesk/money"
)

// T translates a message of the catalogue (package i18n) into the
// language the app speaks now; args are placeholder pairs.
func (c *Ctx) T(id string, args ...any) string { return c.Tr.T(id, args...) }

// N translates a message with the plural form for n ({{.Count}}).
func (c *Ctx) N(id string, n int, args ...any) string { return c.Tr.N(id, n, args...) }

// zh: the app speaks Chinese now.
func (c *Ctx) zh() bool { return c.Tr.Lang() == i18n.ZH }

// errText is a refusal in the user's language: the server's stable code
// keys the client's own message for it (the server writes English), with
// the field it names; the code stays, after the words, for a search or a
// support ticket. In English the server's own words are kept: they say
// more (the limits, the amounts).
func (c *Ctx) errText(err error) string {
	if err == nil {
		return ""
	}
	var e *api.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	if e.Code == "" {
		return e.Error()
	}
	return c.Tr.Refusal(string(e.Code), e.Field, e.Message)
}

// state is an order state in words.
func (c *Ctx) state(s api.OrderState) string { return c.T("state." + string(s)) }

// stateRes is an order's state with how a dispute ended, if it did.
func (c *Ctx) stateRes(o *api.OrderView) string {
	s := c.state(o.State)
	if o.Resolution != "" {
		s += c.T("common.paren", "Text", c.T("resolution."+string(o.Resolution)))
	}
	return s
}

// side is what the user does, as a word (never colour alone).
func (c *Ctx) side(userSide api.Side) string {
	if userSide == api.Buy {
		return c.T("side.buy")
	}
	return c.T("side.sell")
}

// stamp is a date and time as the user's language writes it, in UTC
// (the market's clock): Nov 22 09:00, 11月22日 09:00.
func (c *Ctx) stamp(t time.Time) string {
	t = t.UTC()
	if c.zh() {
		return t.Format("1月2日 15:04")
	}
	return t.Format("Jan 02 15:04")
}

// shortStamp fits a table column of 12 cells: Nov 22 09:00, 11-22 09:00.
func (c *Ctx) shortStamp(t time.Time) string {
	t = t.UTC()
	if c.zh() {
		return t.Format("01-02 15:04")
	}
	return t.Format("Jan 02 15:04")
}

// longDate is a date with its year: 2026年11月22日 09:00.
func (c *Ctx) longDate(t time.Time) string {
	if c.zh() {
		return t.Format("2006年1月2日 15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// money formats a fiat amount for reading: in Chinese with the
// currency's sign and thousands grouped (¥1,445.38), in English as the
// screens always wrote it (1445.38 CNY); exact, never through a float.
func (c *Ctx) money(a money.Amount, f api.Fiat) string {
	s := group(a.FixedN(2))
	if !c.zh() {
		return a.FixedN(2) + " " + string(f)
	}
	switch f {
	case api.CNY:
		return "¥" + s
	case api.USD:
		return "US$" + s
	case api.EUR:
		return "€" + s
	}
	return s + " " + string(f)
}

// group puts thousands separators into a decimal string.
// priceText is a price as a person reads it: all four decimals, the whole
// part grouped by thousands (702,145.1234).
func priceText(a money.Amount) string { return group(a.FixedN(4)) }

func group(s string) string {
	sign := ""
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		sign, s = s[:1], s[1:]
	}
	whole, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			whole, frac = s[:i], s[i:]
			break
		}
	}
	var out []byte
	for i := 0; i < len(whole); i++ {
		if i > 0 && (len(whole)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, whole[i])
	}
	return sign + string(out) + frac
}

// method is a payment method's name as the user's language says it.
func (c *Ctx) method(m api.PaymentMethod) string {
	return c.T("method." + string(m))
}

// payments lists an ad's payment methods.
func (c *Ctx) payments(ps []api.PaymentMethod) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = c.method(p)
	}
	return strings.Join(s, ",")
}

// duration says a span the way humanDur does, in the user's language.
func (c *Ctx) duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return c.T("dur.s", "S", int(d.Seconds()))
	case d < time.Hour:
		return c.T("dur.ms", "M", int(d.Minutes()), "S", fmt.Sprintf("%02d", int(d.Seconds())%60))
	}
	return c.T("dur.hm", "H", int(d.Hours()), "M", fmt.Sprintf("%02d", int(d.Minutes())%60))
}

// dur is an optional number of seconds as a span, or a dash.
func (c *Ctx) dur(p *int64) string {
	if p == nil {
		return "—"
	}
	return c.duration(time.Duration(*p) * time.Second)
}

// scoreParts says the reliability score's parts ("completion 32/40") in
// the user's language: market.Reliability writes them in English, word
// first, the points after it.
func (c *Ctx) scoreParts(parts []string) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		word, pts, ok := strings.Cut(p, " ")
		if !ok {
			out[i] = p
			continue
		}
		out[i] = c.T("score."+word, "Points", pts)
	}
	return out
}

// excluded says why the wizard does not recommend an ad, from the ad
// itself (market.Reliability says it in English).
func (c *Ctx) excluded(a api.AdView, why string) string {
	if !c.zh() {
		return why
	}
	if a.DevBP != nil && (*a.DevBP > 200 || *a.DevBP < -200) {
		d := *a.DevBP
		if d < 0 {
			d = -d
		}
		return c.T("wizard.excl_bait", "Pct", money.New(d, 2).String())
	}
	return c.N("wizard.excl_new", int(a.Maker.Record.Orders30d))
}

// kv is a label and its value, the label padded to its column by display
// width: a Chinese label is as wide as its English one looks.
func (c *Ctx) kv(k, v string) string { return kv(c.St, k, v) }

// adSide is an ad's own side (what its maker does), as a word.
func (c *Ctx) adSide(s api.Side) string { return c.T("adside." + string(s)) }

// keyringState says where secrets are kept (store/secrets describes it in
// English: "OS keyring (…)", "memory (…)", "encrypted file PATH (…)").
func (c *Ctx) keyringState(s string) string {
	if !c.zh() {
		return s
	}
	switch {
	case strings.HasPrefix(s, "OS keyring"):
		return c.T("keyring.os", "Backend", strings.TrimSuffix(strings.TrimPrefix(s, "OS keyring ("), ")"))
	case strings.HasPrefix(s, "memory"):
		return c.T("keyring.memory")
	case strings.HasPrefix(s, "encrypted file "):
		path, _, _ := strings.Cut(strings.TrimPrefix(s, "encrypted file "), " (")
		return c.T("keyring.file", "Path", path)
	}
	return s
}
