package server

import (
	"context"
	"fmt"
	"sort"

	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/market"
)

// Provision opens an account with its first API key, optional deposits and
// an optional enabled two-factor seed. It is what POST /admin/users and
// `p2pdesk account create --db` both do. The credentials and the seed are
// in the result, and nowhere else in the clear.
func Provision(ctx context.Context, svc *market.Service, au *auth.Service, req api.NewUserRequest) (api.NewUserResponse, error) {
	var out api.NewUserResponse
	type dep struct {
		asset api.Asset
		amt   string
	}
	var deps []dep
	for a, amt := range req.Deposits {
		asset, err := api.ParseAsset(a)
		if err != nil {
			return out, err
		}
		if _, err := api.ParseAmount(amt, asset.Scale(), "deposits."+a); err != nil {
			return out, err
		}
		deps = append(deps, dep{asset, amt})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].asset < deps[j].asset })
	u, err := svc.CreateUser(ctx, market.NewUser{Name: req.Name, RealName: req.RealName, KYCLevel: req.KYCLevel, Role: req.Role, Verified: req.Verified})
	if err != nil {
		return out, err
	}
	out.User = u
	for _, d := range deps {
		amt, _ := api.ParseAmount(d.amt, d.asset.Scale(), "amount")
		if _, err := svc.Deposit(ctx, u.ID, d.asset, amt, fmt.Sprintf("opening-%d-%s", u.ID, d.asset)); err != nil {
			return out, err
		}
	}
	if out.Credentials, err = au.Issue(ctx, u.ID, "initial"); err != nil {
		return out, err
	}
	if req.WithTOTP {
		e, err := au.NewTOTPSeed(u.Name)
		if err != nil {
			return out, err
		}
		if err := au.SetTOTPSeed(ctx, u.ID, e.Secret); err != nil {
			return out, err
		}
		out.TOTPSecret = e.Secret
	}
	return out, nil
}
