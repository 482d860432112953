package awssim

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// EC2 instances: DescribeInstances, DescribeInstanceAttribute, RunInstances,
// TerminateInstances, ModifyInstanceAttribute, and the launch machinery that spot requests and
// Auto Scaling groups share.

var instanceStateCodes = map[string]int{"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}

// visibleInstances are the region's instances a Describe shows: terminated ones only for
// an hour after they ended. Older ones are forgotten for good, as AWS does.
func visibleInstances(c *Call, r *Region) []*Instance {
	r.Instances = slices.DeleteFunc(r.Instances, func(in *Instance) bool {
		return in.State == "terminated" && !in.TerminatedAt.IsZero() && c.Now.Sub(in.TerminatedAt) > terminatedVisible
	})
	return r.Instances
}

func (c *Call) sgName(r *Region, id string) string {
	for _, sg := range r.SecurityGroups {
		if sg.ID == id {
			return sg.Name
		}
	}
	return ""
}

func instanceXML(c *Call, r *Region, in *Instance) xmlInstance {
	x := xmlInstance{
		ID: in.ID, ImageID: in.ImageID, State: xmlState{Code: instanceStateCodes[in.State], Name: in.State},
		KeyName: in.KeyName, Type: in.Type, LaunchTime: ec2Time(in.LaunchTime),
		Placement:  xmlPlacement{AZ: in.AvailabilityZone, Tenancy: "default"},
		Monitoring: xmlMonitoring{State: "disabled"},
		SubnetID:   in.SubnetID, VPCID: in.VPCID, PrivateIP: in.PrivateIP, PublicIP: in.PublicIP,
		Architecture: "x86_64", RootDeviceType: "ebs", RootDeviceName: "/dev/xvda", VirtualizationType: "hvm", Hypervisor: "xen",
		SpotRequestID: in.SpotRequestID, Tags: xmlTags(in.Tags),
	}
	if in.Monitoring {
		x.Monitoring.State = "enabled"
	}
	if in.PrivateIP != "" {
		x.PrivateDNS = privateDNS(r.Name, in.PrivateIP)
	}
	if in.SpotRequestID != "" {
		x.Lifecycle = "spot"
	}
	if in.IAMInstanceProfile != "" {
		x.Profile = &xmlProfile{ARN: in.IAMInstanceProfile, ID: "AIPA" + strings.ToUpper(shortHash(in.IAMInstanceProfile))}
	}
	if in.State == "terminated" {
		x.PrivateDNS, x.PrivateIP, x.PublicIP, x.SubnetID, x.VPCID = "", "", "", "", ""
		x.Reason = "User initiated (" + in.TerminatedAt.UTC().Format("2006-01-02 15:04:05 MST") + ")"
		x.StateReason = &xmlStateReason{Code: "Client.UserInitiatedShutdown", Message: "Client.UserInitiatedShutdown: User initiated shutdown"}
	}
	for _, g := range in.SecurityGroupIDs {
		if in.State != "terminated" {
			x.Groups.Items = append(x.Groups.Items, xmlGroupID{ID: g, Name: c.sgName(r, g)})
		}
	}
	return x
}

func privateDNS(region, ip string) string {
	host := "ip-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return host + ".ec2.internal"
	}
	return host + "." + region + ".compute.internal"
}

func instanceAttrs(c *Call, r *Region) func(*Instance) ec2Attrs {
	return func(in *Instance) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "instance-state-name":
				return []string{in.State}, true
			case "instance-state-code":
				return []string{strconv.Itoa(instanceStateCodes[in.State])}, true
			case "instance-id":
				return []string{in.ID}, true
			case "instance-type":
				return []string{in.Type}, true
			case "image-id":
				return []string{in.ImageID}, true
			case "key-name":
				return []string{in.KeyName}, true
			case "vpc-id":
				return []string{in.VPCID}, true
			case "subnet-id":
				return []string{in.SubnetID}, true
			case "availability-zone":
				return []string{in.AvailabilityZone}, true
			case "reservation-id":
				return []string{in.ReservationID}, true
			case "spot-instance-request-id":
				return []string{in.SpotRequestID}, true
			case "instance-lifecycle":
				if in.SpotRequestID != "" {
					return []string{"spot"}, true
				}
				return nil, true
			case "monitoring-state":
				if in.Monitoring {
					return []string{"enabled"}, true
				}
				return []string{"disabled"}, true
			case "private-ip-address":
				return []string{in.PrivateIP}, true
			case "ip-address":
				return []string{in.PublicIP}, true
			case "instance.group-id", "group-id":
				return in.SecurityGroupIDs, true
			case "instance.group-name", "group-name":
				var names []string
				for _, g := range in.SecurityGroupIDs {
					names = append(names, c.sgName(r, g))
				}
				return names, true
			case "owner-id":
				return []string{c.Account.ID}, true
			}
			return ec2TagAttrs(in.Tags, name)
		}
	}
}

func ec2DescribeInstances(c *Call, r *Region) (any, error) {
	insts := visibleInstances(c, r)
	ids := c.List("InstanceId")
	if len(ids) > 0 {
		if c.Has("MaxResults") {
			return nil, ec2Combine("instancesSet", "maxResults")
		}
		var err error
		insts, err = ec2Pick(insts, ids, func(i *Instance) string { return i.ID }, "i", "instance ID", "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed")
		if err != nil {
			return nil, err
		}
	}
	insts, err := ec2FilterAll(c, insts, instanceAttrs(c, r))
	if err != nil {
		return nil, err
	}
	page, next, err := ec2Page(c, insts, 5, 1000)
	if err != nil {
		return nil, err
	}
	return xmlDescribeInstances{Reservations: ec2Items(reservations(c, r, page)), NextToken: next}, nil
}

// reservations groups instances by reservation, in the order they come.
func reservations(c *Call, r *Region, insts []*Instance) []xmlReservation {
	var out []xmlReservation
	at := map[string]int{}
	for _, in := range insts {
		i, ok := at[in.ReservationID]
		if !ok {
			i = len(out)
			at[in.ReservationID] = i
			out = append(out, xmlReservation{ID: in.ReservationID, OwnerID: c.Account.ID})
		}
		out[i].Instances.Items = append(out[i].Instances.Items, instanceXML(c, r, in))
	}
	return out
}

// ---- instance attributes ----

func findInstance(r *Region, id string) *Instance {
	if id == "" {
		return nil
	}
	for _, in := range r.Instances {
		if in.ID == id {
			return in
		}
	}
	return nil
}

func missingParam(name string) error {
	return errorf(400, "MissingParameter", "The request must contain the parameter %s", name)
}

// instanceParam finds the instance a call's InstanceId names, with EC2's errors.
func instanceParam(c *Call, r *Region) (*Instance, error) {
	id := c.Param("InstanceId")
	if id == "" {
		return nil, missingParam("InstanceId")
	}
	in, err := ec2Pick(visibleInstances(c, r), []string{id}, func(i *Instance) string { return i.ID }, "i", "instance ID", "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed")
	if err != nil {
		return nil, err
	}
	return in[0], nil
}

func ec2DescribeInstanceAttribute(c *Call, r *Region) (any, error) {
	in, err := instanceParam(c, r)
	if err != nil {
		return nil, err
	}
	out := ec2InstanceAttribute{InstanceID: in.ID}
	switch attr := c.Param("Attribute"); attr {
	case "":
		return nil, missingParam("Attribute")
	case "disableApiTermination":
		out.DisableAPITermination = &ec2AttrValue{Value: strconv.FormatBool(in.DisableApiTermination)}
	case "instanceType":
		out.InstanceType = &ec2AttrValue{Value: in.Type}
	case "instanceInitiatedShutdownBehavior":
		out.ShutdownBehavior = &ec2AttrValue{Value: "stop"}
	case "groupSet":
		set := ec2Set[xmlGroupID]{}
		for _, g := range in.SecurityGroupIDs {
			set.Items = append(set.Items, xmlGroupID{ID: g, Name: c.sgName(r, g)})
		}
		out.Groups = &set
	default:
		return nil, errorf(400, "InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
	}
	return out, nil
}

// ---- launching ----

// launchSpec is what an instance is launched from, after the request (and any launch
// template) is resolved and checked.
type launchSpec struct {
	ImageID, Type, KeyName string
	SGIDs                  []string
	Monitoring, Protect    bool
	Tags                   map[string]string
	SubnetID               string
	AZs                    []string // spread over these; default the region's first
	Spot                   bool
	SpotPrice, SpotType    string
	Profile                string
}

// resolveGroups turns security group names (default VPC) and IDs into IDs, with EC2's
// InvalidGroup.NotFound for any that does not exist.
func resolveGroups(r *Region, names, ids []string) ([]string, error) {
	var out []string
	for _, n := range names {
		sg := findSGByName(r, n)
		if sg == nil {
			return nil, sgNotFoundByName(r, n)
		}
		out = append(out, sg.ID)
	}
	for _, id := range ids {
		if !strings.HasPrefix(id, "sg-") {
			return nil, errorf(400, "InvalidGroupId.Malformed", "Invalid id: \"%s\" (expecting \"sg-...\")", id)
		}
		if findSG(r, id) == nil {
			return nil, errorf(400, "InvalidGroup.NotFound", "The security group '%s' does not exist", id)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// checkSpec validates what EC2 checks at launch: an image ID of the right form, a key pair
// that exists, and groups that exist. It fills in EC2's defaults.
func checkSpec(r *Region, s *launchSpec) error {
	if s.ImageID == "" {
		return missingParam("ImageId")
	}
	if !strings.HasPrefix(s.ImageID, "ami-") {
		return errorf(400, "InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", s.ImageID)
	}
	if s.Type == "" {
		s.Type = "m1.small"
	}
	if !validInstanceType(s.Type) {
		return errorf(400, "InvalidParameterValue", "Invalid value '%s' for InstanceType.", s.Type)
	}
	if s.KeyName != "" && findKeyPair(r, s.KeyName) == nil {
		return errorf(400, "InvalidKeyPair.NotFound", "The key pair '%s' does not exist", s.KeyName)
	}
	if len(s.SGIDs) == 0 {
		s.SGIDs = []string{findSGByName(r, "default").ID}
	}
	return nil
}

// validInstanceType accepts family.size names such as t3.micro or p4d.24xlarge.
func validInstanceType(t string) bool {
	fam, size, ok := strings.Cut(t, ".")
	if !ok || fam == "" || size == "" || strings.Contains(size, ".") {
		return false
	}
	for _, ch := range fam + size {
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-') {
			return false
		}
	}
	return true
}

// maxInstances is the simulator's per-region instance quota; it keeps a runaway request
// from exhausting memory, and answers as AWS does when a quota is hit.
const maxInstances = 1000

func instanceLimit(c *Call, r *Region, n int) error {
	live := 0
	for _, in := range r.Instances {
		if in.State != "terminated" {
			live++
		}
	}
	if live+n > maxInstances {
		return errorf(400, "InstanceLimitExceeded", "You have requested more instances (%d) than your current instance limit of %d allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.", n, maxInstances-live)
	}
	return nil
}

// launch starts n instances of s in one reservation (with a fulfilled spot request each when
// s.Spot), notes them as created and returns them.
func launch(c *Call, r *Region, s launchSpec, n int) []*Instance {
	w := c.srv.w
	res := w.NewID("r")
	vpc := defaultVPC(r)
	var out []*Instance
	for i := range n {
		az := r.Name + "a"
		if len(s.AZs) > 0 {
			az = s.AZs[i%len(s.AZs)]
		}
		subnet := s.SubnetID
		if subnet == "" {
			subnet = "subnet-" + shortHash(az)
		}
		in := &Instance{ID: w.NewID("i"), Type: s.Type, ImageID: s.ImageID, KeyName: s.KeyName, State: "running", LaunchTime: c.Now,
			SecurityGroupIDs: slices.Clone(s.SGIDs), SubnetID: subnet, VPCID: vpc, AvailabilityZone: az, ReservationID: res,
			PrivateIP:  fmt.Sprintf("172.31.%d.%d", w.rng.IntN(255), 1+w.rng.IntN(254)),
			PublicIP:   fmt.Sprintf("%d.%d.%d.%d", []int{3, 13, 15, 18, 34, 43, 52, 54}[w.rng.IntN(8)], w.rng.IntN(256), w.rng.IntN(256), 1+w.rng.IntN(254)),
			Monitoring: s.Monitoring, DisableApiTermination: s.Protect, IAMInstanceProfile: s.Profile, LaunchedBy: c.Identity.ARN,
			Tags: maps.Clone(s.Tags)}
		if in.Tags == nil {
			in.Tags = map[string]string{}
		}
		if s.Spot {
			sr := &SpotRequest{ID: "sir-" + w.randUpper(8), State: "active", Type: s.SpotType, InstanceType: s.Type, ImageID: s.ImageID,
				KeyName: s.KeyName, InstanceID: in.ID, SpotPrice: s.SpotPrice, Created: c.Now, SecurityGroupIDs: slices.Clone(s.SGIDs)}
			sr.ID = strings.ToLower(sr.ID)
			if sr.Type == "" {
				sr.Type = "one-time"
			}
			in.SpotRequestID = sr.ID
			r.SpotRequests = append(r.SpotRequests, sr)
			c.created("spot-request", sr.ID)
		}
		r.Instances = append(r.Instances, in)
		c.created("instance", in.ID)
		out = append(out, in)
	}
	return out
}

// tagSpecs reads TagSpecification.N (ResourceType, Tag.M.Key/Value) for one resource type.
func tagSpecs(params map[string][]string, prefix, resourceType string) (map[string]string, error) {
	var tags map[string]string
	for _, ts := range structsOf(params, prefix) {
		rt := ts.Get("ResourceType")
		if rt == "" {
			return nil, errorf(400, "InvalidParameterValue", "Tag specification resource type must have a value")
		}
		if rt != resourceType {
			continue
		}
		for _, tg := range structsOf(ts, "Tag") {
			k := tg.Get("Key")
			if k == "" {
				return nil, errorf(400, "InvalidParameterValue", "Tag key must have a value")
			}
			if strings.HasPrefix(k, "aws:") {
				return nil, errorf(400, "InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
			}
			if tags == nil {
				tags = map[string]string{}
			}
			tags[k] = tg.Get("Value")
		}
	}
	return tags, nil
}

// templateSpec is the launch spec a template version gives.
func templateSpec(r *Region, lt *LaunchTemplate, version string) (launchSpec, error) {
	switch version {
	case "", "$Default", "$Latest":
	default:
		v, err := strconv.ParseInt(version, 10, 64)
		if err != nil || v < 1 || v > lt.LatestVersion {
			return launchSpec{}, errorf(400, "InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version %s for launch template ID %s.", version, lt.ID)
		}
	}
	return launchSpec{ImageID: lt.ImageID, Type: lt.InstanceType, KeyName: lt.KeyName, SGIDs: slices.Clone(lt.SecurityGroupIDs)}, nil
}

// idempotent looks up a call's ClientToken. It returns the ID the first call with that
// token made ("" for a new token), or IdempotentParameterMismatch when the token was used
// with other parameters, as EC2 answers.
func idempotent(c *Call, r *Region) (string, error) {
	tok := c.Param("ClientToken")
	if tok == "" {
		return "", nil
	}
	prev, ok := r.ClientTokens[c.Action+"/"+tok]
	if !ok {
		return "", nil
	}
	id, hash, _ := strings.Cut(prev, "|")
	if hash != paramsHash(c) {
		return "", errorf(400, "IdempotentParameterMismatch", "The client token you have provided is associated with a resource that is already deleted or has different parameters. Please use a different client token.")
	}
	return id, nil
}

// remember notes what a call with a ClientToken made.
func remember(c *Call, r *Region, id string) {
	tok := c.Param("ClientToken")
	if tok == "" {
		return
	}
	if r.ClientTokens == nil {
		r.ClientTokens = map[string]string{}
	}
	r.ClientTokens[c.Action+"/"+tok] = id + "|" + paramsHash(c)
}

func paramsHash(c *Call) string {
	p := url.Values{}
	for k, v := range c.Params {
		if k != "ClientToken" && k != "Action" && k != "Version" {
			p[k] = v
		}
	}
	return shortHash(p.Encode())
}

func boolParam(c *Call, name string) bool { return c.Param(name) == "true" }

func ec2RunInstances(c *Call, r *Region) (any, error) {
	minCount, err := c.Int("MinCount", -1)
	if err != nil {
		return nil, errorf(400, "InvalidParameterValue", "Invalid value '%s' for minCount", c.Param("MinCount"))
	}
	maxCount, err := c.Int("MaxCount", -1)
	if err != nil {
		return nil, errorf(400, "InvalidParameterValue", "Invalid value '%s' for maxCount", c.Param("MaxCount"))
	}
	switch {
	case minCount < 0:
		return nil, missingParam("MinCount")
	case maxCount < 0:
		return nil, missingParam("MaxCount")
	case minCount < 1:
		return nil, errorf(400, "InvalidParameterValue", "Value (%d) for parameter minCount is invalid. Expected a positive integer.", minCount)
	case maxCount < minCount:
		return nil, errorf(400, "InvalidParameterValue", "Value (%d) for parameter maxCount is invalid. Expected a value greater than or equal to minCount.", maxCount)
	}
	if res, err := idempotent(c, r); err != nil {
		return nil, err
	} else if res != "" {
		// A retry of a call that already launched: the same reservation again.
		var insts []*Instance
		for _, in := range r.Instances {
			if in.ReservationID == res {
				insts = append(insts, in)
			}
		}
		if len(insts) > 0 {
			c.TrailResponse = runTrailResponse(c, r, insts)
			return reservations(c, r, insts)[0], nil
		}
	}
	var s launchSpec
	var lt *LaunchTemplate
	if c.Has("LaunchTemplate.LaunchTemplateId") || c.Has("LaunchTemplate.LaunchTemplateName") {
		lt, err = findLaunchTemplate(r, c.Param("LaunchTemplate.LaunchTemplateId"), c.Param("LaunchTemplate.LaunchTemplateName"))
		if err != nil {
			return nil, err
		}
		if s, err = templateSpec(r, lt, c.Param("LaunchTemplate.Version")); err != nil {
			return nil, err
		}
	}
	if v := c.Param("ImageId"); v != "" {
		s.ImageID = v
	}
	if v := c.Param("InstanceType"); v != "" {
		s.Type = v
	}
	if v := c.Param("KeyName"); v != "" {
		s.KeyName = v
	}
	if names, ids := c.List("SecurityGroup"), c.List("SecurityGroupId"); len(names)+len(ids) > 0 {
		if s.SGIDs, err = resolveGroups(r, names, ids); err != nil {
			return nil, err
		}
	}
	s.SubnetID = c.Param("SubnetId")
	if az := c.Param("Placement.AvailabilityZone"); az != "" {
		if !strings.HasPrefix(az, r.Name) || len(az) != len(r.Name)+1 {
			return nil, errorf(400, "InvalidParameterValue", "Invalid availability zone: [%s]", az)
		}
		s.AZs = []string{az}
	}
	s.Monitoring = boolParam(c, "Monitoring.Enabled")
	s.Protect = boolParam(c, "DisableApiTermination")
	s.Profile = c.Param("IamInstanceProfile.Arn")
	if s.Profile == "" && c.Param("IamInstanceProfile.Name") != "" {
		s.Profile = "arn:aws:iam::" + c.Account.ID + ":instance-profile/" + c.Param("IamInstanceProfile.Name")
	}
	if s.Tags, err = tagSpecs(c.Params, "TagSpecification", "instance"); err != nil {
		return nil, err
	}
	switch mt := c.Param("InstanceMarketOptions.MarketType"); mt {
	case "":
	case "spot":
		s.Spot = true
		s.SpotPrice = c.Param("InstanceMarketOptions.SpotOptions.MaxPrice")
		s.SpotType = c.Param("InstanceMarketOptions.SpotOptions.SpotInstanceType")
	default:
		return nil, errorf(400, "InvalidParameterValue", "Value (%s) for parameter marketType is invalid.", mt)
	}
	if err := checkSpec(r, &s); err != nil {
		return nil, err
	}
	if err := instanceLimit(c, r, maxCount); err != nil {
		return nil, err
	}
	insts := launch(c, r, s, maxCount)
	remember(c, r, insts[0].ReservationID)

	// CloudTrail's shape of RunInstances (requestParameters and responseElements).
	req := map[string]any{
		"instancesSet":          map[string]any{"items": []map[string]any{{"imageId": s.ImageID, "minCount": minCount, "maxCount": maxCount, "keyName": s.KeyName}}},
		"instanceType":          s.Type,
		"blockDeviceMapping":    map[string]any{},
		"monitoring":            map[string]any{"enabled": s.Monitoring},
		"disableApiTermination": s.Protect,
		"disableApiStop":        false,
	}
	if names, ids := c.List("SecurityGroup"), c.List("SecurityGroupId"); len(names)+len(ids) > 0 {
		var gs []map[string]string
		for _, n := range names {
			gs = append(gs, map[string]string{"groupName": n})
		}
		for _, id := range ids {
			gs = append(gs, map[string]string{"groupId": id})
		}
		req["groupSet"] = map[string]any{"items": gs}
	}
	if lt != nil {
		spec := map[string]string{"launchTemplateId": lt.ID}
		if v := c.Param("LaunchTemplate.Version"); v != "" {
			spec["version"] = v
		}
		req["launchTemplate"] = spec
	}
	if s.Spot {
		req["instanceMarketOptions"] = map[string]any{"marketType": "spot", "spotOptions": map[string]any{"maxPrice": s.SpotPrice, "spotInstanceType": s.SpotType}}
	}
	if len(s.Tags) > 0 {
		req["tagSpecificationSet"] = map[string]any{"items": []map[string]any{{"resourceType": "instance", "tags": trailTags(s.Tags)}}}
	}
	c.TrailRequest = req
	c.TrailResponse = runTrailResponse(c, r, insts)

	out := xmlReservation{ID: insts[0].ReservationID, OwnerID: c.Account.ID}
	for i, in := range insts {
		x := instanceXML(c, r, in)
		x.State = xmlState{Code: 0, Name: "pending"} // as RunInstances answers; Describe shows running
		x.LaunchIndex = i
		x.PublicIP = "" // assigned once the instance runs
		x.Monitoring.State = monitoringWord(in.Monitoring, true)
		out.Instances.Items = append(out.Instances.Items, x)
	}
	return out, nil
}

// runTrailResponse is CloudTrail's responseElements of a RunInstances that launched insts.
func runTrailResponse(c *Call, r *Region, insts []*Instance) map[string]any {
	var trailInsts []map[string]any
	for i, in := range insts {
		ti := map[string]any{"instanceId": in.ID, "imageId": in.ImageID, "instanceState": map[string]any{"code": 0, "name": "pending"},
			"privateDnsName": privateDNS(r.Name, in.PrivateIP), "amiLaunchIndex": i, "instanceType": in.Type, "launchTime": in.LaunchTime.UnixMilli(),
			"placement": map[string]string{"availabilityZone": in.AvailabilityZone, "tenancy": "default"}, "monitoring": map[string]string{"state": monitoringWord(in.Monitoring, true)},
			"subnetId": in.SubnetID, "vpcId": in.VPCID, "privateIpAddress": in.PrivateIP, "groupSet": map[string]any{"items": trailGroups(c, r, in.SecurityGroupIDs)}}
		if in.KeyName != "" {
			ti["keyName"] = in.KeyName
		}
		if in.SpotRequestID != "" {
			ti["instanceLifecycle"], ti["spotInstanceRequestId"] = "spot", in.SpotRequestID
		}
		trailInsts = append(trailInsts, ti)
	}
	return map[string]any{"reservationId": insts[0].ReservationID, "ownerId": c.Account.ID, "groupSet": map[string]any{}, "instancesSet": map[string]any{"items": trailInsts}}

}

func monitoringWord(on, launching bool) string {
	switch {
	case on && launching:
		return "pending"
	case on:
		return "enabled"
	}
	return "disabled"
}

func trailTags(tags map[string]string) []map[string]string {
	var out []map[string]string
	for _, t := range xmlTags(tags).Items {
		out = append(out, map[string]string{"key": t.Key, "value": t.Value})
	}
	return out
}

func trailGroups(c *Call, r *Region, ids []string) []map[string]string {
	var out []map[string]string
	for _, id := range ids {
		out = append(out, map[string]string{"groupId": id, "groupName": c.sgName(r, id)})
	}
	return out
}

// terminate ends an instance: its one-time spot request closes (a persistent one is
// fulfilled again), and an Auto Scaling group that owned it lets go of it and launches a
// replacement unless the group is being deleted, as AWS keeps its desired capacity.
func terminate(c *Call, r *Region, in *Instance, byUser bool) {
	in.State = "terminated"
	in.TerminatedAt = c.Now
	if sr := findSpot(r, in.SpotRequestID); sr != nil && sr.State == "active" {
		sr.State = "closed"
		if sr.Type == "persistent" && byUser {
			// A persistent request outlives its instance: EC2 fulfils it again.
			s := launchSpec{ImageID: sr.ImageID, Type: sr.InstanceType, KeyName: sr.KeyName, SGIDs: sr.SecurityGroupIDs}
			if checkSpec(r, &s) == nil && instanceLimit(c, r, 1) == nil {
				next := launch(c, r, s, 1)[0]
				next.SpotRequestID, next.LaunchedBy = sr.ID, in.LaunchedBy
				sr.InstanceID, sr.State = next.ID, "active"
			}
		}
	}
	for _, g := range r.AutoScaling {
		i := slices.Index(g.InstanceIDs, in.ID)
		if i < 0 {
			continue
		}
		g.InstanceIDs = slices.Delete(g.InstanceIDs, i, i+1)
		if byUser && g.Status == "" {
			asgFill(c, r, g)
		}
	}
}

func ec2TerminateInstances(c *Call, r *Region) (any, error) {
	ids := c.List("InstanceId")
	if len(ids) == 0 {
		return nil, missingParam("InstanceId")
	}
	insts, err := ec2Pick(visibleInstances(c, r), ids, func(i *Instance) string { return i.ID }, "i", "instance ID", "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed")
	if err != nil {
		return nil, err
	}
	for _, in := range insts {
		if in.DisableApiTermination && in.State != "terminated" {
			return nil, errorf(400, "OperationNotPermitted", "The instance '%s' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.", in.ID)
		}
	}
	var out ec2TerminateOut
	var trailItems []map[string]any
	for _, in := range insts {
		prev := xmlState{Code: instanceStateCodes[in.State], Name: in.State}
		cur := xmlState{Code: 32, Name: "shutting-down"}
		if in.State == "terminated" {
			cur = prev
		} else {
			terminate(c, r, in, true)
		}
		out.Instances.Items = append(out.Instances.Items, ec2StateChange{ID: in.ID, Current: cur, Previous: prev})
		trailItems = append(trailItems, map[string]any{"instanceId": in.ID, "currentState": cur, "previousState": prev})
	}
	var reqItems []map[string]string
	for _, id := range ids {
		reqItems = append(reqItems, map[string]string{"instanceId": id})
	}
	c.TrailRequest = map[string]any{"instancesSet": map[string]any{"items": reqItems}}
	c.TrailResponse = map[string]any{"instancesSet": map[string]any{"items": trailItems}}
	return out, nil
}

func ec2ModifyInstanceAttribute(c *Call, r *Region) (any, error) {
	in, err := instanceParam(c, r)
	if err != nil {
		return nil, err
	}
	if in.State == "terminated" {
		return nil, errorf(400, "IncorrectInstanceState", "The instance '%s' is not in a state from which it can be modified.", in.ID)
	}
	val, set := "", false
	switch {
	case c.Has("DisableApiTermination.Value"):
		val, set = c.Param("DisableApiTermination.Value"), true
	case c.Param("Attribute") == "disableApiTermination":
		val, set = c.Param("Value"), true
	case c.Has("InstanceType.Value"), c.Param("Attribute") == "instanceType":
		t := c.Param("InstanceType.Value")
		if t == "" {
			t = c.Param("Value")
		}
		if in.State != "stopped" {
			return nil, errorf(400, "IncorrectInstanceState", "The instance '%s' is not in the 'stopped' state.", in.ID)
		}
		if !validInstanceType(t) {
			return nil, errorf(400, "InvalidParameterValue", "Invalid value '%s' for InstanceType.", t)
		}
		in.Type = t
		c.TrailRequest = map[string]any{"instanceId": in.ID, "instanceType": map[string]string{"value": t}}
		c.TrailResponse = map[string]any{"_return": true}
		return ec2Return{Return: true}, nil
	case c.Param("Attribute") != "":
		return nil, errorf(400, "InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", c.Param("Attribute"))
	}
	if !set {
		return nil, errorf(400, "InvalidParameterCombination", "No attributes specified.")
	}
	b, perr := strconv.ParseBool(val)
	if perr != nil {
		return nil, errorf(400, "InvalidParameterValue", "Value (%s) for parameter disableApiTermination is invalid.", val)
	}
	in.DisableApiTermination = b
	c.TrailRequest = map[string]any{"instanceId": in.ID, "disableApiTermination": map[string]bool{"value": b}}
	c.TrailResponse = map[string]any{"_return": true}
	return ec2Return{Return: true}, nil
}
