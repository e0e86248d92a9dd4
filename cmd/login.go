package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/store/secrets"
)

// loginCommand saves a server's credentials in the secret store after the
// server has accepted them.
func (a *app) loginCommand() *cobra.Command {
	var fromJSON string
	var holdTOTP bool
	c := &cobra.Command{
		Use:   "login",
		Short: "Check credentials against a marketplace and keep them in the OS keyring",
		Long: `login asks for the API key, secret and passphrase of an account on the server
given by --server, checks them against it, and saves them in the OS keyring
as the profile named by --profile (default "default"). Several profiles can
point at several servers and accounts.

For scripts, --from-json FILE (or - for standard input) reads the JSON that
'p2pdesk account create --json' prints. Its TOTP seed is kept only with
--hold-totp, for practice accounts: otherwise put it in your authenticator app.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			server := strings.TrimRight(a.cfg.Server, "/")
			if server == "" {
				return &usageError{"login needs --server URL (the embedded marketplace logs you in by itself)"}
			}
			name := a.cfg.Profile
			var in struct {
				APIKey     string `json:"apiKey"`
				Secret     string `json:"secret"`
				Passphrase string `json:"passphrase"`
				TOTPSecret string `json:"totpSecret"`
				// The simulated Alipay account opened with it, if any.
				Alipay *api.AlipayAccount `json:"alipay"`
			}
			if fromJSON != "" {
				var r io.Reader = a.in
				if fromJSON != "-" {
					f, err := os.Open(fromJSON)
					if err != nil {
						return err
					}
					defer f.Close()
					r = f
				}
				if err := json.NewDecoder(r).Decode(&in); err != nil {
					return fmt.Errorf("reading credentials JSON: %w", err)
				}
			} else {
				var err error
				if in.APIKey, err = a.readLine("API key: "); err != nil {
					return err
				}
				if in.Secret, err = a.readSecret("Secret: "); err != nil {
					return err
				}
				if in.Passphrase, err = a.readSecret("Passphrase: "); err != nil {
					return err
				}
			}
			if in.APIKey == "" || in.Secret == "" || in.Passphrase == "" {
				return &usageError{"the API key, the secret and the passphrase are all needed"}
			}
			cl, err := client.New(server, client.Credentials{APIKey: in.APIKey, Secret: in.Secret, Passphrase: in.Passphrase}, client.Options{TLS: a.tlsOptions()})
			if err != nil {
				return &usageError{err.Error()}
			}
			acct, err := cl.Account(cmd.Context())
			if err != nil {
				if api.CodeOf(err) == api.CodeUnauthorized {
					return fmt.Errorf("%s refused these credentials: check the key, secret and passphrase (nothing was saved)", server)
				}
				return fmt.Errorf("could not check the credentials against %s (nothing was saved): %w", server, err)
			}
			if in.Alipay == nil && fromJSON == "" {
				if in.Alipay, err = a.askAlipay(cmd.Context(), server, acct.User.RealName); err != nil {
					return err
				}
			}
			st, status, err := a.openSecrets()
			if err != nil {
				return err
			}
			p := secrets.Profile{Server: server, Name: acct.User.Name, APIKey: in.APIKey, Secret: in.Secret, Passphrase: in.Passphrase}
			if holdTOTP {
				p.TOTPSeed = in.TOTPSecret
			}
			if al := in.Alipay; al != nil {
				p.AlipayAccount, p.AlipayKey, p.AlipayPassword = al.Account, al.Token, al.PaymentPassword
			}
			if err := secrets.SaveProfile(st, name, p); err != nil {
				return fmt.Errorf("saving to %s: %w", st.Describe(), err)
			}
			fmt.Fprintf(a.out, "Logged in to %s as %s; profile %q saved in %s.\n", server, acct.User.Name, name, st.Describe())
			if !st.Persistent() {
				fmt.Fprintln(a.errOut, a.keyringNotice(status))
			}
			if in.TOTPSecret != "" && !holdTOTP {
				fmt.Fprintln(a.out, "The TOTP seed was not saved: add it to your authenticator app.")
			}
			return nil
		},
	}
	c.Flags().StringVar(&fromJSON, "from-json", "", "read the credentials from this JSON file (- for standard input)")
	c.Flags().BoolVar(&holdTOTP, "hold-totp", false, "let p2pdesk keep the TOTP seed and act as your authenticator (practice only)")
	return c
}

// askAlipay asks for the account's simulated Alipay, where the server runs
// the rail: its API token and payment password, as 'account create'
// printed them. The token is checked against the rail; Enter skips.
func (a *app) askAlipay(ctx context.Context, server, realName string) (*api.AlipayAccount, error) {
	_, err := client.NewAlipay(server, "", a.railHTTP()).Me(ctx)
	var e *api.Error
	if !errors.As(err, &e) || e.Status == http.StatusNotFound {
		return nil, nil // no simulated rail on this server: nothing to ask
	}
	tok, err := a.readSecret("Simulated Alipay token (the alipay token 'account create' printed; Enter to skip): ")
	if err != nil || tok == "" {
		return nil, err
	}
	pw, err := a.readSecret("Alipay payment password: ")
	if err != nil {
		return nil, err
	}
	me, err := client.NewAlipay(server, tok, a.railHTTP()).Me(ctx)
	if err != nil {
		return nil, fmt.Errorf("the simulated Alipay of %s refused this token (nothing was saved): %w", server, err)
	}
	if realName != "" && me.RealName != realName {
		return nil, fmt.Errorf("that Alipay account is in the name %s, not this account's %s (nothing was saved)", me.RealName, realName)
	}
	fmt.Fprintf(a.errOut, "Alipay: %s (%s), balance %s CNY.\n", me.Login, me.RealName, me.Available.Fixed())
	return &api.AlipayAccount{Account: me.Login, RealName: me.RealName, Token: tok, PaymentPassword: pw}, nil
}

func (a *app) logoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove a profile's credentials from the OS keyring",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := a.openSecrets()
			if err != nil {
				return err
			}
			name := a.cfg.Profile
			if err := secrets.DeleteProfile(st, name); err != nil {
				if errors.Is(err, secrets.ErrNotFound) {
					return fmt.Errorf("there is no profile %q", name)
				}
				return err
			}
			fmt.Fprintf(a.out, "Profile %q removed from %s.\n", name, st.Describe())
			return nil
		},
	}
}

func (a *app) whoamiCommand() *cobra.Command {
	var all bool
	c := &cobra.Command{
		Use:   "whoami",
		Short: "Show the account of a profile, as the server sees it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, status, err := a.openSecrets()
			if err != nil {
				return err
			}
			if all {
				names, err := secrets.ProfileNames(st)
				if err != nil {
					return err
				}
				if len(names) == 0 {
					fmt.Fprintln(a.out, "No saved profiles. Log in with: p2pdesk login --server URL")
				}
				for _, n := range names {
					p, err := secrets.LoadProfile(st, n)
					if err != nil {
						fmt.Fprintf(a.out, "%-20s (unreadable: %v)\n", n, err)
						continue
					}
					fmt.Fprintf(a.out, "%-20s %-14s %s\n", n, p.Name, p.Server)
				}
				return nil
			}
			name := a.cfg.Profile
			p, err := secrets.LoadProfile(st, name)
			if errors.Is(err, secrets.ErrNotFound) {
				msg := fmt.Sprintf("not logged in: there is no profile %q in %s", name, st.Describe())
				if !status.Available {
					msg += "\n" + a.keyringNotice(status)
				}
				return errors.New(msg)
			}
			if err != nil {
				return err
			}
			cl, err := client.New(p.Server, client.Credentials{APIKey: p.APIKey, Secret: p.Secret, Passphrase: p.Passphrase}, client.Options{TLS: a.tlsOptions()})
			if err != nil {
				return err
			}
			acct, err := cl.Account(cmd.Context())
			if err != nil {
				return fmt.Errorf("%s: %w", p.Server, err)
			}
			twofa := "off"
			if acct.TwoFactor.Enabled {
				twofa = "on"
			}
			fmt.Fprintf(a.out, "profile:   %s\nserver:    %s\naccount:   %s (id %d)\nkyc level: %d\n2fa:       %s\nsecrets:   %s\n",
				name, p.Server, acct.User.Name, acct.User.ID, acct.User.KYCLevel, twofa, st.Describe())
			return nil
		},
	}
	c.Flags().BoolVar(&all, "all", false, "list every saved profile")
	return c
}
