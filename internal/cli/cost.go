package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/spf13/cobra"

	"github.com/accountguard/accountguard/internal/awsx"
	"github.com/accountguard/accountguard/internal/cost"
	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/trail"
	"github.com/accountguard/accountguard/internal/ui"
)

func init() { register(newCostCmd) }

type costOptions struct {
	days, history int
	det           cost.Options
	cur           []string
	account       string
	trail         []string
	lookup        bool
	cache         string
	caseDir       string
	noCache       bool
	end           string
}

const costLong = `Read the account's daily cost and find the spike that gives a compromise away.

The cost comes from Cost Explorer (two GetCostAndUsage queries, grouped SERVICE×REGION and
SERVICE×USAGE_TYPE; AWS bills $0.01 per request, so the count is printed and results are
cached) or, with --cur, from Cost and Usage Report files (legacy CUR or CUR 2.0, CSV or
CSV.gz or Parquet). Credits, refunds, tax and commitment fees are left out: they are not usage.

A day is anomalous when a line (the total, a service in a region, a usage type) costs more
than its robust baseline allows by at least --min-impact dollars and --min-percent percent,
or when money is spent in a service or region never used before (above --first-spend-floor).
Each day is judged on the days before it only.`

func newCostCmd(g *Globals) *cobra.Command {
	o := costOptions{det: cost.DefaultOptions}
	cmd := &cobra.Command{
		Use:   "cost",
		Short: "Chart the daily cost and find spikes, with what caused them",
		Long:  costLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCost(cmd.Context(), g, &o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.days, "days", 30, "days to chart and judge (the most recent)")
	f.IntVar(&o.history, "history", 90, "days of history to read before them, for the baseline")
	f.Float64Var(&o.det.MinImpact, "min-impact", o.det.MinImpact, "dollars a day above expected before a line is anomalous")
	f.Float64Var(&o.det.MinPercent, "min-percent", o.det.MinPercent, "percent above expected before a line is anomalous")
	f.Float64Var(&o.det.FirstSpendFloor, "first-spend-floor", o.det.FirstSpendFloor, "dollars a day in a service or region never used before that count as an anomaly")
	f.StringSliceVar(&o.cur, "cur", nil, "read Cost and Usage Report files (CSV, CSV.gz or Parquet; legacy or 2.0) instead of calling Cost Explorer")
	f.StringSliceVar(&o.trail, "trail", nil, "CloudTrail files or folders: name the principals that launched what costs money")
	f.BoolVar(&o.lookup, "lookup-events", false, "ask CloudTrail LookupEvents, in the anomalies' regions, who launched what costs money")
	f.StringVar(&o.account, "account", "", "with --cur: only this usage account's rows (a payer's CUR holds every member account)")
	f.StringVar(&o.cache, "cache", "", "file caching Cost Explorer results (default: the user cache folder)")
	f.StringVar(&o.caseDir, "case", "", "case folder: the series read is written to (and cached in) DIR/cost.json")
	f.BoolVar(&o.noCache, "no-cache", false, "always call Cost Explorer, write no cache")
	f.StringVar(&o.end, "end", "", "last day to read, YYYY-MM-DD (default: yesterday, UTC)")
	cmd.AddCommand(newCostBudgetCmd(g))
	return cmd
}

func runCost(ctx context.Context, g *Globals, o *costOptions) error {
	if err := g.checkOutput("table", "json", "csv"); err != nil {
		return err
	}
	if o.days < 1 || o.history < 0 || o.days+o.history > cost.MaxDays {
		return usageErr("--days must be at least 1, --history not negative, and both together at most %d", cost.MaxDays)
	}
	if o.account != "" && len(o.cur) == 0 {
		return usageErr("--account selects rows of --cur files; with Cost Explorer the account is the credentials'")
	}
	if o.det.MinImpact < 0 || o.det.MinPercent < 0 || o.det.FirstSpendFloor < 0 {
		return usageErr("--min-impact, --min-percent and --first-spend-floor must not be negative")
	}
	end := time.Now().UTC().Truncate(24 * time.Hour) // exclusive: today is not over
	if o.end != "" {
		t, err := time.Parse(cost.DayLayout, o.end)
		if err != nil {
			return usageErr("--end %q: want YYYY-MM-DD", o.end)
		}
		end = t.AddDate(0, 0, 1)
	}
	start := end.AddDate(0, 0, -(o.days + o.history))

	var (
		d       *cost.Dataset
		account string
		partial bool
		cfg     awsx.Config
		haveCfg bool
	)
	if len(o.cur) > 0 {
		var errs []error
		bar := ui.NewProgress(g.Stderr, g.Interactive(), int64(len(o.cur)), "Reading CUR", "files")
		d, errs = cost.ReadCUR(o.cur, cost.CUROptions{Account: o.account, OnFile: func(string) { bar.Add(1) }})
		bar.Finish()
		for _, err := range errs {
			fmt.Fprintf(g.Stderr, "accountguard: %v\n", err)
		}
		if d == nil {
			return usageErr("no usable Cost and Usage Report file among %d given", len(o.cur))
		}
		partial = len(errs) > 0
		account = d.Account
		if len(d.Accounts) > 1 && !g.Quiet {
			fmt.Fprintf(g.Stderr, "The CUR holds %d accounts (%s); they are judged together. Use --account ID for one.\n", len(d.Accounts), strings.Join(d.Accounts, ", "))
		}
		if o.end == "" {
			end = d.End()
		}
		d = cost.Slice(d, end.AddDate(0, 0, -(o.days+o.history)), end)
		if o.caseDir != "" {
			if err := (cost.Cache{Path: filepath.Join(o.caseDir, "cost.json")}).Save(d); err != nil {
				return err
			}
		}
	} else {
		var err error
		if cfg, err = g.AWS(ctx); err != nil {
			return err
		}
		haveCfg = true
		id, err := awsx.WhoAmI(ctx, cfg)
		if err != nil {
			return err
		}
		account = id.Account
		d, err = fetchCostExplorer(ctx, g, o, cfg, account, start, end)
		if err != nil {
			if awsx.IsAccessDenied(err) {
				fs := []finding.Finding{cost.UnknownFinding(account, err)}
				if rerr := renderCost(g, o, nil, nil, fs); rerr != nil {
					return rerr
				}
				return &ExitError{Code: ExitPartial, Err: err}
			}
			return err
		}
	}
	opts := cost.Options{MinImpact: o.det.MinImpact, MinPercent: o.det.MinPercent, FirstSpendFloor: o.det.FirstSpendFloor, EvalDays: o.days}
	as, err := cost.Detect(ctx, d, opts)
	if err == nil && len(as) > 0 && (len(o.trail) > 0 || o.lookup) {
		// Who launched it: read CloudTrail only now that there is something to explain, and
		// only the regions and days the anomalies name.
		var srcs []trail.Source
		var terrs []error
		if len(o.trail) > 0 {
			srcs, terrs = trail.Files(o.trail, trail.Window{})
		}
		if o.lookup {
			if !haveCfg {
				if cfg, err = g.AWS(ctx); err != nil {
					return err
				}
			}
			srcs = append(srcs, costLookupSources(cfg, as)...)
		}
		at, herrs := costHuntAttributor(ctx, srcs)
		for _, e := range append(terrs, herrs...) {
			fmt.Fprintf(g.Stderr, "accountguard: %v\n", e)
			partial = true
		}
		if at != nil {
			opts.Attributor = at
			as, err = cost.Detect(ctx, d, opts)
		}
	}
	if errors.Is(err, cost.ErrEmpty) || errors.Is(err, cost.ErrTooShort) {
		why := err
		if errors.Is(err, cost.ErrEmpty) {
			why = fmt.Errorf("no cost data between %s and %s", start.Format(cost.DayLayout), end.Format(cost.DayLayout))
		}
		fs := []finding.Finding{cost.UnknownFinding(account, why)}
		if rerr := renderCost(g, o, nil, nil, fs); rerr != nil {
			return rerr
		}
		return &ExitError{Code: ExitPartial}
	}
	if err != nil {
		return err
	}
	if err := renderCost(g, o, d, as, cost.Findings(as, account)); err != nil {
		return err
	}
	switch {
	case partial:
		return &ExitError{Code: ExitPartial}
	case len(as) > 0:
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

func fetchCostExplorer(ctx context.Context, g *Globals, o *costOptions, cfg awsx.Config, account string, start, end time.Time) (*cost.Dataset, error) {
	api := costexplorer.NewFromConfig(cfg, func(co *costexplorer.Options) {
		co.Region = "us-east-1" // Cost Explorer has one endpoint, in us-east-1
	})
	bar := ui.NewProgress(g.Stderr, g.Interactive(), -1, "Cost Explorer", "requests")
	defer bar.Finish()
	ce := &cost.CostExplorer{API: api, Account: account, OnRequest: func() { bar.Add(1) }}
	say := func(format string, args ...any) {
		if !g.Quiet {
			fmt.Fprintf(g.Stderr, format+"\n", args...)
		}
	}
	period := start.Format(cost.DayLayout) + ".." + end.AddDate(0, 0, -1).Format(cost.DayLayout)
	if o.noCache {
		say("Cost Explorer: %d queries for %s, at least %d requests at $%.2f each (more if AWS pages the answer)", cost.CEQueries, period, cost.CEQueries, cost.PricePerRequest)
		d, err := ce.Fetch(ctx, start, end)
		if err == nil {
			say("Cost Explorer: %d requests made ($%.2f)", d.Requests, float64(d.Requests)*cost.PricePerRequest)
		}
		return d, err
	}
	path := o.cache
	if path == "" && o.caseDir != "" {
		path = filepath.Join(o.caseDir, "cost.json")
	}
	if path == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = "."
		}
		path = filepath.Join(dir, "accountguard", "cost-"+account+".json")
	}
	c := cost.Cache{Path: path}
	cached, err := c.Load()
	if err != nil {
		say("Cost Explorer: ignoring the cache: %v", err)
		cached = nil
	}
	from := c.FetchFrom(cached, account, start, end)
	if !from.Before(end) {
		say("Cost Explorer: %s from the cache %s (no requests)", period, path)
	} else {
		say("Cost Explorer: %d queries for %s..%s, at least %d requests at $%.2f each (more if AWS pages the answer); cache %s",
			cost.CEQueries, from.Format(cost.DayLayout), end.AddDate(0, 0, -1).Format(cost.DayLayout), cost.CEQueries, cost.PricePerRequest, path)
	}
	d, err := c.Fetch(ctx, ce, account, start, end)
	if err != nil && d == nil {
		return nil, err
	}
	if err != nil {
		say("Cost Explorer: could not write the cache: %v", err)
	}
	if d.Requests > 0 {
		say("Cost Explorer: %d requests made ($%.2f)", d.Requests, float64(d.Requests)*cost.PricePerRequest)
	}
	return d, nil
}

// costReport is the JSON output.
type costReport struct {
	Account   string            `json:"account,omitempty"`
	Source    string            `json:"source,omitempty"`
	Currency  string            `json:"currency,omitempty"`
	Days      []costDay         `json:"days"`
	Anomalies []cost.Anomaly    `json:"anomalies"`
	Findings  []finding.Finding `json:"findings"`
}

type costDay struct {
	Date      string   `json:"date"`
	Cost      *float64 `json:"cost"` // null when unknown
	Estimated bool     `json:"estimated,omitempty"`
	Anomalous bool     `json:"anomalous,omitempty"`
}

func renderCost(g *Globals, o *costOptions, d *cost.Dataset, as []cost.Anomaly, fs []finding.Finding) error {
	var days []costDay
	if d != nil {
		total := d.Total()
		for i := max(0, d.Days-o.days); i < d.Days; i++ {
			cd := costDay{Date: d.Day(i).Format(cost.DayLayout), Estimated: d.Estimated[i]}
			if !d.IsUnknown(i) {
				v := math.Round(total[i]*100) / 100
				cd.Cost = &v
			}
			for _, a := range as {
				if !d.Day(i).Before(a.Start) && !d.Day(i).After(a.End) {
					cd.Anomalous = true
				}
			}
			days = append(days, cd)
		}
	}
	switch g.Output {
	case "json":
		r := costReport{Days: days, Anomalies: as, Findings: fs}
		if r.Anomalies == nil {
			r.Anomalies = []cost.Anomaly{}
		}
		if r.Findings == nil {
			r.Findings = []finding.Finding{}
		}
		if d != nil {
			r.Account, r.Source, r.Currency = d.Account, d.Source, d.Currency
		}
		enc := json.NewEncoder(g.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "csv":
		return costCSV(g.Stdout, as, fs)
	}
	w := g.Stdout
	if d != nil {
		fmt.Fprint(w, costChart(days, d.Currency, g.Lang))
	}
	if len(fs) == 0 {
		msg := "\nNo anomaly in the last %d days (min impact %s a day, min %.0f%%, first spend above %s).\n"
		if g.Lang == "ko" {
			msg = "\n최근 %d일 동안 이상 없음 (하루 최소 영향 %s, 최소 %.0f%%, 신규 지출 기준 %s).\n"
		}
		_, err := fmt.Fprintf(w, msg, o.days, cost.Money(o.det.MinImpact, ""), o.det.MinPercent, cost.Money(o.det.FirstSpendFloor, ""))
		return err
	}
	for i, f := range fs {
		fmt.Fprintf(w, "\n%-8s %s\n", strings.ToUpper(f.Severity.String()), f.Title.In(g.Lang))
		fmt.Fprintf(w, "         %s\n", f.Detail.In(g.Lang))
		if i < len(as) {
			a := as[i]
			if len(a.NewRegions) > 0 {
				fmt.Fprintf(w, "         %s: %s\n", costTr(g, "first spend in region(s)", "처음 비용이 난 리전"), strings.Join(a.NewRegions, ", "))
			}
			for _, c := range a.Contributors {
				mark := ""
				if c.FirstSpend {
					mark = costTr(g, "  (new)", "  (신규)")
				}
				fmt.Fprintf(w, "         %-48s %12s  %s %s%s\n", c.Description, cost.Money(c.Actual, a.Currency), costTr(g, "expected", "예상"), cost.Money(c.Expected, a.Currency), mark)
			}
			if len(a.Principals) > 0 {
				fmt.Fprintf(w, "         %s: %s\n", costTr(g, "launched by", "생성한 주체"), strings.Join(a.Principals, ", "))
			}
			if a.Estimated {
				fmt.Fprintf(w, "         %s\n", costTr(g, "(some days are estimated and may still change)", "(일부 날짜는 추정치이며 바뀔 수 있음)"))
			}
		}
	}
	return nil
}

// costChart draws the daily totals as a column chart eight rows high, one column per day,
// anomalous days marked below.
func costChart(days []costDay, currency, lang string) string {
	const rows = 8
	blocks := []rune(" ▁▂▃▄▅▆▇█")
	peak := 0.0
	for _, d := range days {
		if d.Cost != nil {
			peak = max(peak, *d.Cost)
		}
	}
	var b strings.Builder
	if len(days) == 0 {
		return ""
	}
	title, legend := "Daily cost", "(! anomaly, ~ estimated, ? unknown)"
	if lang == "ko" {
		title, legend = "일일 비용", "(! 이상, ~ 추정, ? 알 수 없음)"
	}
	var known []float64
	for _, d := range days {
		if d.Cost != nil {
			known = append(known, *d.Cost)
		}
	}
	slices.Sort(known)
	typical := 0.0
	if len(known) > 0 {
		typical = known[len(known)/2]
	}
	fmt.Fprintf(&b, "%s %s..%s (median %s, peak %s)\n", title, days[0].Date, days[len(days)-1].Date, cost.Money(typical, currency), cost.Money(peak, currency))
	for r := rows - 1; r >= 0; r-- {
		label := ""
		if r == rows-1 {
			label = cost.Money(peak, currency)
		}
		if r == 0 {
			label = cost.Money(0, currency)
		}
		fmt.Fprintf(&b, "%12s │", label)
		for _, d := range days {
			if d.Cost == nil {
				if r == 0 {
					b.WriteRune('?')
				} else {
					b.WriteRune(' ')
				}
				continue
			}
			h := 0.0
			if peak > 0 {
				h = *d.Cost / peak * rows * 8
			}
			level := int(math.Round(h)) - r*8
			switch {
			case level >= 8:
				b.WriteRune(blocks[8])
			case level <= 0:
				if r == 0 && *d.Cost > 0 {
					b.WriteRune(blocks[1]) // never invisible while something was spent
				} else {
					b.WriteRune(' ')
				}
			default:
				b.WriteRune(blocks[level])
			}
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%12s └%s\n", "", strings.Repeat("─", len(days)))
	marks := make([]rune, len(days))
	for i, d := range days {
		switch {
		case d.Anomalous:
			marks[i] = '!'
		case d.Estimated:
			marks[i] = '~'
		default:
			marks[i] = ' '
		}
	}
	fmt.Fprintf(&b, "%12s  %s  %s\n", "", string(marks), legend)
	return b.String()
}

func costCSV(w io.Writer, as []cost.Anomaly, fs []finding.Finding) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "rule_id", "severity", "status", "start", "end", "days", "impact", "actual", "expected", "currency", "projected_month_end", "new_regions", "top_contributors", "principals", "title"})
	for i, f := range fs {
		rec := []string{f.ID, f.RuleID, f.Severity.String(), string(f.Status), "", "", "", "", "", "", "", "", "", "", "", f.Title.En}
		if i < len(as) {
			a := as[i]
			var cs []string
			for _, c := range a.Contributors {
				cs = append(cs, fmt.Sprintf("%s=%.2f", c.Description, c.Actual))
			}
			rec = []string{f.ID, f.RuleID, f.Severity.String(), string(f.Status), a.Start.Format(cost.DayLayout), a.End.Format(cost.DayLayout),
				fmt.Sprint(a.Days), fmt.Sprintf("%.2f", a.Impact), fmt.Sprintf("%.2f", a.Actual), fmt.Sprintf("%.2f", a.Expected), a.Currency,
				fmt.Sprintf("%.2f", a.ProjectedMonthEnd), strings.Join(a.NewRegions, ";"), strings.Join(cs, "; "), strings.Join(a.Principals, ";"), f.Title.En}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

type costBudgetOptions struct {
	req     cost.BudgetRequest
	apply   bool
	confirm string
	journal string
	undo    string
}

const costBudgetLong = `Plan, and with --apply create, the alerts that catch a cost spike early:
an AWS Budgets monthly cost budget with four e-mail notifications (actual spend at 80% and
100%, forecast spend at 80% and 100%), and a Cost Anomaly Detection monitor over AWS
services with a daily e-mail subscription.

Without --apply nothing is changed: the plan is printed. With --apply you confirm the account
ID (typed, or --confirm ID), and every call is written to a journal before and after it runs;
--undo JOURNAL deletes what that run created.`

func newCostBudgetCmd(g *Globals) *cobra.Command {
	var o costBudgetOptions
	cmd := &cobra.Command{
		Use:   "budget",
		Short: "Plan or create a cost budget and an anomaly alert (journaled, undoable)",
		Long:  costBudgetLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCostBudget(cmd.Context(), g, &o)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&o.req.Amount, "amount", 0, "monthly budget in USD")
	f.StringVar(&o.req.Email, "email", "", "address that receives the alerts")
	f.StringVar(&o.req.Name, "name", cost.DefaultBudgetName, "budget name")
	f.Float64Var(&o.req.AnomalyThreshold, "anomaly-impact", 50, "dollars of anomaly impact before Cost Anomaly Detection mails")
	f.BoolVar(&o.apply, "apply", false, "create what the plan lists")
	f.StringVar(&o.confirm, "confirm", "", "the account ID, to confirm --apply or --undo without a prompt")
	f.StringVar(&o.journal, "journal", "", "journal file for --apply (default accountguard-journal-<account>-<time>.jsonl)")
	f.StringVar(&o.undo, "undo", "", "delete what the run journaled in this file created")
	return cmd
}

func runCostBudget(ctx context.Context, g *Globals, o *costBudgetOptions) error {
	if err := g.checkOutput("table", "json"); err != nil {
		return err
	}
	if o.undo == "" && (o.req.Amount <= 0 || o.req.Email == "") {
		return usageErr("cost budget: --amount and --email are required (or --undo JOURNAL)")
	}
	var entries []cost.JournalEntry
	if o.undo != "" {
		var err error
		if entries, err = cost.ReadJournal(o.undo); err != nil {
			return usageErr("%v", err)
		}
	}
	cfg, err := g.AWS(ctx)
	if err != nil {
		return err
	}
	id, err := awsx.WhoAmI(ctx, cfg)
	if err != nil {
		return err
	}
	bapi := budgets.NewFromConfig(cfg, func(bo *budgets.Options) { bo.Region = "us-east-1" })
	ceapi := costexplorer.NewFromConfig(cfg, func(co *costexplorer.Options) { co.Region = "us-east-1" })

	if o.undo != "" {
		if entries[0].Account != id.Account {
			return usageErr("journal %s is for account %s, but the credentials are for %s", o.undo, entries[0].Account, id.Account)
		}
		if err := costConfirmAccount(g, o.confirm, id.Account, "undo the changes in "+o.undo); err != nil {
			return err
		}
		j, err := cost.OpenJournal(o.undo)
		if err != nil {
			return err
		}
		defer j.Close()
		n, err := cost.UndoBudget(ctx, bapi, ceapi, entries, j)
		fmt.Fprintf(g.Stdout, "Undid %d change(s) journaled in %s.\n", n, o.undo)
		return err
	}

	o.req.Account = id.Account
	plan, err := cost.PlanBudget(ctx, bapi, ceapi, o.req)
	if err != nil {
		if strings.HasPrefix(err.Error(), "budget: ") {
			return usageErr("%v", err)
		}
		return err
	}
	if g.Output == "json" && !o.apply {
		enc := json.NewEncoder(g.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(plan)
	}
	fmt.Fprintf(g.Stdout, "Plan for account %s:\n", id.Account)
	todo := 0
	for _, s := range plan.Steps {
		state := "create"
		if s.Skip != "" {
			state = "skip: " + s.Skip
		} else {
			todo++
		}
		fmt.Fprintf(g.Stdout, "  %d. %-30s %s  [%s]\n", s.N, s.Action, s.Summary, state)
	}
	if !o.apply {
		fmt.Fprintf(g.Stdout, "Nothing changed. Run again with --apply to make these %d call(s).\n", todo)
		return nil
	}
	if todo == 0 {
		fmt.Fprintln(g.Stdout, "Everything exists already; nothing to do.")
		return nil
	}
	if err := costConfirmAccount(g, o.confirm, id.Account, fmt.Sprintf("make %d change(s)", todo)); err != nil {
		return err
	}
	path := o.journal
	if path == "" {
		path = fmt.Sprintf("accountguard-journal-%s-%s.jsonl", id.Account, time.Now().UTC().Format("20060102T150405Z"))
	}
	j, err := cost.OpenJournal(path)
	if err != nil {
		return err
	}
	defer j.Close()
	err = cost.ApplyBudget(ctx, bapi, ceapi, plan, j)
	fmt.Fprintf(g.Stdout, "Journal: %s (undo with: accountguard cost budget --undo %s)\n", path, path)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "Done: %d change(s) made.\n", todo)
	return nil
}

// costConfirmAccount asks for the account ID to be typed (or given with --confirm) before a change.
func costConfirmAccount(g *Globals, given, account, what string) error {
	if given == "" {
		fmt.Fprintf(g.Stderr, "To %s in account %s, type the account ID: ", what, account)
		line, err := bufio.NewReader(g.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return usageErr("no confirmation read (use --confirm %s when not interactive)", account)
		}
		given = strings.TrimSpace(line)
	}
	if given != account {
		return usageErr("confirmation %q does not match account %s; nothing changed", given, account)
	}
	return nil
}

// costTr picks the English or Korean text of a label.
func costTr(g *Globals, en, ko string) string {
	if g.Lang == "ko" {
		return ko
	}
	return en
}

// costLaunchTypes are the resources whose creation starts a bill in a region, by the short
// service name of the cost line (cost.ServiceShort); services not listed take any creation.
var costLaunchTypes = map[string][]string{
	"EC2":       {"instance", "spot-request", "spot-fleet", "fleet", "auto-scaling-group", "launch-template", "launch-configuration"},
	"EC2-Other": {"instance", "spot-request", "spot-fleet", "fleet", "auto-scaling-group"},
}

// costLookupSources are CloudTrail LookupEvents readers for the regions the anomalies' top
// contributors name, from a day before the first anomaly to the day after the last.
func costLookupSources(cfg awsx.Config, as []cost.Anomaly) []trail.Source {
	regions := map[string]bool{}
	since, until := as[0].Start, as[0].End
	for _, a := range as {
		for _, c := range a.Contributors {
			if r := c.Key.Region; r != "" && r != "global" {
				regions[r] = true
			}
		}
		if a.Start.Before(since) {
			since = a.Start
		}
		if a.End.After(until) {
			until = a.End
		}
	}
	var out []trail.Source
	for _, r := range slices.Sorted(maps.Keys(regions)) {
		api := cloudtrail.NewFromConfig(cfg, func(co *cloudtrail.Options) { co.Region = r })
		out = append(out, trail.Lookup{API: api, Region: r, Since: since.Add(-24 * time.Hour), Until: until.AddDate(0, 0, 1)})
	}
	return out
}

// costHuntAttributor reads CloudTrail sources once with the trail package and answers who
// created billable resources in a region within a day before and during an anomaly. An
// instance that an Auto Scaling group launched belongs to whoever created the group.
func costHuntAttributor(ctx context.Context, srcs []trail.Source) (cost.Attributor, []error) {
	if len(srcs) == 0 {
		return nil, nil
	}
	var errs []error
	res := trail.NewEngine().Hunt(ctx, srcs, trail.HuntOptions{})
	errs = append(errs, res.Errors...)
	created := res.Created
	return cost.AttributorFunc(func(_ context.Context, q cost.AttributionQuery) ([]string, error) {
		if created == nil {
			return nil, nil
		}
		types := costLaunchTypes[cost.ServiceShort(q.Service)]
		from := q.From.Add(-24 * time.Hour)
		seen := map[string]bool{}
		var out []string
		for _, c := range created.All {
			if (q.Region != "" && c.Region != q.Region) || c.Time.Before(from) || !c.Time.Before(q.To) {
				continue
			}
			if len(types) > 0 && !slices.Contains(types, c.Type) {
				continue
			}
			p := c.Principal
			if c.Parent != "" {
				if parents := created.WhoCreated(c.Parent); len(parents) > 0 {
					p = parents[0].Principal
				}
			}
			if p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
		return out, nil
	}), errs
}
