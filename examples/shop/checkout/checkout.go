// Package checkout turns a cart into a paid order.
package checkout

import (
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	restate "github.com/restatedev/sdk-go"

	"example.com/shop/cart"
)

type Checkout struct{}

type Request struct {
	UserID string
	Card   string
}

type Receipt struct {
	OrderID string
	PaidAt  time.Time
}

// Pay charges the user's card for everything in their cart.
func (Checkout) Pay(ctx restate.Context, req Request) (Receipt, error) {
	items, err := restate.Object[[]cart.Item](ctx, "Cart", req.UserID, "Items").Request(restate.Void{})
	if err != nil {
		return Receipt{}, err
	}
	if len(items) == 0 {
		return Receipt{}, fmt.Errorf("cart of %s is empty", req.UserID)
	}

	// Bug: a new id on every replay, so the payment provider sees a new order each time.
	orderID := uuid.NewString()

	// Bug: the charge is not journaled; a retry after a crash charges the card again.
	resp, err := http.Post("https://payments.example.com/charge?order="+orderID, "text/plain", nil)
	if err != nil {
		return Receipt{}, err
	}
	resp.Body.Close()

	// Bug: the wall clock differs on replay.
	paidAt := time.Now()

	// Bug: the error of the durable sleep (a cancellation) is dropped, and a delayed send would do.
	restate.Sleep(ctx, 5*time.Second)
	restate.ObjectSend(ctx, "Cart", req.UserID, "Clear").Send(restate.Void{})

	return Receipt{OrderID: orderID, PaidAt: paidAt}, nil
}
