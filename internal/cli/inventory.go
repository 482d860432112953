package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

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
				renderInventory(g.Stdout, snap, g.Lang)
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

// inventoryText holds the table's words in each report language.
var inventoryText = map[string]map[string]string{
	"en": {
		"head":    "Account %s%s, collected %s as %s\n\n",
		"users":   "USER\tCONSOLE\tMFA\tKEYS (status, last used)\tPOLICIES",
		"regions": "REGION\tINSTANCES\tRUNNING TYPES\tSECURITY GROUPS\tKEY PAIRS\tSPOT\tLAUNCH TEMPLATES\tASGS",
		"tail":    "\n%d enabled regions collected, %d with nothing in them.\n",
		"yes":     "yes", "never": "never", "group": "group ", "inline": " (inline)",
	},
	"ko": {
		"head":    "계정 %s%s, 수집 %s, 수집한 주체 %s\n\n",
		"users":   "사용자\t콘솔\tMFA\t액세스 키 (상태, 마지막 사용)\t정책",
		"regions": "리전\t인스턴스\t실행 중 유형\t보안 그룹\t키 페어\t스팟\t시작 템플릿\tASG",
		"tail":    "\n활성 리전 %d곳 수집, 그중 %d곳은 비어 있음.\n",
		"yes":     "예", "never": "사용 안 함", "group": "그룹 ", "inline": " (인라인)",
	},
}

func renderInventory(w io.Writer, s *inventory.Snapshot, lang string) {
	text, ok := inventoryText[lang]
	if !ok {
		text = inventoryText["en"]
	}
	alias := ""
	if s.Account.Alias != "" {
		alias = " (" + s.Account.Alias + ")"
	}
	fmt.Fprintf(w, text["head"], s.Account.ID, alias, s.CollectedAt.Format("2006-01-02 15:04 UTC"), s.Caller.ARN)
	tw := ui.NewTabWriter(w)
	fmt.Fprintln(tw, text["users"])
	for _, u := range s.IAM.Users {
		console := "-"
		if u.LoginProfile != nil {
			console = text["yes"]
		}
		mfa := "-"
		if len(u.MFADevices) > 0 {
			mfa = text["yes"]
		}
		var keys []string
		for _, k := range u.AccessKeys {
			last := text["never"]
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
			pols = append(pols, p.Name+text["inline"])
		}
		for _, grp := range u.Groups {
			pols = append(pols, text["group"]+grp)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, console, mfa, strings.Join(keys, "; "), strings.Join(pols, ", "))
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = ui.NewTabWriter(w)
	fmt.Fprintln(tw, text["regions"])
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
	fmt.Fprintf(w, text["tail"], len(s.Resources), empty)
}
