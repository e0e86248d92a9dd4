package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"p2pdesk/alipay"
	"p2pdesk/api"
	"p2pdesk/auth"
	"p2pdesk/client"
	"p2pdesk/clock"
	"p2pdesk/market"
	"p2pdesk/server"
	"p2pdesk/store"
	"p2pdesk/store/secrets"
)

func (a *app) accountCommand() *cobra.Command {
	acct := &cobra.Command{Use: "account", Short: "Administer accounts on a marketplace"}
	var (
		name, realName, role, db, srv string
		kyc                           int
		deposits                      []string
		asJSON, verified, noTOTP      bool
	)
	create := &cobra.Command{
		Use:   "create",
		Short: "Open an account and print its credentials once",
		Long: `create opens an account on the database of a marketplace (--db FILE) or on a
running one (--server URL, with an admin credential from the profile named
by --admin-profile or from P2PDESK_ADMIN_KEY, P2PDESK_ADMIN_SECRET and
P2PDESK_ADMIN_PASSPHRASE). It prints the API key, secret, passphrase and
TOTP seed once; nothing else ever shows them in the clear.

Where the marketplace runs the simulated Alipay rail (serve with the
simulation; for --db, the rail's file beside the marketplace's), the
account also gets its simulated Alipay in the verified real name, set as
its Alipay payment method; its account, payment password and token are
printed once with the rest. 'p2pdesk login --from-json' keeps them;
'p2pdesk login' asks for them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := api.NewUserRequest{Name: name, RealName: realName, KYCLevel: kyc, Role: api.Role(role), Verified: verified,
				Deposits: map[string]string{}, WithTOTP: !noTOTP, Alipay: true}
			for _, d := range deposits {
				asset, amt, ok := strings.Cut(d, "=")
				if !ok {
					return &usageError{fmt.Sprintf("--deposit takes ASSET=AMOUNT, not %q", d)}
				}
				req.Deposits[strings.ToUpper(asset)] = amt
			}
			if (db == "") == (srv == "") {
				return &usageError{"give exactly one of --db FILE or --server URL"}
			}
			var out api.NewUserResponse
			var err error
			if db != "" {
				out, err = a.createOnDB(cmd.Context(), db, req)
			} else {
				out, err = a.createOnServer(cmd.Context(), srv, cmd.Flag("admin-profile").Value.String(), req)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(a.out).Encode(struct {
					UserID     int64              `json:"userId,string"`
					Name       string             `json:"name"`
					APIKey     string             `json:"apiKey"`
					Secret     string             `json:"secret"`
					Passphrase string             `json:"passphrase"`
					TOTPSecret string             `json:"totpSecret,omitempty"`
					Alipay     *api.AlipayAccount `json:"alipay,omitempty"`
				}{out.User.ID, out.User.Name, out.Credentials.APIKey, out.Credentials.Secret, out.Credentials.Passphrase, out.TOTPSecret, out.Alipay})
			}
			fmt.Fprintf(a.out, "Account %s (id %d, KYC level %d, %s) created.\nAPI key:     %s\nSecret:      %s\nPassphrase:  %s\n",
				out.User.Name, out.User.ID, out.User.KYCLevel, out.User.Role, out.Credentials.APIKey, out.Credentials.Secret, out.Credentials.Passphrase)
			if out.TOTPSecret != "" {
				fmt.Fprintf(a.out, "TOTP seed:   %s\n", out.TOTPSecret)
			}
			if al := out.Alipay; al != nil {
				fmt.Fprintf(a.out, "Simulated Alipay: account %s (%s), payment password %s\n", al.Account, al.RealName, al.PaymentPassword)
			}
			fmt.Fprintln(a.out, "These are shown once. Save them with `p2pdesk login`.")
			return nil
		},
	}
	f := create.Flags()
	f.StringVar(&name, "name", "", "account name (2-32 letters, digits, ' ', '.', '_', '-')")
	f.StringVar(&realName, "real-name", "", "verified real name (default: the name)")
	f.IntVar(&kyc, "kyc", 1, "KYC level: 0 cannot trade, 1 small daily limit, 2 large")
	f.StringVar(&role, "role", "trader", "trader, support or admin")
	f.BoolVar(&verified, "verified", false, "give the merchant badge")
	f.StringArrayVar(&deposits, "deposit", nil, "opening deposit ASSET=AMOUNT (repeatable)")
	f.BoolVar(&asJSON, "json", false, "print the credentials as JSON")
	f.BoolVar(&noTOTP, "no-totp", false, "do not give the account a two-factor seed")
	f.StringVar(&db, "db", "", "the marketplace's SQLite file")
	f.StringVar(&srv, "server", "", "a running marketplace's URL")
	f.String("admin-profile", "admin", "profile holding an admin credential, for --server")
	create.MarkFlagRequired("name")
	acct.AddCommand(create)
	return acct
}

func (a *app) createOnDB(ctx context.Context, db string, req api.NewUserRequest) (api.NewUserResponse, error) {
	st, status, err := a.openSecrets()
	if err != nil {
		return api.NewUserResponse{}, err
	}
	key, err := serverKey(st, db, true)
	if err != nil {
		if !status.Available {
			err = fmt.Errorf("%w\n%s", err, a.keyringNotice(status))
		}
		return api.NewUserResponse{}, err
	}
	if _, err := os.Stat(db); err != nil && !st.Persistent() && os.Getenv("P2PDESK_SERVER_KEY") == "" {
		return api.NewUserResponse{}, fmt.Errorf("no OS keyring to keep a new server key in: set P2PDESK_SERVER_KEY\n%s", a.keyringNotice(status))
	}
	sk, err := auth.NewServerKey(key)
	if err != nil {
		return api.NewUserResponse{}, err
	}
	s, err := store.Open(ctx, db, "market")
	if err != nil {
		return api.NewUserResponse{}, err
	}
	defer s.Close()
	check, err := s.Meta(ctx, "server_key_check")
	if err != nil {
		return api.NewUserResponse{}, err
	}
	if check == "" {
		if err := s.SetMeta(ctx, "server_key_check", sk.Check()); err != nil {
			return api.NewUserResponse{}, err
		}
	} else if check != sk.Check() {
		return api.NewUserResponse{}, fmt.Errorf("the server key does not match %s", db)
	}
	svc := market.New(s, clock.Real{}, market.DefaultConfig())
	out, err := server.Provision(ctx, svc, auth.NewService(s, sk, clock.Real{}), req)
	if err != nil {
		return out, err
	}
	// Where serve runs the simulated rail beside this file, the account
	// gets its Alipay there, as on --server.
	if rail := railBeside(db); req.Alipay && fileExists(rail) {
		al, err := openAlipayOn(ctx, rail, out.User)
		if err != nil {
			return out, fmt.Errorf("account %s (id %d) was created, but its simulated Alipay could not be opened in %s: %w", out.User.Name, out.User.ID, rail, err)
		}
		if _, err := svc.SetPaymentAccount(ctx, out.User.ID, api.PaymentAccount{Method: api.Alipay, Account: al.Account}); err != nil {
			return out, err
		}
		out.Alipay = &al
	}
	return out, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// openAlipayOn opens a user's simulated Alipay account in a rail's file.
func openAlipayOn(ctx context.Context, railDB string, u api.User) (api.AlipayAccount, error) {
	st, err := store.Open(ctx, railDB, "alipay")
	if err != nil {
		return api.AlipayAccount{}, err
	}
	defer st.Close()
	n, err := alipay.ForMarketUser(u.ID, u.RealName, u.Name)
	if err != nil {
		return api.AlipayAccount{}, err
	}
	_, tok, err := alipay.New(st, clock.Real{}).Open(ctx, n)
	if err != nil {
		return api.AlipayAccount{}, err
	}
	return api.AlipayAccount{Account: n.Login, RealName: n.RealName, PaymentPassword: n.PaymentPassword, Token: tok}, nil
}

func (a *app) createOnServer(ctx context.Context, url, adminProfile string, req api.NewUserRequest) (api.NewUserResponse, error) {
	creds := client.Credentials{APIKey: os.Getenv("P2PDESK_ADMIN_KEY"), Secret: os.Getenv("P2PDESK_ADMIN_SECRET"), Passphrase: os.Getenv("P2PDESK_ADMIN_PASSPHRASE")}
	if creds.APIKey == "" {
		st, status, err := a.openSecrets()
		if err != nil {
			return api.NewUserResponse{}, err
		}
		p, err := secrets.LoadProfile(st, adminProfile)
		if err != nil {
			msg := fmt.Sprintf("no admin credential: set P2PDESK_ADMIN_KEY, P2PDESK_ADMIN_SECRET and P2PDESK_ADMIN_PASSPHRASE, or save an admin login as profile %q (%v)", adminProfile, err)
			if !status.Available {
				msg += "\n" + a.keyringNotice(status)
			}
			return api.NewUserResponse{}, fmt.Errorf("%s", msg)
		}
		creds = client.Credentials{APIKey: p.APIKey, Secret: p.Secret, Passphrase: p.Passphrase}
	}
	c, err := client.New(url, creds, client.Options{TLS: a.tlsOptions()})
	if err != nil {
		return api.NewUserResponse{}, err
	}
	return c.CreateUser(ctx, req)
}
