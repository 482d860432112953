package awssim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Cost Explorer (JSON 1.1, X-Amz-Target AWSInsightsIndexService.*): GetCostAndUsage served
// from the scenario's cost series, and Cost Anomaly Detection monitors and subscriptions.

func init() {
	register("ce", "GetCostAndUsage", ceGetCostAndUsage)
	register("ce", "GetAnomalyMonitors", ceGetAnomalyMonitors)
	register("ce", "CreateAnomalyMonitor", ceCreateAnomalyMonitor)
	register("ce", "DeleteAnomalyMonitor", ceDeleteAnomalyMonitor)
	register("ce", "GetAnomalySubscriptions", ceGetAnomalySubscriptions)
	register("ce", "CreateAnomalySubscription", ceCreateAnomalySubscription)
	register("ce", "DeleteAnomalySubscription", ceDeleteAnomalySubscription)
}

// ceGroupsPerPage bounds the groups in one GetCostAndUsage reply; AWS pages large answers
// the same way (whole days per page, NextPageToken to go on).
var ceGroupsPerPage = 100

// billing is the per-account state of Cost Explorer and Budgets. It lives beside the world
// (keyed by account) and, like the world, is only touched with the server's lock held.
type billing struct {
	monitors      []*anomalyMonitor
	subscriptions []*anomalySubscription
	budgets       []*budget
}

// billingOf returns the account's billing state, made on first use.
func billingOf(a *Account) *billing {
	if a.Billing == nil {
		a.Billing = &billing{}
	}
	return a.Billing
}

// decodeInput reads a JSON request into v.
func decodeInput(c *Call, v any) error {
	body := c.Body
	if len(body) == 0 {
		var err error
		if body, err = json.Marshal(c.JSON); err != nil {
			return err
		}
	}
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errorf(400, "SerializationException", "cannot read the request: %v", err)
	}
	return nil
}

func ceValidation(format string, args ...any) error {
	return errorf(400, "ValidationException", format, args...)
}

type ceDateInterval struct {
	Start string `json:"Start"`
	End   string `json:"End"`
}

type ceDimensionValues struct {
	Key          string   `json:"Key"`
	Values       []string `json:"Values"`
	MatchOptions []string `json:"MatchOptions,omitempty"`
}

type ceExpression struct {
	And        []ceExpression     `json:"And,omitempty"`
	Or         []ceExpression     `json:"Or,omitempty"`
	Not        *ceExpression      `json:"Not,omitempty"`
	Dimensions *ceDimensionValues `json:"Dimensions,omitempty"`
	Tags       any                `json:"Tags,omitempty"`
	CostCats   any                `json:"CostCategories,omitempty"`
}

// match evaluates a filter on one cost line.
func (e *ceExpression) match(l *CostLine) (bool, error) {
	switch {
	case e.Dimensions != nil:
		v, ok := l.dimension(e.Dimensions.Key)
		if !ok {
			return false, ceValidation("filter dimension %s is not simulated", e.Dimensions.Key)
		}
		return slices.Contains(e.Dimensions.Values, v), nil
	case e.Not != nil:
		m, err := e.Not.match(l)
		return !m, err
	case len(e.And) > 0:
		for i := range e.And {
			if m, err := e.And[i].match(l); err != nil || !m {
				return false, err
			}
		}
		return true, nil
	case len(e.Or) > 0:
		for i := range e.Or {
			if m, err := e.Or[i].match(l); err != nil || m {
				return m, err
			}
		}
		return false, nil
	case e.Tags != nil || e.CostCats != nil:
		return false, ceValidation("tag and cost category filters are not simulated")
	}
	return false, ceValidation("Expression must have exactly one of And, Or, Not, Dimensions, Tags, CostCategories")
}

type ceGroupDefinition struct {
	Type string `json:"Type"`
	Key  string `json:"Key"`
}

type ceMetricValue struct {
	Amount string `json:"Amount"`
	Unit   string `json:"Unit"`
}

type ceGroup struct {
	Keys    []string                 `json:"Keys"`
	Metrics map[string]ceMetricValue `json:"Metrics"`
}

type ceResultByTime struct {
	TimePeriod ceDateInterval           `json:"TimePeriod"`
	Total      map[string]ceMetricValue `json:"Total"`
	Groups     []ceGroup                `json:"Groups"`
	Estimated  bool                     `json:"Estimated"`
}

var ceMetrics = []string{"UnblendedCost", "BlendedCost", "AmortizedCost", "NetUnblendedCost", "NetAmortizedCost"}

func ceGetCostAndUsage(c *Call) (any, error) {
	var in struct {
		TimePeriod    *ceDateInterval     `json:"TimePeriod"`
		Granularity   string              `json:"Granularity"`
		Metrics       []string            `json:"Metrics"`
		GroupBy       []ceGroupDefinition `json:"GroupBy"`
		Filter        *ceExpression       `json:"Filter"`
		NextPageToken string              `json:"NextPageToken"`
	}
	if err := decodeInput(c, &in); err != nil {
		return nil, err
	}
	if in.TimePeriod == nil {
		return nil, ceValidation("1 validation error detected: Value null at 'timePeriod' failed to satisfy constraint: Member must not be null")
	}
	start, err1 := time.Parse("2006-01-02", in.TimePeriod.Start)
	end, err2 := time.Parse("2006-01-02", in.TimePeriod.End)
	if err1 != nil || err2 != nil {
		return nil, ceValidation("Start date %q or end date %q is not in the format yyyy-MM-dd", in.TimePeriod.Start, in.TimePeriod.End)
	}
	if !start.Before(end) {
		return nil, ceValidation("Start date (and hour) should be before end date (and hour)")
	}
	today := time.Date(c.Now.Year(), c.Now.Month(), c.Now.Day(), 0, 0, 0, 0, time.UTC)
	if start.Before(today.AddDate(0, -14, 0)) {
		return nil, errorf(400, "DataUnavailableException", "Data is not available. Please try to adjust the time period.")
	}
	if in.Granularity != "DAILY" && in.Granularity != "MONTHLY" {
		return nil, ceValidation("Granularity %q is not simulated (DAILY or MONTHLY)", in.Granularity)
	}
	if len(in.Metrics) == 0 {
		return nil, ceValidation("Metrics is required")
	}
	for _, m := range in.Metrics {
		if !slices.Contains(ceMetrics, m) {
			return nil, ceValidation("Invalid metric: %s", m)
		}
	}
	if len(in.GroupBy) > 2 {
		return nil, ceValidation("You can only group by up to two different groups")
	}
	for _, g := range in.GroupBy {
		if g.Type != "DIMENSION" {
			return nil, ceValidation("group by %s is not simulated (DIMENSION only)", g.Type)
		}
		if _, ok := (&CostLine{}).dimension(g.Key); !ok {
			return nil, ceValidation("group by dimension %s is not simulated", g.Key)
		}
	}
	series, err := costSeriesOf(c)
	if err != nil {
		return nil, err
	}
	// Periods: days, or calendar months clipped to the request.
	type period struct{ from, to time.Time }
	var periods []period
	for d := start; d.Before(end); {
		next := d.AddDate(0, 0, 1)
		if in.Granularity == "MONTHLY" {
			next = time.Date(d.Year(), d.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			if next.After(end) {
				next = end
			}
		}
		periods = append(periods, period{d, next})
		d = next
	}
	first := 0
	if in.NextPageToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextPageToken, "p"))
		if err != nil || n <= 0 || n >= len(periods) {
			return nil, errorf(400, "InvalidNextTokenException", "The pagination token is invalid.")
		}
		first = n
	}
	out := struct {
		GroupDefinitions         []ceGroupDefinition `json:"GroupDefinitions,omitempty"`
		ResultsByTime            []ceResultByTime    `json:"ResultsByTime"`
		DimensionValueAttributes []any               `json:"DimensionValueAttributes"`
		NextPageToken            string              `json:"NextPageToken,omitempty"`
	}{GroupDefinitions: in.GroupBy, DimensionValueAttributes: []any{}}
	groups := 0
	for pi := first; pi < len(periods); pi++ {
		p := periods[pi]
		r := ceResultByTime{TimePeriod: ceDateInterval{p.from.Format("2006-01-02"), p.to.Format("2006-01-02")}, Total: map[string]ceMetricValue{}, Groups: []ceGroup{}}
		sums := map[string]float64{}
		var order []string
		keysOf := map[string][]string{}
		total := 0.0
		for d := p.from; d.Before(p.to); d = d.AddDate(0, 0, 1) {
			i := int(d.Sub(series.start).Hours() / 24)
			if i >= series.days-series.estimated || !d.Before(today) {
				r.Estimated = true // the last days and today are not final
			}
			if i < 0 || i >= series.days {
				continue
			}
			for _, pt := range series.byDay[i] {
				if in.Filter != nil {
					m, err := in.Filter.match(pt.line)
					if err != nil {
						return nil, err
					}
					if !m {
						continue
					}
				}
				total += pt.cost
				if len(in.GroupBy) == 0 {
					continue
				}
				keys := make([]string, len(in.GroupBy))
				for gi, g := range in.GroupBy {
					keys[gi], _ = pt.line.dimension(g.Key)
				}
				id := strings.Join(keys, "\x00")
				if _, ok := sums[id]; !ok {
					order = append(order, id)
					keysOf[id] = keys
				}
				sums[id] += pt.cost
			}
		}
		slices.Sort(order)
		for _, id := range order {
			g := ceGroup{Keys: keysOf[id], Metrics: map[string]ceMetricValue{}}
			for _, m := range in.Metrics {
				g.Metrics[m] = ceMetricValue{Amount: ceAmount(sums[id]), Unit: series.currency}
			}
			r.Groups = append(r.Groups, g)
		}
		if len(in.GroupBy) == 0 {
			for _, m := range in.Metrics {
				r.Total[m] = ceMetricValue{Amount: ceAmount(total), Unit: series.currency}
			}
		}
		if groups > 0 && groups+len(r.Groups) > ceGroupsPerPage {
			out.NextPageToken = "p" + strconv.Itoa(pi)
			break
		}
		groups += len(r.Groups)
		out.ResultsByTime = append(out.ResultsByTime, r)
	}
	return out, nil
}

// ceAmount writes an amount the way Cost Explorer does: a decimal string with many digits.
func ceAmount(v float64) string { return strconv.FormatFloat(v, 'f', 10, 64) }

// costSeriesOf is the calling account's bill: the scenario's series for its account, none
// for any other.
func costSeriesOf(c *Call) (*costSeries, error) {
	sc := c.srv.scenario
	if sc == nil || c.Account == nil || c.Account.ID != sc.Account.ID {
		return &costSeries{currency: "USD"}, nil
	}
	cs, err := sc.Cost.generate(c.Now)
	if err != nil {
		return nil, errorf(500, "InternalFailure", "scenario %s: %v", sc.Name, err)
	}
	return cs, nil
}

// Anomaly monitors and subscriptions.

type anomalyMonitor struct {
	MonitorArn            string `json:"MonitorArn"`
	MonitorName           string `json:"MonitorName"`
	CreationDate          string `json:"CreationDate,omitempty"`
	LastUpdatedDate       string `json:"LastUpdatedDate,omitempty"`
	MonitorType           string `json:"MonitorType"`
	MonitorDimension      string `json:"MonitorDimension,omitempty"`
	MonitorSpecification  any    `json:"MonitorSpecification,omitempty"`
	DimensionalValueCount int    `json:"DimensionalValueCount"`
}

type anomalySubscriber struct {
	Address string `json:"Address"`
	Type    string `json:"Type"`
	Status  string `json:"Status,omitempty"`
}

type anomalySubscription struct {
	SubscriptionArn     string              `json:"SubscriptionArn"`
	AccountId           string              `json:"AccountId"`
	SubscriptionName    string              `json:"SubscriptionName"`
	MonitorArnList      []string            `json:"MonitorArnList"`
	Subscribers         []anomalySubscriber `json:"Subscribers"`
	Frequency           string              `json:"Frequency"`
	Threshold           *float64            `json:"Threshold,omitempty"`
	ThresholdExpression *ceExpression       `json:"ThresholdExpression,omitempty"`
}

func ceArn(c *Call, kind string) string {
	return fmt.Sprintf("arn:aws:ce::%s:%s/%s", c.Account.ID, kind, requestID(c.srv.rng))
}

func ceCreateAnomalyMonitor(c *Call) (any, error) {
	var in struct {
		AnomalyMonitor *anomalyMonitor `json:"AnomalyMonitor"`
	}
	if err := decodeInput(c, &in); err != nil {
		return nil, err
	}
	m := in.AnomalyMonitor
	if m == nil || m.MonitorName == "" || m.MonitorType == "" {
		return nil, ceValidation("AnomalyMonitor with MonitorName and MonitorType is required")
	}
	switch m.MonitorType {
	case "DIMENSIONAL":
		if m.MonitorDimension != "SERVICE" && m.MonitorDimension != "LINKED_ACCOUNT" && m.MonitorDimension != "COST_CATEGORY" && m.MonitorDimension != "TAG" {
			return nil, ceValidation("MonitorDimension %q is not valid for a DIMENSIONAL monitor", m.MonitorDimension)
		}
	case "CUSTOM":
		if m.MonitorSpecification == nil {
			return nil, ceValidation("a CUSTOM monitor needs a MonitorSpecification")
		}
	default:
		return nil, ceValidation("MonitorType %q is not valid", m.MonitorType)
	}
	b := billingOf(c.Account)
	for _, o := range b.monitors {
		if m.MonitorType == "DIMENSIONAL" && o.MonitorType == "DIMENSIONAL" && o.MonitorDimension == m.MonitorDimension {
			return nil, errorf(400, "LimitExceededException", "Limit exceeded on dimensional spend monitor creation")
		}
	}
	mon := *m
	mon.MonitorArn = ceArn(c, "anomalymonitor")
	mon.CreationDate = c.Now.Format("2006-01-02")
	mon.LastUpdatedDate = mon.CreationDate
	b.monitors = append(b.monitors, &mon)
	c.created("AWS::CE::AnomalyMonitor", mon.MonitorArn)
	return map[string]string{"MonitorArn": mon.MonitorArn}, nil
}

func ceGetAnomalyMonitors(c *Call) (any, error) {
	var in struct {
		MonitorArnList []string `json:"MonitorArnList"`
		NextPageToken  string   `json:"NextPageToken"`
		MaxResults     int      `json:"MaxResults"`
	}
	if err := decodeInput(c, &in); err != nil {
		return nil, err
	}
	b := billingOf(c.Account)
	var list []*anomalyMonitor
	for _, arn := range in.MonitorArnList {
		i := slices.IndexFunc(b.monitors, func(m *anomalyMonitor) bool { return m.MonitorArn == arn })
		if i < 0 {
			return nil, errorf(400, "UnknownMonitorException", "Monitor %s does not exist", arn)
		}
		list = append(list, b.monitors[i])
	}
	if len(in.MonitorArnList) == 0 {
		list = b.monitors
	}
	page, next, err := pageOf(list, in.NextPageToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return struct {
		AnomalyMonitors []*anomalyMonitor `json:"AnomalyMonitors"`
		NextPageToken   string            `json:"NextPageToken,omitempty"`
	}{page, next}, nil
}

func ceDeleteAnomalyMonitor(c *Call) (any, error) {
	arn := c.Str("MonitorArn")
	b := billingOf(c.Account)
	i := slices.IndexFunc(b.monitors, func(m *anomalyMonitor) bool { return m.MonitorArn == arn })
	if i < 0 {
		return nil, errorf(400, "UnknownMonitorException", "Monitor %s does not exist", arn)
	}
	b.monitors = slices.Delete(b.monitors, i, i+1)
	return struct{}{}, nil
}

func ceCreateAnomalySubscription(c *Call) (any, error) {
	var in struct {
		AnomalySubscription *anomalySubscription `json:"AnomalySubscription"`
	}
	if err := decodeInput(c, &in); err != nil {
		return nil, err
	}
	s := in.AnomalySubscription
	if s == nil || s.SubscriptionName == "" || len(s.MonitorArnList) == 0 || len(s.Subscribers) == 0 {
		return nil, ceValidation("AnomalySubscription with SubscriptionName, MonitorArnList and Subscribers is required")
	}
	if s.Threshold == nil && s.ThresholdExpression == nil {
		return nil, ceValidation("either Threshold or ThresholdExpression is required")
	}
	switch s.Frequency {
	case "DAILY", "WEEKLY":
	case "IMMEDIATE":
		for _, sub := range s.Subscribers {
			if sub.Type == "EMAIL" {
				return nil, ceValidation("IMMEDIATE frequency only supports SNS subscribers")
			}
		}
	default:
		return nil, ceValidation("Frequency %q is not valid (DAILY, IMMEDIATE or WEEKLY)", s.Frequency)
	}
	b := billingOf(c.Account)
	for _, arn := range s.MonitorArnList {
		if !slices.ContainsFunc(b.monitors, func(m *anomalyMonitor) bool { return m.MonitorArn == arn }) {
			return nil, errorf(400, "UnknownMonitorException", "Monitor %s does not exist", arn)
		}
	}
	sub := *s
	sub.SubscriptionArn = ceArn(c, "anomalysubscription")
	sub.AccountId = c.Account.ID
	for i := range sub.Subscribers {
		if sub.Subscribers[i].Status == "" {
			sub.Subscribers[i].Status = "CONFIRMED"
		}
	}
	b.subscriptions = append(b.subscriptions, &sub)
	c.created("AWS::CE::AnomalySubscription", sub.SubscriptionArn)
	return map[string]string{"SubscriptionArn": sub.SubscriptionArn}, nil
}

func ceGetAnomalySubscriptions(c *Call) (any, error) {
	var in struct {
		SubscriptionArnList []string `json:"SubscriptionArnList"`
		MonitorArn          string   `json:"MonitorArn"`
		NextPageToken       string   `json:"NextPageToken"`
		MaxResults          int      `json:"MaxResults"`
	}
	if err := decodeInput(c, &in); err != nil {
		return nil, err
	}
	b := billingOf(c.Account)
	var list []*anomalySubscription
	for _, s := range b.subscriptions {
		if in.MonitorArn != "" && !slices.Contains(s.MonitorArnList, in.MonitorArn) {
			continue
		}
		if len(in.SubscriptionArnList) > 0 && !slices.Contains(in.SubscriptionArnList, s.SubscriptionArn) {
			continue
		}
		list = append(list, s)
	}
	page, next, err := pageOf(list, in.NextPageToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return struct {
		AnomalySubscriptions []*anomalySubscription `json:"AnomalySubscriptions"`
		NextPageToken        string                 `json:"NextPageToken,omitempty"`
	}{page, next}, nil
}

func ceDeleteAnomalySubscription(c *Call) (any, error) {
	arn := c.Str("SubscriptionArn")
	b := billingOf(c.Account)
	i := slices.IndexFunc(b.subscriptions, func(s *anomalySubscription) bool { return s.SubscriptionArn == arn })
	if i < 0 {
		return nil, errorf(400, "UnknownSubscriptionException", "Subscription %s does not exist", arn)
	}
	b.subscriptions = slices.Delete(b.subscriptions, i, i+1)
	return struct{}{}, nil
}

// pageOf returns one page of list from an opaque token ("" for the first) and the next token.
func pageOf[T any](list []T, token string, max int) ([]T, string, error) {
	if max <= 0 || max > 100 {
		max = 100
	}
	from := 0
	if token != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(token, "t"))
		if err != nil || n < 0 || n > len(list) {
			return nil, "", errorf(400, "InvalidNextTokenException", "The pagination token is invalid.")
		}
		from = n
	}
	to := min(from+max, len(list))
	next := ""
	if to < len(list) {
		next = "t" + strconv.Itoa(to)
	}
	page := list[from:to]
	if page == nil {
		page = []T{}
	}
	return page, next, nil
}
