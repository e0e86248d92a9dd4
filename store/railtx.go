package store

import (
	"database/sql"
	"errors"
	"time"

	"p2pdesk/alipay"
)

// The simulated Alipay rail's tables (schema "alipay").

func railNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return alipay.ErrNotFound
	}
	return err
}

const railAccountCols = "id, login, real_name, role, balance, frozen, pass_hash, pass_salt, pass_fails, locked_until, created_at"

func scanRailAccount(sc scanner) (alipay.Account, error) {
	var a alipay.Account
	var locked, created int64
	err := sc.Scan(&a.ID, &a.Login, &a.RealName, &a.Role, &a.Balance, &a.Frozen, &a.PassHash, &a.PassSalt, &a.PassFails, &locked, &created)
	a.LockedUntil, a.CreatedAt = ft(locked), ft(created)
	return a, railNoRows(err)
}

func (t *sqlTx) RailAccount(id int64) (alipay.Account, error) {
	return scanRailAccount(t.row("SELECT "+railAccountCols+" FROM rail_accounts WHERE id = ?", id))
}

func (t *sqlTx) RailAccountByLogin(login string) (alipay.Account, error) {
	return scanRailAccount(t.row("SELECT "+railAccountCols+" FROM rail_accounts WHERE login = ?", login))
}

func (t *sqlTx) RailAccountByToken(hash []byte) (alipay.Account, error) {
	return scanRailAccount(t.row(`SELECT a.id, a.login, a.real_name, a.role, a.balance, a.frozen, a.pass_hash, a.pass_salt, a.pass_fails,
		a.locked_until, a.created_at FROM rail_tokens k JOIN rail_accounts a ON a.id = k.account_id WHERE k.hash = ?`, hash))
}

func (t *sqlTx) InsertRailAccount(a *alipay.Account) error {
	id, err := t.insertID("INSERT INTO rail_accounts (login, real_name, role, balance, frozen, pass_hash, pass_salt, pass_fails, locked_until, created_at) VALUES (?, ?, ?, 0, 0, ?, ?, 0, 0, ?)",
		a.Login, a.RealName, a.Role, a.PassHash, a.PassSalt, tm(a.CreatedAt))
	a.ID = id
	return err
}

func (t *sqlTx) UpdateRailAccount(a alipay.Account) error {
	_, err := t.exec("UPDATE rail_accounts SET frozen = ?, pass_hash = ?, pass_salt = ?, pass_fails = ?, locked_until = ? WHERE id = ?",
		a.Frozen, a.PassHash, a.PassSalt, a.PassFails, tm(a.LockedUntil), a.ID)
	return err
}

func (t *sqlTx) AddRailBalance(account, delta int64) error {
	_, err := t.exec("UPDATE rail_accounts SET balance = balance + ? WHERE id = ?", delta, account)
	return err
}

func (t *sqlTx) PutRailToken(hash []byte, account int64) error {
	_, err := t.exec("INSERT INTO rail_tokens (hash, account_id) VALUES (?, ?)", hash, account)
	return err
}

const railTransferCols = "seq, txid, kind, from_id, to_id, amount, note, status, at, completes_at, card"

func (t *sqlTx) scanRailTransfers(q string, args ...any) ([]alipay.Transfer, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alipay.Transfer
	for rows.Next() {
		var tr alipay.Transfer
		var at, completes int64
		if err := rows.Scan(&tr.Seq, &tr.TxID, &tr.Kind, &tr.From, &tr.To, &tr.Amount, &tr.Note, &tr.Status, &at, &completes, &tr.Card); err != nil {
			return nil, err
		}
		tr.At, tr.CompletesAt = ft(at), ft(completes)
		out = append(out, tr)
	}
	return out, rows.Err()
}

func (t *sqlTx) InsertRailTransfer(tr *alipay.Transfer) error {
	seq, err := t.insertID("INSERT INTO rail_transfers (txid, kind, from_id, to_id, amount, note, status, at, completes_at, card) VALUES ('', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		tr.Kind, tr.From, tr.To, tr.Amount, tr.Note, tr.Status, tm(tr.At), tm(tr.CompletesAt), tr.Card)
	if err != nil {
		return err
	}
	tr.Seq, tr.TxID = seq, alipay.TxID(tr.At, seq)
	_, err = t.exec("UPDATE rail_transfers SET txid = ? WHERE seq = ?", tr.TxID, seq)
	return err
}

func (t *sqlTx) SetRailTransferStatus(seq int64, status string) error {
	_, err := t.exec("UPDATE rail_transfers SET status = ? WHERE seq = ?", status, seq)
	return err
}

func (t *sqlTx) RailTransfers(account, afterSeq int64, limit int) ([]alipay.Transfer, error) {
	return t.scanRailTransfers("SELECT * FROM (SELECT "+railTransferCols+" FROM rail_transfers WHERE from_id = ? AND seq > ? UNION ALL SELECT "+
		railTransferCols+" FROM rail_transfers WHERE to_id = ? AND seq > ?) u ORDER BY seq LIMIT ?", account, afterSeq, account, afterSeq, limit)
}

func (t *sqlTx) RailAllTransfers(afterSeq int64, limit int) ([]alipay.Transfer, error) {
	return t.scanRailTransfers("SELECT "+railTransferCols+" FROM rail_transfers WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit)
}

func (t *sqlTx) RailTransferByTxID(txid string) (alipay.Transfer, error) {
	ts, err := t.scanRailTransfers("SELECT "+railTransferCols+" FROM rail_transfers WHERE txid = ?", txid)
	if err != nil {
		return alipay.Transfer{}, err
	}
	if len(ts) == 0 {
		return alipay.Transfer{}, alipay.ErrNotFound
	}
	return ts[0], nil
}

func (t *sqlTx) RailDueWithdrawals(now time.Time) ([]alipay.Transfer, error) {
	return t.scanRailTransfers("SELECT "+railTransferCols+" FROM rail_transfers WHERE status = 'pending' AND completes_at <= ? ORDER BY seq", tm(now))
}

func (t *sqlTx) RailSumBalances() (int64, error) {
	var n sql.NullInt64
	err := t.row("SELECT SUM(balance) FROM rail_accounts").Scan(&n)
	return n.Int64, err
}

func (t *sqlTx) RailIdem(account int64, key string) (string, string, error) {
	var fp, txid string
	err := t.row("SELECT fingerprint, txid FROM rail_idem WHERE account_id = ? AND key = ?", account, key).Scan(&fp, &txid)
	return fp, txid, railNoRows(err)
}

func (t *sqlTx) PutRailIdem(account int64, key, fingerprint, txid string) error {
	_, err := t.exec("INSERT INTO rail_idem (account_id, key, fingerprint, txid) VALUES (?, ?, ?, ?)", account, key, fingerprint, txid)
	return err
}

var _ alipay.Tx = (*sqlTx)(nil)
