package awssim

import (
	"slices"
	"strconv"
	"strings"
)

// CloudWatch Logs log groups and metric filters (JSON 1.1).

func init() {
	register("logs", "DescribeMetricFilters", logsDescribeMetricFilters)
	register("logs", "PutMetricFilter", logsPutMetricFilter)
	register("logs", "DeleteMetricFilter", logsDeleteMetricFilter)
	register("logs", "CreateLogGroup", logsCreateLogGroup)
	register("logs", "DeleteLogGroup", logsDeleteLogGroup)
}

func logsNotFound() error {
	return errorf(400, "ResourceNotFoundException", "The specified log group does not exist.")
}

func logsDescribeMetricFilters(c *Call) (any, error) {
	ps := c.Account.posture()
	group, prefix := c.Str("logGroupName"), c.Str("filterNamePrefix")
	if prefix != "" && group == "" {
		return nil, errorf(400, "InvalidParameterException", "If you specify filterNamePrefix you must also specify logGroupName.")
	}
	if group != "" && ps.logGroup(c.Region, group) == nil {
		return nil, logsNotFound()
	}
	limit := 50
	if v, ok := c.JSON["limit"].(float64); ok {
		limit = int(v)
		if limit < 1 || limit > 50 {
			return nil, errorf(400, "InvalidParameterException", "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 50", limit)
		}
	}
	var all []*MetricFilter
	for _, f := range ps.MetricFilters {
		if f.Region != c.Region || (group != "" && f.LogGroup != group) || !strings.HasPrefix(f.Name, prefix) {
			continue
		}
		if m := c.Str("metricName"); m != "" && f.Metric != m {
			continue
		}
		if ns := c.Str("metricNamespace"); ns != "" && f.Namespace != ns {
			continue
		}
		all = append(all, f)
	}
	slices.SortFunc(all, func(x, y *MetricFilter) int { return strings.Compare(x.LogGroup+"/"+x.Name, y.LogGroup+"/"+y.Name) })
	start := 0
	if tok := c.Str("nextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || n > len(all) {
			return nil, errorf(400, "InvalidParameterException", "The specified nextToken is not valid.")
		}
		start = n
	}
	end := min(start+limit, len(all))
	list := []map[string]any{}
	for _, f := range all[start:end] {
		list = append(list, map[string]any{"filterName": f.Name, "filterPattern": f.Pattern, "logGroupName": f.LogGroup,
			"creationTime":          f.Created.UnixMilli(),
			"metricTransformations": []map[string]any{{"metricName": f.Metric, "metricNamespace": f.Namespace, "metricValue": f.Value}}})
	}
	out := map[string]any{"metricFilters": list}
	if end < len(all) {
		out["nextToken"] = strconv.Itoa(end)
	}
	return out, nil
}

func logsPutMetricFilter(c *Call) (any, error) {
	ps := c.Account.posture()
	group, name, pattern := c.Str("logGroupName"), c.Str("filterName"), c.Str("filterPattern")
	if name == "" || len(name) > 512 {
		return nil, errorf(400, "InvalidParameterException", "1 validation error detected: Value at 'filterName' failed to satisfy constraint: Member must have length between 1 and 512")
	}
	if ps.logGroup(c.Region, group) == nil {
		return nil, logsNotFound()
	}
	mts, _ := c.JSON["metricTransformations"].([]any)
	if len(mts) != 1 {
		return nil, errorf(400, "InvalidParameterException", "1 validation error detected: Value at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1")
	}
	mt, _ := mts[0].(map[string]any)
	metric, _ := mt["metricName"].(string)
	ns, _ := mt["metricNamespace"].(string)
	value, _ := mt["metricValue"].(string)
	if metric == "" || ns == "" || value == "" {
		return nil, errorf(400, "InvalidParameterException", "metricTransformations needs metricName, metricNamespace and metricValue.")
	}
	if strings.Count(pattern, "{") != strings.Count(pattern, "}") {
		return nil, errorf(400, "InvalidParameterException", "Invalid metric filter pattern")
	}
	i := slices.IndexFunc(ps.MetricFilters, func(f *MetricFilter) bool { return f.Region == c.Region && f.LogGroup == group && f.Name == name })
	f := &MetricFilter{Region: c.Region, LogGroup: group, Name: name, Created: c.Now}
	if i >= 0 {
		f = ps.MetricFilters[i]
	} else {
		ps.MetricFilters = append(ps.MetricFilters, f)
		c.created("metric-filter", group+"/"+name)
	}
	f.Pattern, f.Metric, f.Namespace, f.Value = pattern, metric, ns, value
	return map[string]any{}, nil
}

func logsDeleteMetricFilter(c *Call) (any, error) {
	ps := c.Account.posture()
	group, name := c.Str("logGroupName"), c.Str("filterName")
	if ps.logGroup(c.Region, group) == nil {
		return nil, logsNotFound()
	}
	n := len(ps.MetricFilters)
	ps.MetricFilters = slices.DeleteFunc(ps.MetricFilters, func(f *MetricFilter) bool { return f.Region == c.Region && f.LogGroup == group && f.Name == name })
	if len(ps.MetricFilters) == n {
		return nil, errorf(400, "ResourceNotFoundException", "The specified metric filter does not exist.")
	}
	return map[string]any{}, nil
}

func logsCreateLogGroup(c *Call) (any, error) {
	ps := c.Account.posture()
	name := c.Str("logGroupName")
	if name == "" || len(name) > 512 {
		return nil, errorf(400, "InvalidParameterException", "1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: Member must have length between 1 and 512")
	}
	if ps.logGroup(c.Region, name) != nil {
		return nil, errorf(400, "ResourceAlreadyExistsException", "The specified log group already exists")
	}
	ps.LogGroups = append(ps.LogGroups, &LogGroup{Region: c.Region, Name: name, Created: c.Now})
	c.created("log-group", name)
	return map[string]any{}, nil
}

func logsDeleteLogGroup(c *Call) (any, error) {
	ps := c.Account.posture()
	name := c.Str("logGroupName")
	if ps.logGroup(c.Region, name) == nil {
		return nil, logsNotFound()
	}
	ps.LogGroups = slices.DeleteFunc(ps.LogGroups, func(g *LogGroup) bool { return g.Region == c.Region && g.Name == name })
	ps.MetricFilters = slices.DeleteFunc(ps.MetricFilters, func(f *MetricFilter) bool { return f.Region == c.Region && f.LogGroup == name })
	return map[string]any{}, nil
}
