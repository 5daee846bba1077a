package console_test

import (
	"log"
	"net/http"
	"os"

	"github.com/waooaw/waooaw-go/console"
)

// Mount the console under /console/ of your own program.
func ExampleNew() {
	h, err := console.New(
		console.WithAPI("https://api.waooaw.com"),
		console.WithPublicURL("https://ops.example.com/console/"), // where browsers reach it
		console.WithClient("waooaw-console", os.Getenv("WAOOAW_CONSOLE_CLIENT_SECRET")),
	)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/console/", h)
	_ = http.Server{Addr: "127.0.0.1:8080", Handler: mux} // then ListenAndServe
}
