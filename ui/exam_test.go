package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/money"
)

// TestExamShowsNoLabels: in the practice exam the order screen shows the
// chat and the statement as they are, with no warning and no verdict, and
// the market no bait mark; out of it, the same screen labels them. A note
// that names crypto is labelled, and its exact payment offered back.
func TestExamShowsNoLabels(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Alipay: client.NewAlipay("http://127.0.0.1:1", "t", nil)})
	p := newOrderPage(m.c, 5)
	opened := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	paid := opened.Add(2 * time.Minute)
	p.o = &api.OrderView{ID: 5, Role: "seller", Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, State: api.StatePaid, PaidAt: &paid,
		FiatTotal: money.MustParse("725.00", 2), Amount: money.MustParse("100", 6), PayerName: "Wu Yu", CreatedAt: opened, PayDeadline: opened.Add(15 * time.Minute)}
	p.stmt = []alipay.Line{{TxID: "AP1", Kind: "transfer", Direction: "in", CounterpartyName: "Wu Yu", CounterpartyLogin: "13800000001",
		Amount: money.MustParse("725.00", 2), Note: "USDT 100", At: opened.Add(time.Minute)}}
	p.log = []api.OrderLogEntry{{LogEntryView: api.LogEntryView{LogEntry: api.LogEntry{Kind: api.LogChat, Text: "Hurry, release now!", At: paid}, From: "buyer"},
		Warnings: []string{api.WarnPressure}}}
	view := func() string {
		return strings.Join(strings.Fields(ansi.Strip(p.paymentBlock()+"\n"+p.chatView(120, 10))), " ")
	}
	labelled := view()
	for _, want := range []string{"✓ In your Alipay statement", "⚠ the note says “USDT 100”", "⚠ pressure"} {
		if !strings.Contains(labelled, want) {
			t.Fatalf("out of the exam, %q is missing: %s", want, labelled)
		}
	}
	if l := p.toReturn(); l == nil || l.TxID != "AP1" {
		t.Fatalf("the payment with crypto in its note is not offered back: %+v", l)
	}
	m.c.exam = true
	exam := view()
	if strings.Contains(exam, "⚠") || strings.Contains(exam, "✓") || strings.Contains(exam, "✗") {
		t.Fatalf("the exam shows a label: %s", exam)
	}
	for _, want := range []string{"725.00 CNY from Wu Yu, account 13800000001", "note “USDT 100”", "Hurry, release now!"} {
		if !strings.Contains(exam, want) {
			t.Fatalf("the exam hides the record itself (%q): %s", want, exam)
		}
	}
	mp := newMarketPage(m.c)
	dev := int64(-450)
	mp.table.SetRows([]api.AdView{{ID: 1, Maker: api.TraderCard{Name: "m"}, Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, Price: money.MustParse("6.8900", 4), DevBP: &dev,
		MinFiat: money.MustParse("100", 2), MaxFiat: money.MustParse("5000", 2), Remaining: money.MustParse("100", 6)}})
	if v := ansi.Strip(mp.table.View(m.c.St, 120)); strings.Contains(v, "⚠") {
		t.Fatalf("the exam marks the bait: %s", v)
	}
}

// linkRecorder is a practice market that records what a link page sent.
type linkRecorder struct {
	Practice
	order     int64
	url, code string
}

func (l *linkRecorder) EnterOnLink(order int64, url, code string) error {
	l.order, l.url, l.code = order, url, code
	return nil
}
func (l *linkRecorder) Merchants() string               { return "" }
func (l *linkRecorder) Course() (string, string, error) { return "", "", nil }
func (l *linkRecorder) Scenarios() []ScenarioInfo       { return nil }

// TestChatLinkOpensALookAlikePageInPracticeOnly: o on an order whose chat
// holds a link opens it; in the practice market it is the scammer's
// look-alike login (labelled, but not in the exam), and what is typed
// there is sent on; against a real server p2pdesk opens nothing.
func TestChatLinkOpensALookAlikePageInPracticeOnly(t *testing.T) {
	rec := &linkRecorder{}
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys(), Practice: rec})
	log := []api.OrderLogEntry{{LogEntryView: api.LogEntryView{LogEntry: api.LogEntry{Kind: api.LogChat,
		Text: "[p2pdesk Risk Control] Log in at https://p2pdesk-secure.top/verify within 10 minutes."}, From: "buyer"}}}
	url := lastLink(log, "seller")
	if url != "https://p2pdesk-secure.top/verify" {
		t.Fatalf("link %q", url)
	}
	lp := newLinkPage(m.c, 7, url)
	lp.Init()
	if v := ansi.Strip(lp.View(100, 30)); !strings.Contains(v, "This address is not p2pdesk's") || !strings.Contains(v, "2FA code") {
		t.Fatalf("practice link page:\n%s", v)
	}
	var pg Page = lp
	for _, k := range []string{"y", "o", "u", "enter", "1", "2", "3", "4", "5", "6", "enter"} {
		var cmd tea.Cmd
		msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		if k == "enter" {
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		}
		pg, cmd = pg.Update(msg)
		if cmd != nil && k == "enter" {
			if sent, ok := cmd().(linkSentMsg); ok {
				pg, _ = pg.Update(sent)
			}
		}
	}
	if rec.order != 7 || rec.code != "123456" || rec.url != url {
		t.Fatalf("sent %+v", rec)
	}
	m.c.exam = true
	if v := ansi.Strip(newLinkPage(m.c, 7, url).View(100, 30)); strings.Contains(v, "⚠") {
		t.Fatalf("the exam labels the link page:\n%s", v)
	}
	real := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	if v := ansi.Strip(newLinkPage(real.c, 7, url).View(100, 30)); !strings.Contains(v, "does not open links") || strings.Contains(v, "2FA code") {
		t.Fatalf("a real market's link page:\n%s", v)
	}
}
