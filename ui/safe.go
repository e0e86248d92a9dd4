package ui

import "p2pdesk/usertext"

// plain is text another person typed (a name, terms, a chat message, a
// statement line), made safe to print on one line: no control, bidi or
// invisible character it may hold reaches the terminal. The marketplace
// refuses such text on the way in; this holds for whatever got past.
func plain(s string) string { return usertext.Display(s) }

// plainLines is plain, keeping newlines.
func plainLines(s string) string { return usertext.DisplayLines(s) }
