package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/accountguard/accountguard/internal/inventory"
	"github.com/accountguard/accountguard/internal/ui"
)

func init() { register(newInventoryCmd) }

func newInventoryCmd(g *Globals) *cobra.Command {
	var (
		out     string
		regions []string
	)
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "Collect the account (IAM, regions, EC2, Auto Scaling, posture services) into a snapshot",
		Long: `Collect the account into a versioned JSON snapshot: identity, enabled regions, IAM
(credential report, users, keys and their last use, login profiles, MFA, groups, policies, roles,
password policy) and, in every enabled region at once, EC2 instances, security groups, key pairs,
spot requests, launch templates, AMIs, snapshots, volumes and Auto Scaling groups; and what the
posture audit reads: trails, metric filters and alarms, GuardDuty, Config, Security Hub, budgets,
cost anomaly monitors and alternate contacts.

A region or call that fails is recorded in the snapshot and the exit code is 3 (partial).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.checkOutput("table", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			cfg, err := g.AWS(ctx)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: err}
			}
			progress := ui.NewProgress(g.Stderr, g.Interactive(), -1, "collecting", "calls")
			snap := inventory.CollectAll(ctx, cfg, inventory.Options{Regions: regions, HomeRegion: cfg.Region, Progress: progress, Tool: "accountguard " + Version()})
			progress.Finish()
			if out != "" {
				if err := snap.Write(out); err != nil {
					return err
				}
			}
			switch g.Output {
			case "json":
				enc := json.NewEncoder(g.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(snap); err != nil {
					return err
				}
			default:
				renderInventory(g.Stdout, snap)
			}
			for _, e := range snap.Errors {
				fmt.Fprintf(g.Stderr, "accountguard: partial: %s\n", e)
			}
			if snap.Partial() {
				return &ExitError{Code: ExitPartial}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "also write the snapshot to this file")
	cmd.Flags().StringSliceVar(&regions, "regions", nil, "collect only these regions (default: every enabled region)")
	return cmd
}

func renderInventory(w io.Writer, s *inventory.Snapshot) {
	alias := ""
	if s.Account.Alias != "" {
		alias = " (" + s.Account.Alias + ")"
	}
	fmt.Fprintf(w, "Account %s%s, collected %s as %s\n\n", s.Account.ID, alias, s.CollectedAt.Format("2006-01-02 15:04 UTC"), s.Caller.ARN)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tCONSOLE\tMFA\tKEYS (status, last used)\tPOLICIES")
	for _, u := range s.IAM.Users {
		console := "-"
		if u.LoginProfile != nil {
			console = "yes"
		}
		mfa := "-"
		if len(u.MFADevices) > 0 {
			mfa = "yes"
		}
		var keys []string
		for _, k := range u.AccessKeys {
			last := "never"
			if k.LastUsed != nil {
				last = k.LastUsed.Format("2006-01-02")
			}
			keys = append(keys, fmt.Sprintf("%s %s %s", k.ID, strings.ToLower(k.Status), last))
		}
		var pols []string
		for _, p := range u.AttachedPolicies {
			pols = append(pols, p.Name)
		}
		for _, p := range u.InlinePolicies {
			pols = append(pols, p.Name+" (inline)")
		}
		for _, grp := range u.Groups {
			pols = append(pols, "group "+grp)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, console, mfa, strings.Join(keys, "; "), strings.Join(pols, ", "))
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tINSTANCES\tRUNNING TYPES\tSECURITY GROUPS\tKEY PAIRS\tSPOT\tLAUNCH TEMPLATES\tASGS")
	names := make([]string, 0, len(s.Resources))
	for r := range s.Resources {
		names = append(names, r)
	}
	slices.Sort(names)
	for _, name := range names {
		r := s.Resources[name]
		if r.Empty() {
			continue
		}
		types := map[string]int{}
		for _, in := range r.Instances {
			if in.State == "running" || in.State == "pending" {
				types[in.Type]++
			}
		}
		var ts []string
		for t, n := range types {
			ts = append(ts, fmt.Sprintf("%d× %s", n, t))
		}
		slices.Sort(ts)
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\n", name, len(r.Instances), strings.Join(ts, ", "), len(r.SecurityGroups), len(r.KeyPairs), len(r.SpotRequests), len(r.LaunchTemplates), len(r.AutoScalingGroups))
	}
	tw.Flush()
	empty := 0
	for _, r := range s.Resources {
		if r.Empty() {
			empty++
		}
	}
	fmt.Fprintf(w, "\n%d enabled regions collected, %d with nothing in them.\n", len(s.Resources), empty)
}
