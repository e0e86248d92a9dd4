package cmd

import (
	"context"
	"path/filepath"
	"testing"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/clock"
	"p2pdesk/config"
	"p2pdesk/market"
	"p2pdesk/marketplace"
)

// serve --price-band-bp reaches the market's rules: a fixed price 10 %
// from the index is refused in a 5 % band and taken in the default 20 %.
func TestServePriceBand(t *testing.T) {
	isolate(t)
	a := &app{}
	cmd := a.serveCommand()
	if err := cmd.ParseFlags([]string{"--price-band-bp", "500"}); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := config.Load("", cmd.Flags())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Serve.PriceBandBP != 500 {
		t.Fatalf("serve.price_band_bp = %d", cfg.Serve.PriceBandBP)
	}
	a.cfg = cfg
	ctx := context.Background()
	for _, c := range []struct {
		rules *market.Config
		ok    bool
	}{{a.serveConfig(), false}, {(&app{}).serveConfig(), true}} {
		m, err := marketplace.Start(ctx, marketplace.Options{DBPath: filepath.Join(t.TempDir(), "m.db"), ServerKey: auth.GenerateKey(), Clock: clock.Real{}, Config: c.rules})
		if err != nil {
			t.Fatal(err)
		}
		adm, err := m.Provision(ctx, api.NewUserRequest{Name: "admin", KYCLevel: 2, Role: api.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Client(adm.Credentials).SetIndex(ctx, api.USDT, api.CNY, "7"); err != nil {
			t.Fatal(err)
		}
		r, err := m.Provision(ctx, api.NewUserRequest{Name: "maker", KYCLevel: 2, Deposits: map[string]string{"USDT": "100"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.Client(r.Credentials).PostAd(ctx, api.AdRequest{Side: "buy", Asset: "USDT", Fiat: "CNY", Price: "7.70", Total: "10", MinFiat: "10", MaxFiat: "50", Payments: []string{"alipay"}, WindowMin: 15})
		if c.ok && err != nil {
			t.Fatalf("the default band refused 10 %%: %v", err)
		}
		if !c.ok && api.CodeOf(err) != api.CodePriceOutOfBand {
			t.Fatalf("a 5 %% band: %v, want PRICE_OUT_OF_BAND", err)
		}
		m.Close(ctx)
	}
}
