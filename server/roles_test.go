package server_test

import (
	"strings"
	"testing"
	"time"

	"p2pdesk/api"
)

// Every support and admin route answers 404 NOT_FOUND to a caller without
// the role, exactly as a route that does not exist: a trader learns
// nothing of them, support nothing of the admin's.
func TestRoutesARoleLacksAre404(t *testing.T) {
	e := start(t)
	trader := e.user("trader", 2, nil)
	sup, err := e.m.Provision(e.ctx, api.NewUserRequest{Name: "helper", KYCLevel: 2, Role: api.RoleSupport})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range e.m.Server.Routes() {
		method, path, _ := strings.Cut(r, " ")
		for _, part := range []string{"{id}", "{key}"} {
			path = strings.ReplaceAll(path, part, "1")
		}
		var callers []api.Credentials
		switch {
		case strings.HasPrefix(path, api.Prefix+"/admin/"):
			callers = []api.Credentials{trader.cred, sup.Credentials}
		case strings.HasPrefix(path, api.Prefix+"/support/"):
			callers = []api.Credentials{trader.cred}
		default:
			continue
		}
		var body []byte
		if method != "GET" && method != "DELETE" {
			body = []byte(`{}`)
		}
		for _, c := range callers {
			st, code := e.raw(method, path, body, c, time.Now(), nil)
			if st != 404 || code != "NOT_FOUND" {
				t.Errorf("%s %s without the role: %d %s, want 404 NOT_FOUND", method, path, st, code)
			}
			checked++
		}
	}
	if checked < 10 {
		t.Fatalf("only %d calls checked: the route list is not being read", checked)
	}
}
