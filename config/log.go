package config

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Log rotation: a log past LogMaxBytes moves to .1 (the older to .2, ...),
// LogKeep files kept, so a long practice run cannot fill the disk.
const (
	LogMaxBytes = 8 << 20
	LogKeep     = 3
)

// OpenLog opens the log file (0600, in a 0700 directory) and returns a
// logger writing to it. Nothing is ever logged to the terminal the TUI
// owns.
func OpenLog(c LogConfig) (*slog.Logger, io.Closer, error) {
	if err := os.MkdirAll(filepath.Dir(c.File), 0o700); err != nil {
		return nil, nil, fmt.Errorf("log directory: %w", err)
	}
	w, err := openRotating(c.File, LogMaxBytes, LogKeep)
	if err != nil {
		return nil, nil, fmt.Errorf("log file: %w", err)
	}
	var lvl slog.Level
	switch strings.ToLower(c.Level) {
	case "debug":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl})), w, nil
}

// rotating is a size-capped log file: a write that would take it past max
// first moves it aside.
type rotating struct {
	mu   sync.Mutex
	path string
	max  int64
	keep int
	f    *os.File
	size int64
}

func openRotating(path string, max int64, keep int) (*rotating, error) {
	r := &rotating{path: path, max: max, keep: keep}
	if err := r.open(); err != nil {
		return nil, err
	}
	if r.size >= max {
		if err := r.rotate(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *rotating) open() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	r.f, r.size = f, st.Size()
	return nil
}

// rotate shifts path.N to path.N+1 (dropping the last) and path to path.1.
func (r *rotating) rotate() error {
	if err := r.f.Close(); err != nil {
		return err
	}
	os.Remove(fmt.Sprintf("%s.%d", r.path, r.keep))
	for i := r.keep - 1; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", r.path, i), fmt.Sprintf("%s.%d", r.path, i+1))
	}
	if err := os.Rename(r.path, r.path+".1"); err != nil {
		return err
	}
	return r.open()
}

func (r *rotating) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.size > 0 && r.size+int64(len(p)) > r.max {
		if err := r.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

func (r *rotating) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.f.Close()
}
