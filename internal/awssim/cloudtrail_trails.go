package awssim

import (
	"regexp"
	"slices"
)

// CloudTrail trail management (JSON 1.1). LookupEvents lives in cloudtrail.go.

func init() {
	register("cloudtrail", "DescribeTrails", ctDescribeTrails)
	register("cloudtrail", "GetTrailStatus", ctGetTrailStatus)
	register("cloudtrail", "GetEventSelectors", ctGetEventSelectors)
	register("cloudtrail", "CreateTrail", ctCreateTrail)
	register("cloudtrail", "StartLogging", ctStartLogging)
	register("cloudtrail", "StopLogging", ctStopLogging)
	register("cloudtrail", "PutEventSelectors", ctPutEventSelectors)
	register("cloudtrail", "DeleteTrail", ctDeleteTrail)
	register("cloudtrail", "UpdateTrail", ctUpdateTrail)
}

func trailJSON(account string, t *TrailState) map[string]any {
	m := map[string]any{
		"Name": t.Name, "S3BucketName": t.Bucket, "IncludeGlobalServiceEvents": t.IncludeGlobal, "IsMultiRegionTrail": t.MultiRegion,
		"HomeRegion": t.HomeRegion, "TrailARN": t.ARN(account), "LogFileValidationEnabled": t.Validation,
		"HasCustomEventSelectors": !t.Management || t.ReadWrite != "All", "HasInsightSelectors": false, "IsOrganizationTrail": false,
	}
	if t.KMSKeyID != "" {
		m["KmsKeyId"] = t.KMSKeyID
	}
	if t.LogGroupARN != "" {
		m["CloudWatchLogsLogGroupArn"] = t.LogGroupARN
		m["CloudWatchLogsRoleArn"] = t.LogRoleARN
	}
	return m
}

// ctDescribeTrails lists the trails of the region and, unless includeShadowTrails is false,
// the multi-region trails of other home regions, as AWS does.
func ctDescribeTrails(c *Call) (any, error) {
	ps := c.Account.posture()
	shadows := true
	if v, ok := c.JSON["includeShadowTrails"].(bool); ok {
		shadows = v
	}
	var names []string
	if l, ok := c.JSON["trailNameList"].([]any); ok {
		for _, n := range l {
			if s, ok := n.(string); ok {
				names = append(names, s)
			}
		}
	}
	list := []map[string]any{}
	for _, t := range ps.Trails {
		if t.HomeRegion != c.Region && !(shadows && t.MultiRegion) {
			continue
		}
		if len(names) > 0 && !slices.Contains(names, t.Name) && !slices.Contains(names, t.ARN(c.Account.ID)) {
			continue
		}
		list = append(list, trailJSON(c.Account.ID, t))
	}
	return map[string]any{"trailList": list}, nil
}

// trailFor finds the trail named in the request; a trail managed from another region is
// reachable by ARN only, as in AWS.
func trailFor(c *Call, field string) (*TrailState, error) {
	name := c.Str(field)
	if name == "" {
		return nil, errorf(400, "InvalidTrailNameException", "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
	}
	t := c.Account.posture().trailByName(c.Account.ID, name)
	if t == nil || (t.HomeRegion != c.Region && name == t.Name && !t.MultiRegion) {
		return nil, errorf(400, "TrailNotFoundException", "Unknown trail: %s for the user: %s", name, c.Account.ID)
	}
	return t, nil
}

func ctGetTrailStatus(c *Call) (any, error) {
	t, err := trailFor(c, "Name")
	if err != nil {
		return nil, err
	}
	out := map[string]any{"IsLogging": t.Logging}
	if !t.StartedAt.IsZero() {
		out["StartLoggingTime"] = float64(t.StartedAt.Unix())
		out["TimeLoggingStarted"] = t.StartedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	if !t.StoppedAt.IsZero() {
		out["StopLoggingTime"] = float64(t.StoppedAt.Unix())
		out["TimeLoggingStopped"] = t.StoppedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	if t.Logging {
		out["LatestDeliveryTime"] = float64(c.Now.Add(-5 * 60e9).Unix())
	}
	return out, nil
}

func ctGetEventSelectors(c *Call) (any, error) {
	t, err := trailFor(c, "TrailName")
	if err != nil {
		return nil, err
	}
	return map[string]any{"TrailARN": t.ARN(c.Account.ID), "EventSelectors": []map[string]any{{
		"ReadWriteType": t.ReadWrite, "IncludeManagementEvents": t.Management, "DataResources": []any{}, "ExcludeManagementEventSources": []any{},
	}}}, nil
}

var trailNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$`)

func ctCreateTrail(c *Call) (any, error) {
	ps := c.Account.posture()
	name, bucket := c.Str("Name"), c.Str("S3BucketName")
	if !trailNameRE.MatchString(name) {
		return nil, errorf(400, "InvalidTrailNameException", "Trail name %q is not valid: use 3-128 letters, numbers, periods, hyphens and underscores, starting with a letter or number.", name)
	}
	if bucket == "" {
		return nil, errorf(400, "InvalidS3BucketNameException", "Bucket name must not be empty.")
	}
	if ps.trailByName(c.Account.ID, name) != nil {
		return nil, errorf(400, "TrailAlreadyExistsException", "Trail %s already exists for customer: %s", name, c.Account.ID)
	}
	b := func(k string) bool { v, _ := c.JSON[k].(bool); return v }
	t := &TrailState{Name: name, HomeRegion: c.Region, Bucket: bucket, KMSKeyID: c.Str("KmsKeyId"), MultiRegion: b("IsMultiRegionTrail"),
		Validation: b("EnableLogFileValidation"), IncludeGlobal: true, Management: true, ReadWrite: "All", Created: c.Now}
	if v, ok := c.JSON["IncludeGlobalServiceEvents"].(bool); ok {
		t.IncludeGlobal = v
	}
	if t.MultiRegion && !t.IncludeGlobal {
		return nil, errorf(400, "InvalidParameterCombinationException", "Multi-Region trail must include global service events.")
	}
	lg, role := c.Str("CloudWatchLogsLogGroupArn"), c.Str("CloudWatchLogsRoleArn")
	if (lg == "") != (role == "") {
		return nil, errorf(400, "InvalidCloudWatchLogsLogGroupArnException", "You must specify a log group and a role ARN together.")
	}
	if lg != "" {
		region, group, ok := splitLogGroupARN(lg)
		if !ok || ps.logGroup(region, group) == nil {
			return nil, errorf(400, "InvalidCloudWatchLogsLogGroupArnException", "Access denied. Verify in IAM that the role has adequate permissions, and that log group %s exists.", lg)
		}
		t.LogGroupARN, t.LogRoleARN = lg, role
	}
	ps.Trails = append(ps.Trails, t)
	out := trailJSON(c.Account.ID, t)
	c.TrailResponse = map[string]any{"name": t.Name, "s3BucketName": t.Bucket, "isMultiRegionTrail": t.MultiRegion, "trailARN": t.ARN(c.Account.ID),
		"logFileValidationEnabled": t.Validation, "includeGlobalServiceEvents": t.IncludeGlobal, "isOrganizationTrail": false}
	c.created("trail", t.ARN(c.Account.ID))
	return out, nil
}

func splitLogGroupARN(arn string) (region, name string, ok bool) {
	m := regexp.MustCompile(`^arn:aws:logs:([a-z0-9-]+):\d{12}:log-group:([^:]+)(:\*)?$`).FindStringSubmatch(arn)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// homeTrail is trailFor for the changes AWS allows only from the trail's home region.
func homeTrail(c *Call, field string) (*TrailState, error) {
	t, err := trailFor(c, field)
	if err != nil {
		return nil, err
	}
	if t.HomeRegion != c.Region {
		return nil, errorf(400, "InvalidHomeRegionException", "This operation must be called from the trail's home region (%s).", t.HomeRegion)
	}
	return t, nil
}

func ctStartLogging(c *Call) (any, error) {
	t, err := homeTrail(c, "Name")
	if err != nil {
		return nil, err
	}
	if !t.Logging {
		t.Logging, t.StartedAt = true, c.Now
	}
	return map[string]any{}, nil
}

func ctStopLogging(c *Call) (any, error) {
	t, err := homeTrail(c, "Name")
	if err != nil {
		return nil, err
	}
	if t.Logging {
		t.Logging, t.StoppedAt = false, c.Now
	}
	return map[string]any{}, nil
}

func ctPutEventSelectors(c *Call) (any, error) {
	t, err := homeTrail(c, "TrailName")
	if err != nil {
		return nil, err
	}
	sels, _ := c.JSON["EventSelectors"].([]any)
	if len(sels) == 0 || len(sels) > 5 {
		return nil, errorf(400, "InvalidEventSelectorsException", "You must specify between 1 and 5 event selectors.")
	}
	mgmt, rw := false, ""
	for _, s := range sels {
		m, _ := s.(map[string]any)
		inc := true
		if v, ok := m["IncludeManagementEvents"].(bool); ok {
			inc = v
		}
		kind, _ := m["ReadWriteType"].(string)
		if kind == "" {
			kind = "All"
		}
		if !slices.Contains([]string{"All", "ReadOnly", "WriteOnly"}, kind) {
			return nil, errorf(400, "InvalidEventSelectorsException", "ReadWriteType %q is not valid.", kind)
		}
		if inc {
			mgmt = true
			if rw == "" || rw == kind {
				rw = kind
			} else {
				rw = "All"
			}
		}
	}
	if rw == "" {
		rw = "All"
	}
	t.Management, t.ReadWrite = mgmt, rw
	sel, _ := ctGetEventSelectors(c)
	return sel, nil
}

func ctDeleteTrail(c *Call) (any, error) {
	t, err := homeTrail(c, "Name")
	if err != nil {
		return nil, err
	}
	ps := c.Account.posture()
	ps.Trails = slices.DeleteFunc(ps.Trails, func(x *TrailState) bool { return x == t })
	return map[string]any{}, nil
}

// ctUpdateTrail changes a trail's CloudWatch Logs delivery, validation, encryption or scope.
func ctUpdateTrail(c *Call) (any, error) {
	t, err := homeTrail(c, "Name")
	if err != nil {
		return nil, err
	}
	ps := c.Account.posture()
	if v, ok := c.JSON["CloudWatchLogsLogGroupArn"].(string); ok {
		role, _ := c.JSON["CloudWatchLogsRoleArn"].(string)
		switch {
		case v == "":
			t.LogGroupARN, t.LogRoleARN = "", ""
		case role == "":
			return nil, errorf(400, "InvalidCloudWatchLogsRoleArnException", "You must specify a role ARN with the log group.")
		default:
			region, group, ok := splitLogGroupARN(v)
			if !ok || ps.logGroup(region, group) == nil {
				return nil, errorf(400, "InvalidCloudWatchLogsLogGroupArnException", "Access denied. Verify in IAM that the role has adequate permissions, and that log group %s exists.", v)
			}
			t.LogGroupARN, t.LogRoleARN = v, role
		}
	}
	if v, ok := c.JSON["EnableLogFileValidation"].(bool); ok {
		t.Validation = v
	}
	if v, ok := c.JSON["IsMultiRegionTrail"].(bool); ok {
		t.MultiRegion = v
	}
	if v, ok := c.JSON["KmsKeyId"].(string); ok {
		t.KMSKeyID = v
	}
	if v, ok := c.JSON["S3BucketName"].(string); ok && v != "" {
		t.Bucket = v
	}
	return trailJSON(c.Account.ID, t), nil
}
