package api

// Route is one endpoint: its method and path under Prefix, the body it
// takes and the answer it gives, each as a zero value of its type (nil:
// none). The server serves exactly these and checks every answer and
// every decoded body against them; docs/API.md names them per route.
type Route struct {
	Method, Path string
	Body         any
	Answer       any
}

// Pattern is the route as an http.ServeMux pattern ("GET /api/v1/ads").
func (r Route) Pattern() string { return r.Method + " " + Prefix + r.Path }

// Routes lists the whole API.
var Routes = []Route{
	{"GET", "/health", nil, Health{}},

	{"GET", "/ads", nil, AdPage{}},
	{"POST", "/ads", AdRequest{}, AdView{}},
	{"GET", "/ads/mine", nil, []AdView{}},
	{"GET", "/ads/{id}", nil, AdView{}},
	{"PATCH", "/ads/{id}", AdPatch{}, AdView{}},
	{"DELETE", "/ads/{id}", nil, AdView{}},
	{"POST", "/ads/{id}/pause", nil, AdView{}},
	{"POST", "/ads/{id}/resume", nil, AdView{}},

	{"POST", "/orders", TakeRequest{}, OrderView{}},
	{"GET", "/orders", nil, OrderPage{}},
	{"GET", "/orders/{id}", nil, OrderView{}},
	{"POST", "/orders/{id}/paid", ExpectBody{}, OrderView{}},
	{"POST", "/orders/{id}/cancel", ExpectBody{}, OrderView{}},
	{"POST", "/orders/{id}/release", ReleaseRequest{}, OrderView{}},
	{"POST", "/orders/{id}/dispute", DisputeRequest{}, OrderView{}},
	{"POST", "/orders/{id}/evidence", EvidenceRequest{}, LogEntry{}},
	{"POST", "/orders/{id}/rate", RateRequest{}, OrderView{}},
	{"GET", "/orders/{id}/messages", nil, []OrderLogEntry{}},
	{"POST", "/orders/{id}/messages", MessageRequest{}, LogEntry{}},

	{"GET", "/account", nil, Account{}},
	{"PUT", "/account/payment-methods/{method}", PaymentAccountRequest{}, PaymentAccount{}},
	{"PUT", "/account/anti-phishing", AntiPhishingRequest{}, AntiPhishing{}},
	{"GET", "/account/2fa", nil, TwoFactor{}},
	{"POST", "/account/2fa/enroll", nil, Enrollment{}},
	{"POST", "/account/2fa/confirm", TOTPRequest{}, TwoFactor{}},
	{"GET", "/account/keys", nil, []KeyInfo{}},
	{"DELETE", "/account/keys/{key}", nil, KeyInfo{}},
	{"GET", "/balances", nil, []BalanceView{}},
	{"GET", "/traders/{id}", nil, TraderCard{}},
	{"GET", "/index", nil, IndexPoint{}},
	{"GET", "/index/history", nil, []IndexPoint{}},
	{"GET", "/stream", nil, nil}, // Server-Sent Events: see Payloads

	{"GET", "/support/disputes", nil, []OrderView{}},
	{"POST", "/support/orders/{id}/resolve", ResolveRequest{}, OrderView{}},
	{"POST", "/support/orders/{id}/messages", MessageRequest{}, LogEntry{}},

	{"POST", "/admin/users", NewUserRequest{}, NewUserResponse{}},
	{"PATCH", "/admin/users/{id}", UserPatch{}, User{}},
	{"POST", "/admin/users/{id}/keys", nil, Credentials{}},
	{"GET", "/admin/users/{id}/keys", nil, []KeyInfo{}},
	{"DELETE", "/admin/keys/{key}", nil, KeyInfo{}},
	{"POST", "/admin/deposits", DepositRequest{}, BalanceView{}},
	{"POST", "/admin/index", IndexRequest{}, IndexPoint{}},
	{"POST", "/admin/index/batch", IndexBatchRequest{}, []IndexPoint{}},
	{"PUT", "/admin/clock", ClockRequest{}, ClockResponse{}},
}
