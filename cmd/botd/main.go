// Command botd is the dialog-task runtime server: it serves one or several
// bots through the web widget and the WebSocket channel, with the OAuth
// callback, health, readiness and metrics endpoints. `botd -version` prints
// the build.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/botforge/dialogd/internal/sections" // checks bot.yaml's desk: and directory:

	"github.com/google/uuid"
)

func main() {
	// Request and conversation ids are UUIDs, not secrets: draw their
	// random bits from a buffered pool rather than one getrandom call each.
	// Called before anything mints one, as the package requires.
	uuid.EnableRandPool()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "botd:", err)
		os.Exit(1)
	}
}
