package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/embedded"
	"p2pdesk/store/secrets"
	"p2pdesk/ui"
)

// UIOptions bound the startup and idle measurement.
type UIOptions struct {
	Idle      time.Duration // how long to watch the idle app
	Merchants int
	// IdleProfile, when set, is a file for a CPU profile of the first
	// idle window only (the app's frame rate), without the start.
	IdleProfile string
}

// DefaultUIOptions are what `p2pdesk bench ui` runs.
func DefaultUIOptions() UIOptions { return UIOptions{Idle: 10 * time.Second, Merchants: 40} }

// UI measures what a user waits for and what an idle app costs: the time
// from start (embedded marketplace included) to the first frame showing
// the market's ads, on a first start (the world is created) and on a
// restart; then, with nothing pressed, how many frames the app draws and
// how much CPU the process uses (the simulation runs in the same process,
// so its share is in the figure).
func UI(ctx context.Context, w io.Writer, o UIOptions) error {
	dir, err := os.MkdirTemp("", "p2pdesk-bench-ui-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store := secrets.NewMemory()
	key := auth.GenerateKey()
	if err := startOnce(ctx, w, dir, key, store, "first start, world created", o, false, nil, ""); err != nil {
		return err
	}
	if err := startOnce(ctx, w, dir, key, store, "restart", o, true, nil, fmt.Sprintf("the app's %d fps", ui.FPS)); err != nil {
		return err
	}
	// The baseline, in the same run: the same restart and idle app at
	// Bubble Tea's default frame rate.
	return startOnce(ctx, w, dir, key, store, "restart, baseline", o, true, []tea.ProgramOption{tea.WithFPS(60)}, "baseline: Bubble Tea's default 60 fps")
}

// startOnce starts the app on the embedded marketplace in dir and waits
// for its first frame with ads; with idle, it then watches the app with
// nothing pressed. fps, when given, overrides the app's frame rate.
func startOnce(ctx context.Context, w io.Writer, dir string, key []byte, store secrets.Store, label string, o UIOptions, idle bool, fps []tea.ProgramOption, fpsLabel string) error {
	t0 := time.Now()
	e, err := embedded.Start(ctx, embedded.Options{Dir: dir, ServerKey: key, Secrets: store, Speed: 1, Seed: 1, Merchants: o.Merchants})
	if err != nil {
		return err
	}
	defer e.Close()
	started := time.Since(t0)
	mc, err := client.New(e.Profile.Server, client.Credentials{APIKey: e.Profile.APIKey, Secret: e.Profile.Secret, Passphrase: e.Profile.Passphrase}, client.Options{})
	if err != nil {
		return err
	}
	d := ui.Deps{Market: mc, Alipay: client.NewAlipay(e.Profile.Server, e.Profile.AlipayKey, nil), Server: e.Profile.Server,
		Profile: e.ProfileName, Embedded: true, KeyringState: "memory", Theme: ui.DefaultTheme(), Keys: ui.DefaultKeys()}
	out := &frameWatch{want: []byte("▸ "), seen: make(chan struct{})}
	p := tea.NewProgram(ui.New(d), append(ui.ProgramOptions(tea.WithInput(nil), tea.WithOutput(out), tea.WithContext(ctx),
		tea.WithoutSignalHandler()), fps...)...)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go mc.Stream(sctx, -1, func(ev api.Event) { p.Send(ui.EventMsg{Event: ev}) }, func(s client.StreamState) { p.Send(ui.StreamMsg{State: s}) })
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	p.Send(tea.WindowSizeMsg{Width: 120, Height: 40}) // no terminal to ask
	select {
	case <-out.seen:
	case err := <-done:
		return fmt.Errorf("the app ended before its first frame: %v", err)
	case <-time.After(60 * time.Second):
		p.Kill()
		return fmt.Errorf("no frame with ads after 60 s")
	}
	first := time.Since(t0)
	// On a restart the merchants get fresh credentials after the first
	// frame; idle is measured once they are back.
	<-e.World.Ready()
	if _, err := e.World.Attached(); err != nil {
		return err
	}
	back := time.Since(t0)
	fmt.Fprintf(w, "first-frame: %.0f ms (%s; marketplace up in %.0f ms; merchants trading at %.0f ms)\n", ms(first), label, ms(started), ms(back))
	if idle {
		stopProfile, err := profileOnce(&o.IdleProfile)
		if err != nil {
			return err
		}
		writes0 := out.count()
		cpu0 := cpuTime()
		time.Sleep(o.Idle)
		cpu := cpuTime() - cpu0
		stopProfile()
		frames := out.count() - writes0
		fmt.Fprintf(w, "idle: %d frames in %s, process CPU %.2f%% at %s (the simulated market at 1x included)\n",
			frames, o.Idle, 100*cpu.Seconds()/o.Idle.Seconds(), fpsLabel)
	}
	p.Quit()
	<-done
	return nil
}

// profileOnce starts a CPU profile into *path, if set, and clears it so
// that the baseline's idle window is not profiled over it.
func profileOnce(path *string) (stop func(), err error) {
	if *path == "" {
		return func() {}, nil
	}
	f, err := os.Create(*path)
	if err != nil {
		return nil, err
	}
	*path = ""
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("idle profile: %w (not beside --cpuprofile)", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// frameWatch is the program's terminal: it counts writes (frames) and
// signals the first that shows a selected table row.
type frameWatch struct {
	mu     sync.Mutex
	want   []byte
	seen   chan struct{}
	once   sync.Once
	writes int
}

func (f *frameWatch) Write(b []byte) (int, error) {
	f.mu.Lock()
	f.writes++
	f.mu.Unlock()
	if bytes.Contains(b, f.want) {
		f.once.Do(func() { close(f.seen) })
	}
	return len(b), nil
}

func (f *frameWatch) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}
