// Command accountguard keeps an AWS account from being taken over, and gets it back when it was.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/accountguard/accountguard/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
