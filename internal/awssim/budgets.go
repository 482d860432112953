package awssim

import (
	"slices"
	"strconv"
	"time"
)

// AWS Budgets (JSON 1.1, X-Amz-Target AWSBudgetServiceGateway.*): cost budgets and their
// notifications. Timestamps are epoch seconds, as the JSON 1.1 protocol writes them.

func init() {
	register("budgets", "CreateBudget", budgetsCreateBudget)
	register("budgets", "DescribeBudgets", budgetsDescribeBudgets)
	register("budgets", "DeleteBudget", budgetsDeleteBudget)
	register("budgets", "CreateNotification", budgetsCreateNotification)
	register("budgets", "DescribeNotificationsForBudget", budgetsDescribeNotificationsForBudget)
}

type budgetSpend struct {
	Amount string `json:"Amount"`
	Unit   string `json:"Unit"`
}

type budgetNotification struct {
	NotificationType   string  `json:"NotificationType"`
	ComparisonOperator string  `json:"ComparisonOperator"`
	Threshold          float64 `json:"Threshold"`
	ThresholdType      string  `json:"ThresholdType,omitempty"`
	NotificationState  string  `json:"NotificationState,omitempty"`
}

type budgetSubscriber struct {
	SubscriptionType string `json:"SubscriptionType"`
	Address          string `json:"Address"`
}

type budgetTimePeriod struct {
	Start float64 `json:"Start"`
	End   float64 `json:"End"`
}

type budget struct {
	BudgetName      string            `json:"BudgetName"`
	BudgetLimit     *budgetSpend      `json:"BudgetLimit,omitempty"`
	BudgetType      string            `json:"BudgetType"`
	TimeUnit        string            `json:"TimeUnit"`
	TimePeriod      *budgetTimePeriod `json:"TimePeriod,omitempty"`
	CostFilters     any               `json:"CostFilters,omitempty"`
	CostTypes       any               `json:"CostTypes,omitempty"`
	LastUpdatedTime float64           `json:"LastUpdatedTime,omitempty"`
	CalculatedSpend *struct {
		ActualSpend     budgetSpend  `json:"ActualSpend"`
		ForecastedSpend *budgetSpend `json:"ForecastedSpend,omitempty"`
	} `json:"CalculatedSpend,omitempty"`

	notifications []budgetNotificationWithSubscribers
}

type budgetNotificationWithSubscribers struct {
	Notification budgetNotification `json:"Notification"`
	Subscribers  []budgetSubscriber `json:"Subscribers"`
}

func budgetsInvalid(format string, args ...any) error {
	return errorf(400, "InvalidParameterException", format, args...)
}

// budgetsAccount checks the AccountId parameter: it must be the caller's own account.
func budgetsAccount(c *Call, id string) error {
	if id == "" {
		return budgetsInvalid("AccountId is required")
	}
	if id != c.Account.ID {
		return errorf(400, "AccessDeniedException", "User: %s is not authorized to access budgets of account %s", c.Identity.ARN, id)
	}
	return nil
}

func (b *billing) budget(name string) (int, *budget) {
	i := slices.IndexFunc(b.budgets, func(x *budget) bool { return x.BudgetName == name })
	if i < 0 {
		return -1, nil
	}
	return i, b.budgets[i]
}

func validNotification(n budgetNotification, subs []budgetSubscriber) error {
	switch n.NotificationType {
	case "ACTUAL", "FORECASTED":
	default:
		return budgetsInvalid("NotificationType %q is not ACTUAL or FORECASTED", n.NotificationType)
	}
	switch n.ComparisonOperator {
	case "GREATER_THAN", "LESS_THAN", "EQUAL_TO":
	default:
		return budgetsInvalid("ComparisonOperator %q is not valid", n.ComparisonOperator)
	}
	if n.ThresholdType == "" || n.ThresholdType == "PERCENTAGE" {
		if n.Threshold <= 0 || n.Threshold > 1e9 {
			return budgetsInvalid("Threshold %v is not valid", n.Threshold)
		}
	} else if n.ThresholdType != "ABSOLUTE_VALUE" {
		return budgetsInvalid("ThresholdType %q is not valid", n.ThresholdType)
	}
	if len(subs) == 0 || len(subs) > 11 {
		return budgetsInvalid("a notification needs 1 to 11 subscribers")
	}
	for _, s := range subs {
		if (s.SubscriptionType != "EMAIL" && s.SubscriptionType != "SNS") || s.Address == "" {
			return budgetsInvalid("subscriber %q of type %q is not valid", s.Address, s.SubscriptionType)
		}
	}
	return nil
}

func budgetsCreateBudget(c *Call) (any, error) {
	var in struct {
		AccountId                    string                              `json:"AccountId"`
		Budget                       *budget                             `json:"Budget"`
		NotificationsWithSubscribers []budgetNotificationWithSubscribers `json:"NotificationsWithSubscribers"`
	}
	if err := decodeInput(c, &in); err != nil {
		return nil, err
	}
	if err := budgetsAccount(c, in.AccountId); err != nil {
		return nil, err
	}
	bd := in.Budget
	if bd == nil || bd.BudgetName == "" || bd.TimeUnit == "" || bd.BudgetType == "" {
		return nil, budgetsInvalid("Budget with BudgetName, TimeUnit and BudgetType is required")
	}
	if bd.BudgetType == "COST" || bd.BudgetType == "USAGE" {
		if bd.BudgetLimit == nil {
			return nil, budgetsInvalid("BudgetLimit is required for a %s budget", bd.BudgetType)
		}
		if v, err := strconv.ParseFloat(bd.BudgetLimit.Amount, 64); err != nil || v <= 0 {
			return nil, budgetsInvalid("BudgetLimit amount %q is not a positive number", bd.BudgetLimit.Amount)
		}
	}
	if len(in.NotificationsWithSubscribers) > 10 {
		return nil, budgetsInvalid("a budget takes at most 10 notifications")
	}
	for _, n := range in.NotificationsWithSubscribers {
		if err := validNotification(n.Notification, n.Subscribers); err != nil {
			return nil, err
		}
	}
	b := billingOf(c.Account)
	if _, old := b.budget(bd.BudgetName); old != nil {
		return nil, errorf(400, "DuplicateRecordException", "Error creating budget: %s - the budget already exists.", bd.BudgetName)
	}
	nb := *bd
	month := time.Date(c.Now.Year(), c.Now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if nb.TimePeriod == nil {
		nb.TimePeriod = &budgetTimePeriod{Start: float64(month.Unix()), End: float64(time.Date(2087, 6, 15, 0, 0, 0, 0, time.UTC).Unix())}
	}
	nb.LastUpdatedTime = float64(c.Now.Unix())
	nb.notifications = slices.Clone(in.NotificationsWithSubscribers)
	b.budgets = append(b.budgets, &nb)
	c.created("AWS::Budgets::Budget", nb.BudgetName)
	return struct{}{}, nil
}

func budgetsDescribeBudgets(c *Call) (any, error) {
	var in struct {
		AccountId  string `json:"AccountId"`
		MaxResults int    `json:"MaxResults"`
		NextToken  string `json:"NextToken"`
	}
	if err := decodeInput(c, &in); err != nil {
		return nil, err
	}
	if err := budgetsAccount(c, in.AccountId); err != nil {
		return nil, err
	}
	b := billingOf(c.Account)
	page, next, err := pageOf(b.budgets, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	// Actual spend this month from the scenario's series, as AWS fills CalculatedSpend.
	spent := 0.0
	if cs, err := costSeriesOf(c); err == nil {
		month := time.Date(c.Now.Year(), c.Now.Month(), 1, 0, 0, 0, 0, time.UTC)
		for i := range cs.days {
			if d := cs.start.AddDate(0, 0, i); !d.Before(month) {
				for _, p := range cs.byDay[i] {
					if p.line.RecordType == "Usage" {
						spent += p.cost
					}
				}
			}
		}
	}
	out := make([]budget, len(page))
	for i, bd := range page {
		out[i] = *bd
		if bd.BudgetType == "COST" {
			out[i].CalculatedSpend = &struct {
				ActualSpend     budgetSpend  `json:"ActualSpend"`
				ForecastedSpend *budgetSpend `json:"ForecastedSpend,omitempty"`
			}{ActualSpend: budgetSpend{Amount: strconv.FormatFloat(spent, 'f', 2, 64), Unit: "USD"}}
		}
	}
	return struct {
		Budgets   []budget `json:"Budgets"`
		NextToken string   `json:"NextToken,omitempty"`
	}{out, next}, nil
}

func budgetsDeleteBudget(c *Call) (any, error) {
	var in struct {
		AccountId  string `json:"AccountId"`
		BudgetName string `json:"BudgetName"`
	}
	if err := decodeInput(c, &in); err != nil {
		return nil, err
	}
	if err := budgetsAccount(c, in.AccountId); err != nil {
		return nil, err
	}
	b := billingOf(c.Account)
	i, bd := b.budget(in.BudgetName)
	if bd == nil {
		return nil, errorf(400, "NotFoundException", "Unable to delete budget: %s - the budget doesn't exist.", in.BudgetName)
	}
	b.budgets = slices.Delete(b.budgets, i, i+1)
	return struct{}{}, nil
}

func budgetsCreateNotification(c *Call) (any, error) {
	var in struct {
		AccountId    string             `json:"AccountId"`
		BudgetName   string             `json:"BudgetName"`
		Notification budgetNotification `json:"Notification"`
		Subscribers  []budgetSubscriber `json:"Subscribers"`
	}
	if err := decodeInput(c, &in); err != nil {
		return nil, err
	}
	if err := budgetsAccount(c, in.AccountId); err != nil {
		return nil, err
	}
	if err := validNotification(in.Notification, in.Subscribers); err != nil {
		return nil, err
	}
	_, bd := billingOf(c.Account).budget(in.BudgetName)
	if bd == nil {
		return nil, errorf(400, "NotFoundException", "Unable to create notification: the budget %s doesn't exist.", in.BudgetName)
	}
	n := in.Notification
	if n.ThresholdType == "" {
		n.ThresholdType = "PERCENTAGE"
	}
	for _, o := range bd.notifications {
		if o.Notification.NotificationType == n.NotificationType && o.Notification.ComparisonOperator == n.ComparisonOperator &&
			o.Notification.Threshold == n.Threshold && o.Notification.ThresholdType == n.ThresholdType {
			return nil, errorf(400, "DuplicateRecordException", "Error creating notification: the notification already exists.")
		}
	}
	if len(bd.notifications) >= 10 {
		return nil, budgetsInvalid("a budget takes at most 10 notifications")
	}
	bd.notifications = append(bd.notifications, budgetNotificationWithSubscribers{Notification: n, Subscribers: slices.Clone(in.Subscribers)})
	return struct{}{}, nil
}

func budgetsDescribeNotificationsForBudget(c *Call) (any, error) {
	var in struct {
		AccountId  string `json:"AccountId"`
		BudgetName string `json:"BudgetName"`
		MaxResults int    `json:"MaxResults"`
		NextToken  string `json:"NextToken"`
	}
	if err := decodeInput(c, &in); err != nil {
		return nil, err
	}
	if err := budgetsAccount(c, in.AccountId); err != nil {
		return nil, err
	}
	_, bd := billingOf(c.Account).budget(in.BudgetName)
	if bd == nil {
		return nil, errorf(400, "NotFoundException", "Unable to get notifications: the budget %s doesn't exist.", in.BudgetName)
	}
	ns := make([]budgetNotification, len(bd.notifications))
	for i, n := range bd.notifications {
		ns[i] = n.Notification
		if ns[i].NotificationState == "" {
			ns[i].NotificationState = "OK"
		}
	}
	page, next, err := pageOf(ns, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return struct {
		Notifications []budgetNotification `json:"Notifications"`
		NextToken     string               `json:"NextToken,omitempty"`
	}{page, next}, nil
}
