package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/accountguard/accountguard/internal/awsx"
	"github.com/accountguard/accountguard/internal/finding"
	"github.com/accountguard/accountguard/internal/inventory"
)

// Fixes: a plan of typed AWS calls, each reversible, made only after the account check,
// each journaled before and after (JSON lines), so a crash leaves a record and --undo can
// walk it back.

// FixOptions are what some fixes need from the user.
type FixOptions struct {
	BudgetEmail, BudgetLimit                   string
	SecurityEmail, SecurityName, SecurityPhone string
	TrailBucket                                string
}

// Action is one AWS call. Input strings of the form "$Name" are replaced by the output value
// Name of an earlier action (the monitor ARN a subscription needs).
type Action struct {
	Fix     string         `json:"fix"`
	Service string         `json:"service"` // IAM action prefix: "cloudtrail", "logs" …
	Region  string         `json:"region,omitempty"`
	Op      string         `json:"op"`
	Input   map[string]any `json:"input"`
	Why     string         `json:"why,omitempty"`
}

// Permission is the API call ("s3:PutPublicAccessBlock"); see IAMAction for the permission.
func (a Action) Permission() string { return a.Service + ":" + a.Op }

// iamActions are the calls whose IAM action is named differently from the operation.
var iamActions = map[string]string{
	"s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
	"budgets:CreateBudget":    "budgets:ModifyBudget",
	"budgets:DeleteBudget":    "budgets:ModifyBudget",
}

// IAMAction is the IAM action that authorizes the call (docs/iam-policy-audit-fix.json).
func (a Action) IAMAction() string {
	if v, ok := iamActions[a.Permission()]; ok {
		return v
	}
	return a.Permission()
}

func (a Action) String() string {
	where := ""
	if a.Region != "" {
		where = " in " + a.Region
	}
	return fmt.Sprintf("%s%s %s", a.Permission(), where, summarize(a.Input))
}

func summarize(in map[string]any) string {
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		switch v := in[k].(type) {
		case string:
			if len(v) > 60 {
				v = v[:57] + "..."
			}
			parts = append(parts, k+"="+v)
		case bool, int, float64:
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	return strings.Join(parts, " ")
}

// ManualStep is a fix AWS allows only by hand, with how to verify it.
type ManualStep struct {
	Check string       `json:"check"`
	Steps finding.Text `json:"steps"`
}

// Plan is what --fix would do.
type Plan struct {
	Account string       `json:"account"`
	Actions []Action     `json:"actions"`
	Manual  []ManualStep `json:"manual,omitempty"`
	// Skipped are fixes that need input the user did not give, one line each.
	Skipped []string `json:"skipped,omitempty"`
}

// fixPlanners build the actions of each fix from the snapshot and the failing findings.
var fixPlanners = map[string]func(x *planCtx) ([]Action, string){}

type planCtx struct {
	snap    *inventory.Snapshot
	failing map[string][]finding.Finding // by fix ID
	opts    FixOptions
	plan    *Plan
}

// PlanFixes plans the fixes for the failing (unmuted) findings.
func PlanFixes(snap *inventory.Snapshot, fs []finding.Finding, o FixOptions) *Plan {
	p := &Plan{Account: snap.Account.ID}
	x := &planCtx{snap: snap, failing: map[string][]finding.Finding{}, opts: o, plan: p}
	manual := map[string]bool{}
	for _, f := range fs {
		if f.Status != finding.Fail {
			continue
		}
		c := Lookup(f.RuleID)
		if c == nil {
			continue
		}
		if c.Fix != "" {
			x.failing[c.Fix] = append(x.failing[c.Fix], f)
		}
		if c.Manual && !manual[c.ID] {
			manual[c.ID] = true
			p.Manual = append(p.Manual, ManualStep{Check: c.ID, Steps: c.Remediation})
		}
	}
	// Order matters: the trail before the alarms that read its log group.
	for _, id := range []string{"password-policy", "trail", "cis-alarms", "guardduty", "budget", "anomaly-monitor", "security-contact"} {
		if len(x.failing[id]) == 0 {
			continue
		}
		acts, skipped := fixPlanners[id](x)
		if skipped != "" {
			p.Skipped = append(p.Skipped, id+": "+skipped)
		}
		for i := range acts {
			acts[i].Fix = id
		}
		p.Actions = append(p.Actions, acts...)
	}
	return p
}

// Render writes the plan for people, in lang ("en" or "ko").
func (p *Plan) Render(w io.Writer, lang string) error {
	t := func(en, ko string) string {
		if lang == "ko" {
			return ko
		}
		return en
	}
	var b strings.Builder
	if len(p.Actions) == 0 {
		b.WriteString(t("No automatic fix applies.\n", "자동으로 고칠 항목이 없습니다.\n"))
	} else {
		fmt.Fprintf(&b, t("Plan for account %s: %d call(s); run again with --apply to make them (each is journaled and undoable with --undo).\n",
			"계정 %s 수정 계획: 호출 %d건. --apply로 다시 실행하면 적용합니다 (모든 호출은 기록되며 --undo로 되돌릴 수 있습니다).\n"), p.Account, len(p.Actions))
		fix := ""
		for i, a := range p.Actions {
			if a.Fix != fix {
				fix = a.Fix
				fmt.Fprintf(&b, "\n[%s]\n", fix)
			}
			fmt.Fprintf(&b, "  %2d. %s\n", i+1, a)
		}
	}
	for _, s := range p.Skipped {
		fmt.Fprintf(&b, "\n%s %s\n", t("skipped", "건너뜀:"), s)
	}
	if len(p.Manual) > 0 {
		b.WriteString(t("\nBy hand (AWS allows these only as the root user in the console):\n", "\n직접 해야 할 일 (AWS는 콘솔에서 루트 사용자로만 허용합니다):\n"))
		for _, m := range p.Manual {
			fmt.Fprintf(&b, "  - %s: %s\n", m.Check, m.Steps.In(lang))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Caller makes one AWS call of a fix and says how to undo it. Before is the state the call
// replaces when the undo needs it (the old password policy, the old contact).
type Caller interface {
	AccountID(ctx context.Context) (string, error)
	Before(ctx context.Context, a Action) (map[string]any, error)
	Call(ctx context.Context, a Action) (map[string]any, error)
	Undo(a Action, before, out map[string]any) []Action
}

// JournalRecord is one line of the journal.
type JournalRecord struct {
	Time    time.Time      `json:"time"`
	Account string         `json:"account"`
	Seq     int            `json:"seq"`
	Phase   string         `json:"phase"` // before, after, undo-before, undo-after
	Action  Action         `json:"action"`
	Before  map[string]any `json:"before,omitempty"`
	Output  map[string]any `json:"output,omitempty"`
	Undo    []Action       `json:"undo,omitempty"`
	Error   string         `json:"error,omitempty"`
}

type journal struct {
	account string
	f       *os.File
	enc     *json.Encoder
	now     func() time.Time
}

func openJournal(path string, now func() time.Time) (*journal, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return &journal{f: f, enc: json.NewEncoder(f), now: now}, nil
}

// write appends a record and syncs it, so the journal survives a crash.
func (j *journal) write(r JournalRecord) error {
	r.Time = j.now().UTC()
	if r.Account == "" {
		r.Account = j.account
	}
	if err := j.enc.Encode(r); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return j.f.Sync()
}

// ErrWrongAccount is returned when the credentials belong to another account than the plan.
var ErrWrongAccount = fmt.Errorf("the credentials belong to another account")

// Apply makes the plan's calls in order, journaling each before and after. It stops at the
// first failure (later actions may depend on it) and returns it; what was done is in the journal.
func Apply(ctx context.Context, p *Plan, c Caller, journalPath string, progress func(i int, a Action)) error {
	acct, err := c.AccountID(ctx)
	if err != nil {
		return fmt.Errorf("account check: %w", err)
	}
	if acct != p.Account {
		return fmt.Errorf("%w: plan is for %s, credentials are for %s: nothing changed", ErrWrongAccount, p.Account, acct)
	}
	j, err := openJournal(journalPath, time.Now)
	if err != nil {
		return err
	}
	j.account = p.Account
	defer j.f.Close()
	vars := map[string]any{}
	for i, a := range p.Actions {
		a.Input = substitute(a.Input, vars)
		if progress != nil {
			progress(i, a)
		}
		before, err := c.Before(ctx, a)
		if err != nil {
			return fmt.Errorf("%s: read the state to restore: %w", a.Permission(), err)
		}
		if err := j.write(JournalRecord{Seq: i + 1, Phase: "before", Action: a, Before: before}); err != nil {
			return err
		}
		out, err := c.Call(ctx, a)
		rec := JournalRecord{Seq: i + 1, Phase: "after", Action: a, Before: before, Output: out}
		if err != nil {
			rec.Error = err.Error()
			_ = j.write(rec)
			return fmt.Errorf("%s (fix %s; needs %s): %w", a.Permission(), a.Fix, a.IAMAction(), err)
		}
		rec.Undo = c.Undo(a, before, out)
		if err := j.write(rec); err != nil {
			return err
		}
		for k, v := range out {
			vars[k] = v
		}
	}
	return nil
}

func substitute(in map[string]any, vars map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		switch t := v.(type) {
		case string:
			if name, ok := strings.CutPrefix(t, "$"); ok && vars[name] != nil {
				v = vars[name]
			}
		case []any:
			var list []any
			for _, e := range t {
				if s, ok := e.(string); ok && strings.HasPrefix(s, "$") && vars[s[1:]] != nil {
					e = vars[s[1:]]
				}
				list = append(list, e)
			}
			v = list
		}
		out[k] = v
	}
	return out
}

// ReadJournal reads a journal; a malformed line is an error naming the line.
func ReadJournal(path string) ([]JournalRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	defer f.Close()
	var out []JournalRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r JournalRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("journal %s: line %d: %w", path, n, err)
		}
		if r.Seq == 0 || r.Phase == "" || r.Action.Op == "" {
			return nil, fmt.Errorf("journal %s: line %d: not an accountguard journal record", path, n)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("journal %s: empty", path)
	}
	return out, nil
}

// Undo reverses every completed action of the journal, last first, appending undo records to
// it. Actions already undone (a previous --undo that stopped half-way) are skipped.
func Undo(ctx context.Context, path string, c Caller, progress func(a Action)) (int, error) {
	recs, err := ReadJournal(path)
	if err != nil {
		return 0, err
	}
	account := recs[0].Account
	acct, err := c.AccountID(ctx)
	if err != nil {
		return 0, fmt.Errorf("account check: %w", err)
	}
	if account != "" && acct != account {
		return 0, fmt.Errorf("%w: journal is for %s, credentials are for %s: nothing changed", ErrWrongAccount, account, acct)
	}
	undone := map[string]bool{}
	for _, r := range recs {
		if r.Phase == "undo-after" && r.Error == "" {
			undone[undoKey(r)] = true
		}
	}
	j, err := openJournal(path, time.Now)
	if err != nil {
		return 0, err
	}
	j.account = account
	defer j.f.Close()
	n := 0
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		if r.Phase != "after" || r.Error != "" {
			continue
		}
		for k, u := range r.Undo {
			key := fmt.Sprintf("%d/%d", r.Seq, k)
			if undone[key] {
				continue
			}
			if progress != nil {
				progress(u)
			}
			if err := j.write(JournalRecord{Seq: r.Seq, Phase: "undo-before", Action: u, Output: map[string]any{"undo_index": k}}); err != nil {
				return n, err
			}
			_, err := c.Call(ctx, u)
			rec := JournalRecord{Seq: r.Seq, Phase: "undo-after", Action: u, Output: map[string]any{"undo_index": k}}
			if err != nil && !isGone(err) {
				rec.Error = err.Error()
				_ = j.write(rec)
				return n, fmt.Errorf("undo %s: %w", u.Permission(), err)
			}
			if err := j.write(rec); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

func undoKey(r JournalRecord) string {
	k := 0
	if v, ok := r.Output["undo_index"].(float64); ok {
		k = int(v)
	}
	return fmt.Sprintf("%d/%d", r.Seq, k)
}

// goneCodes mean what the undo removes is already gone: the undo is done.
var goneCodes = []string{"NoSuchEntity", "TrailNotFoundException", "ResourceNotFoundException", "ResourceNotFound", "NotFoundException", "NoSuchBucket", "UnknownMonitorException", "UnknownSubscriptionException", "NotFound"}

func isGone(err error) bool { return slices.Contains(goneCodes, awsx.ErrorCode(err)) }
