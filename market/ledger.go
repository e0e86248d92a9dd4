package market

import (
	"errors"
	"fmt"
	"time"

	"p2pdesk/api"
	"p2pdesk/money"
)

// The ledger is double entry: every transfer debits one account and
// credits another by the same amount in one asset, so per asset the sum of
// debits equals the sum of credits. Balances are a cache of the log.

// apply folds one transfer into the balances it touches. pending is the
// transfer a post or void resolves. Every running sum is checked: a
// transfer that would carry one past 64 bits is refused (errSumOverflow)
// and leaves both balances as they were.
func apply(dr, cr *Balance, t Transfer) error {
	d, c := *dr, *cr
	var err error
	add := func(v *int64, delta int64) {
		if err == nil {
			*v, err = addUnits(*v, delta)
		}
	}
	switch t.Kind {
	case TransferImmediate:
		add(&d.DebitsPosted, t.Amount)
		add(&c.CreditsPosted, t.Amount)
	case TransferPending:
		add(&d.DebitsPending, t.Amount)
		add(&c.CreditsPending, t.Amount)
	case TransferPostPending:
		add(&d.DebitsPending, -t.Amount)
		add(&d.DebitsPosted, t.Amount)
		add(&c.CreditsPending, -t.Amount)
		add(&c.CreditsPosted, t.Amount)
	case TransferVoidPending:
		add(&d.DebitsPending, -t.Amount)
		add(&c.CreditsPending, -t.Amount)
	}
	if err != nil {
		return err
	}
	*dr, *cr = d, c
	return nil
}

// errSumOverflow: a running sum of the ledger would not fit in 64 bits.
var errSumOverflow = errors.New("ledger: a running sum would pass the 64-bit limit")

// addUnits is a+b in minor units, refusing to wrap.
func addUnits(a, b int64) (int64, error) {
	s, err := money.New(a, 0).Add(money.New(b, 0))
	if err != nil {
		return 0, errSumOverflow
	}
	return s.Units(), nil
}

// errAlreadyDone is returned when a transfer with the same derived id, or
// a resolution of the same pending transfer, is already in the log.
var errAlreadyDone = errors.New("transfer already recorded")

// transfer records t and updates both balances. A debit that would take a
// trader's available balance below zero is refused; only the system
// account may go negative (it is the outside world).
func transfer(tx Tx, t Transfer) error {
	if t.Kind == TransferPostPending || t.Kind == TransferVoidPending {
		p, err := tx.Transfer(t.PendingID)
		if err != nil {
			return fmt.Errorf("ledger: pending %s: %w", t.PendingID, err)
		}
		if p.Kind != TransferPending {
			return fmt.Errorf("ledger: %s is not pending", t.PendingID)
		}
		t.Debit, t.Credit, t.Asset, t.Amount = p.Debit, p.Credit, p.Asset, p.Amount
	}
	if t.Amount <= 0 {
		return fmt.Errorf("ledger: non-positive transfer %s", t.ID)
	}
	if t.Debit == t.Credit {
		return fmt.Errorf("ledger: transfer %s to the same account", t.ID)
	}
	dr, err := tx.Balance(t.Debit, t.Asset)
	if err != nil {
		return err
	}
	if (t.Kind == TransferImmediate || t.Kind == TransferPending) && t.Debit != SystemUserID && dr.Available() < t.Amount {
		return api.Errorf(api.CodeInsufficientBalance, "amount", "the seller's available %s balance is too low", t.Asset)
	}
	cr, err := tx.Balance(t.Credit, t.Asset)
	if err != nil {
		return err
	}
	// Check the sums before anything is written: the new balances must
	// fit in 64 bits (on SQLite an overflowing sum would turn the column
	// into a float, on PostgreSQL fail the statement).
	if err := apply(&dr, &cr, t); err != nil {
		if _, derr := tx.Transfer(t.ID); derr == nil {
			return errAlreadyDone
		}
		return api.Errorf(api.CodeAmountTooLarge, "amount", "this would take a %s balance of the ledger past its 64-bit limit", t.Asset)
	}
	if err := tx.InsertTransfer(&t); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return errAlreadyDone
		}
		return err
	}
	// The same fold as Replay, applied as deltas.
	ddr, dcr := Balance{UserID: t.Debit, Asset: t.Asset}, Balance{UserID: t.Credit, Asset: t.Asset}
	if err := apply(&ddr, &dcr, t); err != nil {
		return err
	}
	if err := tx.AddBalance(ddr); err != nil {
		return err
	}
	return tx.AddBalance(dcr)
}

func lockEscrow(tx Tx, o Order, at time.Time) error {
	return transfer(tx, Transfer{
		ID: o.EscrowID(), Kind: TransferPending, Debit: o.SellerID, Credit: o.BuyerID,
		Asset: o.Asset, Amount: o.Amount.Units(), Code: "escrow", OrderID: o.ID, At: at,
	})
}

func releaseEscrow(tx Tx, o Order, at time.Time) error {
	return transfer(tx, Transfer{
		ID: "release/" + itoa(o.ID), Kind: TransferPostPending, PendingID: o.EscrowID(),
		Code: "release", OrderID: o.ID, At: at,
	})
}

func refundEscrow(tx Tx, o Order, at time.Time) error {
	return transfer(tx, Transfer{
		ID: "refund/" + itoa(o.ID), Kind: TransferVoidPending, PendingID: o.EscrowID(),
		Code: "refund", OrderID: o.ID, At: at,
	})
}

// Replay rebuilds every balance from the transfer log, in log order.
func Replay(transfers []Transfer) (map[BalanceKey]Balance, error) {
	out := map[BalanceKey]Balance{}
	pending := map[string]Transfer{}
	resolved := map[string]bool{}
	get := func(u int64, a api.Asset) Balance {
		b, ok := out[BalanceKey{u, a}]
		if !ok {
			b = Balance{UserID: u, Asset: a}
		}
		return b
	}
	for _, t := range transfers {
		switch t.Kind {
		case TransferPending:
			pending[t.ID] = t
		case TransferPostPending, TransferVoidPending:
			p, ok := pending[t.PendingID]
			if !ok {
				return nil, fmt.Errorf("replay: %s resolves unknown pending %s", t.ID, t.PendingID)
			}
			if resolved[t.PendingID] {
				return nil, fmt.Errorf("replay: pending %s resolved twice", t.PendingID)
			}
			resolved[t.PendingID] = true
			t.Debit, t.Credit, t.Asset, t.Amount = p.Debit, p.Credit, p.Asset, p.Amount
		}
		dr, cr := get(t.Debit, t.Asset), get(t.Credit, t.Asset)
		if err := apply(&dr, &cr, t); err != nil {
			return nil, fmt.Errorf("replay: %s: %w", t.ID, err)
		}
		out[BalanceKey{t.Debit, t.Asset}] = dr
		out[BalanceKey{t.Credit, t.Asset}] = cr
	}
	return out, nil
}

// BalanceKey names one ledger account.
type BalanceKey struct {
	UserID int64
	Asset  api.Asset
}
