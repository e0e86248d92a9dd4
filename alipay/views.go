package alipay

import (
	"context"
	"errors"
	"time"

	"p2pdesk/money"
)

// Me is an account as its owner sees it.
type Me struct {
	ID        int64        `json:"id,string"`
	Login     string       `json:"login"`
	RealName  string       `json:"realName"`
	Balance   money.Amount `json:"balance"`
	Frozen    money.Amount `json:"frozen"`
	Available money.Amount `json:"available"`
	Locked    bool         `json:"sendingLocked"`
}

// Line is one line of a statement.
type Line struct {
	Seq               int64        `json:"seq,string"`
	TxID              string       `json:"txId"`
	Kind              string       `json:"kind"`
	Direction         string       `json:"direction"` // in or out
	CounterpartyName  string       `json:"counterpartyName"`
	CounterpartyLogin string       `json:"counterpartyLogin,omitempty"`
	Amount            money.Amount `json:"amount"`
	Note              string       `json:"note,omitempty"`
	Status            string       `json:"status"`
	At                time.Time    `json:"at"`
	CompletesAt       *time.Time   `json:"completesAt,omitempty"`
}

// Receipt is the rail's record of a transfer, for verification.
type Receipt struct {
	TxID      string       `json:"txId"`
	Kind      string       `json:"kind"`
	FromLogin string       `json:"fromLogin"`
	FromName  string       `json:"fromName"`
	ToLogin   string       `json:"toLogin"`
	ToName    string       `json:"toName"`
	Amount    money.Amount `json:"amount"`
	Note      string       `json:"note,omitempty"`
	Status    string       `json:"status"`
	At        time.Time    `json:"at"`
}

// Payee is what a sender sees before paying: the masked real name.
type Payee struct {
	Login      string `json:"login"`
	MaskedName string `json:"maskedName"`
}

func meOf(a Account, now time.Time) Me {
	return Me{ID: a.ID, Login: a.Login, RealName: a.RealName, Balance: money.New(a.Balance, Scale),
		Frozen: money.New(a.Frozen, Scale), Available: money.New(a.Available(), Scale), Locked: now.Before(a.LockedUntil)}
}

// Me returns an account's own view.
func (r *Rail) Me(ctx context.Context, id int64) (Me, error) {
	var out Me
	err := r.store.RailView(ctx, func(tx ReadTx) error {
		a, err := tx.RailAccount(id)
		out = meOf(a, r.clock.Now())
		return err
	})
	return out, err
}

// Statement lists an account's transfers after a sequence number, oldest
// first.
func (r *Rail) Statement(ctx context.Context, id, after int64, limit int) ([]Line, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	out := []Line{}
	err := r.store.RailView(ctx, func(tx ReadTx) error {
		ts, err := tx.RailTransfers(id, after, limit)
		if err != nil {
			return err
		}
		names := map[int64]Account{}
		get := func(id int64) Account {
			if a, ok := names[id]; ok {
				return a
			}
			a, _ := tx.RailAccount(id)
			names[id] = a
			return a
		}
		for _, t := range ts {
			out = append(out, lineOf(t, id, get))
		}
		return nil
	})
	return out, err
}

func lineOf(t Transfer, id int64, get func(int64) Account) Line {
	l := Line{Seq: t.Seq, TxID: t.TxID, Kind: t.Kind, Amount: money.New(t.Amount, Scale), Note: t.Note, Status: t.Status, At: t.At}
	other := t.To
	l.Direction = "out"
	if t.To == id {
		other, l.Direction = t.From, "in"
	}
	switch {
	case other == BankID && t.Kind == KindWithdrawal:
		l.CounterpartyName = "Bank card " + t.Card
	case other == BankID:
		l.CounterpartyName = "Bank card"
	default:
		o := get(other)
		l.CounterpartyName, l.CounterpartyLogin = o.RealName, o.Login
	}
	if !t.CompletesAt.IsZero() && t.Status == StatusPending {
		c := t.CompletesAt
		l.CompletesAt = &c
	}
	return l
}

// LineFor renders one transfer as a statement line of an account.
func (r *Rail) LineFor(ctx context.Context, id int64, t Transfer) (Line, error) {
	var out Line
	err := r.store.RailView(ctx, func(tx ReadTx) error {
		out = lineOf(t, id, func(x int64) Account { a, _ := tx.RailAccount(x); return a })
		return nil
	})
	return out, err
}

// Lookup shows the masked real name behind a login, as Alipay does before
// a payment, so a sender can catch a wrong account.
func (r *Rail) Lookup(ctx context.Context, login string) (Payee, error) {
	var out Payee
	err := r.store.RailView(ctx, func(tx ReadTx) error {
		a, err := tx.RailAccountByLogin(login)
		if errors.Is(err, ErrNotFound) {
			return errf(404, "NO_SUCH_ACCOUNT", "login", "no Alipay account %q", login)
		}
		out = Payee{Login: a.Login, MaskedName: MaskName(a.RealName)}
		return err
	})
	return out, err
}

// Receipt returns the record of a transfer. Only verifiers and admins may
// read other people's receipts; an account may read its own.
func (r *Rail) Receipt(ctx context.Context, reader Account, txid string) (Receipt, error) {
	var out Receipt
	err := r.store.RailView(ctx, func(tx ReadTx) error {
		t, err := tx.RailTransferByTxID(txid)
		if errors.Is(err, ErrNotFound) {
			return errf(404, "NOT_FOUND", "txId", "no transfer %q", txid)
		}
		if err != nil {
			return err
		}
		if reader.Role == RoleUser && reader.ID != t.From && reader.ID != t.To {
			return errf(404, "NOT_FOUND", "txId", "no transfer %q", txid)
		}
		from, _ := tx.RailAccount(t.From)
		to, _ := tx.RailAccount(t.To)
		out = Receipt{TxID: t.TxID, Kind: t.Kind, FromLogin: from.Login, FromName: from.RealName, ToLogin: to.Login, ToName: to.RealName,
			Amount: money.New(t.Amount, Scale), Note: t.Note, Status: t.Status, At: t.At}
		return nil
	})
	return out, err
}

// CheckInvariants checks that every balance sums to zero (double entry)
// and that no account but the bank is below zero.
func CheckInvariants(ctx context.Context, st Store) error {
	return st.RailView(ctx, func(tx ReadTx) error {
		sum, err := tx.RailSumBalances()
		if err != nil {
			return err
		}
		if sum != 0 {
			return errors.New("alipay: balances do not sum to zero")
		}
		return nil
	})
}

// Log returns every transfer after a sequence number, for the simulator's
// event log.
func (r *Rail) Log(ctx context.Context, after int64, limit int) ([]Transfer, error) {
	var out []Transfer
	err := r.store.RailView(ctx, func(tx ReadTx) error {
		var err error
		out, err = tx.RailAllTransfers(after, limit)
		return err
	})
	return out, err
}
