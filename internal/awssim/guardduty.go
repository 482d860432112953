package awssim

import (
	"slices"
	"strconv"
)

// GuardDuty detectors (REST-JSON).

func init() {
	route("guardduty", "GET", "/detector", "ListDetectors", "")
	route("guardduty", "POST", "/detector", "CreateDetector", "")
	route("guardduty", "GET", "/detector/{id}", "GetDetector", "")
	route("guardduty", "DELETE", "/detector/{id}", "DeleteDetector", "")
	register("guardduty", "ListDetectors", gdListDetectors)
	register("guardduty", "CreateDetector", gdCreateDetector)
	register("guardduty", "GetDetector", gdGetDetector)
	register("guardduty", "DeleteDetector", gdDeleteDetector)
}

func gdBadRequest(msg string) error { return errorf(400, "BadRequestException", "%s", msg) }

func gdListDetectors(c *Call) (any, error) {
	ids := []string{}
	if d := c.Account.posture().Detectors[c.Region]; d != nil {
		ids = append(ids, d.ID)
	}
	if c.HTTP != nil {
		if v := c.HTTP.URL.Query().Get("maxResults"); v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 50 {
				return nil, gdBadRequest("The request is rejected because the maxResults value is not valid.")
			}
		}
	}
	return map[string]any{"detectorIds": ids}, nil
}

func gdDetector(c *Call) (*Detector, error) {
	id := c.PathParam(1)
	d := c.Account.posture().Detectors[c.Region]
	if d == nil || d.ID != id {
		return nil, gdBadRequest("The request is rejected because the input detectorId is not owned by the current account.")
	}
	return d, nil
}

func gdGetDetector(c *Call) (any, error) {
	d, err := gdDetector(c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"createdAt": d.Created.UTC().Format("2006-01-02T15:04:05.000Z"), "updatedAt": d.Updated.UTC().Format("2006-01-02T15:04:05.000Z"),
		"findingPublishingFrequency": "SIX_HOURS", "serviceRole": "arn:aws:iam::" + c.Account.ID + ":role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
		"status": d.Status, "tags": map[string]string{}}, nil
}

func gdCreateDetector(c *Call) (any, error) {
	enable, ok := c.JSON["enable"].(bool)
	if !ok {
		return nil, gdBadRequest("The request is rejected because the enable parameter is required.")
	}
	ps := c.Account.posture()
	if ps.Detectors[c.Region] != nil {
		return nil, gdBadRequest("The request is rejected because a detector already exists for the current account.")
	}
	status := "DISABLED"
	if enable {
		status = "ENABLED"
	}
	d := &Detector{ID: c.srv.w.randHex(32), Status: status, Created: c.Now, Updated: c.Now}
	ps.Detectors[c.Region] = d
	c.TrailResponse = map[string]any{"detectorId": d.ID}
	c.created("guardduty-detector", d.ID)
	return map[string]any{"detectorId": d.ID}, nil
}

func gdDeleteDetector(c *Call) (any, error) {
	if _, err := gdDetector(c); err != nil {
		return nil, err
	}
	delete(c.Account.posture().Detectors, c.Region)
	return map[string]any{}, nil
}

// Config recorders (JSON 1.1).

func init() {
	register("config", "DescribeConfigurationRecorders", cfgDescribeRecorders)
	register("config", "DescribeConfigurationRecorderStatus", cfgDescribeRecorderStatus)
}

func cfgRecorders(c *Call) ([]*ConfigRecorder, error) {
	recs := c.Account.posture().Recorders[c.Region]
	names, _ := c.JSON["ConfigurationRecorderNames"].([]any)
	if len(names) == 0 {
		return recs, nil
	}
	var out []*ConfigRecorder
	for _, n := range names {
		i := slices.IndexFunc(recs, func(r *ConfigRecorder) bool { return r.Name == n })
		if i < 0 {
			return nil, errorf(400, "NoSuchConfigurationRecorderException", "Cannot find configuration recorder with the specified name '%v'.", n)
		}
		out = append(out, recs[i])
	}
	return out, nil
}

func cfgDescribeRecorders(c *Call) (any, error) {
	recs, err := cfgRecorders(c)
	if err != nil {
		return nil, err
	}
	list := []map[string]any{}
	for _, r := range recs {
		list = append(list, map[string]any{"name": r.Name, "roleARN": r.RoleARN, "arn": "arn:aws:config:" + c.Region + ":" + c.Account.ID + ":configuration-recorder/" + r.Name,
			"recordingGroup": map[string]any{"allSupported": r.AllSupported, "includeGlobalResourceTypes": r.AllSupported}})
	}
	return map[string]any{"ConfigurationRecorders": list}, nil
}

func cfgDescribeRecorderStatus(c *Call) (any, error) {
	recs, err := cfgRecorders(c)
	if err != nil {
		return nil, err
	}
	list := []map[string]any{}
	for _, r := range recs {
		st := map[string]any{"name": r.Name, "recording": r.Recording, "lastStatus": "SUCCESS", "lastStatusChangeTime": float64(c.Now.Add(-3600e9).Unix())}
		if !r.Started.IsZero() {
			st["lastStartTime"] = float64(r.Started.Unix())
		}
		list = append(list, st)
	}
	return map[string]any{"ConfigurationRecordersStatus": list}, nil
}
