package cost

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

// BudgetsAPI is the part of the AWS Budgets client the budget plan needs.
type BudgetsAPI interface {
	DescribeBudgets(context.Context, *budgets.DescribeBudgetsInput, ...func(*budgets.Options)) (*budgets.DescribeBudgetsOutput, error)
	CreateBudget(context.Context, *budgets.CreateBudgetInput, ...func(*budgets.Options)) (*budgets.CreateBudgetOutput, error)
	CreateNotification(context.Context, *budgets.CreateNotificationInput, ...func(*budgets.Options)) (*budgets.CreateNotificationOutput, error)
	DeleteBudget(context.Context, *budgets.DeleteBudgetInput, ...func(*budgets.Options)) (*budgets.DeleteBudgetOutput, error)
}

// AnomalyAPI is the part of the Cost Explorer client that manages Cost Anomaly Detection.
type AnomalyAPI interface {
	GetAnomalyMonitors(context.Context, *costexplorer.GetAnomalyMonitorsInput, ...func(*costexplorer.Options)) (*costexplorer.GetAnomalyMonitorsOutput, error)
	CreateAnomalyMonitor(context.Context, *costexplorer.CreateAnomalyMonitorInput, ...func(*costexplorer.Options)) (*costexplorer.CreateAnomalyMonitorOutput, error)
	DeleteAnomalyMonitor(context.Context, *costexplorer.DeleteAnomalyMonitorInput, ...func(*costexplorer.Options)) (*costexplorer.DeleteAnomalyMonitorOutput, error)
	GetAnomalySubscriptions(context.Context, *costexplorer.GetAnomalySubscriptionsInput, ...func(*costexplorer.Options)) (*costexplorer.GetAnomalySubscriptionsOutput, error)
	CreateAnomalySubscription(context.Context, *costexplorer.CreateAnomalySubscriptionInput, ...func(*costexplorer.Options)) (*costexplorer.CreateAnomalySubscriptionOutput, error)
	DeleteAnomalySubscription(context.Context, *costexplorer.DeleteAnomalySubscriptionInput, ...func(*costexplorer.Options)) (*costexplorer.DeleteAnomalySubscriptionOutput, error)
}

// BudgetRequest is what `accountguard cost budget` asks for.
type BudgetRequest struct {
	Account          string
	Amount           float64 // monthly budget in USD
	Email            string
	Name             string  // budget name; default "accountguard-monthly-cost"
	AnomalyThreshold float64 // dollars of total impact before an anomaly alert mails; default 50
}

// Default names of what the plan creates, so a second run finds them and does nothing.
const (
	DefaultBudgetName   = "accountguard-monthly-cost"
	MonitorName         = "accountguard-services"
	SubscriptionName    = "accountguard-anomaly-alerts"
	actionCreateBudget  = "budgets:CreateBudget"
	actionNotification  = "budgets:CreateNotification"
	actionCreateMonitor = "ce:CreateAnomalyMonitor"
	actionCreateSub     = "ce:CreateAnomalySubscription"
)

// BudgetStep is one call of the plan.
type BudgetStep struct {
	N       int    `json:"n"`
	Action  string `json:"action"`
	Summary string `json:"summary"`
	// Skip says why the step will not run (what it would create exists already).
	Skip string `json:"skip,omitempty"`
	// For notifications: the type and threshold.
	NotificationType string  `json:"notification_type,omitempty"`
	Threshold        float64 `json:"threshold,omitempty"`
}

// BudgetPlan is the ordered list of calls `--apply` makes.
type BudgetPlan struct {
	Request BudgetRequest `json:"request"`
	Steps   []BudgetStep  `json:"steps"`
	// MonitorArn is an existing AWS services monitor the subscription will use, if any
	// (AWS allows one dimensional SERVICE monitor per account).
	MonitorArn string `json:"monitor_arn,omitempty"`
}

func (r *BudgetRequest) validate() error {
	if r.Name == "" {
		r.Name = DefaultBudgetName
	}
	if r.AnomalyThreshold <= 0 {
		r.AnomalyThreshold = 50
	}
	switch {
	case r.Account == "":
		return errors.New("budget: the account ID is unknown")
	case !(r.Amount > 0) || r.Amount > 1e9:
		return fmt.Errorf("budget: --amount %v: want a positive monthly amount in USD", r.Amount)
	case !strings.Contains(r.Email, "@") || strings.ContainsAny(r.Email, " ,;<>"):
		return fmt.Errorf("budget: --email %q is not an email address", r.Email)
	}
	return nil
}

// PlanBudget reads what exists (budgets by name, anomaly monitors and subscriptions) and
// lists the calls that would create the rest. It changes nothing.
func PlanBudget(ctx context.Context, b BudgetsAPI, ce AnomalyAPI, req BudgetRequest) (*BudgetPlan, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	p := &BudgetPlan{Request: req}
	exists, err := budgetExists(ctx, b, req.Account, req.Name)
	if err != nil {
		return nil, err
	}
	n := 0
	add := func(s BudgetStep) {
		n++
		s.N = n
		p.Steps = append(p.Steps, s)
	}
	skip := ""
	if exists {
		skip = "a budget named " + req.Name + " exists"
	}
	add(BudgetStep{Action: actionCreateBudget, Summary: fmt.Sprintf("monthly cost budget %s of %s", req.Name, Money(req.Amount, "USD")), Skip: skip})
	for _, nt := range []btypes.NotificationType{btypes.NotificationTypeActual, btypes.NotificationTypeForecasted} {
		for _, th := range []float64{80, 100} {
			add(BudgetStep{Action: actionNotification, NotificationType: string(nt), Threshold: th, Skip: skip,
				Summary: fmt.Sprintf("mail %s when %s spend passes %.0f%% (%s)", req.Email, strings.ToLower(string(nt)), th, Money(req.Amount*th/100, "USD"))})
		}
	}
	mon, err := existingServiceMonitor(ctx, ce)
	if err != nil {
		return nil, err
	}
	skip = ""
	if mon != "" {
		p.MonitorArn = mon
		skip = "an AWS services monitor exists: " + mon
	}
	add(BudgetStep{Action: actionCreateMonitor, Summary: "Cost Anomaly Detection monitor " + MonitorName + " over AWS services", Skip: skip})
	skip = ""
	if mon != "" {
		has, err := subscriptionExists(ctx, ce, mon)
		if err != nil {
			return nil, err
		}
		if has {
			skip = "subscription " + SubscriptionName + " exists"
		}
	}
	add(BudgetStep{Action: actionCreateSub, Skip: skip,
		Summary: fmt.Sprintf("daily anomaly mail to %s when an anomaly's impact reaches %s", req.Email, Money(req.AnomalyThreshold, "USD"))})
	return p, nil
}

func budgetExists(ctx context.Context, b BudgetsAPI, account, name string) (bool, error) {
	in := &budgets.DescribeBudgetsInput{AccountId: aws.String(account)}
	for {
		out, err := b.DescribeBudgets(ctx, in)
		if err != nil {
			return false, fmt.Errorf("budgets:DescribeBudgets: %w", err)
		}
		for _, bd := range out.Budgets {
			if aws.ToString(bd.BudgetName) == name {
				return true, nil
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return false, nil
		}
		in.NextToken = out.NextToken
	}
}

func existingServiceMonitor(ctx context.Context, ce AnomalyAPI) (string, error) {
	in := &costexplorer.GetAnomalyMonitorsInput{}
	for {
		out, err := ce.GetAnomalyMonitors(ctx, in)
		if err != nil {
			return "", fmt.Errorf("ce:GetAnomalyMonitors: %w", err)
		}
		for _, m := range out.AnomalyMonitors {
			if m.MonitorType == cetypes.MonitorTypeDimensional && m.MonitorDimension == cetypes.MonitorDimensionService {
				return aws.ToString(m.MonitorArn), nil
			}
		}
		if aws.ToString(out.NextPageToken) == "" {
			return "", nil
		}
		in.NextPageToken = out.NextPageToken
	}
}

func subscriptionExists(ctx context.Context, ce AnomalyAPI, monitor string) (bool, error) {
	in := &costexplorer.GetAnomalySubscriptionsInput{MonitorArn: aws.String(monitor)}
	for {
		out, err := ce.GetAnomalySubscriptions(ctx, in)
		if err != nil {
			return false, fmt.Errorf("ce:GetAnomalySubscriptions: %w", err)
		}
		for _, s := range out.AnomalySubscriptions {
			if aws.ToString(s.SubscriptionName) == SubscriptionName {
				return true, nil
			}
		}
		if aws.ToString(out.NextPageToken) == "" {
			return false, nil
		}
		in.NextPageToken = out.NextPageToken
	}
}

// JournalEntry is one line of the journal: written before and after each call.
type JournalEntry struct {
	Time     time.Time `json:"time"`
	Account  string    `json:"account"`
	Step     int       `json:"step"`
	Action   string    `json:"action"`
	Phase    string    `json:"phase"` // "before", "after", "failed"; "undo-before", "undo-after", "undo-failed"
	Summary  string    `json:"summary,omitempty"`
	Resource string    `json:"resource,omitempty"` // budget name or ARN made
	Undo     string    `json:"undo,omitempty"`     // the call that removes it: "budgets:DeleteBudget" …
	Error    string    `json:"error,omitempty"`
}

// Journal appends entries to a JSONL file, synced after each line, so a crash leaves a
// journal that says what was done.
type Journal struct {
	f   *os.File
	Now func() time.Time
}

// OpenJournal opens (appending) or creates a journal file.
func OpenJournal(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return &Journal{f: f, Now: time.Now}, nil
}

// Write appends one entry.
func (j *Journal) Write(e JournalEntry) error {
	e.Time = j.Now().UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("journal %s: %w", j.f.Name(), err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: %w", j.f.Name(), err)
	}
	return nil
}

// Close closes the file.
func (j *Journal) Close() error { return j.f.Close() }

// ReadJournal reads a journal; a line that does not parse is an error naming the line.
func ReadJournal(path string) ([]JournalEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	defer f.Close()
	var out []JournalEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var e JournalEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("journal %s line %d: %w", path, n, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("journal %s: no entries", path)
	}
	return out, nil
}

// ApplyBudget runs the plan's steps that are not skipped, each journaled before and after.
// It stops at the first failure (later steps depend on earlier ones); what was made is in
// the journal for UndoBudget.
func ApplyBudget(ctx context.Context, b BudgetsAPI, ce AnomalyAPI, p *BudgetPlan, j *Journal) error {
	req := p.Request
	monitor := p.MonitorArn
	subscriber := []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String(req.Email)}}
	for _, s := range p.Steps {
		if s.Skip != "" {
			continue
		}
		e := JournalEntry{Account: req.Account, Step: s.N, Action: s.Action, Summary: s.Summary}
		e.Phase = "before"
		if err := j.Write(e); err != nil {
			return err
		}
		var err error
		switch s.Action {
		case actionCreateBudget:
			_, err = b.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String(req.Account), Budget: &btypes.Budget{
				BudgetName:  aws.String(req.Name),
				BudgetType:  btypes.BudgetTypeCost,
				TimeUnit:    btypes.TimeUnitMonthly,
				BudgetLimit: &btypes.Spend{Amount: aws.String(strconv.FormatFloat(req.Amount, 'f', 2, 64)), Unit: aws.String("USD")},
			}})
			e.Resource, e.Undo = req.Name, "budgets:DeleteBudget"
		case actionNotification:
			_, err = b.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: aws.String(req.Account), BudgetName: aws.String(req.Name),
				Notification: &btypes.Notification{NotificationType: btypes.NotificationType(s.NotificationType), ComparisonOperator: btypes.ComparisonOperatorGreaterThan,
					Threshold: s.Threshold, ThresholdType: btypes.ThresholdTypePercentage},
				Subscribers: subscriber})
			e.Resource = req.Name // removed with its budget
		case actionCreateMonitor:
			var out *costexplorer.CreateAnomalyMonitorOutput
			out, err = ce.CreateAnomalyMonitor(ctx, &costexplorer.CreateAnomalyMonitorInput{AnomalyMonitor: &cetypes.AnomalyMonitor{
				MonitorName: aws.String(MonitorName), MonitorType: cetypes.MonitorTypeDimensional, MonitorDimension: cetypes.MonitorDimensionService}})
			if err == nil {
				monitor = aws.ToString(out.MonitorArn)
				e.Resource, e.Undo = monitor, "ce:DeleteAnomalyMonitor"
			}
		case actionCreateSub:
			if monitor == "" {
				err = errors.New("no anomaly monitor to subscribe to")
				break
			}
			var out *costexplorer.CreateAnomalySubscriptionOutput
			out, err = ce.CreateAnomalySubscription(ctx, &costexplorer.CreateAnomalySubscriptionInput{AnomalySubscription: &cetypes.AnomalySubscription{
				SubscriptionName: aws.String(SubscriptionName),
				MonitorArnList:   []string{monitor},
				Subscribers:      []cetypes.Subscriber{{Type: cetypes.SubscriberTypeEmail, Address: aws.String(req.Email)}},
				Frequency:        cetypes.AnomalySubscriptionFrequencyDaily, // e-mail subscribers take DAILY or WEEKLY
				ThresholdExpression: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{
					Key:          cetypes.DimensionAnomalyTotalImpactAbsolute,
					MatchOptions: []cetypes.MatchOption{cetypes.MatchOptionGreaterThanOrEqual},
					Values:       []string{strconv.FormatFloat(req.AnomalyThreshold, 'f', -1, 64)},
				}},
			}})
			if err == nil {
				e.Resource, e.Undo = aws.ToString(out.SubscriptionArn), "ce:DeleteAnomalySubscription"
			}
		default:
			err = fmt.Errorf("unknown step action %s", s.Action)
		}
		if err != nil {
			e.Phase, e.Error = "failed", err.Error()
			_ = j.Write(e)
			return fmt.Errorf("step %d %s: %w", s.N, s.Action, err)
		}
		e.Phase = "after"
		if err := j.Write(e); err != nil {
			return err
		}
	}
	return nil
}

// UndoBudget removes, newest first, everything the journal says was made and not yet undone.
// Each removal is journaled in j. An object that is already gone counts as undone.
func UndoBudget(ctx context.Context, b BudgetsAPI, ce AnomalyAPI, entries []JournalEntry, j *Journal) (int, error) {
	undone := map[string]bool{}
	for _, e := range entries {
		if e.Phase == "undo-after" {
			undone[e.Resource] = true
		}
	}
	var todo []JournalEntry
	for _, e := range entries {
		if e.Phase == "after" && e.Undo != "" && !undone[e.Resource] {
			todo = append(todo, e)
		}
	}
	slices.Reverse(todo)
	n := 0
	for _, e := range todo {
		u := JournalEntry{Account: e.Account, Step: e.Step, Action: e.Undo, Resource: e.Resource, Phase: "undo-before"}
		if err := j.Write(u); err != nil {
			return n, err
		}
		var err error
		switch e.Undo {
		case "budgets:DeleteBudget":
			_, err = b.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: aws.String(e.Account), BudgetName: aws.String(e.Resource)})
		case "ce:DeleteAnomalyMonitor":
			_, err = ce.DeleteAnomalyMonitor(ctx, &costexplorer.DeleteAnomalyMonitorInput{MonitorArn: aws.String(e.Resource)})
		case "ce:DeleteAnomalySubscription":
			_, err = ce.DeleteAnomalySubscription(ctx, &costexplorer.DeleteAnomalySubscriptionInput{SubscriptionArn: aws.String(e.Resource)})
		default:
			err = fmt.Errorf("journal step %d: unknown undo action %q", e.Step, e.Undo)
		}
		if err != nil && !isGone(err) {
			u.Phase, u.Error = "undo-failed", err.Error()
			_ = j.Write(u)
			return n, fmt.Errorf("undo step %d (%s %s): %w", e.Step, e.Undo, e.Resource, err)
		}
		u.Phase = "undo-after"
		if err := j.Write(u); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func isGone(err error) bool {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NotFoundException", "UnknownMonitorException", "UnknownSubscriptionException", "ResourceNotFoundException":
			return true
		}
	}
	return false
}
