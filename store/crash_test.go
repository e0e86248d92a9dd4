package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/clock"
	"p2pdesk/market"
	"p2pdesk/money"
)

const crashEnv = "P2PDESK_CRASH_CHILD_DB"

// TestCrashRecovery kills a writer with SIGKILL at a random moment, several
// times over, and checks after each restart that the file is intact, every
// invariant holds, and every operation the child acknowledged is there.
// It uses a real disk file with synchronous=FULL.
func TestCrashRecovery(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	setupCrashDB(t, path)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for round := 0; round < 6; round++ {
		acks := runAndKill(t, path, time.Duration(80+rng.IntN(400))*time.Millisecond)
		st, err := OpenSQLite(path, SQLiteOptions{})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		if res, err := st.IntegrityCheck(context.Background()); err != nil || res != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, res, err)
		}
		if err := market.CheckInvariants(context.Background(), st); err != nil {
			t.Fatalf("round %d: invariants after kill: %v", round, err)
		}
		missing := 0
		err = st.View(context.Background(), func(tx market.ReadTx) error {
			for _, a := range acks {
				o, err := tx.Order(a.order)
				if err != nil {
					missing++
					t.Errorf("round %d: acknowledged %s of order %d lost: %v", round, a.op, a.order, err)
					continue
				}
				ok := true
				switch a.op {
				case "paid":
					ok = o.State == api.StatePaid || o.State == api.StateCompleted
				case "release":
					ok = o.State == api.StateCompleted
				}
				if !ok {
					missing++
					t.Errorf("round %d: acknowledged %s but order %d is %s", round, a.op, a.order, o.State)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		t.Logf("round %d: %d acknowledged operations, all present", round, len(acks))
		if len(acks) == 0 {
			t.Fatalf("round %d: the child acknowledged nothing: the test tested nothing", round)
		}
	}
}

type ack struct {
	op    string
	order int64
}

func setupCrashDB(t *testing.T, path string) {
	st, err := OpenSQLite(path, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	svc := market.New(st, clock.Real{}, market.DefaultConfig())
	m, err := svc.CreateUser(ctx, market.NewUser{Name: "merchant", KYCLevel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Deposit(ctx, m.ID, api.USDT, money.MustParse("100000000", 6), "seed"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetPaymentAccount(ctx, m.ID, api.PaymentAccount{Method: api.Alipay, Account: "13800000001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PostAd(ctx, m.ID, api.AdRequest{Side: "sell", Asset: "USDT", Fiat: "CNY", Price: "7.2", Total: "100000000",
		MinFiat: "1", MaxFiat: "1000000", Payments: []string{"alipay"}, WindowMin: 30}, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		if _, err := svc.CreateUser(ctx, market.NewUser{Name: fmt.Sprintf("buyer%d", i), KYCLevel: 2}); err != nil {
			t.Fatal(err)
		}
	}
}

// runAndKill starts the child, reads its acknowledgements, and kills it.
func runAndKill(t *testing.T, path string, after time.Duration) []ack {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acks []ack
	done := make(chan struct{})
	first := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "ACK" {
				id, _ := strconv.ParseInt(f[2], 10, 64)
				if len(acks) == 0 {
					close(first)
				}
				acks = append(acks, ack{op: f[1], order: id})
			}
		}
	}()
	// The kill moment is counted from the first acknowledgement, not from
	// the start: under -race on a slow machine the child can take longer
	// than the whole delay just to start, and then nothing would be tested.
	select {
	case <-first:
	case <-done:
	case <-time.After(30 * time.Second):
	}
	time.Sleep(after)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
	_ = cmd.Wait()
	return acks
}

// TestCrashChild is the process that gets killed. It only runs when the
// parent test starts it.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrashRecovery only")
	}
	st, err := OpenSQLite(path, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	svc := market.New(st, clock.Real{}, market.DefaultConfig())
	var mu sync.Mutex
	say := func(op string, id int64) {
		mu.Lock()
		fmt.Printf("ACK %s %d\n", op, id)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			buyer := int64(3 + i) // system=1, merchant=2, buyers follow
			for n := 0; ; n++ {
				o, err := svc.TakeAd(ctx, buyer, api.TakeRequest{AdID: 1, Amount: "1.5"}, nil)
				if err != nil {
					fmt.Fprintln(os.Stderr, "take:", err)
					return
				}
				say("take", o.ID)
				if _, err := svc.MarkPaid(ctx, buyer, o.ID, market.Expect{}); err != nil {
					fmt.Fprintln(os.Stderr, "paid:", err)
					return
				}
				say("paid", o.ID)
				if n%2 == 0 {
					if _, err := svc.Release(ctx, 2, o.ID, market.Expect{}); err != nil {
						fmt.Fprintln(os.Stderr, "release:", err)
						return
					}
					say("release", o.ID)
				}
			}
		}(i)
	}
	wg.Wait()
}
