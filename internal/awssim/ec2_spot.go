package awssim

// EC2 spot requests: DescribeSpotInstanceRequests, RequestSpotInstances,
// CancelSpotInstanceRequests.

// spotStatus is the status code EC2 gives a spot request in its state.
func spotStatus(r *Region, sr *SpotRequest) (code, msg string) {
	switch sr.State {
	case "active":
		return "fulfilled", "Your spot request is fulfilled."
	case "open":
		return "pending-fulfillment", "Your spot request is pending fulfillment."
	case "cancelled":
		if sr.InstanceID != "" { // the code stays once set, whatever becomes of the instance
			return "request-canceled-and-instance-running", "Spot request canceled, but instance remains."
		}
		return "canceled-before-fulfillment", "Your spot request was canceled before it was fulfilled."
	case "closed":
		return "instance-terminated-by-user", "Spot Instance terminated due to user-initiated termination."
	}
	return sr.State, ""
}

func spotXML(c *Call, r *Region, sr *SpotRequest) ec2SpotRequest {
	code, msg := spotStatus(r, sr)
	x := ec2SpotRequest{ID: sr.ID, SpotPrice: sr.SpotPrice, Type: sr.Type, State: sr.State,
		Status:  ec2SpotStatus{Code: code, Message: msg, Updated: ec2Time(sr.Created)},
		Spec:    ec2SpotLaunchSpec{ImageID: sr.ImageID, KeyName: sr.KeyName, Type: sr.InstanceType, Placement: xmlPlacement{AZ: r.Name + "a", Tenancy: "default"}},
		Created: ec2Time(sr.Created), Product: "Linux/UNIX", Interrupt: "terminate", InstanceID: sr.InstanceID}
	for _, g := range sr.SecurityGroupIDs {
		x.Spec.Groups.Items = append(x.Spec.Groups.Items, xmlGroupID{ID: g, Name: c.sgName(r, g)})
	}
	if sr.InstanceID != "" {
		x.LaunchedAZ = r.Name + "a"
	}
	return x
}

func findSpot(r *Region, id string) *SpotRequest {
	for _, sr := range r.SpotRequests {
		if sr.ID == id {
			return sr
		}
	}
	return nil
}

func ec2DescribeSpotInstanceRequests(c *Call, r *Region) (any, error) {
	reqs := r.SpotRequests
	if ids := c.List("SpotInstanceRequestId"); len(ids) > 0 {
		var err error
		reqs, err = ec2Pick(reqs, ids, func(s *SpotRequest) string { return s.ID }, "sir", "spot instance request ID", "InvalidSpotInstanceRequestID.NotFound", "InvalidSpotInstanceRequestID.Malformed")
		if err != nil {
			return nil, err
		}
	}
	reqs, err := ec2FilterAll(c, reqs, func(sr *SpotRequest) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "state":
				return []string{sr.State}, true
			case "spot-instance-request-id":
				return []string{sr.ID}, true
			case "instance-id":
				return []string{sr.InstanceID}, true
			case "type":
				return []string{sr.Type}, true
			case "status-code":
				code, _ := spotStatus(r, sr)
				return []string{code}, true
			case "launch.instance-type":
				return []string{sr.InstanceType}, true
			case "launch.image-id":
				return []string{sr.ImageID}, true
			case "launch.key-name":
				return []string{sr.KeyName}, true
			case "launch.group-id":
				return sr.SecurityGroupIDs, true
			case "spot-price":
				return []string{sr.SpotPrice}, true
			}
			return ec2TagAttrs(nil, name)
		}
	})
	if err != nil {
		return nil, err
	}
	page, next, err := ec2Page(c, reqs, 5, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]ec2SpotRequest, len(page))
	for i, sr := range page {
		out[i] = spotXML(c, r, sr)
	}
	return ec2SpotRequests{Requests: ec2Items(out), NextToken: next}, nil
}

// ---- spot requests (mutations) ----

func ec2RequestSpotInstances(c *Call, r *Region) (any, error) {
	n, err := c.Int("InstanceCount", 1)
	if err != nil || n < 1 {
		return nil, errorf(400, "InvalidParameterValue", "Value (%s) for parameter instanceCount is invalid. Expected a positive integer.", c.Param("InstanceCount"))
	}
	typ := c.Param("Type")
	switch typ {
	case "":
		typ = "one-time"
	case "one-time", "persistent":
	default:
		return nil, errorf(400, "InvalidParameterValue", "Value (%s) for parameter type is invalid.", typ)
	}
	const ls = "LaunchSpecification."
	s := launchSpec{ImageID: c.Param(ls + "ImageId"), Type: c.Param(ls + "InstanceType"), KeyName: c.Param(ls + "KeyName"),
		Monitoring: boolParam(c, ls+"Monitoring.Enabled"), Spot: true, SpotPrice: c.Param("SpotPrice"), SpotType: typ, SubnetID: c.Param(ls + "SubnetId")}
	if names, ids := c.List(ls+"SecurityGroup"), c.List(ls+"SecurityGroupId"); len(names)+len(ids) > 0 {
		if s.SGIDs, err = resolveGroups(r, names, ids); err != nil {
			return nil, err
		}
	}
	if s.Tags, err = tagSpecs(c.Params, "TagSpecification", "spot-instances-request"); err != nil {
		return nil, err
	}
	if err := checkSpec(r, &s); err != nil {
		return nil, err
	}
	s.Tags = nil // tags name the request; the simulator does not keep request tags
	if err := instanceLimit(c, r, n); err != nil {
		return nil, errorf(400, "MaxSpotInstanceCountExceeded", "Max spot instance count exceeded")
	}
	insts := launch(c, r, s, n)

	var out ec2SpotRequests
	var trailItems []map[string]any
	for _, in := range insts {
		sr := findSpot(r, in.SpotRequestID)
		x := spotXML(c, r, sr)
		// EC2 answers before the request is evaluated; Describe shows it fulfilled.
		x.State, x.InstanceID, x.LaunchedAZ = "open", "", ""
		x.Status = ec2SpotStatus{Code: "pending-evaluation", Message: "Your Spot request has been submitted for review, and is pending evaluation.", Updated: ec2Time(c.Now)}
		out.Requests.Items = append(out.Requests.Items, x)
		trailItems = append(trailItems, map[string]any{"spotInstanceRequestId": sr.ID, "spotPrice": sr.SpotPrice, "type": sr.Type, "state": "open",
			"status": map[string]any{"code": "pending-evaluation", "updateTime": c.Now.UnixMilli()}, "createTime": c.Now.UnixMilli(),
			"launchSpecification": map[string]any{"imageId": s.ImageID, "keyName": s.KeyName, "instanceType": s.Type, "groupSet": map[string]any{"items": trailGroups(c, r, s.SGIDs)}},
			"productDescription":  "Linux/UNIX", "instanceInterruptionBehavior": "terminate"})
	}
	spec := map[string]any{"imageId": s.ImageID, "instanceType": s.Type, "monitoring": map[string]bool{"enabled": s.Monitoring}}
	if s.KeyName != "" {
		spec["keyName"] = s.KeyName
	}
	if names, ids := c.List(ls+"SecurityGroup"), c.List(ls+"SecurityGroupId"); len(names)+len(ids) > 0 {
		spec["groupSet"] = map[string]any{"items": trailGroups(c, r, s.SGIDs)}
	}
	req := map[string]any{"instanceCount": n, "type": typ, "launchSpecification": spec}
	if s.SpotPrice != "" {
		req["spotPrice"] = s.SpotPrice
	}
	c.TrailRequest = req
	c.TrailResponse = map[string]any{"spotInstanceRequestSet": map[string]any{"items": trailItems}}
	return out, nil
}

func ec2CancelSpotInstanceRequests(c *Call, r *Region) (any, error) {
	ids := c.List("SpotInstanceRequestId")
	if len(ids) == 0 {
		return nil, missingParam("SpotInstanceRequestId")
	}
	reqs, err := ec2Pick(r.SpotRequests, ids, func(s *SpotRequest) string { return s.ID }, "sir", "spot instance request ID", "InvalidSpotInstanceRequestID.NotFound", "InvalidSpotInstanceRequestID.Malformed")
	if err != nil {
		return nil, err
	}
	var out ec2CancelSpotOut
	var reqItems, trailItems []map[string]string
	for _, sr := range reqs {
		if sr.State == "open" || sr.State == "active" {
			sr.State = "cancelled" // its instance keeps running, as in AWS
		}
		out.Requests.Items = append(out.Requests.Items, ec2CancelledSpot{ID: sr.ID, State: sr.State})
		reqItems = append(reqItems, map[string]string{"spotInstanceRequestId": sr.ID})
		trailItems = append(trailItems, map[string]string{"spotInstanceRequestId": sr.ID, "state": sr.State})
	}
	c.TrailRequest = map[string]any{"spotInstanceRequestIdSet": map[string]any{"items": reqItems}}
	c.TrailResponse = map[string]any{"spotInstanceRequestSet": map[string]any{"items": trailItems}}
	return out, nil
}
