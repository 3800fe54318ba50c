// Package projections keeps the read models: event listeners that maintain
// query tables, each with its checkpoint in the same transaction as its
// changes (see eventstore.Subscribe).
package projections
