package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// Keys are the global keys and the ones pages share. They are data, with
// help text, and remappable from config (ui.keys: action -> "k1,k2").
type Keys struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Enter, Back, Help, Filter, Quit, NextTab, PrevTab key.Binding
	Market, Orders, Wallet, MyAds, Account, Practice, Withdraw, Deposit                        key.Binding
	Refresh, Paid, Cancel, Release, Dispute, Rate, Chat, Copy, Speed                           key.Binding
	New, Edit, Pause, Delete, Export, Sort, Asset, Fiat, Payment, Verified                     key.Binding
}

// DefaultKeys are vim keys and arrows.
func DefaultKeys() Keys {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return Keys{
		Up: b("↑/k", "up", "up", "k"), Down: b("↓/j", "down", "down", "j"),
		PageUp: b("pgup/ctrl+u", "page up", "pgup", "ctrl+u"), PageDown: b("pgdn/ctrl+d", "page down", "pgdown", "ctrl+d"),
		Top: b("g", "top", "g", "home"), Bottom: b("G", "bottom", "G", "end"),
		Enter: b("enter", "open", "enter"), Back: b("esc", "back", "esc"), Help: b("?", "keys", "?"),
		Filter: b("/", "filter", "/"), Quit: b("q", "quit", "q", "ctrl+c"),
		NextTab: b("tab/l", "next tab", "tab", "l", "right"), PrevTab: b("shift+tab/h", "previous tab", "shift+tab", "h", "left"),
		Market: b("1", "market", "1"), Orders: b("2", "orders", "2"), Wallet: b("3", "wallet", "3"),
		MyAds: b("4", "my ads", "4"), Account: b("5", "account", "5"), Practice: b("6", "practice", "6"),
		Withdraw: b("W", "withdraw to Alipay", "W"), Deposit: b("D", "deposit via Alipay", "D"),
		Refresh: b("r", "refresh", "r"), Paid: b("p", "mark paid", "p"), Cancel: b("c", "cancel order", "c"),
		Release: b("R", "release…", "R"), Dispute: b("d", "dispute…", "d"), Rate: b("+", "rate", "+"),
		Chat: b("m", "message", "m"), Copy: b("y", "copy payment details", "y"), Speed: b("S", "clock speed", "S"),
		New: b("n", "new", "n"), Edit: b("e", "edit", "e"), Pause: b("space", "pause/resume", " "),
		Delete: b("x", "delete", "x"), Export: b("E", "export CSV", "E"), Sort: b("s", "sort", "s"),
		Asset: b("a", "asset", "a"), Fiat: b("f", "fiat", "f"), Payment: b("P", "payment method", "P"),
		Verified: b("v", "verified only", "v"),
	}
}

// Remap applies config overrides; unknown actions are returned so the
// caller can say so.
func (k *Keys) Remap(m map[string]string) (unknown []string) {
	byName := map[string]*key.Binding{
		"up": &k.Up, "down": &k.Down, "enter": &k.Enter, "back": &k.Back, "help": &k.Help, "filter": &k.Filter,
		"quit": &k.Quit, "market": &k.Market, "orders": &k.Orders, "wallet": &k.Wallet, "myads": &k.MyAds,
		"account": &k.Account, "practice": &k.Practice, "refresh": &k.Refresh, "paid": &k.Paid, "cancel": &k.Cancel,
		"release": &k.Release, "dispute": &k.Dispute, "chat": &k.Chat, "copy": &k.Copy, "speed": &k.Speed,
		"new": &k.New, "edit": &k.Edit, "pause": &k.Pause, "delete": &k.Delete, "export": &k.Export, "sort": &k.Sort,
		"withdraw": &k.Withdraw, "deposit": &k.Deposit,
	}
	for name, keys := range m {
		b, ok := byName[strings.ToLower(name)]
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		ks := strings.Split(keys, ",")
		for i := range ks {
			ks[i] = strings.TrimSpace(ks[i])
		}
		b.SetKeys(ks...)
		b.SetHelp(strings.Join(ks, "/"), b.Help().Desc)
	}
	return unknown
}
