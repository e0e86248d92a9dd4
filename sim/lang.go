package sim

import (
	"fmt"
	"strings"
	"sync"

	"p2pdesk/i18n"
)

// english says the catalogue's messages as the sim has always written
// them: a debrief keeps its English text (tests and the journal read it)
// and, beside it, the message ID and data to say it in another language.
var english = i18n.New(i18n.EN)

// Said is a sentence of the catalogue: its ID and its placeholders.
type Said struct {
	ID   string            `json:"id,omitempty"`
	Args map[string]string `json:"args,omitempty"`
}

// say makes a Said from placeholder pairs, and its English text.
func say(id string, kv ...any) (string, Said) {
	s := Said{ID: id}
	if len(kv) > 0 {
		s.Args = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			s.Args[fmt.Sprint(kv[i])] = fmt.Sprint(kv[i+1])
		}
	}
	return english.T(id, kv...), s
}

// In says it in tr's language; fallback is the English kept beside it,
// for entries journalled before sentences had IDs.
func (s Said) In(tr *i18n.Tr, fallback string) string {
	if s.ID == "" || tr.Lang() == i18n.EN {
		return fallback
	}
	kv := make([]any, 0, 2*len(s.Args))
	for k, v := range s.Args {
		kv = append(kv, k, v)
	}
	return tr.T(s.ID, kv...)
}

// In is the scenario's texts in tr's language (English: as written here).
func (s *Scenario) In(tr *i18n.Tr) (summary, risk, careful, careless string) {
	if tr.Lang() == i18n.EN {
		return s.Summary, s.Risk, s.Careful, s.Careless
	}
	id := "scenario." + s.Name + "."
	return tr.T(id + "summary"), tr.T(id + "risk"), tr.T(id + "careful"), tr.T(id + "careless")
}

// SetLearner tells the world which language the person practising reads
// (the app's own translator, so a switch at run time follows). Where it is
// Chinese, the scripted counterparties, the honest merchants and support
// write to them in Chinese; otherwise, and in a world nobody set it for
// (the tests, a replay), they write as they always have, in English.
func (w *World) SetLearner(tr *i18n.Tr) { w.learner.Store(tr) }

// learnerZH: the learner reads Chinese.
func (w *World) learnerZH() bool {
	if w == nil {
		return false
	}
	tr := w.learner.Load()
	return tr != nil && tr.Lang() == i18n.ZH
}

// line is a chat line in the learner's language: the English as the
// script wrote it, or the catalogue's message id with its data.
func (b *Bot) line(id, en string, kv ...any) string {
	if b.w.learnerZH() {
		return b.w.learner.Load().T(id, kv...)
	}
	return en
}

var (
	chatOnce sync.Once
	chatByEN map[string]string // English chat line -> its message id
)

// lineOf is line for a fixed English line (a script's list of pushes):
// its Chinese is the sim.* message whose English it is.
func (b *Bot) lineOf(en string) string {
	if !b.w.learnerZH() {
		return en
	}
	chatOnce.Do(func() {
		chatByEN = map[string]string{}
		for id, m := range i18n.Messages(i18n.EN) {
			if strings.HasPrefix(id, "sim.") {
				chatByEN[m.Other] = id
			}
		}
	})
	if id, ok := chatByEN[en]; ok {
		return b.w.learner.Load().T(id)
	}
	return en
}

// zhMethod names payment methods in Chinese (支付宝, not "Alipay").
var zhMethod = i18n.New(i18n.ZH)
