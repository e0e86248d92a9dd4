package ui

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
)

// Keys are the global keys and the ones pages share. They are data, with
// help text, and remappable from config (ui.keys: action -> "k1,k2").
type Keys struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Enter, Back, Help, Filter, Quit, NextTab, PrevTab key.Binding
	Market, Orders, Wallet, MyAds, Account, Practice, Withdraw, Deposit                        key.Binding
	Refresh, Paid, Cancel, Release, Dispute, Rate, Chat, Copy, Speed                           key.Binding
	New, Edit, Pause, Delete, Export, Sort, Asset, Fiat, Payment, Verified                     key.Binding
	Lang, Chart, Pay, Refund, OpenLink                                                         key.Binding
}

// DefaultKeys are vim keys and arrows. Each help text is a message ID of
// the catalogue: the help page says it in the user's language.
func DefaultKeys() Keys {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return Keys{
		Up: b("↑/k", "key.up", "up", "k"), Down: b("↓/j", "key.down", "down", "j"),
		PageUp: b("pgup/ctrl+u", "key.page_up", "pgup", "ctrl+u"), PageDown: b("pgdn/ctrl+d", "key.page_down", "pgdown", "ctrl+d"),
		Top: b("g", "key.top", "g", "home"), Bottom: b("G", "key.bottom", "G", "end"),
		Enter: b("enter", "key.open", "enter"), Back: b("esc", "key.back", "esc"), Help: b("?", "key.help", "?"),
		Filter: b("/", "key.filter", "/"), Quit: b("q", "key.quit", "q", "ctrl+c"),
		NextTab: b("tab/l", "key.next_tab", "tab", "l", "right"), PrevTab: b("shift+tab/h", "key.prev_tab", "shift+tab", "h", "left"),
		Market: b("1", "key.market", "1"), Orders: b("2", "key.orders", "2"), Wallet: b("3", "key.wallet", "3"),
		MyAds: b("4", "key.myads", "4"), Account: b("5", "key.account", "5"), Practice: b("6", "key.practice", "6"),
		Withdraw: b("W", "key.withdraw", "W"), Deposit: b("D", "key.deposit", "D"),
		Refresh: b("r", "key.refresh", "r"), Paid: b("p", "key.paid", "p"), Cancel: b("c", "key.cancel", "c"),
		Release: b("R", "key.release", "R"), Dispute: b("d", "key.dispute", "d"), Rate: b("+", "key.rate", "+"),
		Chat: b("m", "key.chat", "m"), Copy: b("y", "key.copy", "y"), Speed: b("S", "key.speed", "S"),
		New: b("n", "key.new", "n"), Edit: b("e", "key.edit", "e"), Pause: b("space", "key.pause", " "),
		Delete: b("x", "key.delete", "x"), Export: b("E", "key.export", "E"), Sort: b("s", "key.sort", "s"),
		Asset: b("a", "key.asset", "a"), Fiat: b("f", "key.fiat", "f"), Payment: b("P", "key.payment", "P"),
		Verified: b("v", "key.verified", "v"),
		Lang:     b("L", "key.lang", "L"),
		Chart:    b("C", "key.chart", "C"),
		Pay:      b("a", "key.pay", "a"),
		Refund:   b("F", "key.refund", "F"),
		OpenLink: b("o", "key.open_link", "o"),
	}
}

// byAction names every binding for ui.keys.
func (k *Keys) byAction() map[string]*key.Binding {
	return map[string]*key.Binding{
		"up": &k.Up, "down": &k.Down, "page_up": &k.PageUp, "page_down": &k.PageDown, "top": &k.Top, "bottom": &k.Bottom,
		"enter": &k.Enter, "back": &k.Back, "help": &k.Help, "filter": &k.Filter, "quit": &k.Quit,
		"next_tab": &k.NextTab, "prev_tab": &k.PrevTab,
		"market": &k.Market, "orders": &k.Orders, "wallet": &k.Wallet, "myads": &k.MyAds,
		"account": &k.Account, "practice": &k.Practice, "withdraw": &k.Withdraw, "deposit": &k.Deposit,
		"refresh": &k.Refresh, "paid": &k.Paid, "cancel": &k.Cancel, "release": &k.Release, "dispute": &k.Dispute,
		"rate": &k.Rate, "chat": &k.Chat, "copy": &k.Copy, "speed": &k.Speed,
		"new": &k.New, "edit": &k.Edit, "pause": &k.Pause, "delete": &k.Delete, "export": &k.Export, "sort": &k.Sort,
		"asset": &k.Asset, "fiat": &k.Fiat, "payment": &k.Payment, "verified": &k.Verified, "lang": &k.Lang, "chart": &k.Chart, "pay": &k.Pay, "refund": &k.Refund, "open_link": &k.OpenLink,
	}
}

// KeyActions are the names ui.keys remaps, sorted.
func KeyActions() []string {
	var k Keys
	var out []string
	for a := range k.byAction() {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Remap applies config overrides (action -> "k1,k2"). An unknown action
// or a key the terminal cannot send ("ctrl+zz") is refused.
func (k *Keys) Remap(m map[string]string) error {
	by := k.byAction()
	var errs []error
	for _, name := range sortedKeys(m) {
		b, ok := by[strings.ToLower(name)]
		if !ok {
			errs = append(errs, &SettingError{Name: name, Value: m[name], Problem: "no such action", Known: KeyActions()})
			continue
		}
		var ks []string
		for _, s := range strings.Split(m[name], ",") {
			s = strings.TrimSpace(s)
			if s == "space" {
				s = " "
			}
			if !ValidKey(s) {
				errs = append(errs, &SettingError{Name: name, Value: m[name], Problem: fmt.Sprintf("%q is no key a terminal sends (e.g. r, R, ctrl+r, alt+r, f5, enter, pgdown)", s)})
				continue
			}
			ks = append(ks, s)
		}
		if len(ks) == 0 {
			continue
		}
		b.SetKeys(ks...)
		b.SetHelp(strings.ReplaceAll(strings.Join(ks, "/"), " ", "space"), b.Help().Desc)
	}
	return errors.Join(errs...)
}

// ValidKey reports whether s names a key a terminal can send: one
// printable character or a named key, optionally with alt+.
func ValidKey(s string) bool {
	base := strings.TrimPrefix(s, "alt+")
	if _, named := keyTypes[base]; named {
		return true
	}
	r := []rune(base)
	return len(r) == 1 && unicode.IsPrint(r[0])
}
