// Package cart holds the Cart virtual object: one cart per user id.
package cart

import (
	restate "github.com/restatedev/sdk-go"
)

type Cart struct{}

type Item struct {
	SKU      string
	Quantity int
}

// Add puts an item in the cart.
func (Cart) Add(ctx restate.ObjectContext, item Item) error {
	items, err := restate.Get[[]Item](ctx, "items")
	if err != nil {
		return err
	}
	restate.Set(ctx, "items", append(items, item))
	return nil
}

// Items lists the cart's content.
func (Cart) Items(ctx restate.ObjectSharedContext) ([]Item, error) {
	return restate.Get[[]Item](ctx, "items")
}

// Clear empties the cart after a checkout.
func (Cart) Clear(ctx restate.ObjectContext) error {
	restate.ClearAll(ctx)
	return nil
}
