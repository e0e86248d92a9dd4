package ui

import tea "github.com/charmbracelet/bubbletea"

// FPS is the most frames a second the app draws. Bubble Tea's renderer
// wakes at this rate whether or not anything changed; at its default of
// 60 those wake-ups were most of an idle app's CPU. A trading screen
// that follows a stream and a person's keys needs no more than 30: a key's
// echo waits at most 33 ms.
const FPS = 30

// ProgramOptions are the options every Bubble Tea program of the app
// runs with (the TUI and `bench ui` alike), before the caller's own.
func ProgramOptions(more ...tea.ProgramOption) []tea.ProgramOption {
	return append([]tea.ProgramOption{tea.WithFPS(FPS)}, more...)
}
