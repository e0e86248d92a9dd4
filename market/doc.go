// Package market holds the rules of the P2P marketplace: ads and their
// price band, the take that checks every limit and locks the seller's
// crypto in escrow in one transaction, the order machine from created to
// completed or resolved, disputes, the double-entry ledger (four running
// sums per account, after TigerBeetle), reputation derived from order
// history, and the invariants that must hold after any sequence of them.
//
// It builds the views of package api and talks to storage through the
// small Store port of store.go; package store implements that port on
// SQLite and PostgreSQL against one conformance suite. Nothing here
// knows about HTTP.
package market
