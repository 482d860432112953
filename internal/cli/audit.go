package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/accountguard/accountguard/internal/audit"
	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
	"github.com/accountguard/accountguard/internal/ui"
)

func init() { register(newAuditCmd) }

type auditOptions struct {
	snapshot, saveSnapshot, config, failOn string
	regions, checks                        []string
	list                                   bool
	fix                                    audit.FixOptions
	doFix, apply                           bool
	undo, journal                          string
}

func newAuditCmd(g *Globals) *cobra.Command {
	var o auditOptions
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check the account's posture: the prevention checklist, CIS-mapped, with safe fixes",
		Long: `Check the account against the prevention practices that stop a takeover: MFA on root and every
IAM user, guarded access keys, CloudTrail and CloudWatch monitoring, a security audit (GuardDuty,
Config, Security Hub, password policy, the SECURITY contact), budget alarms and security-group
firewalls. Each check cites CIS AWS Foundations v7.0 / v3.0 and AWS FSBP controls.

It runs live (the standard credential chain) or offline on a saved snapshot (--snapshot). A check
whose data could not be read (for example AccessDenied) is "unknown" and names the permission;
it never passes. docs/iam-policy-audit.json is the read-only policy it needs.

--fix prints the safe, reversible fixes it can make; --fix --apply makes them after checking the
account ID, journaling every call (JSON lines) so --undo JOURNAL puts things back. Fixes AWS only
allows by hand (root MFA, root keys) are printed as steps with how to verify them.

Mutes live in accountguard.yaml (audit.mute: check or resource, reason, expires); muted findings
are still listed as muted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAudit(cmd.Context(), g, &o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.snapshot, "snapshot", "", "audit a saved snapshot (inventory --out, audit --save-snapshot) instead of the live account")
	f.StringVar(&o.saveSnapshot, "save-snapshot", "", "also write the collected snapshot to this file")
	f.StringSliceVar(&o.regions, "regions", nil, "collect only these regions (default: every enabled region)")
	f.StringSliceVar(&o.checks, "check", nil, "run only these checks (IDs from --list)")
	f.BoolVar(&o.list, "list", false, "list the checks and exit")
	f.StringVar(&o.failOn, "fail-on", "", "exit 1 when a failing (unmuted) finding is at or above this severity: info, low, medium, high, critical")
	f.StringVar(&o.config, "config", "", "accountguard.yaml with audit.mute rules (default: ./accountguard.yaml when present)")
	f.BoolVar(&o.doFix, "fix", false, "print the plan of safe fixes for the failing checks")
	f.BoolVar(&o.apply, "apply", false, "with --fix: make the fixes (after checking the account ID)")
	f.StringVar(&o.undo, "undo", "", "undo the fixes recorded in this journal")
	f.StringVar(&o.journal, "journal", "", "with --apply: journal file (default: accountguard-fix-<account>-<time>.jsonl)")
	f.StringVar(&o.fix.BudgetEmail, "budget-email", "", "with --fix: email for the budget and anomaly alerts")
	f.StringVar(&o.fix.BudgetLimit, "budget-limit", "100", "with --fix: monthly budget in USD")
	f.StringVar(&o.fix.SecurityEmail, "security-email", "", "with --fix: email for the SECURITY alternate contact and the CIS alarm topic")
	f.StringVar(&o.fix.SecurityName, "security-name", "Security", "with --fix: name of the SECURITY alternate contact")
	f.StringVar(&o.fix.SecurityPhone, "security-phone", "", "with --fix: phone of the SECURITY alternate contact")
	f.StringVar(&o.fix.TrailBucket, "trail-bucket", "", "with --fix: S3 bucket for a new trail (default: accountguard-trail-<account>)")
	return cmd
}

func runAudit(ctx context.Context, g *Globals, o *auditOptions) error {
	if o.list {
		return listChecks(g)
	}
	if err := g.checkOutput(audit.Formats...); err != nil {
		return err
	}
	var failOn *finding.Severity
	if o.failOn != "" {
		s, err := finding.ParseSeverity(o.failOn)
		if err != nil {
			return usageErr("--fail-on: %v", err)
		}
		failOn = &s
	}
	if o.apply && !o.doFix {
		return usageErr("--apply needs --fix")
	}
	if o.undo != "" {
		return runUndo(ctx, g, o)
	}
	cfgPath := o.config
	if cfgPath == "" {
		if _, err := os.Stat("accountguard.yaml"); err == nil {
			cfgPath = "accountguard.yaml"
		}
	}
	var conf *audit.Config
	if cfgPath != "" {
		c, err := audit.LoadConfig(cfgPath)
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		conf = c
	}
	var (
		snap   *inventory.Snapshot
		awsCfg aws.Config
		live   = o.snapshot == ""
	)
	if !live {
		if o.doFix && o.apply {
			return usageErr("--fix --apply works on the live account, not on --snapshot")
		}
		s, err := inventory.Read(o.snapshot)
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		snap = s
	} else {
		cfg, err := g.AWS(ctx)
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		awsCfg = cfg
		progress := ui.NewProgress(g.Stderr, g.Interactive(), -1, "collecting", "calls")
		snap = collectForAudit(ctx, cfg, o.regions, progress, "accountguard "+Version())
		progress.Finish()
		if o.saveSnapshot != "" {
			if err := snap.Write(o.saveSnapshot); err != nil {
				return err
			}
		}
	}
	fs, err := audit.Run(snap, audit.Options{Only: o.checks})
	if err != nil {
		return usageErr("--check: %v", err)
	}
	for _, w := range conf.Apply(fs, snap.CollectedAt) {
		fmt.Fprintf(g.Stderr, "accountguard: %s: %s\n", cfgPath, w)
	}
	if o.doFix {
		return runFix(ctx, g, o, snap, fs, awsCfg)
	}
	rep := &audit.Report{Account: snap.Account.ID, CollectedAt: snap.CollectedAt, Tool: "accountguard " + Version(), Lang: g.Lang, Findings: fs, Region: g.Region}
	if rep.Region == "" {
		rep.Region = awsCfg.Region // live: the configured region, where an import would go
	}
	for _, e := range snap.Errors {
		if e.Code != "NoSuchEntity" {
			rep.Partial = append(rep.Partial, e.String())
		}
	}
	if err := audit.Render(g.Stdout, g.Output, rep); err != nil {
		return err
	}
	if failOn != nil && slices.ContainsFunc(fs, func(f finding.Finding) bool { return f.Failing(*failOn) }) {
		return &ExitError{Code: ExitFindings}
	}
	if len(rep.Partial) > 0 {
		if g.Output != "table" {
			for _, p := range rep.Partial {
				fmt.Fprintf(g.Stderr, "accountguard: partial: %s\n", p)
			}
		}
		return &ExitError{Code: ExitPartial}
	}
	return nil
}

// collectForAudit takes the live snapshot: the inventory and, beside its regional calls, the
// posture services of every enabled region.
func collectForAudit(ctx context.Context, cfg aws.Config, regions []string, progress *ui.Progress, tool string) *inventory.Snapshot {
	return inventory.CollectAll(ctx, cfg, inventory.Options{Regions: regions, HomeRegion: cfg.Region, Progress: progress, Tool: tool})
}

func listChecks(g *Globals) error {
	tw := ui.NewTabWriter(g.Stdout)
	fmt.Fprintln(tw, "CHECK\tSEVERITY\tPRACTICE\tCIS v7.0\tFSBP\tFIX\tTITLE")
	for _, c := range audit.Checks() {
		fix := c.Fix
		if c.Manual {
			fix = "manual"
		}
		fsbp := strings.Join(c.FSBP, " ")
		if len(c.FSBP) > 3 {
			fsbp = fmt.Sprintf("%s … (%d controls)", c.FSBP[0], len(c.FSBP))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Severity, c.Practice, dashIfEmpty(c.CIS7), dashIfEmpty(fsbp), dashIfEmpty(fix), c.Title.In(g.Lang))
	}
	return tw.Flush()
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func defaultJournal(account string, now time.Time) string {
	return fmt.Sprintf("accountguard-fix-%s-%s.jsonl", account, now.UTC().Format("20060102T150405Z"))
}

// runFix prints the plan, or with --apply makes it after the account check.
func runFix(ctx context.Context, g *Globals, o *auditOptions, snap *inventory.Snapshot, fs []finding.Finding, cfg aws.Config) error {
	plan := audit.PlanFixes(snap, fs, o.fix)
	if g.Output == "json" {
		enc := json.NewEncoder(g.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(plan); err != nil {
			return err
		}
	} else if err := plan.Render(g.Stdout, g.Lang); err != nil {
		return err
	}
	if !o.apply || len(plan.Actions) == 0 {
		return nil
	}
	path := o.journal
	if path == "" {
		path = defaultJournal(snap.Account.ID, time.Now())
	}
	err := audit.Apply(ctx, plan, &audit.AWSCaller{Cfg: cfg}, path, func(i int, a audit.Action) {
		if !g.Quiet {
			fmt.Fprintf(g.Stderr, "accountguard: [%d/%d] %s\n", i+1, len(plan.Actions), a)
		}
	})
	if errors.Is(err, audit.ErrWrongAccount) {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if err != nil {
		return fmt.Errorf("apply stopped (journal %s; undo with --undo %s): %w", path, path, err)
	}
	fmt.Fprintf(g.Stdout, "\nApplied %d call(s). Journal: %s (undo: accountguard audit --undo %s)\n", len(plan.Actions), path, path)
	return nil
}

// runUndo reverses a fix journal.
func runUndo(ctx context.Context, g *Globals, o *auditOptions) error {
	if _, err := audit.ReadJournal(o.undo); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	cfg, err := g.AWS(ctx)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	n, err := audit.Undo(ctx, o.undo, &audit.AWSCaller{Cfg: cfg}, func(a audit.Action) {
		if !g.Quiet {
			fmt.Fprintf(g.Stderr, "accountguard: undo %s\n", a)
		}
	})
	if errors.Is(err, audit.ErrWrongAccount) {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "Undid %d call(s) from %s.\n", n, o.undo)
	return nil
}
