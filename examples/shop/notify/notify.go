// Package notify sends order e-mails.
package notify

import (
	"net/http"

	restate "github.com/restatedev/sdk-go"
)

type Email struct {
	To      string
	Subject string
}

func send(ctx restate.Context, e Email) (restate.Void, error) {
	_, err := restate.Run(ctx, func(ctx restate.RunContext) (bool, error) {
		resp, err := http.Post("https://mail.example.com/send?to="+e.To, "text/plain", nil)
		if err != nil {
			return false, err
		}
		return resp.StatusCode == http.StatusOK, resp.Body.Close()
	}, restate.WithName("send-email"))
	return restate.Void{}, err
}

// Definition registers the Notify service with the builder API.
func Definition() restate.ServiceDefinition {
	return restate.NewService("Notify").
		Handler("send", restate.NewServiceHandler(send))
}
