package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"p2pdesk/api"
	"p2pdesk/market"
	"p2pdesk/money"
)

// sqlTx implements market.Tx over one database transaction. SQL types stay
// in this package: everything crossing the interface is a market type.
type sqlTx struct {
	ctx context.Context
	d   dialect
	// stmt prepares (or finds) a statement: the SQLite path, where
	// preparing costs a parse and statements are reused across batches.
	stmt func(q string) (*sql.Stmt, error)
	// tx, when set, runs queries directly: the PostgreSQL path, where the
	// driver caches prepared statements per connection by itself.
	tx *sql.Tx
	// pg, when set, is the PostgreSQL writer's batch: statements go to
	// pgx directly, and writes whose result nobody reads are pipelined.
	pg *pgRun
	// rc, when set, holds rows earlier requests of the batch read.
	rc    *rowCache
	isDup func(error) bool
	// retryable tells a failure the store will retry (a serialization
	// conflict); retry records that one happened, whatever fn did with it.
	retryable func(error) bool
	retry     bool
	hooks     []func()
	// eventsLocked: this transaction holds the event log's lock.
	eventsLocked bool
}

// eventsLockKey names the PostgreSQL advisory lock of the event log.
const eventsLockKey int64 = 0x70327064_65766e74

func (t *sqlTx) note(err error) error {
	if err != nil && t.retryable != nil && t.retryable(err) {
		t.retry = true
	}
	return err
}

func (t *sqlTx) AfterCommit(f func()) { t.hooks = append(t.hooks, f) }

// statements counts the statements every store in this process ran
// inside transactions, for benchmarks.
var statements atomic.Int64

// Statements is how many statements the stores of this process have run
// inside transactions so far.
func Statements() int64 { return statements.Load() }

func (t *sqlTx) exec(q string, args ...any) (sql.Result, error) {
	statements.Add(1)
	if t.pg != nil {
		r, err := t.pg.exec(t.d.rebind(q), args)
		return r, t.note(err)
	}
	if t.tx != nil {
		r, err := t.tx.ExecContext(t.ctx, t.d.rebind(q), args...)
		return r, t.note(err)
	}
	s, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(t.ctx, args...)
}

// execLater runs a write whose outcome the caller does not read at once:
// in a PostgreSQL batch it goes with the next round trip, and its failure
// fails the request.
func (t *sqlTx) execLater(q string, args ...any) error {
	if t.pg != nil {
		t.pg.later(t.d.rebind(q), args...)
		return nil
	}
	_, err := t.exec(q, args...)
	return err
}

func (t *sqlTx) query(q string, args ...any) (rowsIter, error) {
	statements.Add(1)
	if t.pg != nil {
		r, err := t.pg.query(t.d.rebind(q), args)
		return r, t.note(err)
	}
	var r *sql.Rows
	var err error
	if t.tx != nil {
		r, err = t.tx.QueryContext(t.ctx, t.d.rebind(q), args...)
		err = t.note(err)
	} else {
		var s *sql.Stmt
		if s, err = t.stmt(q); err == nil {
			r, err = s.QueryContext(t.ctx, args...)
		}
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

type scanner interface{ Scan(dest ...any) error }

type errScan struct{ err error }

func (e errScan) Scan(...any) error { return e.err }

// notingRow remembers a retryable failure that surfaces only at Scan.
type notingRow struct {
	r *sql.Row
	t *sqlTx
}

func (n notingRow) Scan(dest ...any) error { return n.t.note(n.r.Scan(dest...)) }

type notingRowPG struct {
	r scanner
	t *sqlTx
}

func (n notingRowPG) Scan(dest ...any) error { return n.t.note(n.r.Scan(dest...)) }

func (t *sqlTx) row(q string, args ...any) scanner {
	statements.Add(1)
	if t.pg != nil {
		return notingRowPG{t.pg.row(t.d.rebind(q), args), t}
	}
	if t.tx != nil {
		return notingRow{t.tx.QueryRowContext(t.ctx, t.d.rebind(q), args...), t}
	}
	s, err := t.stmt(q)
	if err != nil {
		return errScan{err}
	}
	return s.QueryRowContext(t.ctx, args...)
}

// insertID runs an INSERT and returns the id it assigned. SQLite reports
// it as the last insert rowid (much cheaper than RETURNING through a
// query); PostgreSQL needs RETURNING.
func (t *sqlTx) insertID(q string, args ...any) (int64, error) {
	var id int64
	var err error
	if t.d.name == "sqlite" {
		var res sql.Result
		if res, err = t.exec(q, args...); err == nil {
			id, err = res.LastInsertId()
		}
	} else {
		err = t.row(q+" RETURNING "+returningCol(q), args...).Scan(&id)
	}
	if err != nil && t.isDup(err) {
		return 0, market.ErrDuplicate
	}
	return id, err
}

func returningCol(q string) string {
	if strings.Contains(q, "INTO transfers") || strings.Contains(q, "INTO rail_transfers") {
		return "seq"
	}
	return "id"
}

func noRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return market.ErrNotFound
	}
	return err
}

func tm(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func ft(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ---- users

const userCols = "id, name, real_name, role, kyc_level, verified, restricted, created_at"

func scanUser(sc scanner) (api.User, error) {
	var u api.User
	var verified, restricted int
	var created int64
	err := sc.Scan(&u.ID, &u.Name, &u.RealName, &u.Role, &u.KYCLevel, &verified, &restricted, &created)
	u.Verified, u.Restricted, u.CreatedAt = verified != 0, restricted != 0, ft(created)
	return u, err
}

func (t *sqlTx) User(id int64) (api.User, error) {
	c := t.cache()
	if c != nil {
		if u, ok := c.users[id]; ok {
			return u, nil
		}
	}
	u, err := scanUser(t.row("SELECT "+userCols+" FROM users WHERE id = ?", id))
	if err == nil && c != nil {
		c.users[id] = u
	}
	return u, noRows(err)
}

// cache is the group commit's row cache, nil outside the writers.
func (t *sqlTx) cache() *rowCache {
	if t.rc == nil {
		return nil
	}
	t.rc.init()
	return t.rc
}

func (t *sqlTx) UserByName(name string) (api.User, error) {
	u, err := scanUser(t.row("SELECT "+userCols+" FROM users WHERE name = ?", name))
	return u, noRows(err)
}

func (t *sqlTx) Users(ids []int64) ([]api.User, error) {
	out := make([]api.User, 0, len(ids))
	for _, id := range ids {
		u, err := t.User(id)
		if errors.Is(err, market.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func (t *sqlTx) InsertUser(u *api.User) error {
	id, err := t.insertID("INSERT INTO users (name, real_name, role, kyc_level, verified, restricted, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		u.Name, u.RealName, string(u.Role), u.KYCLevel, b2i(u.Verified), b2i(u.Restricted), tm(u.CreatedAt))
	u.ID = id
	return err
}

func (t *sqlTx) UpdateUser(u api.User) error {
	if c := t.cache(); c != nil {
		delete(c.users, u.ID)
	}
	return t.execLater("UPDATE users SET real_name = ?, role = ?, kyc_level = ?, verified = ?, restricted = ? WHERE id = ?",
		u.RealName, string(u.Role), u.KYCLevel, b2i(u.Verified), b2i(u.Restricted), u.ID)
}

func (t *sqlTx) PaymentAccounts(user int64) ([]api.PaymentAccount, error) {
	rows, err := t.query("SELECT method, account, real_name FROM payment_accounts WHERE user_id = ? ORDER BY method", user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []api.PaymentAccount
	for rows.Next() {
		p := api.PaymentAccount{UserID: user}
		if err := rows.Scan(&p.Method, &p.Account, &p.RealName); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t *sqlTx) PaymentAccount(user int64, method api.PaymentMethod) (api.PaymentAccount, error) {
	c := t.cache()
	if c != nil {
		if p, ok := c.pays[payKey{user, method}]; ok {
			return p, nil
		}
	}
	p := api.PaymentAccount{UserID: user, Method: method}
	err := t.row("SELECT account, real_name FROM payment_accounts WHERE user_id = ? AND method = ?", user, string(method)).Scan(&p.Account, &p.RealName)
	if err == nil && c != nil {
		c.pays[payKey{user, method}] = p
	}
	return p, noRows(err)
}

func (t *sqlTx) PutPaymentAccount(p api.PaymentAccount) error {
	if c := t.cache(); c != nil {
		delete(c.pays, payKey{p.UserID, p.Method})
	}
	return t.execLater(`INSERT INTO payment_accounts (user_id, method, account, real_name) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, method) DO UPDATE SET account = excluded.account, real_name = excluded.real_name`,
		p.UserID, string(p.Method), p.Account, p.RealName)
}

// ---- ledger

func (t *sqlTx) Balance(user int64, asset api.Asset) (market.Balance, error) {
	c := t.cache()
	if c != nil {
		if b, ok := c.bals[market.BalanceKey{UserID: user, Asset: asset}]; ok {
			return b, nil
		}
	}
	b := market.Balance{UserID: user, Asset: asset}
	err := t.row("SELECT debits_pending, debits_posted, credits_pending, credits_posted FROM balances WHERE user_id = ? AND asset = ?",
		user, string(asset)).Scan(&b.DebitsPending, &b.DebitsPosted, &b.CreditsPending, &b.CreditsPosted)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	if err == nil && c != nil {
		c.bals[market.BalanceKey{UserID: user, Asset: asset}] = b
	}
	return b, err
}

func (t *sqlTx) scanBalances(q string, args ...any) ([]market.Balance, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []market.Balance
	for rows.Next() {
		var b market.Balance
		if err := rows.Scan(&b.UserID, &b.Asset, &b.DebitsPending, &b.DebitsPosted, &b.CreditsPending, &b.CreditsPosted); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

const balanceCols = "user_id, asset, debits_pending, debits_posted, credits_pending, credits_posted"

func (t *sqlTx) Balances(user int64) ([]market.Balance, error) {
	return t.scanBalances("SELECT "+balanceCols+" FROM balances WHERE user_id = ? ORDER BY asset", user)
}

func (t *sqlTx) AllBalances() ([]market.Balance, error) {
	return t.scanBalances("SELECT " + balanceCols + " FROM balances ORDER BY user_id, asset")
}

func (t *sqlTx) AddBalance(b market.Balance) error {
	if c := t.cache(); c != nil {
		// The sums the UPSERT below makes. One that overflows fails the
		// statement, and so the request, and the cache goes with it.
		k := market.BalanceKey{UserID: b.UserID, Asset: b.Asset}
		if old, ok := c.bals[k]; ok {
			old.DebitsPending += b.DebitsPending
			old.DebitsPosted += b.DebitsPosted
			old.CreditsPending += b.CreditsPending
			old.CreditsPosted += b.CreditsPosted
			c.bals[k] = old
		}
	}
	return t.execLater(`INSERT INTO balances (`+balanceCols+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, asset) DO UPDATE SET debits_pending = balances.debits_pending + excluded.debits_pending,
		debits_posted = balances.debits_posted + excluded.debits_posted,
		credits_pending = balances.credits_pending + excluded.credits_pending,
		credits_posted = balances.credits_posted + excluded.credits_posted`,
		b.UserID, string(b.Asset), b.DebitsPending, b.DebitsPosted, b.CreditsPending, b.CreditsPosted)
}

const transferCols = "seq, id, kind, pending_id, debit, credit, asset, amount, code, order_id, at"

func scanTransfer(sc scanner) (market.Transfer, error) {
	var tr market.Transfer
	var pending sql.NullString
	var at int64
	err := sc.Scan(&tr.Seq, &tr.ID, &tr.Kind, &pending, &tr.Debit, &tr.Credit, &tr.Asset, &tr.Amount, &tr.Code, &tr.OrderID, &at)
	tr.PendingID, tr.At = pending.String, ft(at)
	return tr, err
}

func (t *sqlTx) Transfer(id string) (market.Transfer, error) {
	tr, err := scanTransfer(t.row("SELECT "+transferCols+" FROM transfers WHERE id = ?", id))
	return tr, noRows(err)
}

func (t *sqlTx) Resolution(pendingID string) (market.Transfer, error) {
	tr, err := scanTransfer(t.row("SELECT "+transferCols+" FROM transfers WHERE pending_id = ?", pendingID))
	return tr, noRows(err)
}

func (t *sqlTx) Transfers(afterSeq int64, limit int) ([]market.Transfer, error) {
	rows, err := t.query("SELECT "+transferCols+" FROM transfers WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []market.Transfer
	for rows.Next() {
		tr, err := scanTransfer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, tr)
	}
	return out, rows.Err()
}

func (t *sqlTx) InsertTransfer(tr *market.Transfer) error {
	var pending any
	if tr.PendingID != "" {
		pending = tr.PendingID
	}
	seq, err := t.insertID("INSERT INTO transfers (id, kind, pending_id, debit, credit, asset, amount, code, order_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		tr.ID, string(tr.Kind), pending, tr.Debit, tr.Credit, string(tr.Asset), tr.Amount, tr.Code, tr.OrderID, tm(tr.At))
	tr.Seq = seq
	return err
}

// ---- ads

const adCols = "id, maker_id, side, asset, fiat, price_type, price, margin_bp, total, remaining, min_fiat, max_fiat, avail_fiat, payments, window_min, terms, status, min_kyc, min_completion_bp, created_at, updated_at, version"

func scanAd(sc scanner) (market.Ad, error) {
	var a market.Ad
	var price, total, remaining, minF, maxF, avail, created, updated int64
	err := sc.Scan(&a.ID, &a.MakerID, &a.Side, &a.Asset, &a.Fiat, &a.PriceType, &price, &a.MarginBP, &total, &remaining,
		&minF, &maxF, &avail, &a.Payments, &a.WindowMin, &a.Terms, &a.Status, &a.MinKYC, &a.MinCompletionBP, &created, &updated, &a.Version)
	as, fs := a.Asset.Scale(), a.Fiat.Scale()
	a.Price = money.New(price, api.PriceScale)
	a.Total, a.Remaining = money.New(total, as), money.New(remaining, as)
	a.MinFiat, a.MaxFiat, a.AvailFiat = money.New(minF, fs), money.New(maxF, fs), money.New(avail, fs)
	a.CreatedAt, a.UpdatedAt = ft(created), ft(updated)
	return a, err
}

func (t *sqlTx) scanAds(q string, args ...any) ([]market.Ad, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []market.Ad
	for rows.Next() {
		a, err := scanAd(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *sqlTx) Ad(id int64) (market.Ad, error) {
	c := t.cache()
	if c != nil {
		if a, ok := c.ads[id]; ok {
			return a, nil
		}
	}
	a, err := scanAd(t.row("SELECT "+adCols+" FROM ads WHERE id = ?", id))
	if err == nil && c != nil {
		c.ads[id] = a
	}
	return a, noRows(err)
}

func (t *sqlTx) AllAds(afterID int64, limit int) ([]market.Ad, error) {
	return t.scanAds("SELECT "+adCols+" FROM ads WHERE id > ? ORDER BY id LIMIT ?", afterID, limit)
}

func (t *sqlTx) FloatingAds(asset api.Asset, fiat api.Fiat) ([]market.Ad, error) {
	return t.scanAds("SELECT "+adCols+" FROM ads WHERE asset = ? AND fiat = ? AND price_type = 'floating' AND status <> 'deleted' ORDER BY id",
		string(asset), string(fiat))
}

// SearchAds walks the order book index in price order and stops at the
// page size, so its cost does not grow with the size of the book.
func (t *sqlTx) SearchAds(q market.AdQuery) ([]market.Ad, error) {
	var where strings.Builder
	args := []any{}
	where.WriteString(" WHERE side = ? AND asset = ? AND fiat = ?")
	args = append(args, string(q.Side), string(q.Asset), string(q.Fiat))
	if len(q.Statuses) == 1 {
		where.WriteString(" AND status = ?")
		args = append(args, string(q.Statuses[0]))
	} else if len(q.Statuses) > 1 {
		where.WriteString(" AND status IN (?" + strings.Repeat(", ?", len(q.Statuses)-1) + ")")
		for _, s := range q.Statuses {
			args = append(args, string(s))
		}
	}
	if q.MakerID != 0 {
		where.WriteString(" AND maker_id = ?")
		args = append(args, q.MakerID)
	}
	if q.Payment != "" {
		where.WriteString(" AND (payments & ?) <> 0")
		args = append(args, int(market.NewPaymentSet(q.Payment)))
	}
	if q.FiatAmount > 0 {
		where.WriteString(" AND min_fiat <= ? AND avail_fiat >= ?")
		args = append(args, q.FiatAmount, q.FiatAmount)
	}
	if q.VerifiedOnly {
		where.WriteString(" AND maker_id IN (SELECT id FROM users WHERE verified = 1)")
	}
	// Sell ads: cheapest first. Buy ads: dearest first. Ties by id, in the
	// same direction, so the index serves the order without a sort.
	key, dir, cmp := "price", "ASC", ">"
	if q.Sort == market.SortNewest {
		key, dir, cmp = "created_at", "DESC", "<"
	} else if q.Side == api.Buy {
		dir, cmp = "DESC", "<"
	}
	if q.After != nil {
		where.WriteString(" AND (" + key + " " + cmp + " ? OR (" + key + " = ? AND id " + cmp + " ?))")
		k := q.After.Price
		if q.Sort == market.SortNewest {
			k = k / 1000 // cursor holds nanoseconds, the column microseconds
		}
		args = append(args, k, k, q.After.ID)
	}
	args = append(args, q.Limit)
	return t.scanAds("SELECT "+adCols+" FROM ads"+where.String()+" ORDER BY "+key+" "+dir+", id "+dir+" LIMIT ?", args...)
}

func adArgs(a *market.Ad) []any {
	return []any{a.MakerID, string(a.Side), string(a.Asset), string(a.Fiat), string(a.PriceType), a.Price.Units(), a.MarginBP,
		a.Total.Units(), a.Remaining.Units(), a.MinFiat.Units(), a.MaxFiat.Units(), a.AvailFiat.Units(), int(a.Payments),
		a.WindowMin, a.Terms, string(a.Status), a.MinKYC, a.MinCompletionBP, tm(a.CreatedAt), tm(a.UpdatedAt), a.Version}
}

func (t *sqlTx) InsertAd(a *market.Ad) error {
	id, err := t.insertID(`INSERT INTO ads (maker_id, side, asset, fiat, price_type, price, margin_bp, total, remaining, min_fiat, max_fiat,
		avail_fiat, payments, window_min, terms, status, min_kyc, min_completion_bp, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, adArgs(a)...)
	a.ID = id
	return err
}

// UpdateAd sets only the columns an ad can change: SQLite rewrites every
// index that holds a column named in SET, whether its value changed or not.
func (t *sqlTx) UpdateAd(a market.Ad) error {
	if c := t.cache(); c != nil {
		if old, ok := c.ads[a.ID]; ok {
			c.ads[a.ID] = updatedAd(old, a)
		}
	}
	return t.execLater(`UPDATE ads SET price_type = ?, price = ?, margin_bp = ?, total = ?, remaining = ?, min_fiat = ?, max_fiat = ?,
		avail_fiat = ?, payments = ?, window_min = ?, terms = ?, status = ?, min_kyc = ?, min_completion_bp = ?, updated_at = ?,
		version = ? WHERE id = ?`, string(a.PriceType), a.Price.Units(), a.MarginBP, a.Total.Units(), a.Remaining.Units(),
		a.MinFiat.Units(), a.MaxFiat.Units(), a.AvailFiat.Units(), int(a.Payments), a.WindowMin, a.Terms, string(a.Status),
		a.MinKYC, a.MinCompletionBP, tm(a.UpdatedAt), a.Version, a.ID)
}

// updatedAd is the row UpdateAd leaves from old: the columns it sets
// come from a, as a read would give them back; the others stay.
func updatedAd(old, a market.Ad) market.Ad {
	as, fs := old.Asset.Scale(), old.Fiat.Scale()
	n := old
	n.PriceType, n.Price, n.MarginBP = a.PriceType, money.New(a.Price.Units(), api.PriceScale), a.MarginBP
	n.Total, n.Remaining = money.New(a.Total.Units(), as), money.New(a.Remaining.Units(), as)
	n.MinFiat, n.MaxFiat, n.AvailFiat = money.New(a.MinFiat.Units(), fs), money.New(a.MaxFiat.Units(), fs), money.New(a.AvailFiat.Units(), fs)
	n.Payments, n.WindowMin, n.Terms, n.Status = a.Payments, a.WindowMin, a.Terms, a.Status
	n.MinKYC, n.MinCompletionBP, n.UpdatedAt, n.Version = a.MinKYC, a.MinCompletionBP, ft(tm(a.UpdatedAt)), a.Version
	return n
}

// ---- orders

const orderCols = `id, ad_id, maker_id, taker_id, buyer_id, seller_id, asset, fiat, price, amount, fiat_total, payment,
	seller_account, seller_real_name, buyer_real_name, state, resolution, created_at, pay_deadline, paid_at, release_deadline,
	disputed_at, closed_at, dispute_by, dispute_reason, cancelled_by, buyer_rating, seller_rating, version`

func scanOrder(sc scanner) (market.Order, error) {
	var o market.Order
	var price, amount, total, created, payDL, paid, relDL, disputed, closed int64
	err := sc.Scan(&o.ID, &o.AdID, &o.MakerID, &o.TakerID, &o.BuyerID, &o.SellerID, &o.Asset, &o.Fiat, &price, &amount, &total,
		&o.Payment, &o.SellerAccount.Account, &o.SellerAccount.RealName, &o.BuyerRealName, &o.State, &o.Resolution,
		&created, &payDL, &paid, &relDL, &disputed, &closed, &o.DisputeBy, &o.DisputeReason, &o.CancelledBy,
		&o.BuyerRating, &o.SellerRating, &o.Version)
	o.Price = money.New(price, api.PriceScale)
	o.Amount = money.New(amount, o.Asset.Scale())
	o.FiatTotal = money.New(total, o.Fiat.Scale())
	o.SellerAccount.Method, o.SellerAccount.UserID = o.Payment, o.SellerID
	o.CreatedAt, o.PayDeadline, o.PaidAt, o.ReleaseDeadline = ft(created), ft(payDL), ft(paid), ft(relDL)
	o.DisputedAt, o.ClosedAt = ft(disputed), ft(closed)
	return o, err
}

func (t *sqlTx) scanOrders(q string, args ...any) ([]market.Order, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []market.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (t *sqlTx) Order(id int64) (market.Order, error) {
	o, err := scanOrder(t.row("SELECT "+orderCols+" FROM orders WHERE id = ?", id))
	return o, noRows(err)
}

var openStates = []api.OrderState{api.StateCreated, api.StatePaid, api.StateDisputed}
var closedStates = []api.OrderState{api.StateCompleted, api.StateCancelled, api.StateExpired, api.StateResolved}

func (t *sqlTx) Orders(q market.OrderQuery) ([]market.Order, error) {
	// One user's orders: the union of the buyer and seller indexes.
	var cond strings.Builder
	var args []any
	states := q.States
	if q.Open != nil {
		want := closedStates
		if *q.Open {
			want = openStates
		}
		if len(states) == 0 {
			states = want
		} else {
			var both []api.OrderState
			for _, s := range states {
				for _, w := range want {
					if s == w {
						both = append(both, s)
					}
				}
			}
			if len(both) == 0 {
				return nil, nil
			}
			states = both
		}
	}
	if q.Open != nil && *q.Open && len(states) == len(openStates) {
		// Spelled out, so the planner can use the partial open-order indexes.
		cond.WriteString(" AND state IN ('created', 'paid', 'disputed')")
	} else if len(states) > 0 {
		cond.WriteString(" AND state IN (?" + strings.Repeat(", ?", len(states)-1) + ")")
		for _, s := range states {
			args = append(args, string(s))
		}
	}
	if q.Asset != "" {
		cond.WriteString(" AND asset = ?")
		args = append(args, string(q.Asset))
	}
	if q.BeforeID > 0 {
		cond.WriteString(" AND id < ?")
		args = append(args, q.BeforeID)
	}
	part := func(col string) (string, []any) {
		return "SELECT " + orderCols + " FROM orders WHERE " + col + " = ?" + cond.String(), append([]any{q.UserID}, args...)
	}
	var sqlq string
	var all []any
	switch q.Side {
	case api.Buy:
		sqlq, all = part("buyer_id")
	case api.Sell:
		sqlq, all = part("seller_id")
	default:
		a, aa := part("buyer_id")
		b, bb := part("seller_id")
		sqlq, all = a+" UNION ALL "+b, append(aa, bb...)
	}
	return t.scanOrders("SELECT * FROM ("+sqlq+") u ORDER BY id DESC LIMIT ?", append(all, q.Limit)...)
}

func (t *sqlTx) DueOrders(now time.Time, limit int) ([]market.Order, error) {
	return t.scanOrders("SELECT "+orderCols+" FROM orders WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?", tm(now), limit)
}

func (t *sqlTx) OrdersByAd(adID int64) ([]market.Order, error) {
	return t.scanOrders("SELECT "+orderCols+" FROM orders WHERE ad_id = ? ORDER BY id", adID)
}

func (t *sqlTx) OrdersInState(state api.OrderState, limit int) ([]market.Order, error) {
	return t.scanOrders("SELECT "+orderCols+" FROM orders WHERE state = ? ORDER BY id LIMIT ?", string(state), limit)
}

func (t *sqlTx) AllOrders(afterID int64, limit int) ([]market.Order, error) {
	return t.scanOrders("SELECT "+orderCols+" FROM orders WHERE id > ? ORDER BY id LIMIT ?", afterID, limit)
}

func dueAt(o *market.Order) any {
	switch o.State {
	case api.StateCreated:
		return tm(o.PayDeadline)
	case api.StatePaid:
		return tm(o.ReleaseDeadline)
	}
	return nil
}

func orderArgs(o *market.Order) []any {
	return []any{o.AdID, o.MakerID, o.TakerID, o.BuyerID, o.SellerID, string(o.Asset), string(o.Fiat), o.Price.Units(),
		o.Amount.Units(), o.FiatTotal.Units(), string(o.Payment), o.SellerAccount.Account, o.SellerAccount.RealName,
		o.BuyerRealName, string(o.State), string(o.Resolution), tm(o.CreatedAt), tm(o.PayDeadline), tm(o.PaidAt),
		tm(o.ReleaseDeadline), tm(o.DisputedAt), tm(o.ClosedAt), o.DisputeBy, o.DisputeReason, o.CancelledBy,
		o.BuyerRating, o.SellerRating, o.Version, dueAt(o)}
}

func (t *sqlTx) InsertOrder(o *market.Order) error {
	id, err := t.insertID(`INSERT INTO orders (ad_id, maker_id, taker_id, buyer_id, seller_id, asset, fiat, price, amount, fiat_total,
		payment, seller_account, seller_real_name, buyer_real_name, state, resolution, created_at, pay_deadline, paid_at,
		release_deadline, disputed_at, closed_at, dispute_by, dispute_reason, cancelled_by, buyer_rating, seller_rating, version, due_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, orderArgs(o)...)
	o.ID = id
	return err
}

// UpdateOrder sets only what changes after an order is opened.
func (t *sqlTx) UpdateOrder(o market.Order) error {
	return t.execLater(`UPDATE orders SET state = ?, resolution = ?, paid_at = ?, release_deadline = ?, disputed_at = ?, closed_at = ?,
		dispute_by = ?, dispute_reason = ?, cancelled_by = ?, buyer_rating = ?, seller_rating = ?, version = ?, due_at = ?
		WHERE id = ?`, string(o.State), string(o.Resolution), tm(o.PaidAt), tm(o.ReleaseDeadline), tm(o.DisputedAt),
		tm(o.ClosedAt), o.DisputeBy, o.DisputeReason, o.CancelledBy, o.BuyerRating, o.SellerRating, o.Version, dueAt(&o), o.ID)
}

func (t *sqlTx) OrderLog(orderID, afterID int64) ([]api.LogEntry, error) {
	rows, err := t.query("SELECT id, order_id, at, kind, actor, state, text, ref FROM order_log WHERE order_id = ? AND id > ? ORDER BY id", orderID, afterID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []api.LogEntry
	for rows.Next() {
		var e api.LogEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.OrderID, &at, &e.Kind, &e.Actor, &e.State, &e.Text, &e.Ref); err != nil {
			return nil, err
		}
		e.At = ft(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *sqlTx) InsertLog(e *api.LogEntry) error {
	id, err := t.insertID("INSERT INTO order_log (order_id, at, kind, actor, state, text, ref) VALUES (?, ?, ?, ?, ?, ?, ?)",
		e.OrderID, tm(e.At), string(e.Kind), e.Actor, string(e.State), e.Text, e.Ref)
	e.ID = id
	return err
}

// ---- limits and records

func (t *sqlTx) Usage(user, day int64, fiat api.Fiat) (market.Usage, error) {
	u := market.Usage{UserID: user, Day: day, Fiat: fiat}
	err := t.row("SELECT amount FROM usage WHERE user_id = ? AND day = ? AND fiat = ?", user, day, string(fiat)).Scan(&u.Amount)
	if errors.Is(err, sql.ErrNoRows) {
		return u, nil
	}
	return u, err
}

func (t *sqlTx) PutUsage(u market.Usage) error {
	return t.execLater(`INSERT INTO usage (user_id, day, fiat, amount) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, day, fiat) DO UPDATE SET amount = excluded.amount`, u.UserID, u.Day, string(u.Fiat), u.Amount)
}

func (t *sqlTx) TraderDays(users []int64, fromDay int64) ([]market.TraderDay, error) {
	return t.dayRows(users, fromDay, "trader_days")
}

// dayRows reads the day buckets of users from each table (trader_days,
// carried_days), in one query.
func (t *sqlTx) dayRows(users []int64, fromDay int64, tables ...string) ([]market.TraderDay, error) {
	if len(users) == 0 {
		return nil, nil
	}
	in := "?" + strings.Repeat(", ?", len(users)-1)
	var q []string
	var args []any
	for _, table := range tables {
		q = append(q, `SELECT user_id, day, completed, failed, release_sum_s, release_n, pay_sum_s, pay_n, positive, negative
		FROM `+table+` WHERE user_id IN (`+in+`) AND day >= ?`)
		for _, u := range users {
			args = append(args, u)
		}
		args = append(args, fromDay)
	}
	rows, err := t.query(strings.Join(q, " UNION ALL ")+" ORDER BY user_id, day", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []market.TraderDay
	for rows.Next() {
		var d market.TraderDay
		if err := rows.Scan(&d.UserID, &d.Day, &d.Completed, &d.Failed, &d.ReleaseSumS, &d.ReleaseN, &d.PaySumS, &d.PayN, &d.Positive, &d.Negative); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RecordDays reads the buckets of both kinds in one query: the record is
// their sum.
func (t *sqlTx) RecordDays(users []int64, fromDay int64) ([]market.TraderDay, error) {
	return t.dayRows(users, fromDay, "trader_days", "carried_days")
}

func (t *sqlTx) CarriedDays(users []int64, fromDay int64) ([]market.TraderDay, error) {
	return t.dayRows(users, fromDay, "carried_days")
}

// CarryDay writes a carried day once: a second write of the same day
// (a restarted world carrying its days again) changes nothing.
func (t *sqlTx) CarryDay(d market.TraderDay) error {
	return t.execLater(`INSERT INTO carried_days (user_id, day, completed, failed, release_sum_s, release_n, pay_sum_s, pay_n, positive, negative)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, day) DO NOTHING`,
		d.UserID, d.Day, d.Completed, d.Failed, d.ReleaseSumS, d.ReleaseN, d.PaySumS, d.PayN, d.Positive, d.Negative)
}

func (t *sqlTx) AddTraderDay(d market.TraderDay) error {
	return t.execLater(`INSERT INTO trader_days (user_id, day, completed, failed, release_sum_s, release_n, pay_sum_s, pay_n, positive, negative)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, day) DO UPDATE SET
		completed = trader_days.completed + excluded.completed, failed = trader_days.failed + excluded.failed,
		release_sum_s = trader_days.release_sum_s + excluded.release_sum_s, release_n = trader_days.release_n + excluded.release_n,
		pay_sum_s = trader_days.pay_sum_s + excluded.pay_sum_s, pay_n = trader_days.pay_n + excluded.pay_n,
		positive = trader_days.positive + excluded.positive, negative = trader_days.negative + excluded.negative`,
		d.UserID, d.Day, d.Completed, d.Failed, d.ReleaseSumS, d.ReleaseN, d.PaySumS, d.PayN, d.Positive, d.Negative)
}

// ---- outbox, idempotency, index

func (t *sqlTx) Events(user, afterID int64, limit int) ([]api.Event, error) {
	q := "SELECT id, user_id, type, at, data FROM events WHERE id > ? AND user_id IN (0, ?) ORDER BY id LIMIT ?"
	args := []any{afterID, user, limit}
	if user < 0 { // every event, for the simulator's event log
		q = "SELECT id, user_id, type, at, data FROM events WHERE id > ? ORDER BY id LIMIT ?"
		args = []any{afterID, limit}
	}
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []api.Event
	for rows.Next() {
		var e api.Event
		var at int64
		var data string
		if err := rows.Scan(&e.ID, &e.UserID, &e.Type, &at, &data); err != nil {
			return nil, err
		}
		e.At, e.Data = ft(at), []byte(data)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *sqlTx) FirstEventID() (int64, error) {
	var id sql.NullInt64
	err := t.row("SELECT MIN(id) FROM events").Scan(&id)
	return id.Int64, err
}

func (t *sqlTx) LastEventID() (int64, error) {
	var id sql.NullInt64
	err := t.row("SELECT MAX(id) FROM events").Scan(&id)
	return id.Int64, err
}

func (t *sqlTx) InsertEvent(e *api.Event) error {
	if t.d.name == "postgres" && !t.eventsLocked {
		// Readers follow the log by id ("after 41"), so ids must become
		// visible in order. SQLite's one writer gives that; in PostgreSQL
		// two transactions could commit ids 42 and 41 in that order and a
		// reader between the two would skip 41 for ever. A transaction
		// lock held to COMMIT makes event writers take ids in commit order.
		if _, err := t.exec("SELECT pg_advisory_xact_lock(?)", eventsLockKey); err != nil {
			return err
		}
		t.eventsLocked = true
	}
	id, err := t.insertID("INSERT INTO events (user_id, type, at, data) VALUES (?, ?, ?, ?)", e.UserID, e.Type, tm(e.At), string(e.Data))
	e.ID = id
	return err
}

func (t *sqlTx) DeleteEventsBefore(id int64) error {
	_, err := t.exec("DELETE FROM events WHERE id < ?", id)
	return err
}

func (t *sqlTx) Idempotency(user int64, key string) (market.IdemRecord, error) {
	r := market.IdemRecord{UserID: user, Key: key}
	var at int64
	err := t.row("SELECT fingerprint, result, at FROM idempotency WHERE user_id = ? AND key = ?", user, key).Scan(&r.Fingerprint, &r.Result, &at)
	r.At = ft(at)
	return r, noRows(err)
}

func (t *sqlTx) PutIdempotency(r market.IdemRecord) error {
	_, err := t.exec("INSERT INTO idempotency (user_id, key, fingerprint, result, at) VALUES (?, ?, ?, ?, ?)",
		r.UserID, r.Key, r.Fingerprint, r.Result, tm(r.At))
	if err != nil && t.isDup(err) {
		return market.ErrDuplicate
	}
	return err
}

func (t *sqlTx) IndexLatest(asset api.Asset, fiat api.Fiat) (api.IndexPoint, error) {
	p := api.IndexPoint{Asset: asset, Fiat: fiat}
	var at, price int64
	err := t.row("SELECT at, price FROM index_prices WHERE asset = ? AND fiat = ? ORDER BY at DESC, id DESC LIMIT 1",
		string(asset), string(fiat)).Scan(&at, &price)
	p.At, p.Price = ft(at), money.New(price, api.PriceScale)
	return p, noRows(err)
}

func (t *sqlTx) IndexHistory(asset api.Asset, fiat api.Fiat, since time.Time, step time.Duration, limit int) ([]api.IndexPoint, error) {
	// The newest points, returned oldest first.
	q, args := `SELECT at, price FROM (SELECT id, at, price FROM index_prices WHERE asset = ? AND fiat = ? AND at >= ?
		ORDER BY at DESC, id DESC LIMIT ?) h ORDER BY at, id`, []any{string(asset), string(fiat), tm(since), limit}
	if step > 0 {
		// The last point of each bucket (times are microseconds; points
		// of one pair are written in time order, so the last has the
		// highest id).
		q = `SELECT at, price FROM (SELECT id, at, price FROM index_prices WHERE id IN (
			SELECT MAX(id) FROM index_prices WHERE asset = ? AND fiat = ? AND at >= ? GROUP BY at / ?)
			ORDER BY at DESC, id DESC LIMIT ?) h ORDER BY at, id`
		args = []any{string(asset), string(fiat), tm(since), step.Microseconds(), limit}
	}
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []api.IndexPoint
	for rows.Next() {
		var at, price int64
		if err := rows.Scan(&at, &price); err != nil {
			return nil, err
		}
		out = append(out, api.IndexPoint{Asset: asset, Fiat: fiat, At: ft(at), Price: money.New(price, api.PriceScale)})
	}
	return out, rows.Err()
}

func (t *sqlTx) InsertIndex(p api.IndexPoint) error {
	_, err := t.exec("INSERT INTO index_prices (asset, fiat, at, price) VALUES (?, ?, ?, ?)",
		string(p.Asset), string(p.Fiat), tm(p.At), p.Price.Units())
	return err
}

var _ market.Tx = (*sqlTx)(nil)
