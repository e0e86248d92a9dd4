// Package store keeps the marketplace, its credentials and the simulated
// Alipay rail in a database: SQLite in one file by default, PostgreSQL
// when one machine is not enough. Both engines implement the ports of
// market, auth and alipay and pass the same conformance suite
// (store/storetest); writes go through one transaction per change, and
// SQLite's writer groups many into one commit.
package store
