// Package cli holds one file per accountguard command: flags become options, a capability
// package does the work, and the result is rendered. Nothing imports cli.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/accountguard/accountguard/internal/awsx"
)

// Exit codes, documented in the root command's help.
const (
	ExitOK       = 0 // nothing at or above the failure threshold
	ExitFindings = 1 // findings at or above the failure threshold
	ExitUsage    = 2 // usage or input error
	ExitPartial  = 3 // some collection failed; the result is partial
)

// ExitError carries an exit code up to Execute. Err may be nil when the command already
// printed what it had to say (findings, partial results).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageErr marks bad input: the message is printed on one line and the exit code is 2.
func usageErr(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// Globals are the flags every command shares, named as the AWS CLI names them.
type Globals struct {
	Profile string
	Region  string
	Output  string
	Quiet   bool
	Lang    string
	Verbose bool

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// AWS loads an aws.Config from the standard credential chain with the global flags applied.
func (g *Globals) AWS(ctx context.Context) (awsx.Config, error) {
	return awsx.Load(ctx, awsx.Options{Profile: g.Profile, Region: g.Region})
}

// Interactive reports whether progress may be drawn: stderr is a terminal and --quiet is off.
func (g *Globals) Interactive() bool {
	if g.Quiet {
		return false
	}
	f, ok := g.Stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// checkOutput fails with a usage error unless --output is one of allowed.
func (g *Globals) checkOutput(allowed ...string) error {
	if slices.Contains(allowed, g.Output) {
		return nil
	}
	return usageErr("--output %q: this command supports %s", g.Output, strings.Join(allowed, ", "))
}

// commands is filled by each command file's init, so adding a command touches one file.
var commands []func(*Globals) *cobra.Command

func register(newCmd func(*Globals) *cobra.Command) { commands = append(commands, newCmd) }

const rootLong = `accountguard keeps an AWS account from being taken over, and gets it back when it was.

It uses the standard AWS credential chain (environment, shared config and credentials
files, profiles, SSO, IMDS) and honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>.

Exit codes:
  0  ok: nothing at or above the failure threshold
  1  findings at or above the failure threshold
  2  usage or input error
  3  partial: some collection failed (the output says what)`

// NewRoot builds the command tree; tests call it directly.
func NewRoot(g *Globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "accountguard",
		Short:         "Prevent, detect and respond to AWS account compromise",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if g.Lang != "en" && g.Lang != "ko" {
				return usageErr("--lang %q: use en or ko", g.Lang)
			}
			level := slog.LevelWarn
			if g.Verbose {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(g.Stderr, &slog.HandlerOptions{Level: level})))
			return nil
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.Profile, "profile", "", "use a named profile from the shared AWS config")
	pf.StringVar(&g.Region, "region", "", "AWS region for the first calls (default: from the profile or AWS_REGION)")
	pf.StringVarP(&g.Output, "output", "o", "table", "output format: table, json, or a format the command names")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "no progress or chatter on stderr")
	pf.StringVar(&g.Lang, "lang", defaultLang(), "language of reports: en or ko")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "diagnostics on stderr")
	root.SetIn(g.Stdin)
	root.SetOut(g.Stdout)
	root.SetErr(g.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &ExitError{Code: ExitUsage, Err: err} })
	for _, newCmd := range commands {
		root.AddCommand(newCmd(g))
	}
	return root
}

func defaultLang() string {
	for _, v := range []string{os.Getenv("ACCOUNTGUARD_LANG"), os.Getenv("LC_ALL"), os.Getenv("LANG")} {
		if strings.HasPrefix(v, "ko") {
			return "ko"
		}
	}
	return "en"
}

// Execute runs accountguard with args and returns the process exit code.
func Execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &Globals{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if path := os.Getenv("ACCOUNTGUARD_CPUPROFILE"); path != "" {
		// For maintainers: a CPU profile of one run, for `go tool pprof`.
		stop, err := startCPUProfile(path)
		if err != nil {
			fmt.Fprintf(stderr, "accountguard: ACCOUNTGUARD_CPUPROFILE: %v\n", err)
			return ExitUsage
		}
		defer stop()
	}
	root := NewRoot(g)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitUsage // cobra's own errors (unknown command, bad args) are usage errors
	if ee, ok := errors.AsType[*ExitError](err); ok {
		code = ee.Code
		if ee.Err == nil {
			return code
		}
	} else if !isCobraUsage(err) {
		code = ExitPartial // collection or AWS failure: nothing or only part was done
	}
	fmt.Fprintf(stderr, "accountguard: %v\n", err)
	return code
}

func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
