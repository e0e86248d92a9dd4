package ui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/api"
)

// practicePage picks a scenario (or "surprise me") and stages it: its
// counterparty posts an ad, and the wizard opens on it.
type practicePage struct {
	c      *Ctx
	list   []ScenarioInfo
	cursor int
	err    string
	busy   bool
	// deck is the exam round's drills still to play, in a surprise
	// order; played counts those staged this round.
	deck   []string
	played int
	// course is the one-line progress through the course.
	course string
}

type courseMsg struct {
	summary string
	err     error
}

type stagedMsg struct {
	s   Staged
	ad  api.AdView
	err error
}

func newPracticePage(c *Ctx) *practicePage {
	return &practicePage{c: c, list: c.Practice.Scenarios()}
}

func (p *practicePage) Title() string   { return p.c.T("tab.practice") }
func (p *practicePage) Capturing() bool { return false }
func (p *practicePage) Help() []key.Binding {
	return []key.Binding{p.c.Keys.Up, p.c.Keys.Down, p.c.Keys.Enter, key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "practice.key_surprise")),
		key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "practice.key_exam")), p.c.Keys.Speed}
}
func (p *practicePage) Init() tea.Cmd {
	pr := p.c.Practice
	return func() tea.Msg {
		s, _, err := pr.Course()
		return courseMsg{s, err}
	}
}

func (p *practicePage) stage(name string) tea.Cmd {
	p.busy = true
	pr, mc, exam := p.c.Practice, p.c.Market, p.c.exam
	return func() tea.Msg {
		s, err := pr.Stage(name, exam)
		if err != nil {
			return stagedMsg{err: err}
		}
		ctx, cancel := context.WithTimeout(context.Background(), actTimeout)
		defer cancel()
		ad, err := mc.Ad(ctx, s.AdID)
		return stagedMsg{s: s, ad: ad, err: err}
	}
}

func (p *practicePage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case courseMsg:
		if msg.err == nil {
			p.course = msg.summary
		}
	case stagedMsg:
		p.busy = false
		if msg.err != nil {
			p.err = p.c.errText(msg.err)
			return p, nil
		}
		p.err = ""
		// A drill always opens on its own trade, never on the order an
		// earlier wizard was following.
		delete(p.c.wizardOrders, msg.s.UserSide)
		w := newWizard(p.c, msg.s.UserSide)
		w.drill = msg.s.Drill
		w.step = 3
		w.amount.SetValue(msg.s.Amount)
		w.ads = []api.AdView{msg.ad}
		if msg.s.Choose {
			// The lesson is the choice: the drill's ad among the market's.
			w.loadingAds = true
			return p, tea.Batch(push(w), w.loadAds())
		}
		return p, push(w)
	case tea.KeyMsg:
		if p.busy {
			return p, nil
		}
		switch {
		case key.Matches(msg, p.c.Keys.Up):
			p.cursor = max(0, p.cursor-1)
		case key.Matches(msg, p.c.Keys.Down):
			p.cursor = min(len(p.list)-1, p.cursor+1)
		case key.Matches(msg, p.c.Keys.Top):
			p.cursor = 0
		case key.Matches(msg, p.c.Keys.Bottom):
			p.cursor = max(0, len(p.list)-1)
		case p.c.exam && (key.Matches(msg, p.c.Keys.Enter) || msg.String() == "x") && len(p.list) > 0:
			return p, p.stage(p.nextInDeck())
		case key.Matches(msg, p.c.Keys.Enter) && len(p.list) > 0:
			return p, p.stage(p.list[p.cursor].Name)
		case msg.String() == "x" && len(p.list) > 0:
			return p, p.stage(p.list[rand.IntN(len(p.list))].Name)
		case msg.String() == "e":
			p.c.exam = !p.c.exam
			p.deck, p.played = nil, 0
		case msg.String() == "J":
			return p, push(&journalPage{c: p.c})
		case msg.String() == "c":
			return p, push(newCoursePage(p.c))
		}
	}
	return p, nil
}

// nextInDeck deals the exam's next drill: every drill once per round, in
// an order the learner cannot guess, then a new round.
func (p *practicePage) nextInDeck() string {
	if len(p.deck) == 0 {
		for _, s := range p.list {
			p.deck = append(p.deck, s.Name)
		}
		rand.Shuffle(len(p.deck), func(i, j int) { p.deck[i], p.deck[j] = p.deck[j], p.deck[i] })
		p.played = 0
	}
	name := p.deck[0]
	p.deck = p.deck[1:]
	p.played++
	return name
}

func (p *practicePage) View(w, h int) string {
	st := p.c.St
	var b strings.Builder
	c := p.c
	p.list = c.Practice.Scenarios() // in the language spoken now
	b.WriteString(st.Title.Render(c.T("practice.title")) + st.Muted.Render(c.T("practice.subtitle", "Speed", fmt.Sprintf("%g", p.c.Speed()))) + "\n")
	if c.exam {
		b.WriteString(st.Warn.Render(c.T("practice.exam_on")) + "\n")
	}
	if p.course != "" {
		b.WriteString(st.Muted.Render(truncate(p.course, w)) + "\n")
	}
	b.WriteString("\n")
	// What goes under the list, first: the list takes the rows left.
	var foot strings.Builder
	if c.exam {
		foot.WriteString("\n" + wrapTo(c.T("practice.exam_deck", "Done", p.played, "Total", len(p.list)), w) + "\n")
	} else if p.cursor < len(p.list) {
		// The selected drill's whole summary: the list cuts it to a line.
		foot.WriteString("\n" + wrapTo(st.Bold.Render(p.list[p.cursor].Summary), w) + "\n")
	}
	foot.WriteString("\n" + wrapTo(st.Muted.Render(c.T("practice.hint")), w) + "\n")
	if p.busy {
		foot.WriteString(c.T("practice.staging") + "\n")
	}
	if p.err != "" {
		foot.WriteString(st.Danger.Render("✗ "+p.err) + "\n")
	}
	rows := max(3, h-strings.Count(b.String(), "\n")-strings.Count(foot.String(), "\n"))
	if rows < len(p.list) {
		rows-- // the "1–11 of 19" line
	}
	from := 0
	if p.cursor >= rows {
		from = p.cursor - rows + 1
	}
	for i, s := range p.list {
		if i < from || i >= from+rows {
			continue
		}
		line := padRight(s.Name, 26) + " " + padRight(c.T("practice.dir."+s.Direction), 9) + " " + s.Summary
		if c.zh() {
			// The scenario's name in words; its id (for p2pdesk practice) is
			// in the debrief.
			line = padRight(c.T("scenario."+s.Name+".title"), 16) + " " + padRight(c.T("practice.dir."+s.Direction), 5) + " " + s.Summary
		}
		if i == p.cursor && !c.exam {
			b.WriteString(st.Selected.Render("▸ "+truncate(line, w-3)) + "\n")
		} else {
			b.WriteString("  " + truncate(line, w-3) + "\n")
		}
	}
	if len(p.list) > rows {
		b.WriteString(st.Muted.Render(c.T("practice.more", "From", from+1, "To", min(from+rows, len(p.list)), "N", len(p.list))) + "\n")
	}
	b.WriteString(foot.String())
	return b.String()
}

// debriefPage shows a finished drill's debrief.
type debriefPage struct {
	c       *Ctx
	title   string // "" is the debrief's
	text    string
	grade   string
	final   bool
	finalAt time.Time
	err     string
	off     int
	// load judges the drill (a replay may run): it starts when the page
	// is on the stack, so its answer has somewhere to land.
	load tea.Cmd
}

type debriefMsg struct {
	grade, text string
	final       bool
	finalAt     time.Time
	err         error
}

// debriefAgain: a provisional debrief's drill has settled by now.
type debriefAgain struct{ d *debriefPage }

func newDebriefPage(c *Ctx, order int64) *debriefPage {
	d := &debriefPage{c: c}
	pr := c.Practice
	d.load = func() tea.Msg {
		r, err := pr.Debrief(order)
		return debriefMsg{grade: r.Grade, text: r.Text, final: r.Final, finalAt: r.FinalAt, err: err}
	}
	return d
}

// newCoursePage shows the course report.
func newCoursePage(c *Ctx) *debriefPage {
	pr := c.Practice
	return &debriefPage{c: c, title: c.T("course.title"), load: func() tea.Msg {
		_, text, err := pr.Course()
		return debriefMsg{grade: "-", text: text, final: true, err: err}
	}}
}

// newJournalDebriefPage shows a drill kept in the journal, from any
// earlier session.
func newJournalDebriefPage(c *Ctx, n int) *debriefPage {
	pr := c.Practice
	return &debriefPage{c: c, load: func() tea.Msg {
		g, t, err := pr.JournalDebrief(n)
		return debriefMsg{grade: g, text: t, final: true, err: err}
	}}
}

// journalPage lists the drills kept in the practice journal.
type journalPage struct {
	c      *Ctx
	lines  []JournalLine
	cursor int
	err    string
	loaded bool
}

type journalMsg struct {
	lines []JournalLine
	err   error
}

func (j *journalPage) Title() string   { return j.c.T("journal.title") }
func (j *journalPage) Capturing() bool { return false }
func (j *journalPage) Help() []key.Binding {
	return []key.Binding{j.c.Keys.Up, j.c.Keys.Down, j.c.Keys.Enter, j.c.Keys.Back}
}
func (j *journalPage) Init() tea.Cmd {
	pr := j.c.Practice
	return func() tea.Msg {
		ls, err := pr.Journal()
		return journalMsg{ls, err}
	}
}
func (j *journalPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case journalMsg:
		j.lines, j.loaded = msg.lines, true
		if msg.err != nil {
			j.err = j.c.errText(msg.err)
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, j.c.Keys.Up):
			j.cursor = max(0, j.cursor-1)
		case key.Matches(msg, j.c.Keys.Down):
			j.cursor = min(len(j.lines)-1, j.cursor+1)
		case key.Matches(msg, j.c.Keys.Enter) && j.cursor < len(j.lines):
			return j, push(newJournalDebriefPage(j.c, j.lines[j.cursor].N))
		}
	}
	return j, nil
}
func (j *journalPage) View(w, h int) string {
	st := j.c.St
	var b strings.Builder
	c := j.c
	b.WriteString(st.Title.Render(c.T("journal.title")) + st.Muted.Render(c.T("journal.subtitle")) + "\n\n")
	switch {
	case j.err != "":
		b.WriteString(st.Danger.Render("✗ " + j.err))
	case !j.loaded:
		b.WriteString(c.T("journal.reading"))
	case len(j.lines) == 0:
		b.WriteString(wrapTo(st.Muted.Render(c.T("journal.empty")), w))
	}
	for i, l := range j.lines {
		if i >= h-3 {
			break
		}
		name := l.Scenario
		if c.zh() {
			name = c.T("scenario." + name + ".title")
		}
		line := fmt.Sprintf("#%-4d %s  %s %s", l.N, c.longDate(l.At.Local()), padRight(name, 26), c.T("journal.grade", "Grade", l.Grade))
		if i == j.cursor {
			b.WriteString(st.Selected.Render("▸ "+line) + "\n")
		} else {
			b.WriteString("  " + line + "\n")
		}
	}
	return b.String()
}

func (d *debriefPage) Title() string {
	if d.title != "" {
		return d.title
	}
	return d.c.T("debrief.title")
}
func (d *debriefPage) Capturing() bool { return false }
func (d *debriefPage) Help() []key.Binding {
	return []key.Binding{d.c.Keys.Up, d.c.Keys.Down, d.c.Keys.Back}
}
func (d *debriefPage) Init() tea.Cmd { return d.load }
func (d *debriefPage) Update(msg tea.Msg) (Page, tea.Cmd) {
	switch msg := msg.(type) {
	case debriefMsg:
		d.grade, d.text, d.final, d.finalAt = msg.grade, msg.text, msg.final, msg.finalAt
		d.err = ""
		if msg.err != nil {
			d.err = d.c.errText(msg.err)
		}
		if !d.final && msg.err == nil {
			// Look again when the drill settles, in wall time at the
			// market's speed.
			wait := time.Duration(float64(d.finalAt.Sub(d.c.MarketNow())) / max(d.c.Speed(), 1))
			return d, d.c.Tick(max(wait, 0)+500*time.Millisecond, func(time.Time) tea.Msg { return debriefAgain{d} })
		}
	case debriefAgain:
		if msg.d == d {
			return d, d.load
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, d.c.Keys.Down):
			d.off++
		case key.Matches(msg, d.c.Keys.Up):
			d.off = max(0, d.off-1)
		}
	}
	return d, nil
}
func (d *debriefPage) View(w, h int) string {
	if d.err != "" {
		return d.c.St.Danger.Render("✗ " + d.err)
	}
	if d.text == "" {
		return d.c.T("debrief.judging")
	}
	text := d.text
	if !d.final {
		text = d.c.St.Warn.Render(d.c.T("debrief.provisional", "At", d.finalAt.UTC().Format("15:04"))) + "\n\n" + text
	}
	lines := strings.Split(wrapHanging(text, w), "\n")
	if d.off > len(lines)-1 {
		d.off = len(lines) - 1
	}
	return strings.Join(lines[d.off:], "\n")
}
