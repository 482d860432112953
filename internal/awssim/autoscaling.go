package awssim

import (
	"slices"
	"strconv"
	"strings"
)

// EC2 Auto Scaling, per region, in the query protocol (<ActionResult>, lists as <member>).
// A group launches its desired capacity from its launch template at once, tags each
// instance aws:autoscaling:groupName, and replaces instances terminated from under it.

func init() {
	registerService(&Service{Name: "autoscaling", EventSource: "autoscaling.amazonaws.com", Protocol: ProtoQuery, XMLNS: "http://autoscaling.amazonaws.com/doc/2011-01-01/"})
	for action, h := range map[string]func(*Call, *Region) (any, error){
		"DescribeAutoScalingGroups": asgDescribe,
		"CreateAutoScalingGroup":    asgCreate,
		"DeleteAutoScalingGroup":    asgDelete,
	} {
		register("autoscaling", action, func(c *Call) (any, error) {
			r, err := callRegion(c)
			if err != nil {
				return nil, err
			}
			return h(c, r)
		})
	}
}

type asgMembers[T any] struct {
	Members []T `xml:"member"`
}

type asgLaunchTemplate struct {
	ID      string `xml:"LaunchTemplateId"`
	Name    string `xml:"LaunchTemplateName"`
	Version string `xml:"Version"`
}

type asgInstance struct {
	ID             string            `xml:"InstanceId"`
	Type           string            `xml:"InstanceType"`
	AZ             string            `xml:"AvailabilityZone"`
	LifecycleState string            `xml:"LifecycleState"`
	HealthStatus   string            `xml:"HealthStatus"`
	LaunchTemplate asgLaunchTemplate `xml:"LaunchTemplate"`
	Protected      bool              `xml:"ProtectedFromScaleIn"`
}

type asgTag struct {
	ResourceID        string `xml:"ResourceId"`
	ResourceType      string `xml:"ResourceType"`
	Key               string `xml:"Key"`
	Value             string `xml:"Value"`
	PropagateAtLaunch bool   `xml:"PropagateAtLaunch"`
}

type asgGroup struct {
	Name                string                  `xml:"AutoScalingGroupName"`
	ARN                 string                  `xml:"AutoScalingGroupARN"`
	LaunchTemplate      *asgLaunchTemplate      `xml:"LaunchTemplate,omitempty"`
	MinSize             int32                   `xml:"MinSize"`
	MaxSize             int32                   `xml:"MaxSize"`
	Desired             int32                   `xml:"DesiredCapacity"`
	DefaultCooldown     int32                   `xml:"DefaultCooldown"`
	AvailabilityZones   asgMembers[string]      `xml:"AvailabilityZones"`
	LoadBalancerNames   asgMembers[string]      `xml:"LoadBalancerNames"`
	TargetGroupARNs     asgMembers[string]      `xml:"TargetGroupARNs"`
	HealthCheckType     string                  `xml:"HealthCheckType"`
	HealthCheckGrace    int32                   `xml:"HealthCheckGracePeriod"`
	Instances           asgMembers[asgInstance] `xml:"Instances"`
	Created             string                  `xml:"CreatedTime"`
	SuspendedProcesses  asgMembers[struct{}]    `xml:"SuspendedProcesses"`
	VPCZoneIdentifier   string                  `xml:"VPCZoneIdentifier,omitempty"`
	EnabledMetrics      asgMembers[struct{}]    `xml:"EnabledMetrics"`
	Status              string                  `xml:"Status,omitempty"`
	Tags                asgMembers[asgTag]      `xml:"Tags"`
	TerminationPolicies asgMembers[string]      `xml:"TerminationPolicies"`
	NewProtected        bool                    `xml:"NewInstancesProtectedFromScaleIn"`
	ServiceLinkedRole   string                  `xml:"ServiceLinkedRoleARN"`
}

type asgDescribeOut struct {
	Groups    asgMembers[asgGroup] `xml:"AutoScalingGroups"`
	NextToken string               `xml:"NextToken,omitempty"`
}

func asgServiceRole(c *Call) string {
	return "arn:aws:iam::" + c.Account.ID + ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
}

func asgXML(c *Call, r *Region, g *AutoScalingGroup) asgGroup {
	x := asgGroup{Name: g.Name, ARN: g.ARN, MinSize: g.MinSize, MaxSize: g.MaxSize, Desired: g.Desired, DefaultCooldown: 300,
		AvailabilityZones: asgMembers[string]{g.AvailabilityZones}, HealthCheckType: "EC2", HealthCheckGrace: 300,
		Created: g.Created.UTC().Format("2006-01-02T15:04:05.000Z"), Status: g.Status,
		TerminationPolicies: asgMembers[string]{[]string{"Default"}}, ServiceLinkedRole: asgServiceRole(c)}
	lt := asgLaunchTemplate{ID: g.LaunchTemplateID, Name: g.LaunchTemplateName, Version: g.LaunchTemplateVersion}
	if g.LaunchTemplateID != "" {
		x.LaunchTemplate = &lt
	}
	for _, id := range g.InstanceIDs {
		in := findInstance(r, id)
		if in == nil {
			continue
		}
		x.Instances.Members = append(x.Instances.Members, asgInstance{ID: in.ID, Type: in.Type, AZ: in.AvailabilityZone,
			LifecycleState: "InService", HealthStatus: "Healthy", LaunchTemplate: lt})
	}
	return x
}

func asgDescribe(c *Call, r *Region) (any, error) {
	groups := r.AutoScaling
	if names := c.List("AutoScalingGroupNames"); len(names) > 0 {
		// Names that match no group are left out, not errors, as in AWS.
		groups = slices.DeleteFunc(slices.Clone(groups), func(g *AutoScalingGroup) bool { return !slices.Contains(names, g.Name) })
	}
	limit := 50
	if c.Has("MaxRecords") {
		n, err := strconv.Atoi(c.Param("MaxRecords"))
		if err != nil || n < 1 || n > 100 {
			return nil, validationError("1 validation error detected: Value '%s' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100", c.Param("MaxRecords"))
		}
		limit = n
	}
	start := 0
	if tok := c.Param("NextToken"); tok != "" {
		n, ok := ec2ParseToken(c.Action, tok)
		if !ok || n > len(groups) {
			return nil, errorf(400, "InvalidNextToken", "The token '%s' is invalid.", tok)
		}
		start = n
	}
	end := min(start+limit, len(groups))
	var out asgDescribeOut
	for _, g := range groups[start:end] {
		out.Groups.Members = append(out.Groups.Members, asgXML(c, r, g))
	}
	if end < len(groups) {
		out.NextToken = ec2Token(c.Action, end)
	}
	return out, nil
}

func findASG(r *Region, name string) *AutoScalingGroup {
	for _, g := range r.AutoScaling {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// asgSpec is what the group launches: its template's data, in its zones.
func asgSpec(r *Region, g *AutoScalingGroup) (launchSpec, error) {
	lt, err := findLaunchTemplate(r, g.LaunchTemplateID, "")
	if err != nil {
		return launchSpec{}, err
	}
	s, err := templateSpec(r, lt, g.LaunchTemplateVersion)
	if err != nil {
		return launchSpec{}, err
	}
	s.AZs = g.AvailabilityZones
	if err := checkSpec(r, &s); err != nil {
		return launchSpec{}, err
	}
	return s, nil
}

// asgFill launches instances until the group has its desired capacity. A group whose
// template no longer launches stays short, as its scaling activities would fail in AWS.
func asgFill(c *Call, r *Region, g *AutoScalingGroup) {
	s, err := asgSpec(r, g)
	if err != nil {
		return
	}
	for len(g.InstanceIDs) < int(g.Desired) {
		s.AZs = []string{g.AvailabilityZones[len(g.InstanceIDs)%len(g.AvailabilityZones)]}
		s.Tags = map[string]string{"aws:autoscaling:groupName": g.Name}
		if instanceLimit(c, r, 1) != nil {
			return // the scaling activity fails on the quota, as in AWS
		}
		in := launch(c, r, s, 1)[0]
		in.LaunchedBy = asgServiceRole(c)
		g.InstanceIDs = append(g.InstanceIDs, in.ID)
		asgRecordLaunch(c, r, g, in)
	}
}

// asgRecordLaunch writes the CloudTrail record of the group's launch: a RunInstances made
// by the Auto Scaling service-linked role, invoked by autoscaling.amazonaws.com, as AWS
// records it. It goes into the trail ahead of the call that caused it.
func asgRecordLaunch(c *Call, r *Region, g *AutoScalingGroup, in *Instance) {
	role := "AWSServiceRoleForAutoScaling"
	sub := &Call{srv: c.srv, Service: services["ec2"], Region: c.Region, Action: "RunInstances", Now: c.Now,
		SourceIP: "autoscaling.amazonaws.com", UserAgent: "autoscaling.amazonaws.com", Account: c.Account,
		Identity: Identity{Type: "AssumedRole", PrincipalID: "AROA" + strings.ToUpper(shortHash(c.Account.ID+role)) + ":AutoScaling",
			ARN: "arn:aws:sts::" + c.Account.ID + ":assumed-role/" + role + "/AutoScaling", AccountID: c.Account.ID}}
	lt := map[string]string{"launchTemplateId": g.LaunchTemplateID, "version": g.LaunchTemplateVersion}
	sub.TrailRequest = map[string]any{"instancesSet": map[string]any{"items": []map[string]any{{"minCount": 1, "maxCount": 1}}},
		"launchTemplate": lt, "availabilityZone": in.AvailabilityZone, "clientToken": "fleet-" + uuidOf(c.srv.w.randHex(32)),
		"tagSpecificationSet": map[string]any{"items": []map[string]any{{"resourceType": "instance", "tags": trailTags(in.Tags)}}}}
	sub.TrailResponse = runTrailResponse(sub, r, []*Instance{in})
	c.srv.record(sub, false, nil, nil)
	c.srv.trail[len(c.srv.trail)-1].UserIdentity.InvokedBy = "autoscaling.amazonaws.com"
}

func asgCreate(c *Call, r *Region) (any, error) {
	name := c.Param("AutoScalingGroupName")
	if name == "" || len(name) > 255 {
		return nil, validationError("1 validation error detected: Value '%s' at 'autoScalingGroupName' failed to satisfy constraint: Member must have length between 1 and 255", name)
	}
	if findASG(r, name) != nil {
		return nil, errorf(400, "AlreadyExists", "AutoScalingGroup by this name already exists - A group with the name %s already exists", name)
	}
	minSize, err1 := strconv.Atoi(c.Param("MinSize"))
	maxSize, err2 := strconv.Atoi(c.Param("MaxSize"))
	if err1 != nil || err2 != nil || minSize < 0 || maxSize < 0 {
		return nil, validationError("MinSize and MaxSize are required and must be non-negative integers")
	}
	desired := minSize
	if c.Has("DesiredCapacity") {
		d, err := strconv.Atoi(c.Param("DesiredCapacity"))
		if err != nil {
			return nil, validationError("Value '%s' at 'desiredCapacity' is not an integer", c.Param("DesiredCapacity"))
		}
		desired = d
	}
	if minSize > maxSize {
		return nil, validationError("Max bound, %d, must be greater than or equal to min bound, %d", maxSize, minSize)
	}
	if maxSize > maxInstances {
		return nil, validationError("Max bound, %d, exceeds the account's instance limit of %d", maxSize, maxInstances)
	}
	if desired < minSize || desired > maxSize {
		return nil, validationError("Desired capacity:%d must be between the specified min size:%d and max size:%d", desired, minSize, maxSize)
	}
	if c.Param("LaunchConfigurationName") != "" {
		return nil, validationError("Launch configurations are not supported by the simulator; use a launch template")
	}
	ltID, ltName, version := c.Param("LaunchTemplate.LaunchTemplateId"), c.Param("LaunchTemplate.LaunchTemplateName"), c.Param("LaunchTemplate.Version")
	if ltID == "" && ltName == "" {
		return nil, validationError("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.")
	}
	lt, err := findLaunchTemplate(r, ltID, ltName)
	if err != nil {
		return nil, validationError("You must use a valid fully-formed launch template. %s", asAPIError(err).Message)
	}
	if version == "" {
		version = "$Default"
	}
	azs := c.List("AvailabilityZones")
	if len(azs) == 0 && c.Param("VPCZoneIdentifier") == "" {
		return nil, validationError("At least one Availability Zone or VPC Subnet is required.")
	}
	if len(azs) == 0 {
		azs = []string{r.Name + "a"}
	}
	for _, az := range azs {
		if !strings.HasPrefix(az, r.Name) || len(az) != len(r.Name)+1 || az[len(az)-1] < 'a' || az[len(az)-1] > 'd' {
			return nil, validationError("The availability zone '%s' is not legal in region %s", az, r.Name)
		}
	}
	g := &AutoScalingGroup{Name: name, LaunchTemplateID: lt.ID, LaunchTemplateName: lt.Name, LaunchTemplateVersion: version,
		MinSize: int32(minSize), MaxSize: int32(maxSize), Desired: int32(desired), AvailabilityZones: azs, Created: c.Now}
	g.ARN = "arn:aws:autoscaling:" + r.Name + ":" + c.Account.ID + ":autoScalingGroup:" + uuidOf(c.srv.w.randHex(32)) + ":autoScalingGroupName/" + name
	if _, err := asgSpec(r, g); err != nil {
		return nil, validationError("You must use a valid fully-formed launch template. %s", asAPIError(err).Message)
	}
	r.AutoScaling = append(r.AutoScaling, g)
	c.created("auto-scaling-group", g.Name)
	asgFill(c, r, g)

	lts := map[string]string{"version": version}
	if ltID != "" {
		lts["launchTemplateId"] = ltID
	} else {
		lts["launchTemplateName"] = ltName
	}
	c.TrailRequest = map[string]any{"autoScalingGroupName": name, "launchTemplate": lts, "minSize": minSize, "maxSize": maxSize,
		"desiredCapacity": desired, "availabilityZones": azs}
	return nil, nil // AWS answers with no result; CloudTrail records null responseElements
}

func uuidOf(h string) string {
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func asgDelete(c *Call, r *Region) (any, error) {
	name := c.Param("AutoScalingGroupName")
	if name == "" {
		return nil, validationError("1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null")
	}
	g := findASG(r, name)
	if g == nil {
		return nil, validationError("AutoScalingGroup name not found - AutoScalingGroup '%s' not found", name)
	}
	force := c.Param("ForceDelete") == "true"
	live := 0
	for _, id := range g.InstanceIDs {
		if in := findInstance(r, id); in != nil && in.State != "terminated" {
			live++
		}
	}
	if live > 0 && !force {
		return nil, errorf(400, "ResourceInUse", "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.")
	}
	g.Status = "Delete in progress"
	for _, id := range slices.Clone(g.InstanceIDs) {
		if in := findInstance(r, id); in != nil && in.State != "terminated" {
			terminate(c, r, in, false)
		}
	}
	r.AutoScaling = slices.DeleteFunc(r.AutoScaling, func(x *AutoScalingGroup) bool { return x == g })
	req := map[string]any{"autoScalingGroupName": name}
	if c.Has("ForceDelete") {
		req["forceDelete"] = force
	}
	c.TrailRequest = req
	return nil, nil
}
