// Package embedded runs the practice marketplace inside the p2pdesk
// process: the marketplace server on loopback over a SQLite file, the
// simulated market (merchants, price feed, Alipay) on a live clock, and
// the practice account of the person at the keyboard, whose credentials
// live in the secret store. The TUI talks to it over HTTP like to any
// remote server: there is one code path.
package embedded

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/lockfile"
	"p2pdesk/sim"
	"p2pdesk/store/secrets"
)

// Options describe the embedded marketplace.
type Options struct {
	Dir       string // market.db and alipay.db
	ServerKey []byte
	Secrets   secrets.Store
	Speed     float64
	Seed      uint64
	Merchants int
	Log       *slog.Logger
	Version   string
	// Name and RealName of the practice account on its first run.
	Name, RealName string
}

// Embedded is a running practice marketplace and its practice account.
type Embedded struct {
	World       *sim.World
	Profile     secrets.Profile
	ProfileName string
	// FirstRun: the practice account was created by this start.
	FirstRun bool
	Dir      string

	cancel context.CancelFunc
	done   sync.WaitGroup
	lock   *lockfile.Lock
}

// ProfileName is the secret-store profile of the practice account of a
// data directory: one per directory, so two directories never share one.
func ProfileName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	h := sha256.Sum256([]byte(abs))
	return "practice-" + hex.EncodeToString(h[:4])
}

// Start opens (or creates) the practice marketplace in o.Dir and runs its
// clock until Close.
func Start(ctx context.Context, o Options) (*Embedded, error) {
	if o.Name == "" {
		o.Name = "you"
	}
	if o.RealName == "" {
		o.RealName = "Chen Jing"
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, err
	}
	lock, err := holdDir(ctx, o.Dir)
	if err != nil {
		return nil, err
	}
	so := sim.Options{Dir: o.Dir, ServerKey: o.ServerKey, Seed: o.Seed, Speed: o.Speed,
		Merchants: o.Merchants, History: true, Log: o.Log, Version: o.Version, FeedEvery: time.Minute,
		// The first frame must not wait for the merchants' fresh credentials.
		AttachInBackground: true,
		// The directory is locked to this process (holdDir): a second
		// p2pdesk on it talks to this one over HTTP, never to the files.
		SoleWriter: true}
	w, err := sim.Open(ctx, so)
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	e := &Embedded{World: w, ProfileName: ProfileName(o.Dir), Dir: o.Dir, lock: lock}
	err = e.ensureAccount(ctx, o)
	if err == nil {
		// Now a second p2pdesk on this directory can join: the account
		// exists and the marketplace answers.
		note, _ := json.Marshal(Running{PID: os.Getpid(), URL: w.URL()})
		err = lock.SetNote(note)
	}
	if err != nil {
		w.Close(context.Background())
		lock.Unlock()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.done.Add(1)
	go func() {
		defer e.done.Done()
		w.Run(runCtx)
	}()
	return e, nil
}

// ensureAccount loads the practice profile, or creates the account when
// there is none or the marketplace no longer knows it (a deleted database).
func (e *Embedded) ensureAccount(ctx context.Context, o Options) error {
	p, err := secrets.LoadProfile(o.Secrets, e.ProfileName)
	switch {
	case err == nil:
		c, cerr := client.New(e.World.URL(), client.Credentials{APIKey: p.APIKey, Secret: p.Secret, Passphrase: p.Passphrase}, client.Options{})
		if cerr != nil {
			return cerr
		}
		if _, aerr := c.Account(ctx); aerr == nil {
			p.Server = e.World.URL() // the port changes from run to run
			e.Profile = p
			return secrets.SaveProfile(o.Secrets, e.ProfileName, p)
		} else if api.CodeOf(aerr) != api.CodeUnauthorized {
			return aerr
		}
		// The marketplace was reset: make a new account below.
	case !errors.Is(err, secrets.ErrNotFound):
		return fmt.Errorf("reading the practice account from %s: %w", o.Secrets.Describe(), err)
	}
	name := o.Name
	var acct sim.PracticeAccount
	for i := 0; ; i++ {
		acct, err = e.World.OpenPracticeAccount(ctx, name, o.RealName)
		if api.CodeOf(err) == api.CodeNameTaken && i < 20 {
			name = o.Name + strconv.Itoa(i+2)
			continue
		}
		if err != nil {
			return fmt.Errorf("creating the practice account: %w", err)
		}
		break
	}
	e.Profile = secrets.Profile{Server: e.World.URL(), Name: acct.Name, APIKey: acct.Credentials.APIKey, Secret: acct.Credentials.Secret,
		Passphrase: acct.Credentials.Passphrase, AlipayAccount: acct.AlipayLogin, AlipayKey: acct.AlipayToken, AlipayPassword: acct.AlipayPassword}
	e.FirstRun = true
	return secrets.SaveProfile(o.Secrets, e.ProfileName, e.Profile)
}

// Close stops the clock, the simulated people and the server.
func (e *Embedded) Close() error {
	e.cancel()
	e.done.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(e.World.Close(ctx), e.lock.Unlock())
}
