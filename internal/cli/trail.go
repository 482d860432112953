package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/trail"
	"github.com/accountguard/accountguard/internal/trail/event"
	"github.com/accountguard/accountguard/internal/ui"
)

func init() { register(newTrailCmd) }

// trailFlags are the input and window flags every trail subcommand shares.
type trailFlags struct {
	in            []string
	baseline      []string
	since, until  string
	lookup        bool
	baselineUntil string
	rules         []string
	failOn        string
	asnDB         []string
}

func (f *trailFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.in, "in", nil, "input: a file, a folder, or s3://bucket/prefix (repeatable; positional arguments of hunt and timeline work too)")
	fl.BoolVar(&f.lookup, "lookup", false, "read the last 90 days from the CloudTrail LookupEvents API in every enabled region (for accounts with no trail)")
	fl.StringVar(&f.since, "since", "", "only records at or after this time (RFC 3339, a date, or a duration ago such as 72h)")
	fl.StringVar(&f.until, "until", "", "only records at or before this time (same forms as --since)")
	fl.StringVar(&f.baselineUntil, "baseline-until", "", "end of the period the detectors treat as normal (default: the first half of the data)")
	fl.StringArrayVar(&f.baseline, "baseline", nil, "earlier CloudTrail (file, folder or s3:// prefix) that only teaches the detectors what is normal (repeatable)")
	fl.StringArrayVar(&f.rules, "rules", nil, "a folder of extra Sigma rules to run with the built-in ones (repeatable)")
	f.addASN(cmd)
}

const trailLong = `Hunt through CloudTrail for an account takeover.

Inputs are local files and folders (CloudTrail's S3 export layout {"Records":[…]}, gzipped or
not, JSON lines, or LookupEvents output), S3 prefixes (s3://bucket/AWSLogs/…, pruned by date
and region from the object names before anything is downloaded), or --lookup for the
LookupEvents API. --region limits records to one region (or a comma-separated list).

The 57 SigmaHQ AWS CloudTrail rules (Detection Rule License 1.1: each match names its author)
and accountguard's own rules and stateful detectors run in one pass on all cores.`

func newTrailCmd(g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trail",
		Short: "Hunt CloudTrail for a compromise: rules, detectors, timeline, who created what",
		Long:  trailLong,
	}
	cmd.AddCommand(newTrailHuntCmd(g), newTrailTimelineCmd(g), newTrailWhoCreatedCmd(g), newTrailActivityCmd(g))
	return cmd
}

func newTrailHuntCmd(g *Globals) *cobra.Command {
	var f trailFlags
	cmd := &cobra.Command{
		Use:   "hunt [PATH|s3://bucket/prefix]...",
		Short: "Run every Sigma rule and detector over CloudTrail and print the findings",
		Example: `  accountguard trail hunt ./AWSLogs
  accountguard trail hunt s3://my-trail-bucket/AWSLogs/111122223333/ --since 2026-11-01 -o ocsf
  accountguard trail hunt --lookup --since 72h -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.checkOutput("table", "json", "csv", "ocsf"); err != nil {
				return err
			}
			min, err := finding.ParseSeverity(f.failOn)
			if err != nil {
				return usageErr("--fail-on: %v", err)
			}
			run, err := f.prepare(cmd.Context(), g, args)
			if err != nil {
				return err
			}
			res := run.hunt(cmd.Context())
			fs := res.Findings(res.Account)
			if err := renderFindings(g, fs, res); err != nil {
				return err
			}
			return run.exit(fs, min)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&f.failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity (info, low, medium, high, critical)")
	return cmd
}

func newTrailTimelineCmd(g *Globals) *cobra.Command {
	var f trailFlags
	cmd := &cobra.Command{
		Use:   "timeline [PATH|s3://bucket/prefix]...",
		Short: "The attacker's activity, by principal and phase, in eventTime order",
		Long: `Hunts first, takes the identities behind high and critical findings and what they created
(users, access keys, console passwords), then lists what they did, grouped by principal and
phase (enumeration, persistence, evasion, impact). For an identity that was in normal use
before (a leaked key), only calls from sources it did not use in the baseline are listed.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.checkOutput("table", "json"); err != nil {
				return err
			}
			run, err := f.prepare(cmd.Context(), g, args)
			if err != nil {
				return err
			}
			defer run.spool()()
			res := run.hunt(cmd.Context())
			sus := res.Suspects()
			entries := run.collect(cmd.Context(), trail.AttackerSelector(sus))
			groups := trail.Timeline(entries)
			if g.Output == "json" {
				if err := writeJSON(g.Stdout, map[string]any{"suspects": sus, "timeline": groups}); err != nil {
					return err
				}
			} else {
				renderTimeline(g.Stdout, g.Lang, sus, groups)
			}
			return run.exit(nil, finding.Critical)
		},
	}
	f.add(cmd)
	return cmd
}

func newTrailWhoCreatedCmd(g *Globals) *cobra.Command {
	var f trailFlags
	cmd := &cobra.Command{
		Use:   "who-created ID... --in PATH|s3://bucket/prefix",
		Short: "Which principal, key, event and time created each resource ID",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.checkOutput("table", "json"); err != nil {
				return err
			}
			run, err := f.prepare(cmd.Context(), g, nil)
			if err != nil {
				return err
			}
			res := run.hunt(cmd.Context())
			var found []trail.Created
			var missing []string
			for _, id := range args {
				cs := res.Created.WhoCreated(id)
				if len(cs) == 0 {
					missing = append(missing, id)
				}
				found = append(found, cs...)
			}
			if g.Output == "json" {
				if err := writeJSON(g.Stdout, map[string]any{"created": nonNil(found), "not_found": nonNil(missing)}); err != nil {
					return err
				}
			} else {
				renderCreated(g.Stdout, found)
				for _, id := range missing {
					fmt.Fprintf(g.Stdout, "%s: no create event in the input\n", id)
				}
			}
			return run.exit(nil, finding.Critical)
		},
	}
	f.add(cmd)
	return cmd
}

func newTrailActivityCmd(g *Globals) *cobra.Command {
	var (
		f         trailFlags
		key, user string
	)
	cmd := &cobra.Command{
		Use:   "activity (--key AKIA…|--user NAME) --in PATH|s3://bucket/prefix",
		Short: "Everything a key or user did and created, following keys it created",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.checkOutput("table", "json"); err != nil {
				return err
			}
			if (key == "") == (user == "") {
				return usageErr("give exactly one of --key and --user")
			}
			run, err := f.prepare(cmd.Context(), g, nil)
			if err != nil {
				return err
			}
			defer run.spool()()
			res := run.hunt(cmd.Context())
			var seeds []string
			if key != "" {
				seeds = []string{key}
			} else {
				for id, a := range res.State.Actors {
					if a.UserName == user {
						seeds = append(seeds, id)
					}
				}
				if arn := userARNIn(res, user); arn != "" {
					seeds = append(seeds, arn)
				}
			}
			created, followed := res.Created.By(seeds...)
			actors := map[string]bool{}
			for _, s := range append(slices.Clone(seeds), followed...) {
				actors[s] = true
			}
			entries := run.collect(cmd.Context(), func(actor []byte, id *event.Identity, _ []byte) bool {
				return actors[string(actor)] || actors[string(id.AccessKeyID)] || actors[string(id.ARN)] ||
					(user != "" && string(id.UserName) == user && string(id.Type) == "IAMUser")
			})
			if g.Output == "json" {
				if err := writeJSON(g.Stdout, map[string]any{"principals": append(seeds, followed...), "created": nonNil(created), "events": nonNil(entries)}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(g.Stdout, "Principals: %s\n\nCreated (%d):\n", strings.Join(append(seeds, followed...), ", "), len(created))
				renderCreated(g.Stdout, created)
				fmt.Fprintf(g.Stdout, "\nCalls (%d):\n", len(entries))
				renderEntries(g.Stdout, entries)
			}
			return run.exit(nil, finding.Critical)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&key, "key", "", "access key ID (AKIA…)")
	cmd.Flags().StringVar(&user, "user", "", "IAM user name")
	return cmd
}

func userARNIn(res *trail.Result, user string) string {
	for _, a := range res.State.Actors {
		if a.UserName == user && a.ARN != "" {
			return a.ARN
		}
	}
	return ""
}

// trailRun is one trail command's inputs, resolved.
type trailRun struct {
	g      *Globals
	remote bool // some input is S3 or LookupEvents: a second pass reads a local copy
	srcs   []trail.Source
	opt    trail.HuntOptions
	engine *trail.Engine
	errs   []error // input errors so far
}

func (f *trailFlags) prepare(ctx context.Context, g *Globals, args []string) (*trailRun, error) {
	now := time.Now().UTC()
	var w trail.Window
	var err error
	if w.Since, err = parseWhen(f.since, now); err != nil {
		return nil, usageErr("--since: %v", err)
	}
	if w.Until, err = parseWhen(f.until, now); err != nil {
		return nil, usageErr("--until: %v", err)
	}
	if !w.Since.IsZero() && !w.Until.IsZero() && w.Until.Before(w.Since) {
		return nil, usageErr("--until %s is before --since %s", f.until, f.since)
	}
	if g.Region != "" {
		for _, r := range strings.Split(g.Region, ",") {
			if r = strings.TrimSpace(r); r != "" {
				w.Regions = append(w.Regions, r)
			}
		}
	}
	run := &trailRun{g: g, opt: trail.HuntOptions{ReadOptions: trail.ReadOptions{Window: w}}}
	if f.baselineUntil != "" {
		if run.opt.BaselineUntil, err = parseWhen(f.baselineUntil, now); err != nil {
			return nil, usageErr("--baseline-until: %v", err)
		}
	}
	if run.opt.Networks, err = f.networks(); err != nil {
		return nil, err
	}
	inputs := append(slices.Clone(f.in), args...)
	if len(inputs) == 0 && !f.lookup {
		return nil, usageErr("no input: give files, folders or s3:// prefixes (--in), or --lookup")
	}
	var extra []fs.FS
	for _, dir := range f.rules {
		st, err := os.Stat(dir)
		if err != nil || !st.IsDir() {
			return nil, usageErr("--rules %s: not a folder", dir)
		}
		extra = append(extra, os.DirFS(dir))
	}
	run.engine = trail.NewEngine(extra...)
	for _, e := range run.engine.Skipped {
		fmt.Fprintf(g.Stderr, "accountguard: trail: %v\n", e)
	}
	if len(f.baseline) > 0 {
		// the baseline precedes the hunted window: its own window ends where that one starts
		bw := trail.Window{Regions: w.Regions, Until: w.Since}
		var local []string
		for _, in := range f.baseline {
			if strings.HasPrefix(in, "s3://") {
				srcs, errs := s3Sources(ctx, g, in, bw)
				run.opt.Baseline = append(run.opt.Baseline, srcs...)
				run.errs = append(run.errs, errs...)
				continue
			}
			local = append(local, in)
		}
		srcs, errs := trail.Files(local, bw)
		run.opt.Baseline = append(run.opt.Baseline, srcs...)
		run.errs = append(run.errs, errs...)
	}
	var local []string
	for _, in := range inputs {
		if strings.HasPrefix(in, "s3://") {
			run.opt.Workers, run.remote = remoteWorkers(), true
			srcs, errs := s3Sources(ctx, g, in, w)
			run.srcs = append(run.srcs, srcs...)
			run.errs = append(run.errs, errs...)
			continue
		}
		local = append(local, in)
	}
	srcs, errs := trail.Files(local, w)
	run.srcs = append(run.srcs, srcs...)
	run.errs = append(run.errs, errs...)
	if f.lookup {
		run.opt.Workers, run.remote = remoteWorkers(), true
		srcs, errs := lookupSources(ctx, g, w)
		run.srcs = append(run.srcs, srcs...)
		run.errs = append(run.errs, errs...)
	}
	if len(run.srcs) == 0 && len(run.errs) > 0 {
		for _, e := range run.errs[1:] {
			fmt.Fprintf(g.Stderr, "accountguard: trail: %v\n", e)
		}
		return nil, &ExitError{Code: ExitPartial, Err: fmt.Errorf("trail: %w", run.errs[0])}
	}
	return run, nil
}

// spool makes the hunt keep a local copy of remote input for the second pass, and
// returns the clean-up to defer. Without remote input it does nothing.
func (r *trailRun) spool() func() {
	if !r.remote {
		return func() {}
	}
	dir, err := os.MkdirTemp("", "accountguard-trail-*")
	if err != nil {
		slog.Warn("no local copy of remote CloudTrail; the second pass reads it again", "err", err)
		return func() {}
	}
	r.opt.Spool = trail.NewSpool(dir, r.opt.NumWorkers())
	return func() { _ = os.RemoveAll(dir) }
}

func (r *trailRun) hunt(ctx context.Context) *trail.Result {
	p := ui.NewProgress(r.g.Stderr, r.g.Interactive(), int64(len(r.srcs)), "reading CloudTrail", "files")
	r.opt.Progress = p
	res := r.engine.Hunt(ctx, r.srcs, r.opt)
	p.Finish()
	r.opt.Progress = nil
	r.errs = append(r.errs, res.Errors...)
	for _, w := range res.Warnings { // a limit of what the hunt keeps was reached: say so, not an error
		fmt.Fprintf(r.g.Stderr, "accountguard: trail: warning: %s\n", w)
	}
	if r.opt.Spool != nil {
		local, err := r.opt.Spool.Close()
		if err != nil {
			slog.Warn("local copy of remote CloudTrail failed; the second pass reads it again", "err", err)
		} else {
			r.srcs = local
		}
		r.opt.Spool = nil
	}
	if r.g.Verbose {
		fmt.Fprintf(r.g.Stderr, "accountguard: trail: %d records in %d inputs (%d outside the window), %d rules, %d findings\n",
			res.Stats.Records, res.Stats.Sources, res.Stats.Skipped, len(r.engine.Set.Rules), len(res.Matches)+len(res.Alerts))
	}
	return res
}

func (r *trailRun) collect(ctx context.Context, sel trail.Selector) []trail.Entry {
	entries, _, errs := trail.Collect(ctx, r.srcs, r.opt.ReadOptions, sel)
	// the inputs that failed the first pass fail again: report them once
	for _, e := range errs {
		if !containsErr(r.errs, e) {
			r.errs = append(r.errs, e)
		}
	}
	return entries
}

func containsErr(errs []error, e error) bool {
	for _, x := range errs {
		if x.Error() == e.Error() {
			return true
		}
	}
	return false
}

// exit prints each input error on its own line and picks the exit code: partial input
// wins over findings, since the findings may then be incomplete.
func (r *trailRun) exit(fs []finding.Finding, min finding.Severity) error {
	for _, e := range r.errs {
		fmt.Fprintf(r.g.Stderr, "accountguard: trail: %v\n", e)
	}
	if len(r.errs) > 0 {
		return &ExitError{Code: ExitPartial}
	}
	for _, f := range fs {
		if f.Failing(min) {
			return &ExitError{Code: ExitFindings}
		}
	}
	return nil
}

// parseWhen reads an RFC 3339 time, a date (YYYY-MM-DD, UTC midnight) or a duration ago.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	if strings.HasSuffix(s, "d") {
		var n int
		if _, err := fmt.Sscanf(s, "%dd", &n); err == nil && n > 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (RFC 3339), a date (2006-01-02) or a duration such as 72h or 30d", s)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func renderFindings(g *Globals, fs []finding.Finding, res *trail.Result) error {
	switch g.Output {
	case "json":
		b, err := finding.JSON(fs)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(g.Stdout, "%s\n", b)
		return err
	case "ocsf":
		return writeJSON(g.Stdout, trail.OCSF(fs, Version()))
	case "csv":
		w := csv.NewWriter(g.Stdout)
		_ = w.Write([]string{"id", "severity", "rule_id", "title", "principal", "access_key", "region", "first_seen", "count", "author", "event_ids"})
		for _, f := range fs {
			var ids []string
			for _, e := range f.Evidence {
				ids = append(ids, e.Ref)
			}
			count := f.Attributes["count"]
			if count == "" {
				count = "1"
			}
			_ = w.Write([]string{f.ID, f.Severity.String(), f.RuleID, f.Title.En, f.Principal, f.Attributes["access_key"], f.Region,
				f.Time.Format(time.RFC3339), count, f.Attributes["author"], strings.Join(ids, " ")})
		}
		w.Flush()
		return w.Error()
	}
	tw := ui.NewTabWriter(g.Stdout)
	if len(fs) > 0 { // a header over no rows reads like a broken table
		if g.Lang == "ko" {
			fmt.Fprintln(tw, "심각도\t규칙\t주체\t처음 발견\t횟수\t리전\t작성자\t이벤트")
		} else {
			fmt.Fprintln(tw, "SEVERITY\tRULE\tPRINCIPAL\tFIRST SEEN\tCOUNT\tREGION\tAUTHOR\tEVENTS")
		}
	}
	for _, f := range fs {
		count := f.Attributes["count"]
		if count == "" {
			count = "1"
		}
		// The table fits a terminal: the first event (the rest are in --output json) and
		// principals without the hunted account's ARN prefix.
		events := ""
		if len(f.Evidence) > 0 {
			events = f.Evidence[0].Ref
			if len(f.Evidence) > 1 {
				events += fmt.Sprintf(" +%d", len(f.Evidence)-1)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Severity, f.RuleID, clipMiddle(shortPrincipal(f.Principal, res.Account), 64),
			f.Time.Format("2006-01-02 15:04:05"), count, f.Region, f.Attributes["author"], events) // the author whole: the Detection Rule License asks for it
	}
	tw.Flush()
	if g.Lang == "ko" {
		fmt.Fprintf(g.Stdout, "\n입력 %d개의 레코드 %d건에서 탐지 %d건.\n", res.Stats.Sources, res.Stats.Records, len(fs))
		return nil
	}
	fmt.Fprintf(g.Stdout, "\n%d findings from %d records in %d inputs.\n", len(fs), res.Stats.Records, res.Stats.Sources)
	return nil
}

// clipMiddle shortens s to n runes with an ellipsis in the middle, keeping both ends (a
// role's name and its session). Tables only: JSON and CSV carry the whole value.
func clipMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(n-1-head):])
}

// shortPrincipal drops "arn:aws:iam::ACCOUNT:" or "arn:aws:sts::ACCOUNT:" from an ARN of the
// hunted account: "user/bert-jan", "assumed-role/ci/session". Other ARNs stay whole.
func shortPrincipal(arn, account string) string {
	if account == "" {
		return arn
	}
	for _, svc := range []string{"iam", "sts"} {
		for _, part := range []string{"aws", "aws-cn", "aws-us-gov"} {
			if rest, ok := strings.CutPrefix(arn, "arn:"+part+":"+svc+"::"+account+":"); ok && rest != "" {
				return rest
			}
		}
	}
	return arn
}

func renderTimeline(w io.Writer, lang string, sus []trail.Suspect, groups []trail.Group) {
	t := timelineText["en"]
	if lang == "ko" {
		t = timelineText["ko"]
	}
	if len(sus) == 0 {
		fmt.Fprintln(w, t.none)
		return
	}
	fmt.Fprintln(w, t.attackers)
	for _, s := range sus {
		how := t.created
		if s.Compromised {
			how = fmt.Sprintf(t.compromised, strings.Join(s.NormalIPs, ", "))
		}
		who := s.Actor
		if s.ARN != "" && s.ARN != s.Actor {
			who += "  " + s.ARN
		}
		fmt.Fprintf(w, "  %s  %s; %s %s\n", who, how, t.why, strings.Join(s.Reasons, ", "))
	}
	for _, gr := range groups {
		who := gr.Actor
		if gr.ARN != "" && gr.ARN != gr.Actor {
			who += " (" + gr.ARN + ")"
		}
		fmt.Fprintf(w, "\n%s  [%s]  "+t.calls+"  %s → %s\n  %s: %s\n  %s: %s\n  %s: %s\n", who, gr.Phase, gr.Count,
			gr.First.Format(time.RFC3339), gr.Last.Format(time.RFC3339), t.ips, strings.Join(gr.IPs, ", "), t.regions, strings.Join(gr.Regions, ", "),
			t.agents, strings.Join(gr.UserAgents, " | "))
		renderEntries(w, gr.Events)
	}
}

var timelineText = map[string]struct{ none, attackers, created, compromised, why, calls, ips, regions, agents string }{
	"en": {"No attacker identified: no high or critical finding.", "Attacker principals:", "created by the attacker",
		"compromised (normal sources: %s)", "evidence:", "%d calls", "IPs", "regions", "user agents"},
	"ko": {"공격자를 찾지 못했습니다: high 또는 critical 탐지가 없습니다.", "공격자 주체:", "공격자가 생성",
		"탈취됨 (평소 출발지: %s)", "근거:", "호출 %d건", "IP", "리전", "사용자 에이전트"},
}

func renderEntries(w io.Writer, es []trail.Entry) {
	tw := ui.NewTabWriter(w)
	for _, e := range es {
		errCode := ""
		if e.Error != "" {
			errCode = "error " + e.Error
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", e.Time.Format("2006-01-02 15:04:05"), e.EventName, e.Region, e.IP, e.EventID, errCode)
	}
	tw.Flush()
}

func renderCreated(w io.Writer, cs []trail.Created) {
	tw := ui.NewTabWriter(w)
	fmt.Fprintln(tw, "TYPE\tID\tREGION\tCREATED\tBY\tACCESS KEY\tEVENT\tEVENT ID")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Type, c.ID, c.Region, c.Time.Format("2006-01-02 15:04:05"), c.Principal, c.KeyID, c.EventName, c.EventID)
	}
	tw.Flush()
}
