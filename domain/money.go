package domain

import "fmt"

// Money is an amount in minor units (cents) of a currency. Floats never
// represent money: 0.1 + 0.2 must be exactly 0.3.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// EUR is the house currency.
const EUR = "EUR"

// Cents makes an amount in the house currency.
func Cents(amount int64) Money { return Money{Amount: amount, Currency: EUR} }

// Times multiplies by a quantity.
func (m Money) Times(n int) Money { return Money{Amount: m.Amount * int64(n), Currency: m.Currency} }

// Plus adds two amounts of the same currency; adding to a zero Money adopts the
// other's currency.
func (m Money) Plus(o Money) Money {
	if m.Currency == "" {
		return o
	}
	if o.Currency != "" && o.Currency != m.Currency {
		panic(fmt.Sprintf("money: adding %s to %s", o.Currency, m.Currency))
	}
	return Money{Amount: m.Amount + o.Amount, Currency: m.Currency}
}

// String formats for people: "€12.50".
func (m Money) String() string {
	sign := ""
	a := m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	sym := m.Currency + " "
	if m.Currency == EUR {
		sym = "€"
	}
	return fmt.Sprintf("%s%s%d.%02d", sign, sym, a/100, a%100)
}
