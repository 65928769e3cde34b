// Command botd is the dialog-task runtime server: it serves the web widget,
// the WebSocket channel, health and metrics endpoints for one bot.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "botd:", err)
		os.Exit(1)
	}
}
