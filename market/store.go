package market

import (
	"context"
	"time"

	"p2pdesk/api"
)

// Store is what the marketplace needs from a database. Update runs fn in
// one atomic transaction; writes are serialized. fn may be called again
// if the database asks for a retry, so it must touch nothing but tx.
// The SQLite and PostgreSQL stores in package store satisfy it, and
// store/storetest checks that they behave alike.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(ReadTx) error) error
	Close() error
}

// AdQuery filters an ad search.
type AdQuery struct {
	Side         api.Side
	Asset        api.Asset
	Fiat         api.Fiat
	Payment      api.PaymentMethod // "" for any
	FiatAmount   int64             // 0 for any; else the order must fit the ad's limits
	VerifiedOnly bool
	MakerID      int64 // 0 for any
	Statuses     []api.AdStatus
	Sort         AdSort
	After        *AdCursor
	Limit        int
}

// AdSort orders a search.
type AdSort string

const (
	// SortBestPrice: cheapest first for sell ads (the taker buys), dearest
	// first for buy ads (the taker sells).
	SortBestPrice AdSort = "price"
	SortNewest    AdSort = "newest"
)

// AdCursor is where the next page starts.
type AdCursor struct {
	Price int64
	ID    int64
}

// OrderQuery filters a listing of one user's orders.
type OrderQuery struct {
	UserID   int64
	Open     *bool
	States   []api.OrderState
	Asset    api.Asset
	Side     api.Side // the user's side: buy or sell
	BeforeID int64
	Limit    int
}

// ReadTx reads a consistent snapshot.
type ReadTx interface {
	User(id int64) (api.User, error)
	UserByName(name string) (api.User, error)
	Users(ids []int64) ([]api.User, error)
	PaymentAccounts(user int64) ([]api.PaymentAccount, error)
	PaymentAccount(user int64, method api.PaymentMethod) (api.PaymentAccount, error) // ErrNotFound if none

	Balance(user int64, asset api.Asset) (Balance, error) // zero Balance if none
	Balances(user int64) ([]Balance, error)
	AllBalances() ([]Balance, error)
	Transfer(id string) (Transfer, error)
	// Resolution returns the post or void transfer of a pending one.
	Resolution(pendingID string) (Transfer, error)
	Transfers(afterSeq int64, limit int) ([]Transfer, error)

	Ad(id int64) (Ad, error)
	SearchAds(q AdQuery) ([]Ad, error)
	AllAds(afterID int64, limit int) ([]Ad, error)
	FloatingAds(asset api.Asset, fiat api.Fiat) ([]Ad, error)

	Order(id int64) (Order, error)
	Orders(q OrderQuery) ([]Order, error)
	// DueOrders lists open orders whose deadline (payment or release) is
	// at or before now, oldest first.
	DueOrders(now time.Time, limit int) ([]Order, error)
	OrdersByAd(adID int64) ([]Order, error)
	// OrdersInState lists orders in a state, oldest first.
	OrdersInState(state api.OrderState, limit int) ([]Order, error)
	// FirstEventID is the oldest event still kept, 0 if none.
	FirstEventID() (int64, error)
	// AllOrders pages through every order by id, ascending.
	AllOrders(afterID int64, limit int) ([]Order, error)
	OrderLog(orderID int64, afterID int64) ([]api.LogEntry, error)

	Usage(user, day int64, fiat api.Fiat) (Usage, error)
	TraderDays(users []int64, fromDay int64) ([]TraderDay, error)
	// CarriedDays are the carried buckets alone (see CarryRecords).
	CarriedDays(users []int64, fromDay int64) ([]TraderDay, error)
	// RecordDays are the buckets a record sums: the trader days and the
	// carried days, in one read.
	RecordDays(users []int64, fromDay int64) ([]TraderDay, error)

	Events(user int64, afterID int64, limit int) ([]api.Event, error)
	LastEventID() (int64, error)
	Idempotency(user int64, key string) (IdemRecord, error)

	IndexLatest(asset api.Asset, fiat api.Fiat) (api.IndexPoint, error)
	// IndexHistory: the newest points since a time, oldest first; with a
	// step, only the last point of each step-long bucket.
	IndexHistory(asset api.Asset, fiat api.Fiat, since time.Time, step time.Duration, limit int) ([]api.IndexPoint, error)
}

// Tx reads and writes inside one transaction.
type Tx interface {
	ReadTx
	InsertUser(u *api.User) error // sets ID; ErrDuplicate on a taken name
	UpdateUser(u api.User) error
	PutPaymentAccount(p api.PaymentAccount) error

	// AddBalance adds the four sums of delta to one ledger account.
	AddBalance(delta Balance) error
	// InsertTransfer appends to the log and sets Seq. ErrDuplicate when
	// the ID exists, or when a post or void names a pending transfer that
	// is already resolved: that is what makes a resolution happen once.
	InsertTransfer(t *Transfer) error

	InsertAd(a *Ad) error
	UpdateAd(a Ad) error

	InsertOrder(o *Order) error
	UpdateOrder(o Order) error
	InsertLog(e *api.LogEntry) error

	PutUsage(u Usage) error
	AddTraderDay(d TraderDay) error
	// CarryDay writes a carried day; a day already carried is kept as it is.
	CarryDay(d TraderDay) error

	InsertEvent(e *api.Event) error
	DeleteEventsBefore(id int64) error
	PutIdempotency(r IdemRecord) error

	InsertIndex(p api.IndexPoint) error

	// AfterCommit runs f once the transaction is durable, never if it is
	// rolled back.
	AfterCommit(f func())
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
