package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain/customers"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// CustomersProjection keeps customers and their address books for their
// account pages, and for the order pages that prefill a customer's details.
// Signing in and deciding commands never read it: they read the streams.
// An erased customer's rows are deleted.
type CustomersProjection struct{}

// WriteOnly implements WriteOnly: its statements for a batch go to
// PostgreSQL together.
func (CustomersProjection) WriteOnly() {}

// Name implements Projection.
func (CustomersProjection) Name() string { return "customers" }

// Tables implements Projection.
func (CustomersProjection) Tables() []string {
	return []string{"customer_orders", "customer_addresses", "customers"}
}

// Apply implements Projection.
func (CustomersProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	var err error
	switch ev := e.Event.(type) {
	case customers.CustomerSignedUp:
		_, err = tx.Exec(ctx, `INSERT INTO customers (customer_id, name, email, phone, signed_up_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (customer_id) DO NOTHING`,
			ev.CustomerID, ev.Name, ev.Email, ev.Phone, ev.SignedUpAt, e.RecordedAt)
	case customers.CustomerDetailsChanged:
		_, err = tx.Exec(ctx, `UPDATE customers SET name = $2, phone = $3, updated_at = $4 WHERE customer_id = $1`,
			ev.CustomerID, ev.Name, ev.Phone, e.RecordedAt)
	case customers.AddressAdded:
		_, err = tx.Exec(ctx, `INSERT INTO customer_addresses (customer_id, address_id, seq, nickname, street, postal_code, city, instructions)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM customers WHERE customer_id = $1)
			ON CONFLICT DO NOTHING`,
			ev.CustomerID, ev.AddressID, e.Version, ev.Nickname, ev.Street, ev.PostalCode, ev.City, ev.Instructions)
	case customers.AddressChanged:
		_, err = tx.Exec(ctx, `UPDATE customer_addresses SET nickname = $3, street = $4, postal_code = $5, city = $6, instructions = $7
			WHERE customer_id = $1 AND address_id = $2`,
			ev.CustomerID, ev.AddressID, ev.Nickname, ev.Street, ev.PostalCode, ev.City, ev.Instructions)
	case customers.AddressRemoved:
		_, err = tx.Exec(ctx, `DELETE FROM customer_addresses WHERE customer_id = $1 AND address_id = $2`, ev.CustomerID, ev.AddressID)
		if err == nil {
			_, err = tx.Exec(ctx, `UPDATE customers SET default_address = '' WHERE customer_id = $1 AND default_address = $2`, ev.CustomerID, ev.AddressID)
		}
	case customers.DefaultAddressChosen:
		_, err = tx.Exec(ctx, `UPDATE customers SET default_address = $2, updated_at = $3 WHERE customer_id = $1`, ev.CustomerID, ev.AddressID, e.RecordedAt)
	case customers.GuestOrderAdopted:
		_, err = tx.Exec(ctx, `INSERT INTO customer_orders (customer_id, order_id, adopted_at)
			SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM customers WHERE customer_id = $1) ON CONFLICT DO NOTHING`,
			ev.CustomerID, ev.OrderID, ev.AdoptedAt)
	case customers.CustomerErased:
		_, err = tx.Exec(ctx, `DELETE FROM customers WHERE customer_id = $1`, ev.CustomerID)
	}
	return err
}

// Customer is a signed-up customer as their account page shows them.
type Customer struct {
	ID        string
	Name      string
	Email     string
	Phone     string
	Addresses []Address // in the order they were added
}

// Default is the address orders go to unless the customer says otherwise.
func (c Customer) Default() (Address, bool) {
	for _, a := range c.Addresses {
		if a.Default {
			return a, true
		}
	}
	return Address{}, false
}

// Address is one entry of a customer's address book.
type Address struct {
	ID           string
	Nickname     string
	Street       string
	PostalCode   string
	City         string
	Instructions string
	Default      bool
}

// Customers reads the customers read model.
type Customers struct{ Pool *pgxpool.Pool }

// Get returns a customer with their address book; false when there is no
// such customer (never signed up, or erased).
func (r Customers) Get(ctx context.Context, customerID string) (Customer, bool, error) {
	c := Customer{ID: customerID}
	var def string
	err := r.Pool.QueryRow(ctx, `SELECT name, email, phone, default_address FROM customers WHERE customer_id = $1`, customerID).
		Scan(&c.Name, &c.Email, &c.Phone, &def)
	if errors.Is(err, pgx.ErrNoRows) {
		return Customer{}, false, nil
	}
	if err != nil {
		return Customer{}, false, fmt.Errorf("read customer %s: %w", customerID, err)
	}
	rows, err := r.Pool.Query(ctx, `SELECT address_id, nickname, street, postal_code, city, instructions
		FROM customer_addresses WHERE customer_id = $1 ORDER BY seq`, customerID)
	if err != nil {
		return Customer{}, false, fmt.Errorf("read customer %s addresses: %w", customerID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Address
		if err := rows.Scan(&a.ID, &a.Nickname, &a.Street, &a.PostalCode, &a.City, &a.Instructions); err != nil {
			return Customer{}, false, fmt.Errorf("read customer %s addresses: %w", customerID, err)
		}
		a.Default = a.ID == def
		c.Addresses = append(c.Addresses, a)
	}
	if err := rows.Err(); err != nil {
		return Customer{}, false, fmt.Errorf("read customer %s addresses: %w", customerID, err)
	}
	return c, true, nil
}

// Adopted says whether the customer took a guest order into their account.
func (r Customers) Adopted(ctx context.Context, customerID, orderID string) (bool, error) {
	var ok bool
	err := r.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customer_orders WHERE customer_id = $1 AND order_id = $2)`, customerID, orderID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("read adopted order: %w", err)
	}
	return ok, nil
}

// Orders lists every order of a customer, newest first: those opened while
// signed in (their customer id is the customer's) and the guest orders the
// customer adopted. It reads the orders read model too.
func (r Customers) Orders(ctx context.Context, customerID string, limit int) ([]Summary, error) {
	rows, err := r.Pool.Query(ctx, `SELECT order_id, number, status, item_count, total_amount, total_currency, opened_at
		FROM orders
		WHERE customer_id = $1 OR order_id IN (SELECT order_id FROM customer_orders WHERE customer_id = $1)
		ORDER BY opened_at DESC, number DESC LIMIT $2`, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("read the orders of customer %s: %w", customerID, err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var s Summary
		var status string
		if err := rows.Scan(&s.OrderID, &s.Number, &status, &s.ItemCount, &s.Total.Amount, &s.Total.Currency, &s.OpenedAt); err != nil {
			return nil, fmt.Errorf("read the orders of customer %s: %w", customerID, err)
		}
		s.Status = ordering.Status(status)
		out = append(out, s)
	}
	return out, rows.Err()
}

// GuestOrders lists the ids of the orders a guest opened, oldest first:
// what a guest who signs up or in brings into their account.
func (r Customers) GuestOrders(ctx context.Context, guestID string) ([]string, error) {
	rows, err := r.Pool.Query(ctx, `SELECT order_id FROM orders WHERE customer_id = $1 ORDER BY opened_at, number`, guestID)
	if err != nil {
		return nil, fmt.Errorf("read guest orders: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read guest orders: %w", err)
	}
	return ids, nil
}

// Latest is the customer's most recent order that is not canceled, opened
// signed in or adopted, if any: the one the site's header links to.
func (r Customers) Latest(ctx context.Context, customerID string) (string, bool, error) {
	var id string
	err := r.Pool.QueryRow(ctx, `SELECT order_id FROM orders
		WHERE (customer_id = $1 OR order_id IN (SELECT order_id FROM customer_orders WHERE customer_id = $1)) AND status <> $2
		ORDER BY opened_at DESC, number DESC LIMIT 1`, customerID, ordering.StatusCanceled).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read the latest order of customer %s: %w", customerID, err)
	}
	return id, true, nil
}
