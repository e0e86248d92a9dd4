package server_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/market"
	"p2pdesk/server"
)

// The API benchmark's baseline server answers POST /orders with its hook,
// after the same authentication and decoding as the market's route: a
// signed request reaches the hook as its user, with its body and
// idempotency key; a request with a wrong passphrase never does.
func TestTakeAdHookAnswersAfterTheSameChecks(t *testing.T) {
	e := start(t)
	u := e.user("hook-buyer", 2, nil)
	var got []api.TakeRequest
	srv := server.New(e.m.Market, e.m.Auth, server.Options{
		TakeAd: func(_ context.Context, user int64, req api.TakeRequest, idem *market.Idem) (api.OrderView, error) {
			if user != u.id || idem == nil || idem.Key != "k-1" {
				t.Errorf("hook called for user %d with idempotency %+v", user, idem)
			}
			got = append(got, req)
			return api.OrderView{ID: 7}, nil
		}})
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	creds := client.Credentials{APIKey: u.cred.APIKey, Secret: u.cred.Secret, Passphrase: u.cred.Passphrase}
	c, err := client.New(hs.URL, creds, client.Options{MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.TakeAd(e.ctx, api.TakeRequest{AdID: 42, Amount: "1"}, "k-1")
	if err != nil || v.ID != 7 {
		t.Fatalf("signed request: %+v, %v", v, err)
	}
	if len(got) != 1 || got[0].AdID != 42 || got[0].Amount != "1" {
		t.Fatalf("the hook got %+v", got)
	}
	creds.Passphrase = "wrong"
	bad, _ := client.New(hs.URL, creds, client.Options{MaxRetries: 1})
	if _, err := bad.TakeAd(e.ctx, api.TakeRequest{AdID: 42, Amount: "1"}, "k-1"); api.CodeOf(err) != api.CodeUnauthorized {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if len(got) != 1 {
		t.Fatal("the hook answered an unauthenticated request")
	}
	// The market's own server never calls a hook: an order there is real.
	if _, err := u.c.TakeAd(e.ctx, api.TakeRequest{AdID: 42, Amount: "1"}, ""); api.CodeOf(err) == "" {
		t.Fatal("the marketplace took an order on an ad that does not exist")
	}
}
