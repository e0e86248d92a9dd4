package cmd

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"p2pdesk/api"
	"p2pdesk/client"
	"p2pdesk/store/secrets"
)

// profileClient is a client of the server of the profile in use.
func (a *app) profileClient() (*client.Client, error) {
	st, status, err := a.openSecrets()
	if err != nil {
		return nil, err
	}
	p, err := secrets.LoadProfile(st, a.cfg.Profile)
	if errors.Is(err, secrets.ErrNotFound) {
		msg := fmt.Sprintf("not logged in: there is no profile %q in %s (p2pdesk login --server URL)", a.cfg.Profile, st.Describe())
		if !status.Available {
			msg += "\n" + a.keyringNotice(status)
		}
		return nil, errors.New(msg)
	}
	if err != nil {
		return nil, err
	}
	return client.New(p.Server, client.Credentials{APIKey: p.APIKey, Secret: p.Secret, Passphrase: p.Passphrase}, client.Options{TLS: a.tlsOptions()})
}

// keysCommand lists and revokes API keys on the profile's server: your
// own, or with --user (an admin) anyone's.
func (a *app) keysCommand() *cobra.Command {
	var asJSON bool
	var user int64
	c := &cobra.Command{
		Use:   "keys",
		Short: "List or revoke API keys on the server",
		Long: `keys list shows the API keys of your account (revoked ones too); keys revoke
KEY revokes one of them at once, on every server that shares the
marketplace's database. An admin lists anyone's keys with --user ID and
revokes anyone's key with keys revoke --admin KEY.`,
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List API keys",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, err := a.profileClient()
			if err != nil {
				return err
			}
			var keys []api.KeyInfo
			if user != 0 {
				keys, err = cl.UserKeys(cmd.Context(), user)
			} else {
				keys, err = cl.Keys(cmd.Context())
			}
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(a.out).Encode(keys)
			}
			for _, k := range keys {
				state := "active"
				if k.Revoked {
					state = "revoked"
				}
				fmt.Fprintf(a.out, "%-22s %-8s %-14s %s\n", k.APIKey, state, k.Label, k.CreatedAt.UTC().Format("2006-01-02 15:04:05Z"))
			}
			return nil
		},
	}
	list.Flags().Int64Var(&user, "user", 0, "an account's id (admin)")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	var admin bool
	revoke := &cobra.Command{
		Use:   "revoke KEY",
		Short: "Revoke an API key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := a.profileClient()
			if err != nil {
				return err
			}
			var k api.KeyInfo
			if admin {
				k, err = cl.AdminRevokeKey(cmd.Context(), args[0])
			} else {
				k, err = cl.RevokeKey(cmd.Context(), args[0])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "revoked %s (account %d)\n", k.APIKey, k.UserID)
			return nil
		},
	}
	revoke.Flags().BoolVar(&admin, "admin", false, "revoke another account's key (admin)")
	c.AddCommand(list, revoke)
	return c
}
