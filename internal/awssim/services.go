package awssim

import (
	"net/http"
	"strings"
)

// services describes every AWS service the simulator speaks, keyed by SigV4 signing name.
// It is a package variable, so it is complete before any file's init registers operations.
var services = map[string]*Service{
	"sts":           {Name: "sts", EventSource: "sts.amazonaws.com", Protocol: ProtoQuery, XMLNS: "https://sts.amazonaws.com/doc/2011-06-15/"},
	"iam":           {Name: "iam", EventSource: "iam.amazonaws.com", Protocol: ProtoQuery, XMLNS: "https://iam.amazonaws.com/doc/2010-05-08/", Global: true},
	"ec2":           {Name: "ec2", EventSource: "ec2.amazonaws.com", Protocol: ProtoEC2, XMLNS: "http://ec2.amazonaws.com/doc/2016-11-15/"},
	"autoscaling":   {Name: "autoscaling", EventSource: "autoscaling.amazonaws.com", Protocol: ProtoQuery, XMLNS: "http://autoscaling.amazonaws.com/doc/2011-01-01/"},
	"monitoring":    {Name: "monitoring", EventSource: "monitoring.amazonaws.com", Protocol: ProtoQuery, XMLNS: "http://monitoring.amazonaws.com/doc/2010-08-01/"},
	"sns":           {Name: "sns", EventSource: "sns.amazonaws.com", Protocol: ProtoQuery, XMLNS: "http://sns.amazonaws.com/doc/2010-03-31/"},
	"cloudtrail":    {Name: "cloudtrail", EventSource: "cloudtrail.amazonaws.com", Protocol: ProtoJSON, JSONVersion: "1.1", TargetPrefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"},
	"logs":          {Name: "logs", EventSource: "logs.amazonaws.com", Protocol: ProtoJSON, JSONVersion: "1.1", TargetPrefix: "Logs_20140328"},
	"config":        {Name: "config", EventSource: "config.amazonaws.com", Protocol: ProtoJSON, JSONVersion: "1.1", TargetPrefix: "StarlingDoveService"},
	"ce":            {Name: "ce", EventSource: "ce.amazonaws.com", Protocol: ProtoJSON, JSONVersion: "1.1", TargetPrefix: "AWSInsightsIndexService", Global: true},
	"budgets":       {Name: "budgets", EventSource: "budgets.amazonaws.com", Protocol: ProtoJSON, JSONVersion: "1.1", TargetPrefix: "AWSBudgetServiceGateway", Global: true},
	"organizations": {Name: "organizations", EventSource: "organizations.amazonaws.com", Protocol: ProtoJSON, JSONVersion: "1.1", TargetPrefix: "AWSOrganizationsV20161128", Global: true},
	"s3":            {Name: "s3", EventSource: "s3.amazonaws.com", Protocol: ProtoRESTXML},
	"guardduty":     {Name: "guardduty", EventSource: "guardduty.amazonaws.com", Protocol: ProtoRESTJSON},
	"securityhub":   {Name: "securityhub", EventSource: "securityhub.amazonaws.com", Protocol: ProtoRESTJSON},
	"account":       {Name: "account", EventSource: "account.amazonaws.com", Protocol: ProtoRESTJSON, Global: true},
	"lambda":        {Name: "lambda", EventSource: "lambda.amazonaws.com", Protocol: ProtoRESTJSON},
}

// restRoutes maps "METHOD /path/pattern" to an action for REST services. A pattern segment
// in braces matches any one segment; a trailing "{+}" matches the rest of the path.
var restRoutes = map[string][]restRoute{}

type restRoute struct {
	method, pattern, action string
	query                   string // a query parameter that must be present (S3 sub-resources like "policyStatus")
}

// route adds a REST route for a service; its Route function is set up on first use.
func route(service, method, pattern, action, query string) {
	svc := services[service]
	restRoutes[service] = append(restRoutes[service], restRoute{method: method, pattern: pattern, action: action, query: query})
	svc.Route = func(r *http.Request) (string, bool) { return matchRoute(service, r) }
}

func matchRoute(service string, r *http.Request) (string, bool) {
	path := strings.Trim(r.URL.EscapedPath(), "/")
	var best string
	bestScore := -1
	for _, rt := range restRoutes[service] {
		if rt.method != r.Method {
			continue
		}
		if rt.query != "" && !r.URL.Query().Has(rt.query) {
			continue
		}
		if score, ok := matchPattern(strings.Trim(rt.pattern, "/"), path); ok {
			if rt.query != "" {
				score += 100
			}
			if score > bestScore {
				best, bestScore = rt.action, score
			}
		}
	}
	return best, bestScore >= 0
}

// matchPattern reports whether path fits pattern, scoring literal segments higher.
func matchPattern(pattern, path string) (int, bool) {
	ps := strings.Split(pattern, "/")
	xs := strings.Split(path, "/")
	if pattern == "" {
		return 0, path == ""
	}
	score := 0
	for i, p := range ps {
		if p == "{+}" {
			return score, i < len(xs) && xs[i] != ""
		}
		if i >= len(xs) {
			return 0, false
		}
		switch {
		case strings.HasPrefix(p, "{"):
			if xs[i] == "" {
				return 0, false
			}
		case p == xs[i]:
			score += 2
		default:
			return 0, false
		}
	}
	return score, len(ps) == len(xs)
}

// PathParam returns the n-th path segment of a REST request (0-based).
func (c *Call) PathParam(n int) string {
	segs := strings.Split(strings.Trim(c.HTTP.URL.Path, "/"), "/")
	if n < len(segs) {
		return segs[n]
	}
	return ""
}
