package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// Chinese wraps between characters, to the width, not at the next space;
// punctuation stays with its text; English still wraps at spaces.
func TestWrapCellsBreaksChineseBetweenCharacters(t *testing.T) {
	s := "订单已创建：700 USDT，总额 ¥5,061.63；币已由平台托管锁定。买家：请在 10 分钟内用本人实名账户向卖家的支付宝付款。"
	got := wrapCells(s, 30)
	lines := strings.Split(got, "\n")
	for i, l := range lines {
		if lipgloss.Width(l) > 30 {
			t.Errorf("line %d is %d cells: %q", i, lipgloss.Width(l), l)
		}
		if i < len(lines)-1 && lipgloss.Width(l) < 26 {
			t.Errorf("line %d is only %d cells of 30: a break waited for a space: %q", i, lipgloss.Width(l), l)
		}
		for _, p := range []string{"，", "。", "；", "："} {
			if strings.HasPrefix(l, p) {
				t.Errorf("line %d starts with %s", i, p)
			}
		}
	}
	if strings.Join(strings.Fields(got), "") != strings.Join(strings.Fields(s), "") {
		t.Errorf("text lost in wrapping:\n%s", got)
	}
	if got := wrapCells("the quick brown fox jumps", 10); got != "the quick\nbrown fox\njumps" {
		t.Errorf("English: %q", got)
	}
	if got := wrapCells("（括号）里", 4); strings.HasSuffix(strings.Split(got, "\n")[0], "（") {
		t.Errorf("a line ends with an opening bracket: %q", got)
	}
	// Quotation marks too: “ never ends a line, ” never starts one.
	for w := 3; w <= 12; w++ {
		for _, l := range strings.Split(wrapCells("商家从“已付款”到放币的平均时间", w), "\n") {
			if strings.HasSuffix(l, "“") || strings.HasPrefix(l, "”") {
				t.Errorf("width %d: a quotation mark is cut from its words: %q", w, l)
			}
		}
	}
	if got := wrapCells("abcdefghij", 4); got != "abcd\nefgh\nij" {
		t.Errorf("a long word is cut: %q", got)
	}
}

// A debrief's timeline row wraps under its own text, not at the edge.
func TestWrapHangingKeepsTheColumn(t *testing.T) {
	row := "  14:05:01  platform     Support here: we have taken up this dispute. Both sides, attach your evidence now."
	got := strings.Split(wrapHanging(row, 60), "\n")
	if len(got) < 2 {
		t.Fatalf("not wrapped: %q", got)
	}
	col := strings.Index(row, "Support")
	for _, l := range got[1:] {
		if strings.TrimLeft(l, " ") == "" || len(l)-len(strings.TrimLeft(l, " ")) != col {
			t.Errorf("continuation %q does not start at column %d", l, col)
		}
	}
	if short := "  ✓ 13:54  fine"; wrapHanging(short, 60) != short {
		t.Errorf("a short line changed")
	}
}

// TestBoxDrawsAsLipgloss: the hand-drawn box is the one lipgloss draws
// (border, padding, alignment, double-width text), and a line too long
// for it still wraps as lipgloss wraps it.
func TestBoxDrawsAsLipgloss(t *testing.T) {
	st := NewStyles(DefaultTheme())
	for _, c := range []struct {
		title, body string
		w           int
	}{
		{"Ad 7", "HarborHub36 ✓\norders 321 · 99.0%\nterms  real-name only", 68},
		{"广告 7", "名字 完成率 98%\n条款：仅限实名", 50},
		{"t", "", 12},
		{"Chart", strings.Repeat("x", 80), 40}, // wraps
	} {
		want := st.Box.Width(max(10, c.w-2)).Render(st.Title.Render(c.title) + "\n" + c.body)
		if got := box(st, c.title, c.body, c.w); got != want {
			t.Fatalf("box(%q, %d):\n%s\nwant\n%s", c.body, c.w, got, want)
		}
	}
}

// A label longer than its column still has a space before its value:
// "seller's Alipay17100403869" read as one word.
func TestLabelAndValueNeverTouch(t *testing.T) {
	st := NewStyles(DefaultTheme())
	if got := plain(kv(st, "seller's Alipay", "17100403869")); !strings.Contains(got, "Alipay 17100403869") {
		t.Errorf("%q", got)
	}
	if got := plain(kv(st, "Total", "7.00")); got != padRight("Total", 14)+"7.00" {
		t.Errorf("a short label moved its value: %q", got)
	}
}
