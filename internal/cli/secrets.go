package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/spf13/cobra"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/secrets"
	"github.com/accountguard/accountguard/internal/ui"
)

func init() { register(newSecretsCmd) }

type secretsOpts struct {
	git, staged, noIgnore bool
	maxSizeMB             int64
	baseline              string
	baselineWrite         bool
	verify, mine          bool
}

const secretsLong = `Find leaked credentials (AWS access keys, secret keys, session tokens, private keys,
GitHub, Slack, Google and Stripe tokens) in files, standard input, staged changes or the
whole history of git repositories, and tell whose AWS keys they are.

Each AWS key ID is decoded offline to the account it belongs to. --verify asks STS whether a
found key pair is live (opt-in: it sends the key to AWS); --mine lists the current account's
users and keys and says which found keys are yours, who owns them, whether they are active,
when they were last used and whether AWS's quarantine policy is on them.

Secrets are never printed whole: values show their first and last four characters.
A line containing "accountguard:allow" is accepted; --baseline ignores known findings.

Exit codes: 0 nothing found, 1 unallowed findings, 2 bad input (the other inputs are still
scanned), 3 verification or ownership lookup failed.`

func newSecretsCmd(g *Globals) *cobra.Command {
	var o secretsOpts
	cmd := &cobra.Command{
		Use:   "secrets [PATH...]",
		Short: "Find leaked keys in files and git history, and say whose they are",
		Long:  secretsLong,
		Example: `  accountguard secrets .                      # working tree, honouring .gitignore
  accountguard secrets --git ~/src/app         # every commit, branch and merge
  accountguard secrets --staged                # pre-commit hook
  git show HEAD | accountguard secrets -       # standard input
  accountguard secrets --git . -o sarif > secrets.sarif`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSecrets(cmd.Context(), g, o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.git, "git", false, "scan the whole history of each PATH (a git repository): every ref, merge and stash")
	f.BoolVar(&o.staged, "staged", false, "scan the changes staged for commit in PATH (default .); for pre-commit hooks")
	f.BoolVar(&o.noIgnore, "no-ignore", false, "directory scans: also scan files .gitignore excludes")
	f.Int64Var(&o.maxSizeMB, "max-size", secrets.DefaultMaxSize>>20, "skip files and blobs larger than this many MiB (0: no limit)")
	f.StringVar(&o.baseline, "baseline", "", "ignore the findings recorded in this file")
	f.BoolVar(&o.baselineWrite, "baseline-write", false, "record the current findings in the --baseline file and exit 0")
	f.BoolVar(&o.verify, "verify", false, "call sts:GetCallerIdentity with each found AWS key pair to see if it is live")
	f.BoolVar(&o.mine, "mine", false, "compare found AWS keys with the current account's IAM users and keys")
	return cmd
}

func runSecrets(ctx context.Context, g *Globals, o secretsOpts, args []string) error {
	if err := g.checkOutput("table", "json", "sarif", "csv"); err != nil {
		return err
	}
	if o.git && o.staged {
		return usageErr("--git and --staged: choose one")
	}
	if o.baselineWrite && o.baseline == "" {
		return usageErr("--baseline-write needs --baseline FILE")
	}
	if o.maxSizeMB < 0 {
		return usageErr("--max-size %d: must be 0 or more", o.maxSizeMB)
	}
	var bl *secrets.Baseline
	if o.baseline != "" && !o.baselineWrite {
		var err error
		if bl, err = secrets.ReadBaseline(o.baseline); err != nil {
			return usageErr("%v", err)
		}
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	progress := ui.NewProgress(g.Stderr, g.Interactive(), -1, "scanning", "bytes")
	opts := secrets.Options{NoIgnore: o.noIgnore, MaxSize: o.maxSizeMB << 20, Progress: progress}
	if o.maxSizeMB == 0 {
		opts.MaxSize = -1
	}
	var (
		hits     []secrets.Hit
		stats    secrets.Stats
		badInput bool
	)
	for _, a := range args {
		var (
			res secrets.Result
			err error
		)
		switch {
		case a == "-":
			res, err = secrets.ScanReader(g.Stdin, "(stdin)", opts)
		case o.git:
			res, err = secrets.ScanGit(ctx, a, opts)
		case o.staged:
			res, err = secrets.ScanStaged(ctx, a, opts)
		default:
			res, err = secrets.ScanPath(ctx, a, opts)
		}
		hits = append(hits, res.Hits...)
		stats = addStats(stats, res.Stats)
		if err != nil {
			if ctx.Err() != nil {
				progress.Finish()
				return ctx.Err()
			}
			badInput = true
			fmt.Fprintf(g.Stderr, "accountguard: secrets: %v\n", err)
		}
	}
	progress.Finish()
	if !g.Quiet {
		printScanStats(g, stats)
	}

	facts := &secrets.Facts{}
	var lookupErr error
	if o.verify || o.mine {
		cfg, err := g.AWS(ctx)
		if err != nil {
			lookupErr = err
		} else {
			if o.verify {
				facts.Verify, err = secrets.VerifyKeys(ctx, secrets.STSVerifier{Base: cfg}, hits)
				lookupErr = errors.Join(lookupErr, err)
			}
			if o.mine {
				facts.Owners, err = secrets.MyKeys(ctx, iam.NewFromConfig(cfg), secrets.KeyIDs(hits))
				lookupErr = errors.Join(lookupErr, err)
			}
		}
	}
	fs := secrets.Findings(hits, facts)
	if o.baselineWrite {
		if err := secrets.WriteBaseline(o.baseline, fs); err != nil {
			return err
		}
		if !g.Quiet {
			fmt.Fprintf(g.Stderr, "recorded %d findings in %s\n", countFailing(fs), o.baseline)
		}
		return nil
	}
	if bl != nil {
		n := bl.Apply(fs, o.baseline)
		if !g.Quiet && n > 0 {
			fmt.Fprintf(g.Stderr, "%d findings ignored: in baseline %s\n", n, o.baseline)
		}
	}
	var err error
	switch g.Output {
	case "json":
		var b []byte
		if b, err = finding.JSON(fs); err == nil {
			_, err = fmt.Fprintf(g.Stdout, "%s\n", b)
		}
	case "sarif":
		err = secrets.RenderSARIF(g.Stdout, fs, Version())
	case "csv":
		err = secrets.RenderCSV(g.Stdout, fs)
	default:
		err = secrets.RenderTable(g.Stdout, fs, g.Lang)
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	switch {
	case badInput:
		return &ExitError{Code: ExitUsage}
	case lookupErr != nil:
		return &ExitError{Code: ExitPartial, Err: fmt.Errorf("secrets: %w", lookupErr)}
	case countFailing(fs) > 0:
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

func addStats(a, b secrets.Stats) secrets.Stats {
	a.Files += b.Files
	a.Bytes += b.Bytes
	a.SkippedBinary += b.SkippedBinary
	a.SkippedLarge += b.SkippedLarge
	a.Missing = append(a.Missing, b.Missing...)
	a.Unreadable = append(a.Unreadable, b.Unreadable...)
	return a
}

func countFailing(fs []finding.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Status == finding.Fail {
			n++
		}
	}
	return n
}

func printScanStats(g *Globals, s secrets.Stats) {
	fmt.Fprintf(g.Stderr, "scanned %d files or blobs (%.1f MiB); skipped %d binary, %d over the size limit\n",
		s.Files, float64(s.Bytes)/(1<<20), s.SkippedBinary, s.SkippedLarge)
	if n := len(s.Missing); n > 0 {
		shown := s.Missing[:min(n, 10)]
		more := ""
		if n > len(shown) {
			more = fmt.Sprintf(" and %d more", n-len(shown))
		}
		fmt.Fprintf(g.Stderr, "%d objects missing (partial clone or damaged repository), not scanned: %s%s\n", n, strings.Join(shown, ", "), more)
	}
}
