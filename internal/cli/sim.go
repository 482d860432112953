package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/accountguard/accountguard/internal/awssim"
)

func init() { register(newSimCmd) }

func newSimCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the built-in AWS simulator (for trying accountguard without an AWS account)",
	}
	cmd.AddCommand(newSimServeCmd(g), newSimRunCmd(g), newSimExportTrailCmd(g), newSimScenariosCmd(g))
	return cmd
}

// loadScenario loads a scenario by name or path; a bad one is a usage error (exit 2).
func loadScenario(name string) (*awssim.Scenario, error) {
	sc, err := awssim.LoadScenario(name)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	return sc, nil
}

func newSimServeCmd(g *Globals) *cobra.Command {
	var (
		scenario, addr string
		opts           awssim.Options
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a scenario on 127.0.0.1 and print the AWS_* environment to use it",
		Long: `Serve a scenario on a loopback address. The first lines on stdout are the environment
an AWS client needs (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION) to act
as an administrator of the simulated account; then it serves until interrupted.

  eval "$(accountguard sim serve --scenario leaked-key &)"   # or: export $(head -4 file)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc, err := loadScenario(scenario)
			if err != nil {
				return err
			}
			r, err := awssim.Start(sc, opts, addr)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: err}
			}
			for _, line := range r.Env() {
				fmt.Fprintln(g.Stdout, line)
			}
			if f, ok := g.Stdout.(*os.File); ok {
				_ = f.Sync()
			}
			if !g.Quiet {
				fmt.Fprintf(g.Stderr, "accountguard: simulating account %s (scenario %s) at %s; interrupt to stop\n", r.Account, sc.Name, r.URL)
			}
			<-cmd.Context().Done()
			return r.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&scenario, "scenario", "leaked-key", "scenario name ("+strings.Join(awssim.ScenarioNames(), ", ")+") or a YAML file")
	f.StringVar(&addr, "addr", "127.0.0.1:0", "address to listen on (loopback)")
	f.DurationVar(&opts.Latency, "latency", 0, "latency added to every call, e.g. 50ms")
	f.Float64Var(&opts.ThrottleRate, "throttle-rate", 0, "fraction of calls answered with a throttling error")
	f.Float64Var(&opts.ErrorRate, "error-rate", 0, "fraction of calls answered with a server error")
	return cmd
}

func newSimRunCmd(g *Globals) *cobra.Command {
	var (
		scenario string
		opts     awssim.Options
	)
	cmd := &cobra.Command{
		Use:   "run [--scenario NAME] -- COMMAND [ARGS…]",
		Short: "Run an accountguard command against a scenario served in-process",
		Long: `Start the simulator on a loopback address, point this process's standard AWS
environment at it (AWS_ENDPOINT_URL, keys of the scenario's administrator, AWS_REGION), run one
accountguard command, and stop. The quickest way to see a command work:

  accountguard sim run --scenario leaked-key -- inventory`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] == "sim" {
				return usageErr("sim run: the command to run cannot be sim itself")
			}
			sc, err := loadScenario(scenario)
			if err != nil {
				return err
			}
			r, err := awssim.Start(sc, opts, "")
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: err}
			}
			defer r.Close()
			// Caches (Cost Explorer's) are per account ID: keep a simulated account's out of the user's.
			cache, err := os.MkdirTemp("", "accountguard-sim-cache-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(cache)
			for _, kv := range append(r.Env(), "AWS_PROFILE=", "AWS_SESSION_TOKEN=", "XDG_CACHE_HOME="+cache) {
				k, v, _ := strings.Cut(kv, "=")
				if v == "" {
					os.Unsetenv(k)
				} else if err := os.Setenv(k, v); err != nil {
					return err
				}
			}
			if !g.Quiet {
				fmt.Fprintf(g.Stderr, "accountguard: simulating account %s (scenario %s) at %s\n", r.Account, sc.Name, r.URL)
			}
			inner := &Globals{Stdin: g.Stdin, Stdout: g.Stdout, Stderr: g.Stderr}
			root := NewRoot(inner)
			root.SetArgs(args)
			return root.ExecuteContext(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&scenario, "scenario", "leaked-key", "scenario name or YAML file")
	f.DurationVar(&opts.Latency, "latency", 0, "latency added to every call, e.g. 50ms")
	f.Float64Var(&opts.ThrottleRate, "throttle-rate", 0, "fraction of calls answered with a throttling error")
	f.Float64Var(&opts.ErrorRate, "error-rate", 0, "fraction of calls answered with a server error")
	return cmd
}

func newSimExportTrailCmd(g *Globals) *cobra.Command {
	var scenario, dir string
	cmd := &cobra.Command{
		Use:   "export-trail",
		Short: "Write a scenario's CloudTrail history in the S3 export layout",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return usageErr("--dir: required")
			}
			sc, err := loadScenario(scenario)
			if err != nil {
				return err
			}
			srv, err := awssim.New(sc, awssim.Options{})
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: err}
			}
			files, err := awssim.ExportTrail(srv.Trail(), dir)
			if err != nil {
				return err
			}
			if !g.Quiet {
				fmt.Fprintf(g.Stderr, "accountguard: wrote %d records in %d files under %s\n", len(srv.Trail()), len(files), dir)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&scenario, "scenario", "leaked-key", "scenario name or YAML file")
	cmd.Flags().StringVar(&dir, "dir", "", "output folder (AWSLogs/… is created inside)")
	return cmd
}

func newSimScenariosCmd(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, name := range awssim.ScenarioNames() {
				sc, err := awssim.LoadScenario(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(g.Stdout, "%-12s %s\n", name, sc.Description)
			}
			return nil
		},
	}
}
