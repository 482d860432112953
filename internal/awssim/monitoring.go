package awssim

import (
	"encoding/xml"
	"slices"
	"strconv"
	"strings"
)

// CloudWatch metric alarms (query protocol, as SDK modules up to cloudwatch v1.52 speak it).

func init() {
	register("monitoring", "DescribeAlarms", cwDescribeAlarms)
	register("monitoring", "PutMetricAlarm", cwPutMetricAlarm)
	register("monitoring", "DeleteAlarms", cwDeleteAlarms)
}

type xmlMetricAlarm struct {
	AlarmName                          string   `xml:"AlarmName"`
	AlarmArn                           string   `xml:"AlarmArn"`
	AlarmActions                       []string `xml:"AlarmActions>member"`
	ActionsEnabled                     bool     `xml:"ActionsEnabled"`
	MetricName                         string   `xml:"MetricName"`
	Namespace                          string   `xml:"Namespace"`
	Statistic                          string   `xml:"Statistic"`
	Period                             int      `xml:"Period"`
	EvaluationPeriods                  int      `xml:"EvaluationPeriods"`
	Threshold                          float64  `xml:"Threshold"`
	ComparisonOperator                 string   `xml:"ComparisonOperator"`
	StateValue                         string   `xml:"StateValue"`
	AlarmConfigurationUpdatedTimestamp string   `xml:"AlarmConfigurationUpdatedTimestamp"`
}

type xmlDescribeAlarms struct {
	XMLName      xml.Name         `xml:"DescribeAlarmsResult"`
	MetricAlarms []xmlMetricAlarm `xml:"MetricAlarms>member"`
	NextToken    string           `xml:"NextToken,omitempty"`
}

func alarmARN(account, region, name string) string {
	return "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:" + name
}

func cwDescribeAlarms(c *Call) (any, error) {
	max, err := c.Int("MaxRecords", 50)
	if err != nil {
		return nil, err
	}
	if max < 1 || max > 100 {
		return nil, validationError("1 validation error detected: Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100", max)
	}
	names, prefix := c.List("AlarmNames"), c.Param("AlarmNamePrefix")
	if len(names) > 0 && prefix != "" {
		return nil, errorf(400, "InvalidParameterCombination", "AlarmNamePrefix and AlarmNames cannot be specified together.")
	}
	var all []*MetricAlarm
	for _, a := range c.Account.posture().Alarms {
		if a.Region != c.Region || (len(names) > 0 && !slices.Contains(names, a.Name)) || !strings.HasPrefix(a.Name, prefix) {
			continue
		}
		if st := c.Param("StateValue"); st != "" && a.State != st {
			continue
		}
		all = append(all, a)
	}
	slices.SortFunc(all, func(x, y *MetricAlarm) int { return strings.Compare(x.Name, y.Name) })
	start := 0
	if tok := c.Param("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || n > len(all) {
			return nil, errorf(400, "InvalidNextToken", "The service couldn't process the NextToken.")
		}
		start = n
	}
	out := xmlDescribeAlarms{MetricAlarms: []xmlMetricAlarm{}}
	end := min(start+max, len(all))
	for _, a := range all[start:end] {
		out.MetricAlarms = append(out.MetricAlarms, xmlMetricAlarm{AlarmName: a.Name, AlarmArn: alarmARN(c.Account.ID, a.Region, a.Name), AlarmActions: a.Actions,
			ActionsEnabled: a.ActionsEnabled, MetricName: a.Metric, Namespace: a.Namespace, Statistic: a.Statistic, Period: a.Period,
			EvaluationPeriods: a.EvaluationPeriods, Threshold: a.Threshold, ComparisonOperator: a.Comparison, StateValue: a.State,
			AlarmConfigurationUpdatedTimestamp: a.Updated.UTC().Format("2006-01-02T15:04:05.000Z")})
	}
	if end < len(all) {
		out.NextToken = strconv.Itoa(end)
	}
	return out, nil
}

var comparisons = []string{"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold",
	"LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"}

func cwPutMetricAlarm(c *Call) (any, error) {
	name := c.Param("AlarmName")
	if name == "" || len(name) > 255 {
		return nil, validationError("1 validation error detected: Value at 'alarmName' failed to satisfy constraint: Member must have length between 1 and 255")
	}
	cmp := c.Param("ComparisonOperator")
	if !slices.Contains(comparisons, cmp) {
		return nil, validationError("1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [%s]", cmp, strings.Join(comparisons, ", "))
	}
	evals, err := c.Int("EvaluationPeriods", 0)
	if err != nil {
		return nil, err
	}
	if evals < 1 {
		return nil, validationError("1 validation error detected: Value at 'evaluationPeriods' failed to satisfy constraint: Member must have value greater than or equal to 1")
	}
	period, err := c.Int("Period", 0)
	if err != nil {
		return nil, err
	}
	threshold, ferr := strconv.ParseFloat(c.Param("Threshold"), 64)
	if c.Param("Threshold") != "" && ferr != nil {
		return nil, validationError("Threshold: %q is not a number", c.Param("Threshold"))
	}
	if c.Param("MetricName") == "" || c.Param("Namespace") == "" {
		return nil, validationError("A metric alarm needs MetricName and Namespace (or Metrics).")
	}
	actions := c.List("AlarmActions")
	for _, a := range actions {
		if !strings.HasPrefix(a, "arn:aws:") {
			return nil, validationError("Invalid alarm action: %s", a)
		}
	}
	enabled := c.Param("ActionsEnabled") != "false"
	ps := c.Account.posture()
	al := &MetricAlarm{Region: c.Region, Name: name}
	if i := slices.IndexFunc(ps.Alarms, func(a *MetricAlarm) bool { return a.Region == c.Region && a.Name == name }); i >= 0 {
		al = ps.Alarms[i] // PutMetricAlarm replaces an alarm of the same name
	} else {
		ps.Alarms = append(ps.Alarms, al)
		al.State = "INSUFFICIENT_DATA"
		c.created("alarm", name)
	}
	al.Metric, al.Namespace, al.Statistic, al.Comparison = c.Param("MetricName"), c.Param("Namespace"), c.Param("Statistic"), cmp
	al.Period, al.EvaluationPeriods, al.Threshold, al.Actions, al.ActionsEnabled, al.Updated = period, evals, threshold, actions, enabled, c.Now
	return nil, nil
}

func cwDeleteAlarms(c *Call) (any, error) {
	names := c.List("AlarmNames")
	ps := c.Account.posture()
	for _, n := range names {
		if !slices.ContainsFunc(ps.Alarms, func(a *MetricAlarm) bool { return a.Region == c.Region && a.Name == n }) {
			return nil, errorf(404, "ResourceNotFound", "1 alarm(s) not found: %s", n)
		}
	}
	ps.Alarms = slices.DeleteFunc(ps.Alarms, func(a *MetricAlarm) bool { return a.Region == c.Region && slices.Contains(names, a.Name) })
	return nil, nil
}
