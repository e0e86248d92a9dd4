package server_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/marketplace"
	"p2pdesk/store/pgtest"
)

// openStream opens the event stream signed with c and returns a channel
// closed when the server ends it.
func openStream(t *testing.T, ctx context.Context, url string, c api.Credentials) <-chan struct{} {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", url+"/api/v1/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	stamp := api.Timestamp(time.Now())
	req.Header.Set(api.HeaderKey, c.APIKey)
	req.Header.Set(api.HeaderPassphrase, c.Passphrase)
	req.Header.Set(api.HeaderTimestamp, stamp)
	req.Header.Set(api.HeaderSign, api.Sign(c.Secret, stamp, "GET", "/api/v1/stream", nil))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	br := bufio.NewReader(resp.Body)
	if _, err := br.ReadString('\n'); err != nil { // the hello event has arrived
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, br)
		resp.Body.Close()
		close(done)
	}()
	return done
}

func (e *env) status(c api.Credentials) int {
	e.t.Helper()
	st, _ := e.raw("GET", "/api/v1/balances", nil, c, time.Now(), nil)
	return st
}

// TestReissueRevokesTheOldKeyAtOnce: an admin's re-issue revokes the old
// key at once, cache and open stream included (issue 12, item 2: the old
// key answered 200 for another 10 s and its stream kept delivering).
func TestReissueRevokesTheOldKeyAtOnce(t *testing.T) {
	e := start(t)
	admin := e.admin()
	u := e.user("alice", 1, nil)
	if st := e.status(u.cred); st != 200 { // the key is in the cache now
		t.Fatalf("old key before re-issue: %d", st)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	streamDone := openStream(t, ctx, e.m.URL, u.cred)

	fresh, err := admin.c.IssueKey(e.ctx, u.id)
	if err != nil {
		t.Fatal(err)
	}
	if st := e.status(u.cred); st != http.StatusUnauthorized {
		t.Fatalf("old key right after re-issue: %d, want 401", st)
	}
	if st := e.status(fresh); st != 200 {
		t.Fatalf("new key: %d", st)
	}
	select {
	case <-streamDone:
	case <-time.After(time.Second):
		t.Fatal("the old key's stream is still open a second after the re-issue")
	}
	keys, err := e.m.Client(fresh).Keys(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	revoked := map[string]bool{}
	for _, k := range keys {
		revoked[k.APIKey] = k.Revoked
	}
	if len(keys) != 2 || !revoked[u.cred.APIKey] || revoked[fresh.APIKey] {
		t.Fatalf("keys after re-issue: %+v", keys)
	}
}

// TestUsersRevokeTheirOwnKeys: a trader lists and revokes their own keys
// only (someone else's is 404); an admin lists and revokes anyone's.
func TestUsersRevokeTheirOwnKeys(t *testing.T) {
	e := start(t)
	admin := e.admin()
	alice := e.user("alice", 1, nil)
	bob := e.user("bob", 1, nil)

	_, err := bob.c.RevokeKey(e.ctx, alice.cred.APIKey)
	wantCode(t, err, "NOT_FOUND")
	_, err = bob.c.AdminRevokeKey(e.ctx, alice.cred.APIKey)
	wantCode(t, err, "NOT_FOUND")
	_, err = bob.c.UserKeys(e.ctx, alice.id)
	wantCode(t, err, "NOT_FOUND")
	if st := e.status(alice.cred); st != 200 {
		t.Fatalf("alice's key after bob's attempts: %d", st)
	}
	keys, err := alice.c.Keys(e.ctx)
	if err != nil || len(keys) != 1 || keys[0].APIKey != alice.cred.APIKey || keys[0].Revoked {
		t.Fatalf("alice's keys: %+v %v", keys, err)
	}

	if _, err := bob.c.RevokeKey(e.ctx, bob.cred.APIKey); err != nil {
		t.Fatal(err)
	}
	if st := e.status(bob.cred); st != http.StatusUnauthorized {
		t.Fatalf("bob's revoked key: %d", st)
	}

	listed, err := admin.c.UserKeys(e.ctx, alice.id)
	if err != nil || len(listed) != 1 || listed[0].APIKey != alice.cred.APIKey {
		t.Fatalf("admin's list of alice's keys: %+v %v", listed, err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	streamDone := openStream(t, ctx, e.m.URL, alice.cred)
	if k, err := admin.c.AdminRevokeKey(e.ctx, alice.cred.APIKey); err != nil || !k.Revoked {
		t.Fatalf("admin revoke: %+v %v", k, err)
	}
	if st := e.status(alice.cred); st != http.StatusUnauthorized {
		t.Fatalf("alice's key revoked by the admin: %d", st)
	}
	select {
	case <-streamDone:
	case <-time.After(time.Second):
		t.Fatal("a revoked key's stream is still open after a second")
	}
}

// TestRevokedKeyRefusedOnEveryServer: two servers share one PostgreSQL
// database; a key revoked through one is refused by the other within a
// second, though the other had it in its cache, and the stream it serves
// for that key ends.
func TestRevokedKeyRefusedOnEveryServer(t *testing.T) {
	db := pgtest.URL(t)
	key := auth.GenerateKey()
	var servers [2]*marketplace.Marketplace
	for i := range servers {
		m, err := marketplace.Start(context.Background(), marketplace.Options{DBPath: db, ServerKey: key, RateLimit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close(context.Background()) })
		servers[i] = m
	}
	a, b := servers[0], servers[1]
	r, err := a.Provision(context.Background(), api.NewUserRequest{Name: "carol", RealName: "Carol", KYCLevel: 1})
	if err != nil {
		t.Fatal(err)
	}
	onB := &env{t: t, ctx: context.Background(), m: b}
	if st := onB.status(r.Credentials); st != 200 {
		t.Fatalf("on B before: %d", st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	streamDone := openStream(t, ctx, b.URL, r.Credentials)
	if _, err := a.Client(r.Credentials).RevokeKey(context.Background(), r.Credentials.APIKey); err != nil {
		t.Fatal(err)
	}
	revoked := time.Now()
	for onB.status(r.Credentials) != http.StatusUnauthorized {
		if time.Since(revoked) > time.Second {
			t.Fatal("server B still takes the key a second after A revoked it")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-streamDone:
	case <-time.After(time.Second):
		t.Fatal("the stream on B is still open a second after the revocation on A")
	}
}
