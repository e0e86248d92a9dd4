package cmd

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/market"
	"p2pdesk/marketplace"
	"p2pdesk/store"
	"p2pdesk/store/secrets"
)

const kill9Env = "P2PDESK_KILL9_DB"

// TestServeKill9Child is the real `p2pdesk serve --no-sim` that
// TestServeKill9LosesNothing kills; it skips anywhere else.
func TestServeKill9Child(t *testing.T) {
	db := os.Getenv(kill9Env)
	if db == "" {
		t.Skip("run by TestServeKill9LosesNothing only")
	}
	a := &app{out: os.Stdout, errOut: os.Stderr, in: strings.NewReader(""), secrets: secrets.NewMemory()}
	root := a.rootCommand()
	root.SetArgs([]string{"serve", "--no-sim", "--db", db, "--listen", "127.0.0.1:0", "--rate-limit", "0"})
	root.SetContext(context.Background())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

type kill9Ack struct {
	op    string // take, paid, cancel, chat
	order int64
	text  string
}

// TestServeKill9LosesNothing runs the real serve in a child process on a
// SQLite file, drives it with concurrent takers over HTTP, kills it with
// SIGKILL while they run, and checks, three times over, that the file is
// intact, the ledger's invariants hold, and every write the server
// acknowledged is there; then serve starts again on the same file.
func TestServeKill9LosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a server process")
	}
	isolate(t)
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "serve.db") // a real disk, not tmpfs
	key := auth.GenerateKey()
	t.Setenv("P2PDESK_SERVER_KEY", base64.StdEncoding.EncodeToString(key))

	// The accounts and the ad, made directly on the file.
	m, err := marketplace.Start(ctx, marketplace.Options{DBPath: db, ServerKey: key})
	if err != nil {
		t.Fatal(err)
	}
	maker, err := m.Provision(ctx, api.NewUserRequest{Name: "maker", RealName: "Mia Maker", KYCLevel: 2, Deposits: map[string]string{"USDT": "100000"}})
	if err != nil {
		t.Fatal(err)
	}
	mc := m.Client(maker.Credentials)
	if _, err := mc.SetPaymentAccount(ctx, api.Alipay, "13900000001", ""); err != nil {
		t.Fatal(err)
	}
	ad, err := mc.PostAd(ctx, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7", Total: "100000", MinFiat: "1", MaxFiat: "70000", Payments: []string{"alipay"}, WindowMin: 30})
	if err != nil {
		t.Fatal(err)
	}
	const takers = 8
	var creds []client.Credentials
	for i := 0; i < takers; i++ {
		r, err := m.Provision(ctx, api.NewUserRequest{Name: fmt.Sprintf("taker%d", i), KYCLevel: 2})
		if err != nil {
			t.Fatal(err)
		}
		creds = append(creds, client.Credentials{APIKey: r.Credentials.APIKey, Secret: r.Credentials.Secret, Passphrase: r.Credentials.Passphrase})
	}
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	for round := 0; round < 3; round++ {
		acks := kill9Round(t, db, ad.ID, creds, time.Duration(rng.IntN(300))*time.Millisecond)
		if len(acks) == 0 {
			t.Fatalf("round %d: nothing was acknowledged: the test tested nothing", round)
		}
		st, err := store.OpenSQLite(db, store.SQLiteOptions{})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, res, err)
		}
		if err := market.CheckInvariants(ctx, st); err != nil {
			t.Fatalf("round %d: invariants after kill -9: %v", round, err)
		}
		lost := 0
		err = st.View(ctx, func(tx market.ReadTx) error {
			for _, a := range acks {
				o, err := tx.Order(a.order)
				if err != nil {
					lost++
					t.Errorf("round %d: acknowledged %s of order %d lost: %v", round, a.op, a.order, err)
					continue
				}
				switch a.op {
				case "paid":
					if o.State != api.StatePaid {
						lost++
						t.Errorf("round %d: acknowledged paid, order %d is %s", round, a.order, o.State)
					}
				case "cancel":
					if o.State != api.StateCancelled {
						lost++
						t.Errorf("round %d: acknowledged cancel, order %d is %s", round, a.order, o.State)
					}
				case "chat":
					log, err := tx.OrderLog(a.order, 0)
					if err != nil {
						return err
					}
					found := false
					for _, l := range log {
						found = found || (l.Kind == api.LogChat && l.Text == a.text)
					}
					if !found {
						lost++
						t.Errorf("round %d: acknowledged message %q of order %d lost", round, a.text, a.order)
					}
				}
			}
			return nil
		})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d acknowledged writes, %d lost", round, len(acks), lost)
	}
}

// kill9Round starts serve on db, runs the takers until enough writes are
// acknowledged and then for extra, kills it, and returns what it
// acknowledged.
func kill9Round(t *testing.T, db string, adID int64, creds []client.Credentials, extra time.Duration) []kill9Ack {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeKill9Child$", "-test.v=false")
	cmd.Env = append(os.Environ(), kill9Env+"="+db)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	urlCh := make(chan string, 1)
	var tail strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if _, rest, ok := strings.Cut(line, "listening on "); ok {
				u, _, _ := strings.Cut(rest, " ")
				select {
				case urlCh <- u:
				default:
				}
			} else if tail.Len() < 4096 {
				tail.WriteString(line + "\n")
			}
		}
	}()
	var url string
	select {
	case url = <-urlCh:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start: %s", tail.String())
	}

	var mu sync.Mutex
	var acks []kill9Ack
	ack := func(a kill9Ack) {
		mu.Lock()
		acks = append(acks, a)
		mu.Unlock()
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acks) }
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	for i, c := range creds {
		cl, err := client.New(url, c, client.Options{MaxRetries: 1, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				o, err := cl.TakeAd(ctx, api.TakeRequest{AdID: adID, Amount: "1", Payment: "alipay"}, client.NewIdempotencyKey())
				if err != nil {
					return
				}
				ack(kill9Ack{op: "take", order: o.ID})
				text := fmt.Sprintf("taker %d, order %d: sent", i, o.ID)
				if _, err := cl.SendMessage(ctx, o.ID, text); err != nil {
					return
				}
				ack(kill9Ack{op: "chat", order: o.ID, text: text})
				if n%2 == 0 {
					if _, err := cl.MarkPaid(ctx, o.ID, api.StateCreated); err != nil {
						return
					}
					ack(kill9Ack{op: "paid", order: o.ID})
				} else {
					if _, err := cl.Cancel(ctx, o.ID, api.StateCreated); err != nil {
						return
					}
					ack(kill9Ack{op: "cancel", order: o.ID})
				}
			}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for count() < 40 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(extra)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	killed = true
	cmd.Wait()
	stop()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return append([]kill9Ack(nil), acks...)
}
