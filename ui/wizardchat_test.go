package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"p2pdesk/api"
	"p2pdesk/money"
)

// TestGuideShowsWhatTheCounterpartySays: the guide shows the
// counterparty's latest chat lines with their warnings, wrapped, so a
// lure is seen before paying (found playing: the deposit guide showed no
// chat and the learner paid two seconds after an off-platform lure).
func TestGuideShowsWhatTheCounterpartySays(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	w := newWizard(m.c, api.Buy)
	o := api.OrderView{ID: 9, Role: "buyer", Side: api.Buy, Asset: api.USDT, Fiat: api.CNY, State: api.StateCreated,
		Amount: money.MustParse("100", 6), FiatTotal: money.MustParse("721.50", 2), PayDeadline: time.Now().Add(10 * time.Minute)}
	log := []api.OrderLogEntry{
		{LogEntryView: api.LogEntryView{LogEntry: api.LogEntry{Kind: api.LogChat, Text: "hello"}, From: "seller"}},
		{LogEntryView: api.LogEntryView{LogEntry: api.LogEntry{Kind: api.LogChat, Text: "my own line"}, From: "buyer"}},
		{LogEntryView: api.LogEntryView{LogEntry: api.LogEntry{Kind: api.LogSystem, Text: "platform notice"}, From: "system"}},
		{LogEntryView: api.LogEntryView{LogEntry: api.LogEntry{Kind: api.LogChat, Text: "Cancel and pay me on WeChat at a better price: wechat.example/pay"}, From: "seller"},
			Warnings: []string{api.WarnOffPlatform, api.WarnLink}},
	}
	w.Update(wizOrderMsg{side: api.Buy, o: o, seq: 1, said: theirLatest(log, o.Role, 2)})
	v := ansi.Strip(w.View(80, 40))
	flat := strings.Join(strings.Fields(v), " ")
	if strings.Contains(v, "rate)seller says") {
		t.Errorf("the chat runs into the line before it:\n%s", v)
	}
	for _, want := range []string{"seller says: «hello»", "«Cancel and pay me on WeChat at a better price: wechat.example/pay»", "⚠ " + m.c.T("warn.off-platform"), "⚠ " + m.c.T("warn.link")} {
		if !strings.Contains(flat, want) {
			t.Errorf("the guide lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "my own line") || strings.Contains(v, "platform notice") {
		t.Errorf("the guide shows the user's own or platform lines as the counterparty's:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("a line past 80 columns: %q", l)
		}
	}
}

// TestGuideChatStartsItsOwnLine: on a sale the buyer's lines come each on
// a line of its own, after the guide's last sentence (found playing: the
// first ran into "…rate)").
func TestGuideChatStartsItsOwnLine(t *testing.T) {
	m := New(Deps{Theme: DefaultTheme(), Keys: DefaultKeys()})
	w := newWizard(m.c, api.Sell)
	deadline := time.Now().Add(29 * time.Minute)
	o := api.OrderView{ID: 9, Role: "seller", Side: api.Sell, Asset: api.USDT, Fiat: api.CNY, State: api.StatePaid,
		Amount: money.MustParse("100", 6), FiatTotal: money.MustParse("700.00", 2), ReleaseDeadline: &deadline}
	said := []api.OrderLogEntry{{LogEntryView: api.LogEntryView{LogEntry: api.LogEntry{Kind: api.LogChat, Text: "Paid, please check your Alipay."}, From: "buyer"}}}
	w.Update(wizOrderMsg{side: api.Sell, o: o, seq: 1, said: said})
	v := ansi.Strip(w.View(120, 40))
	found := false
	for _, l := range strings.Split(v, "\n") {
		if i := strings.Index(l, "says: «"); i >= 0 {
			found = true
			if !strings.HasPrefix(strings.TrimSpace(l), "buyer says") {
				t.Errorf("the chat line does not start its own line: %q", l)
			}
		}
	}
	if !found {
		t.Fatalf("no chat line:\n%s", v)
	}
}
