package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/botforge/dialogd/sfsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// autosaveEvery is how often a changed org is written to the -data file.
const autosaveEvery = 2 * time.Second

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sfsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8787", "listen address")
	fixture := fs.String("fixture", "", "YAML fixture to seed the org from (default: built-in demo org)")
	data := fs.String("data", "", "file that persists the org across restarts")
	myDomain := fs.String("my-domain", "", "My Domain host name (overrides the fixture's)")
	printCreds := fs.Bool("print-credentials", false, "print the demo credentials as JSON and exit")
	var callbacks []string
	fs.Func("callback-url", "also allow `URL` as an OAuth callback of the first connected app, e.g. http://127.0.0.1:9090/oauth/callback for botd on port 9090 (repeatable)", func(u string) error {
		callbacks = append(callbacks, u)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sfsim: unexpected arguments: %v\n", fs.Args())
		return 2
	}
	var opts []sfsim.Option
	if *fixture != "" {
		fx, err := sfsim.LoadFixture(*fixture)
		if err != nil {
			fmt.Fprintf(stderr, "sfsim: %v\n", err)
			return 1
		}
		opts = append(opts, sfsim.WithFixture(fx))
	}
	if *data != "" {
		opts = append(opts, sfsim.WithDataFile(*data))
	}
	if *myDomain != "" {
		opts = append(opts, sfsim.WithMyDomain(*myDomain))
	}
	if len(callbacks) > 0 {
		opts = append(opts, sfsim.WithCallbackURLs(callbacks...))
	}
	s, err := sfsim.New(opts...)
	if err != nil {
		fmt.Fprintf(stderr, "sfsim: %v\n", err)
		return 1
	}
	creds, err := s.Credentials()
	if err != nil {
		fmt.Fprintf(stderr, "sfsim: %v\n", err)
		return 1
	}
	if *printCreds {
		b, _ := json.Marshal(creds)
		fmt.Fprintf(stdout, "%s\n", b)
		return 0
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "sfsim: %v\n", err)
		return 1
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "sfsim listening on %s (org %s, My Domain %s)\n", base, s.Org().ID, s.Org().MyDomain)
	fmt.Fprintf(stdout, "  token URL      %s/services/oauth2/token\n", base)
	fmt.Fprintf(stdout, "  client_id      %s\n  client_secret  %s\n  username       %s\n  password       %s\n  security_token %s\n",
		creds.ClientID, creds.ClientSecret, creds.Username, creds.Password, creds.SecurityToken)

	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	tick := time.NewTicker(autosaveEvery)
	defer tick.Stop()
	code := 0
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-errc:
			fmt.Fprintf(stderr, "sfsim: %v\n", err)
			code = 1
			break loop
		case <-tick.C:
			if err := s.SaveIfChanged(); err != nil {
				fmt.Fprintf(stderr, "sfsim: %v\n", err)
			}
		}
	}
	shCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shCtx)
	if err := s.Close(); err != nil {
		fmt.Fprintf(stderr, "sfsim: %v\n", err)
		code = 1
	}
	return code
}
