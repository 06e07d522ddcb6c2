// Command shop serves the example shop's Restate services.
package main

import (
	"context"
	"log"

	restate "github.com/restatedev/sdk-go"
	"github.com/restatedev/sdk-go/server"

	"example.com/shop/cart"
	"example.com/shop/checkout"
	"example.com/shop/notify"
)

func main() {
	srv := server.NewRestate().
		Bind(restate.Reflect(cart.Cart{})).
		Bind(restate.Reflect(checkout.Checkout{})).
		Bind(notify.Definition())
	if err := srv.Start(context.Background(), ":9080"); err != nil {
		log.Fatal(err)
	}
}
