package store

import (
	"database/sql"
	"errors"
	"time"

	"p2pdesk/auth"
)

// The credential tables, for package auth.

func authNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return auth.ErrNotFound
	}
	return err
}

func (t *sqlTx) Credential(apiKey string) (auth.Credential, error) {
	var c auth.Credential
	var created int64
	var revoked int
	err := t.row("SELECT api_key, user_id, passphrase_hash, secret_enc, label, created_at, revoked FROM credentials WHERE api_key = ?", apiKey).
		Scan(&c.APIKey, &c.UserID, &c.PassphraseHash, &c.SecretEnc, &c.Label, &created, &revoked)
	c.CreatedAt, c.Revoked = ft(created), revoked != 0
	return c, authNoRows(err)
}

func (t *sqlTx) CredentialsOf(user int64) ([]auth.Credential, error) {
	rows, err := t.query("SELECT api_key, user_id, label, created_at, revoked FROM credentials WHERE user_id = ? ORDER BY created_at", user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auth.Credential
	for rows.Next() {
		var c auth.Credential
		var created int64
		var revoked int
		if err := rows.Scan(&c.APIKey, &c.UserID, &c.Label, &created, &revoked); err != nil {
			return nil, err
		}
		c.CreatedAt, c.Revoked = ft(created), revoked != 0
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *sqlTx) InsertCredential(c auth.Credential) error {
	_, err := t.exec("INSERT INTO credentials (api_key, user_id, passphrase_hash, secret_enc, label, created_at, revoked) VALUES (?, ?, ?, ?, ?, ?, ?)",
		c.APIKey, c.UserID, c.PassphraseHash, c.SecretEnc, c.Label, tm(c.CreatedAt), b2i(c.Revoked))
	return err
}

func (t *sqlTx) RevokeCredentials(user int64) error {
	_, err := t.exec("UPDATE credentials SET revoked = 1 WHERE user_id = ?", user)
	return err
}

func (t *sqlTx) RevokeCredential(apiKey string) error {
	_, err := t.exec("UPDATE credentials SET revoked = 1 WHERE api_key = ?", apiKey)
	return err
}

func (t *sqlTx) SeeSignature(sign string, at time.Time) (bool, error) {
	r, err := t.exec("INSERT INTO seen_signatures (sign, at) VALUES (?, ?) ON CONFLICT (sign) DO NOTHING", sign, tm(at))
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

func (t *sqlTx) ForgetSignatures(before time.Time) error {
	_, err := t.exec("DELETE FROM seen_signatures WHERE at < ?", tm(before))
	return err
}

func (t *sqlTx) TOTP(user int64) (auth.TOTPState, error) {
	s := auth.TOTPState{UserID: user}
	var enabled int
	err := t.row("SELECT seed_enc, enabled, last_step, anti_phishing_enc FROM totp WHERE user_id = ?", user).
		Scan(&s.SeedEnc, &enabled, &s.LastStep, &s.AntiPhishingEnc)
	s.Enabled = enabled != 0
	return s, authNoRows(err)
}

func (t *sqlTx) PutTOTP(s auth.TOTPState) error {
	seed := s.SeedEnc
	if seed == nil {
		seed = []byte{}
	}
	_, err := t.exec(`INSERT INTO totp (user_id, seed_enc, enabled, last_step, anti_phishing_enc) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET seed_enc = excluded.seed_enc, enabled = excluded.enabled, last_step = excluded.last_step,
		anti_phishing_enc = excluded.anti_phishing_enc`, s.UserID, seed, b2i(s.Enabled), s.LastStep, s.AntiPhishingEnc)
	return err
}

func (t *sqlTx) TOTPFailures(user int64, since time.Time) (int, error) {
	var n int
	err := t.row("SELECT COUNT(*) FROM totp_failures WHERE user_id = ? AND at >= ?", user, tm(since)).Scan(&n)
	return n, err
}

func (t *sqlTx) AddTOTPFailure(user int64, at time.Time) error {
	_, err := t.exec("INSERT INTO totp_failures (user_id, at) VALUES (?, ?)", user, tm(at))
	return err
}

func (t *sqlTx) ClearTOTPFailures(user int64) error {
	_, err := t.exec("DELETE FROM totp_failures WHERE user_id = ?", user)
	return err
}

var _ auth.Tx = (*sqlTx)(nil)
