package ui

import (
	"strings"
	"testing"
	"time"

	"p2pdesk/api"
)

// hasControl reports a control, bidi or invisible character in a frame
// (the tests' colour profile is ASCII, so a frame holds no escapes of
// its own).
func hasControl(s string) (rune, bool) {
	for _, r := range s {
		if r == '\n' {
			continue
		}
		if r < 0x20 || (r >= 0x7F && r <= 0x9F) || (r >= 0x200B && r <= 0x200F) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0xFEFF {
			return r, true
		}
	}
	return 0, false
}

const hostile = "\x1b]0;pwned\x07\x1b[2Jpay\u202Enow\u200b\u0090 \u2066x\u2069\tend"

// The TUI prints no control character it received: not in a chat line, a
// table cell or a counterparty's name.
func TestViewsPrintNoControlCharacters(t *testing.T) {
	c := &Ctx{St: NewStyles(DefaultTheme())}
	p := newOrderPage(c, 1)
	p.o = &api.OrderView{ID: 1, Role: "seller"}
	p.o.Counterparty.Name = "mallory" + hostile
	p.log = []api.OrderLogEntry{{LogEntryView: api.LogEntryView{LogEntry: api.LogEntry{At: time.Unix(0, 0), Kind: api.LogChat, Text: "hi " + hostile, Ref: hostile}, From: "buyer"},
		AntiPhishing: hostile}}
	chat := p.chatView(80, 10)
	if r, bad := hasControl(chat); bad {
		t.Fatalf("the chat printed %U: %q", r, chat)
	}
	if !strings.Contains(chat, "pwned") || !strings.Contains(chat, "paynow") {
		t.Fatalf("the chat lost the visible text: %q", chat)
	}
	tb := newRowTable()
	tb.SetRows([]row{{1, hostile}})
	if r, bad := hasControl(tb.View(c.St, 60)); bad {
		t.Fatalf("a table cell printed %U", r)
	}
}
