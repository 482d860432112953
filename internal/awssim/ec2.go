package awssim

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EC2, per region, in EC2's own query protocol. Replies follow the SDK's ec2query
// deserializers; errors carry EC2's codes (InvalidInstanceID.NotFound, InvalidGroup.Duplicate …).

func init() {
	registerService(&Service{Name: "ec2", EventSource: "ec2.amazonaws.com", Protocol: ProtoEC2, XMLNS: "http://ec2.amazonaws.com/doc/2016-11-15/"})
	for action, h := range map[string]func(*Call, *Region) (any, error){
		"DescribeRegions":               ec2DescribeRegions,
		"DescribeInstances":             ec2DescribeInstances,
		"DescribeSecurityGroups":        ec2DescribeSecurityGroups,
		"DescribeKeyPairs":              ec2DescribeKeyPairs,
		"DescribeSpotInstanceRequests":  ec2DescribeSpotInstanceRequests,
		"DescribeLaunchTemplates":       ec2DescribeLaunchTemplates,
		"DescribeImages":                ec2DescribeImages,
		"DescribeSnapshots":             ec2DescribeSnapshots,
		"DescribeVolumes":               ec2DescribeVolumes,
		"DescribeInstanceAttribute":     ec2DescribeInstanceAttribute,
		"RunInstances":                  ec2RunInstances,
		"TerminateInstances":            ec2TerminateInstances,
		"ModifyInstanceAttribute":       ec2ModifyInstanceAttribute,
		"CreateKeyPair":                 ec2CreateKeyPair,
		"DeleteKeyPair":                 ec2DeleteKeyPair,
		"CreateSecurityGroup":           ec2CreateSecurityGroup,
		"AuthorizeSecurityGroupIngress": ec2AuthorizeSecurityGroupIngress,
		"DeleteSecurityGroup":           ec2DeleteSecurityGroup,
		"RequestSpotInstances":          ec2RequestSpotInstances,
		"CancelSpotInstanceRequests":    ec2CancelSpotInstanceRequests,
		"CreateLaunchTemplate":          ec2CreateLaunchTemplate,
		"DeleteLaunchTemplate":          ec2DeleteLaunchTemplate,
	} {
		register("ec2", action, ec2Handler(h))
	}
}

// terminatedVisible is how long a terminated instance stays in DescribeInstances, as in AWS
// (about an hour).
const terminatedVisible = time.Hour

// ec2Handler resolves the call's region (unknown → AuthFailure about the credential scope;
// not opted in → AuthFailure, as AWS answers there), honours DryRun, then runs h.
func ec2Handler(h func(*Call, *Region) (any, error)) Handler {
	return func(c *Call) (any, error) {
		r, err := callRegion(c)
		if err != nil {
			return nil, err
		}
		if c.Param("DryRun") == "true" {
			return nil, errorf(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
		}
		return h(c, r)
	}
}

// callRegion is the account's region the call is made in. An unknown region name fails the
// credential scope check; a region the account has not opted into does not accept the
// account's credentials. Both answer in the service's own error codes.
func callRegion(c *Call) (*Region, error) {
	r := c.Account.Region(c.Region)
	ec2 := c.Service.Protocol == ProtoEC2
	if r == nil {
		if ec2 {
			return nil, errorf(401, "AuthFailure", "Credential should be scoped to a valid region, not '%s'.", c.Region)
		}
		return nil, errorf(403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not '%s'.", c.Region)
	}
	if !r.Enabled() {
		if ec2 {
			return nil, errorf(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
		}
		return nil, errorf(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	// Every region has a default VPC with its "default" security group.
	defaultSecurityGroups(c.srv.w, r, defaultVPC(r))
	return r, nil
}

func ec2Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func xmlTags(m map[string]string) ec2Set[ec2Tag] {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]ec2Tag, len(keys))
	for i, k := range keys {
		out[i] = ec2Tag{Key: k, Value: m[k]}
	}
	return ec2Items(out)
}

// ---- filters and paging ----

// filter is one Filter.N of a Describe call: a name and values that may hold * and ? wildcards.
type ec2Filter struct {
	name   string
	values []string
}

func ec2Filters(c *Call) ([]ec2Filter, error) {
	var out []ec2Filter
	for _, st := range c.Structs("Filter") {
		f := ec2Filter{name: st.Get("Name")}
		if f.name == "" {
			return nil, errorf(400, "InvalidParameterValue", "The filter 'null' is invalid")
		}
		f.values = ec2StructList(st, "Value")
		out = append(out, f)
	}
	return out, nil
}

// ec2StructList reads Name.N members out of one structure's fields.
func ec2StructList(st map[string][]string, name string) []string {
	type item struct {
		n int
		v string
	}
	var its []item
	for k, vs := range st {
		rest, ok := strings.CutPrefix(k, name+".")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil {
			continue
		}
		its = append(its, item{n, vs[0]})
	}
	slices.SortFunc(its, func(a, b item) int { return a.n - b.n })
	out := make([]string, len(its))
	for i, it := range its {
		out[i] = it.v
	}
	return out
}

// ec2Attrs gives an object's values for a filter name; ok false means the filter is unknown.
type ec2Attrs func(name string) (values []string, ok bool)

// ec2TagAttrs answers the tag:<key> and tag-key filters.
func ec2TagAttrs(tags map[string]string, name string) ([]string, bool) {
	if k, ok := strings.CutPrefix(name, "tag:"); ok {
		if v, has := tags[k]; has {
			return []string{v}, true
		}
		return nil, true
	}
	if name == "tag-key" {
		var keys []string
		for k := range tags {
			keys = append(keys, k)
		}
		return keys, true
	}
	if name == "tag-value" {
		var vals []string
		for _, v := range tags {
			vals = append(vals, v)
		}
		return vals, true
	}
	return nil, false
}

// matches reports whether an object passes every filter (AND across filters, OR across a
// filter's values). An unknown filter name is EC2's InvalidParameterValue.
func ec2Matches(filters []ec2Filter, attrs ec2Attrs) (bool, error) {
	for _, f := range filters {
		vals, ok := attrs(f.name)
		if !ok {
			return false, errorf(400, "InvalidParameterValue", "The filter '%s' is invalid", f.name)
		}
		hit := false
		for _, want := range f.values {
			for _, v := range vals {
				if ec2Glob(want, v) {
					hit = true
				}
			}
		}
		if !hit {
			return false, nil
		}
	}
	return true, nil
}

// ec2Glob matches EC2 filter wildcards: * any run, ? one character, \ escapes.
func ec2Glob(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if ec2Glob(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && ec2Glob(pattern[1:], s[1:])
	case '\\':
		if len(pattern) > 1 {
			pattern = pattern[1:]
		}
	}
	return s != "" && s[0] == pattern[0] && ec2Glob(pattern[1:], s[1:])
}

// ec2FilterAll keeps the objects that pass the filters.
func ec2FilterAll[T any](c *Call, objs []T, attrs func(T) ec2Attrs) ([]T, error) {
	fs, err := ec2Filters(c)
	if err != nil {
		return nil, err
	}
	var out []T
	for _, o := range objs {
		ok, err := ec2Matches(fs, attrs(o))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, o)
		}
	}
	return out, nil
}

// ec2Page cuts one page out of objs by MaxResults/NextToken. A call without MaxResults or
// NextToken gets everything, as EC2 does for these operations. The token is opaque to
// clients; it names the operation so a token from another call is rejected.
func ec2Page[T any](c *Call, objs []T, minMax, maxMax int) ([]T, string, error) {
	if !c.Has("MaxResults") && !c.Has("NextToken") {
		return objs, "", nil
	}
	limit := maxMax
	if c.Has("MaxResults") {
		n, err := strconv.Atoi(c.Param("MaxResults"))
		if err != nil {
			return nil, "", errorf(400, "InvalidParameterValue", "Invalid value '%s' for maxResults", c.Param("MaxResults"))
		}
		if n < minMax {
			return nil, "", errorf(400, "InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value greater than %d.", n, minMax-1)
		}
		if n > maxMax {
			return nil, "", errorf(400, "InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value less than or equal to %d.", n, maxMax)
		}
		limit = n
	}
	start := 0
	if tok := c.Param("NextToken"); tok != "" {
		n, ok := ec2ParseToken(c.Action, tok)
		if !ok || n > len(objs) {
			return nil, "", errorf(400, "InvalidNextToken", "The specified NextToken is not valid.")
		}
		start = n
	}
	end := min(start+limit, len(objs))
	next := ""
	if end < len(objs) {
		next = ec2Token(c.Action, end)
	}
	return objs[start:end], next, nil
}

func ec2Token(action string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(action + ":" + strconv.Itoa(offset)))
}

func ec2ParseToken(action, tok string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(b), action+":")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

// ec2Pick returns the objects named in ids (all of them, in request order), or the EC2
// NotFound error naming the missing ones. Malformed IDs (wrong prefix) are Malformed errors.
func ec2Pick[T any](objs []T, ids []string, idOf func(T) string, prefix, what, code, malformed string) ([]T, error) {
	var out []T
	var missing []string
	for _, id := range ids {
		if !strings.HasPrefix(id, prefix+"-") {
			return nil, errorf(400, malformed, "Invalid id: \"%s\" (expecting \"%s-...\")", id, prefix)
		}
		i := slices.IndexFunc(objs, func(o T) bool { return idOf(o) == id })
		if i < 0 {
			missing = append(missing, id)
			continue
		}
		out = append(out, objs[i])
	}
	switch len(missing) {
	case 0:
		return out, nil
	case 1:
		return nil, errorf(400, code, "The %s '%s' does not exist", what, missing[0])
	}
	return nil, errorf(400, code, "The %ss '%s' do not exist", what, strings.Join(missing, ", "))
}

func ec2Combine(list, other string) error {
	return errorf(400, "InvalidParameterCombination", "The parameter %s cannot be used with the parameter %s", list, other)
}

// ---- DescribeRegions ----

func ec2DescribeRegions(c *Call, _ *Region) (any, error) {
	all := c.Param("AllRegions") == "true"
	names := c.List("RegionName")
	var regions []*Region
	for _, n := range names {
		r := c.Account.Region(n)
		if r == nil {
			return nil, errorf(400, "InvalidParameterValue", "Invalid region: %s", n)
		}
		regions = append(regions, r)
	}
	if len(names) == 0 {
		regions = c.Account.Regions
	}
	if !all {
		regions = slices.DeleteFunc(slices.Clone(regions), func(r *Region) bool { return !r.Enabled() })
	}
	regions, err := ec2FilterAll(c, regions, func(r *Region) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "region-name":
				return []string{r.Name}, true
			case "opt-in-status":
				return []string{r.OptIn}, true
			case "endpoint":
				return []string{regionEndpoint(r.Name)}, true
			}
			return nil, false
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]xmlRegion, len(regions))
	for i, r := range regions {
		out[i] = xmlRegion{Name: r.Name, Endpoint: regionEndpoint(r.Name), OptIn: r.OptIn}
	}
	return xmlDescribeRegions{Regions: ec2Items(out)}, nil
}

func regionEndpoint(region string) string { return "ec2." + region + ".amazonaws.com" }

// ---- instances ----

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

// ---- security groups ----

func sgARN(c *Call, r *Region, id string) string {
	return "arn:aws:ec2:" + r.Name + ":" + c.Account.ID + ":security-group/" + id
}

// permissionsXML merges rules with the same protocol and ports into one permission, as
// EC2 reports them however they were added.
func permissionsXML(c *Call, rules []SGRule) ec2Set[xmlPermission] {
	var out []xmlPermission
	type key struct {
		proto    string
		from, to int
	}
	at := map[key]int{}
	for _, rule := range rules {
		k := key{rule.Protocol, rule.FromPort, rule.ToPort}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			p := xmlPermission{Protocol: rule.Protocol}
			if rule.Protocol != "-1" {
				from, to := rule.FromPort, rule.ToPort
				p.FromPort, p.ToPort = &from, &to
			}
			out = append(out, p)
		}
		p := &out[i]
		for _, cidr := range rule.CIDRs {
			p.Ranges.Items = append(p.Ranges.Items, xmlRange{CIDR: cidr})
		}
		for _, cidr := range rule.IPv6 {
			p.Ranges6.Items = append(p.Ranges6.Items, xmlRange6{CIDR: cidr})
		}
		for _, g := range rule.Groups {
			p.Groups.Items = append(p.Groups.Items, xmlGroupPair{UserID: c.Account.ID, GroupID: g})
		}
	}
	return ec2Items(out)
}

func sgXML(c *Call, r *Region, sg *SecurityGroup) xmlSecurityGroup {
	return xmlSecurityGroup{OwnerID: c.Account.ID, ID: sg.ID, Name: sg.Name, Description: sg.Description, VPCID: sg.VPCID,
		ARN: sgARN(c, r, sg.ID), Ingress: permissionsXML(c, sg.Ingress), Egress: permissionsXML(c, sg.Egress), Tags: xmlTags(sg.Tags)}
}

// findSG finds a security group by ID.
func findSG(r *Region, id string) *SecurityGroup {
	for _, sg := range r.SecurityGroups {
		if sg.ID == id {
			return sg
		}
	}
	return nil
}

// findSGByName finds a group by name in the default VPC, the only place EC2 looks names up.
func findSGByName(r *Region, name string) *SecurityGroup {
	vpc := defaultVPC(r)
	for _, sg := range r.SecurityGroups {
		if sg.Name == name && sg.VPCID == vpc {
			return sg
		}
	}
	return nil
}

func sgNotFoundByName(r *Region, name string) error {
	return errorf(400, "InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", name, defaultVPC(r))
}

func ec2DescribeSecurityGroups(c *Call, r *Region) (any, error) {
	groups := r.SecurityGroups
	ids, names := c.List("GroupId"), c.List("GroupName")
	if (len(ids) > 0 || len(names) > 0) && c.Has("MaxResults") {
		return nil, ec2Combine("groupIds", "maxResults")
	}
	if len(ids) > 0 || len(names) > 0 {
		picked, err := ec2Pick(groups, ids, func(g *SecurityGroup) string { return g.ID }, "sg", "security group", "InvalidGroup.NotFound", "InvalidGroupId.Malformed")
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			sg := findSGByName(r, n)
			if sg == nil {
				return nil, sgNotFoundByName(r, n)
			}
			if !slices.Contains(picked, sg) {
				picked = append(picked, sg)
			}
		}
		groups = picked
	}
	groups, err := ec2FilterAll(c, groups, func(sg *SecurityGroup) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "group-name":
				return []string{sg.Name}, true
			case "group-id":
				return []string{sg.ID}, true
			case "vpc-id":
				return []string{sg.VPCID}, true
			case "description":
				return []string{sg.Description}, true
			case "owner-id":
				return []string{c.Account.ID}, true
			case "ip-permission.cidr":
				var v []string
				for _, rule := range sg.Ingress {
					v = append(v, rule.CIDRs...)
				}
				return v, true
			case "ip-permission.ipv6-cidr":
				var v []string
				for _, rule := range sg.Ingress {
					v = append(v, rule.IPv6...)
				}
				return v, true
			case "ip-permission.protocol":
				var v []string
				for _, rule := range sg.Ingress {
					v = append(v, rule.Protocol)
				}
				return v, true
			}
			return ec2TagAttrs(sg.Tags, name)
		}
	})
	if err != nil {
		return nil, err
	}
	page, next, err := ec2Page(c, groups, 5, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]xmlSecurityGroup, len(page))
	for i, sg := range page {
		out[i] = sgXML(c, r, sg)
	}
	return xmlDescribeSecurityGroups{Groups: ec2Items(out), NextToken: next}, nil
}

// ---- key pairs ----

func keyPairXML(kp *KeyPair) xmlKeyPair {
	return xmlKeyPair{ID: kp.ID, Name: kp.Name, Fingerprint: kp.Fingerprint, Type: kp.Type, Created: ec2Time(kp.Created)}
}

func findKeyPair(r *Region, name string) *KeyPair {
	for _, kp := range r.KeyPairs {
		if kp.Name == name {
			return kp
		}
	}
	return nil
}

func ec2DescribeKeyPairs(c *Call, r *Region) (any, error) {
	keys := r.KeyPairs
	names, ids := c.List("KeyName"), c.List("KeyPairId")
	if len(names) > 0 || len(ids) > 0 {
		var picked []*KeyPair
		for _, n := range names {
			kp := findKeyPair(r, n)
			if kp == nil {
				return nil, errorf(400, "InvalidKeyPair.NotFound", "The key pair '%s' does not exist", n)
			}
			picked = append(picked, kp)
		}
		byID, err := ec2Pick(keys, ids, func(k *KeyPair) string { return k.ID }, "key", "key pair", "InvalidKeyPair.NotFound", "InvalidParameterValue")
		if err != nil {
			return nil, err
		}
		for _, kp := range byID {
			if !slices.Contains(picked, kp) {
				picked = append(picked, kp)
			}
		}
		keys = picked
	}
	keys, err := ec2FilterAll(c, keys, func(kp *KeyPair) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "key-name":
				return []string{kp.Name}, true
			case "key-pair-id":
				return []string{kp.ID}, true
			case "fingerprint":
				return []string{kp.Fingerprint}, true
			case "key-type":
				return []string{kp.Type}, true
			}
			return ec2TagAttrs(nil, name)
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]xmlKeyPair, len(keys))
	for i, kp := range keys {
		out[i] = keyPairXML(kp)
	}
	return xmlDescribeKeyPairs{Keys: ec2Items(out)}, nil
}

// ---- spot requests ----

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

// ---- launch templates ----

func launchTemplateXML(lt *LaunchTemplate) ec2LaunchTemplate {
	return ec2LaunchTemplate{ID: lt.ID, Name: lt.Name, Created: ec2Time(lt.Created), CreatedBy: lt.CreatedBy, DefaultVersion: lt.DefaultVersion, LatestVersion: lt.LatestVersion}
}

const ltMissing = "At least one of the launch templates specified in the request does not exist."

// findLaunchTemplate finds a template by ID or name, with EC2's errors for each.
func findLaunchTemplate(r *Region, id, name string) (*LaunchTemplate, error) {
	for _, lt := range r.LaunchTemplates {
		if (id != "" && lt.ID == id) || (id == "" && lt.Name == name) {
			return lt, nil
		}
	}
	if id != "" {
		if !strings.HasPrefix(id, "lt-") {
			return nil, errorf(400, "InvalidLaunchTemplateId.Malformed", "The specified ID for the launch template (%s) is not valid. Launch template IDs must be in the form lt-xxxxxxxxxxxxxxxxx.", id)
		}
		return nil, errorf(400, "InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id)
	}
	return nil, errorf(400, "InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name %s, does not exist.", name)
}

func ec2DescribeLaunchTemplates(c *Call, r *Region) (any, error) {
	lts := r.LaunchTemplates
	ids, names := c.List("LaunchTemplateId"), c.List("LaunchTemplateName")
	if len(ids) > 0 || len(names) > 0 {
		var picked []*LaunchTemplate
		for _, id := range ids {
			lt, err := findLaunchTemplate(r, id, "")
			if err != nil {
				if asAPIError(err).Code == "InvalidLaunchTemplateId.NotFound" {
					return nil, errorf(400, "InvalidLaunchTemplateId.NotFound", ltMissing)
				}
				return nil, err
			}
			picked = append(picked, lt)
		}
		for _, n := range names {
			lt, err := findLaunchTemplate(r, "", n)
			if err != nil {
				return nil, errorf(400, "InvalidLaunchTemplateName.NotFoundException", ltMissing)
			}
			if !slices.Contains(picked, lt) {
				picked = append(picked, lt)
			}
		}
		lts = picked
	}
	lts, err := ec2FilterAll(c, lts, func(lt *LaunchTemplate) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "launch-template-name":
				return []string{lt.Name}, true
			case "create-time":
				return []string{ec2Time(lt.Created)}, true
			}
			return ec2TagAttrs(nil, name)
		}
	})
	if err != nil {
		return nil, err
	}
	page, next, err := ec2Page(c, lts, 1, 200)
	if err != nil {
		return nil, err
	}
	out := make([]ec2LaunchTemplate, len(page))
	for i, lt := range page {
		out[i] = launchTemplateXML(lt)
	}
	return ec2DescribeLaunchTemplatesOut{Templates: ec2Items(out), NextToken: next}, nil
}

// ---- images, snapshots, volumes ----

// ownedOnly reports whether an Owner.N list admits the account's own objects. The simulator
// holds no public catalogue, so owners other than the account (amazon, aws-marketplace,
// other account IDs) match nothing.
func ownedOnly(c *Call) bool {
	owners := c.List("Owner")
	if len(owners) == 0 {
		return true
	}
	return slices.Contains(owners, "self") || slices.Contains(owners, c.Account.ID)
}

func ec2DescribeImages(c *Call, r *Region) (any, error) {
	var imgs []*Image
	if ownedOnly(c) {
		imgs = r.Images
	}
	if ids := c.List("ImageId"); len(ids) > 0 {
		var picked []*Image
		for _, id := range ids {
			if !strings.HasPrefix(id, "ami-") {
				return nil, errorf(400, "InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", id)
			}
			i := slices.IndexFunc(imgs, func(im *Image) bool { return im.ID == id })
			if i < 0 {
				return nil, errorf(400, "InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
			}
			picked = append(picked, imgs[i])
		}
		imgs = picked
	}
	imgs, err := ec2FilterAll(c, imgs, func(im *Image) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "name":
				return []string{im.Name}, true
			case "image-id":
				return []string{im.ID}, true
			case "state":
				return []string{im.State}, true
			case "is-public":
				return []string{strconv.FormatBool(im.Public)}, true
			case "owner-id":
				return []string{c.Account.ID}, true
			}
			return ec2TagAttrs(nil, name)
		}
	})
	if err != nil {
		return nil, err
	}
	page, next, err := ec2Page(c, imgs, 1, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]ec2Image, len(page))
	for i, im := range page {
		out[i] = ec2Image{ID: im.ID, Location: c.Account.ID + "/" + im.Name, State: im.State, OwnerID: c.Account.ID, Created: ec2Time(im.Created),
			Public: im.Public, Architecture: "x86_64", Type: "machine", Name: im.Name, RootDeviceType: "ebs", RootDeviceName: "/dev/xvda", Virtualization: "hvm", Hypervisor: "xen"}
	}
	return ec2Images{Images: ec2Items(out), NextToken: next}, nil
}

func ec2DescribeSnapshots(c *Call, r *Region) (any, error) {
	var snaps []*Snapshot
	if ownedOnly(c) {
		snaps = r.Snapshots
	}
	if ids := c.List("SnapshotId"); len(ids) > 0 {
		if c.Has("MaxResults") {
			return nil, ec2Combine("snapshotSet", "maxResults")
		}
		var picked []*Snapshot
		for _, id := range ids {
			if !strings.HasPrefix(id, "snap-") {
				return nil, errorf(400, "InvalidSnapshotID.Malformed", "Invalid id: \"%s\" (expecting \"snap-...\")", id)
			}
			i := slices.IndexFunc(snaps, func(s *Snapshot) bool { return s.ID == id })
			if i < 0 {
				return nil, errorf(400, "InvalidSnapshot.NotFound", "The snapshot '%s' does not exist.", id)
			}
			picked = append(picked, snaps[i])
		}
		snaps = picked
	}
	snaps, err := ec2FilterAll(c, snaps, func(s *Snapshot) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "snapshot-id":
				return []string{s.ID}, true
			case "status":
				return []string{s.State}, true
			case "volume-id":
				return []string{s.VolumeID}, true
			case "encrypted":
				return []string{strconv.FormatBool(s.Encrypted)}, true
			case "volume-size":
				return []string{strconv.Itoa(int(s.SizeGiB))}, true
			case "owner-id":
				return []string{c.Account.ID}, true
			}
			return ec2TagAttrs(nil, name)
		}
	})
	if err != nil {
		return nil, err
	}
	page, next, err := ec2Page(c, snaps, 5, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]ec2Snapshot, len(page))
	for i, s := range page {
		out[i] = ec2Snapshot{ID: s.ID, VolumeID: s.VolumeID, Status: s.State, Started: ec2Time(s.Started), Progress: "100%", OwnerID: c.Account.ID,
			Size: s.SizeGiB, Encrypted: s.Encrypted, Storage: "standard"}
	}
	return ec2Snapshots{Snapshots: ec2Items(out), NextToken: next}, nil
}

func ec2DescribeVolumes(c *Call, r *Region) (any, error) {
	vols := r.Volumes
	if ids := c.List("VolumeId"); len(ids) > 0 {
		if c.Has("MaxResults") {
			return nil, ec2Combine("volumeSet", "maxResults")
		}
		var picked []*Volume
		for _, id := range ids {
			if !strings.HasPrefix(id, "vol-") {
				return nil, errorf(400, "InvalidVolumeID.Malformed", "Invalid id: \"%s\" (expecting \"vol-...\")", id)
			}
			i := slices.IndexFunc(vols, func(v *Volume) bool { return v.ID == id })
			if i < 0 {
				return nil, errorf(400, "InvalidVolume.NotFound", "The volume '%s' does not exist.", id)
			}
			picked = append(picked, vols[i])
		}
		vols = picked
	}
	vols, err := ec2FilterAll(c, vols, func(v *Volume) ec2Attrs {
		return func(name string) ([]string, bool) {
			switch name {
			case "volume-id":
				return []string{v.ID}, true
			case "status":
				return []string{v.State}, true
			case "volume-type":
				return []string{v.Type}, true
			case "encrypted":
				return []string{strconv.FormatBool(v.Encrypted)}, true
			case "availability-zone":
				return []string{v.AvailabilityZone}, true
			case "size":
				return []string{strconv.Itoa(int(v.SizeGiB))}, true
			case "attachment.instance-id":
				return []string{v.InstanceID}, true
			case "attachment.status":
				if v.InstanceID != "" {
					return []string{"attached"}, true
				}
				return nil, true
			}
			return ec2TagAttrs(nil, name)
		}
	})
	if err != nil {
		return nil, err
	}
	page, next, err := ec2Page(c, vols, 5, 500)
	if err != nil {
		return nil, err
	}
	out := make([]ec2Volume, len(page))
	for i, v := range page {
		x := ec2Volume{ID: v.ID, Size: v.SizeGiB, AZ: v.AvailabilityZone, Status: v.State, Created: ec2Time(v.Created), Type: v.Type, Encrypted: v.Encrypted}
		if v.Type == "gp3" {
			x.Iops = 3000
		}
		if v.InstanceID != "" {
			x.Attachments.Items = []ec2Attachment{{VolumeID: v.ID, InstanceID: v.InstanceID, Device: "/dev/xvda", Status: "attached", Attached: ec2Time(v.Created), DeleteOnTermination: true}}
		}
		out[i] = x
	}
	return ec2Volumes{Volumes: ec2Items(out), NextToken: next}, nil
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

// ---- key pairs ----

// keyMaterial makes a PEM-framed private key body. It is random bytes, not a usable key:
// nothing in the simulator logs in to an instance, and generating real RSA keys would make
// every CreateKeyPair cost tens of milliseconds.
func keyMaterial(c *Call, typ string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	n, header := 1588, "RSA PRIVATE KEY"
	if typ == "ed25519" {
		n, header = 300, "OPENSSH PRIVATE KEY"
	}
	var b strings.Builder
	b.WriteString("-----BEGIN " + header + "-----\n")
	for i := range n {
		b.WriteByte(alphabet[c.srv.w.rng.IntN(len(alphabet))])
		if i%64 == 63 {
			b.WriteByte('\n')
		}
	}
	b.WriteString("\n-----END " + header + "-----")
	return b.String()
}

func ec2CreateKeyPair(c *Call, r *Region) (any, error) {
	name := c.Param("KeyName")
	if name == "" {
		return nil, missingParam("KeyName")
	}
	if len(name) > 255 {
		return nil, errorf(400, "InvalidParameterValue", "Value (%s) for parameter keyName is invalid. Length exceeds maximum of 255.", name)
	}
	typ := c.Param("KeyType")
	switch typ {
	case "":
		typ = "rsa"
	case "rsa", "ed25519":
	default:
		return nil, errorf(400, "InvalidParameterValue", "Value (%s) for parameter keyType is invalid.", typ)
	}
	if findKeyPair(r, name) != nil {
		return nil, errorf(400, "InvalidKeyPair.Duplicate", "The keypair '%s' already exists.", name)
	}
	kp := &KeyPair{ID: c.srv.w.NewID("key"), Name: name, Type: typ, Created: c.Now, Fingerprint: fingerprint(c.srv.w)}
	if typ == "ed25519" {
		kp.Fingerprint = base64.StdEncoding.EncodeToString([]byte(c.srv.w.randHex(16))) // SHA-256, base64, as AWS gives ed25519 keys
	}
	r.KeyPairs = append(r.KeyPairs, kp)
	c.created("key-pair", kp.ID)
	c.TrailRequest = map[string]any{"keyName": name, "keyType": typ, "keyFormat": "pem"}
	c.TrailResponse = map[string]any{"keyName": name, "keyFingerprint": kp.Fingerprint, "keyPairId": kp.ID, "keyMaterial": "<sensitiveDataRemoved>"}
	return ec2CreateKeyPairOut{Name: name, Fingerprint: kp.Fingerprint, Material: keyMaterial(c, typ), ID: kp.ID}, nil
}

// ec2DeleteKeyPair deletes by name or ID; deleting one that does not exist succeeds, as in AWS.
func ec2DeleteKeyPair(c *Call, r *Region) (any, error) {
	name, id := c.Param("KeyName"), c.Param("KeyPairId")
	if name == "" && id == "" {
		return nil, missingParam("KeyName")
	}
	out := ec2DeleteKeyPairOut{Return: true}
	i := slices.IndexFunc(r.KeyPairs, func(k *KeyPair) bool { return (id != "" && k.ID == id) || (id == "" && k.Name == name) })
	if i >= 0 {
		out.ID = r.KeyPairs[i].ID
		r.KeyPairs = slices.Delete(r.KeyPairs, i, i+1)
	}
	req := map[string]any{}
	if name != "" {
		req["keyName"] = name
	}
	if id != "" {
		req["keyPairId"] = id
	}
	c.TrailRequest = req
	c.TrailResponse = map[string]any{"_return": true, "keyPairId": out.ID}
	return out, nil
}

// ---- security groups (mutations) ----

// sgRulesLimit is the default quota of inbound rules per security group.
const sgRulesLimit = 60

func knownVPC(r *Region, vpc string) bool {
	if vpc == defaultVPC(r) {
		return true
	}
	return slices.ContainsFunc(r.SecurityGroups, func(sg *SecurityGroup) bool { return sg.VPCID == vpc })
}

func ec2CreateSecurityGroup(c *Call, r *Region) (any, error) {
	name, desc, vpc := c.Param("GroupName"), c.Param("GroupDescription"), c.Param("VpcId")
	switch {
	case name == "":
		return nil, missingParam("GroupName")
	case desc == "":
		return nil, missingParam("GroupDescription")
	case len(name) > 255:
		return nil, errorf(400, "InvalidParameterValue", "Invalid value '%s' for groupName. Length exceeds maximum of 255.", name)
	case strings.HasPrefix(name, "sg-"):
		return nil, errorf(400, "InvalidParameterValue", "Group names may not be in the format sg-*.")
	}
	if vpc == "" {
		vpc = defaultVPC(r)
	} else if !knownVPC(r, vpc) {
		return nil, errorf(400, "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", vpc)
	}
	for _, sg := range r.SecurityGroups {
		if sg.Name == name && sg.VPCID == vpc {
			return nil, errorf(400, "InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, vpc)
		}
	}
	tags, err := tagSpecs(c.Params, "TagSpecification", "security-group")
	if err != nil {
		return nil, err
	}
	sg := &SecurityGroup{ID: c.srv.w.NewID("sg"), Name: name, Description: desc, VPCID: vpc, Tags: tags,
		Egress: []SGRule{{Protocol: "-1", CIDRs: []string{"0.0.0.0/0"}}}}
	r.SecurityGroups = append(r.SecurityGroups, sg)
	c.created("security-group", sg.ID)
	c.TrailRequest = map[string]any{"groupName": name, "groupDescription": desc, "vpcId": vpc}
	c.TrailResponse = map[string]any{"_return": true, "groupId": sg.ID, "securityGroupArn": sgARN(c, r, sg.ID)}
	return ec2CreateSGOut{Return: true, ID: sg.ID, ARN: sgARN(c, r, sg.ID)}, nil
}

// groupParam finds the group a call names by GroupId, or by GroupName in the default VPC.
func groupParam(c *Call, r *Region) (*SecurityGroup, error) {
	id, name := c.Param("GroupId"), c.Param("GroupName")
	switch {
	case id != "":
		if !strings.HasPrefix(id, "sg-") {
			return nil, errorf(400, "InvalidGroupId.Malformed", "Invalid id: \"%s\" (expecting \"sg-...\")", id)
		}
		if sg := findSG(r, id); sg != nil {
			return sg, nil
		}
		return nil, errorf(400, "InvalidGroup.NotFound", "The security group '%s' does not exist", id)
	case name != "":
		if sg := findSGByName(r, name); sg != nil {
			return sg, nil
		}
		return nil, sgNotFoundByName(r, name)
	}
	return nil, errorf(400, "MissingParameter", "The request must contain the parameter groupName or groupId")
}

var protocolNames = map[string]string{"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp", "icmpv6": "icmpv6", "58": "icmpv6", "-1": "-1", "all": "-1"}

// permission parses one IpPermissions.N (or the legacy top-level form) into a rule.
func permission(r *Region, p map[string][]string) (SGRule, error) {
	get := func(k string) string {
		if v := p[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	raw := strings.ToLower(get("IpProtocol"))
	proto, ok := protocolNames[raw]
	if !ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 255 {
			return SGRule{}, errorf(400, "InvalidParameterValue", "Invalid value '%s' for IP protocol. Unknown protocol.", get("IpProtocol"))
		}
		proto = raw
	}
	rule := SGRule{Protocol: proto}
	if proto == "tcp" || proto == "udp" || proto == "icmp" || proto == "icmpv6" {
		from, err1 := strconv.Atoi(get("FromPort"))
		to, err2 := strconv.Atoi(get("ToPort"))
		if err1 != nil || err2 != nil {
			return SGRule{}, errorf(400, "InvalidParameterValue", "Invalid value for portRange. Must specify both from and to ports with TCP/UDP.")
		}
		if proto == "tcp" || proto == "udp" {
			if from < 0 || to > 65535 || from > to {
				return SGRule{}, errorf(400, "InvalidParameterValue", "Invalid value for portRange. Must specify both from and to ports with TCP/UDP (from %d, to %d).", from, to)
			}
		}
		rule.FromPort, rule.ToPort = from, to
	}
	for _, v := range p["CidrIp"] {
		rule.CIDRs = append(rule.CIDRs, v)
	}
	for _, st := range structsOf(p, "IpRanges") {
		rule.CIDRs = append(rule.CIDRs, st.Get("CidrIp"))
	}
	for _, st := range structsOf(p, "Ipv6Ranges") {
		rule.IPv6 = append(rule.IPv6, st.Get("CidrIpv6"))
	}
	for _, st := range structsOf(p, "Groups") {
		id := st.Get("GroupId")
		if id == "" && st.Get("GroupName") != "" {
			sg := findSGByName(r, st.Get("GroupName"))
			if sg == nil {
				return SGRule{}, sgNotFoundByName(r, st.Get("GroupName"))
			}
			id = sg.ID
		}
		if findSG(r, id) == nil {
			return SGRule{}, errorf(400, "InvalidGroup.NotFound", "The security group '%s' does not exist", id)
		}
		rule.Groups = append(rule.Groups, id)
	}
	for _, cidr := range rule.CIDRs {
		if pfx, err := netip.ParsePrefix(cidr); err != nil || !pfx.Addr().Is4() {
			return SGRule{}, errorf(400, "InvalidParameterValue", "CIDR block %s is malformed", cidr)
		}
	}
	for _, cidr := range rule.IPv6 {
		if pfx, err := netip.ParsePrefix(cidr); err != nil || !pfx.Addr().Is6() {
			return SGRule{}, errorf(400, "InvalidParameterValue", "Invalid IPv6 CIDR block %s", cidr)
		}
	}
	if len(rule.CIDRs)+len(rule.IPv6)+len(rule.Groups) == 0 {
		return SGRule{}, errorf(400, "InvalidParameterValue", "The request must specify a source: IpRanges, Ipv6Ranges or UserIdGroupPairs")
	}
	return rule, nil
}

// ruleHas reports whether rules already allow peer for the protocol and ports of r.
func ruleHas(rules []SGRule, r SGRule, peer string) bool {
	for _, x := range rules {
		if x.Protocol != r.Protocol || (r.Protocol != "-1" && (x.FromPort != r.FromPort || x.ToPort != r.ToPort)) {
			continue
		}
		if slices.Contains(x.CIDRs, peer) || slices.Contains(x.IPv6, peer) || slices.Contains(x.Groups, peer) {
			return true
		}
	}
	return false
}

func duplicateRule(rule SGRule, peer string) error {
	proto := strings.ToUpper(rule.Protocol)
	if rule.Protocol == "-1" {
		proto = "ALL"
		return errorf(400, "InvalidPermission.Duplicate", "the specified rule \"peer: %s, %s, ALLOW\" already exists", peer, proto)
	}
	return errorf(400, "InvalidPermission.Duplicate", "the specified rule \"peer: %s, %s, from port: %d, to port: %d, ALLOW\" already exists", peer, proto, rule.FromPort, rule.ToPort)
}

func ec2AuthorizeSecurityGroupIngress(c *Call, r *Region) (any, error) {
	sg, err := groupParam(c, r)
	if err != nil {
		return nil, err
	}
	perms := c.Structs("IpPermissions")
	if len(perms) == 0 && c.Has("IpProtocol") {
		perms = append(perms, c.Params)
	}
	if len(perms) == 0 {
		return nil, missingParam("IpPermissions")
	}
	var rules []SGRule
	for _, p := range perms {
		rule, err := permission(r, p)
		if err != nil {
			return nil, err
		}
		for _, peer := range slices.Concat(rule.CIDRs, rule.IPv6, rule.Groups) {
			if ruleHas(sg.Ingress, rule, peer) || ruleHas(rules, rule, peer) {
				return nil, duplicateRule(rule, peer)
			}
		}
		rules = append(rules, rule)
	}
	count := 0
	for _, x := range slices.Concat(sg.Ingress, rules) {
		count += len(x.CIDRs) + len(x.IPv6) + len(x.Groups)
	}
	if count > sgRulesLimit {
		return nil, errorf(400, "RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.")
	}
	sg.Ingress = append(sg.Ingress, rules...)

	var out ec2AuthorizeOut
	out.Return = true
	var trailPerms, trailRules []map[string]any
	for _, rule := range rules {
		from, to := rule.FromPort, rule.ToPort
		if rule.Protocol == "-1" {
			from, to = -1, -1
		}
		add := func(v4, v6 string) {
			id := "sgr-0" + c.srv.w.randHex(16)
			x := ec2SGRule{ID: id, GroupID: sg.ID, OwnerID: c.Account.ID, Protocol: rule.Protocol, FromPort: from, ToPort: to, CIDRv4: v4, CIDRv6: v6,
				ARN: "arn:aws:ec2:" + r.Name + ":" + c.Account.ID + ":security-group-rule/" + id}
			out.Rules.Items = append(out.Rules.Items, x)
			tr := map[string]any{"groupOwnerId": c.Account.ID, "groupId": sg.ID, "securityGroupRuleId": id, "isEgress": false, "ipProtocol": rule.Protocol, "fromPort": from, "toPort": to}
			if v4 != "" {
				tr["cidrIpv4"] = v4
			}
			if v6 != "" {
				tr["cidrIpv6"] = v6
			}
			trailRules = append(trailRules, tr)
		}
		for _, v := range rule.CIDRs {
			add(v, "")
		}
		for _, v := range rule.IPv6 {
			add("", v)
		}
		for range rule.Groups {
			add("", "")
		}
		tp := map[string]any{"ipProtocol": rule.Protocol, "groups": map[string]any{}, "ipRanges": map[string]any{}, "ipv6Ranges": map[string]any{}, "prefixListIds": map[string]any{}}
		if rule.Protocol != "-1" {
			tp["fromPort"], tp["toPort"] = from, to
		}
		if len(rule.CIDRs) > 0 {
			var its []map[string]string
			for _, v := range rule.CIDRs {
				its = append(its, map[string]string{"cidrIp": v})
			}
			tp["ipRanges"] = map[string]any{"items": its}
		}
		if len(rule.IPv6) > 0 {
			var its []map[string]string
			for _, v := range rule.IPv6 {
				its = append(its, map[string]string{"cidrIpv6": v})
			}
			tp["ipv6Ranges"] = map[string]any{"items": its}
		}
		if len(rule.Groups) > 0 {
			var its []map[string]string
			for _, v := range rule.Groups {
				its = append(its, map[string]string{"groupId": v})
			}
			tp["groups"] = map[string]any{"items": its}
		}
		trailPerms = append(trailPerms, tp)
	}
	c.TrailRequest = map[string]any{"groupId": sg.ID, "ipPermissions": map[string]any{"items": trailPerms}}
	c.TrailResponse = map[string]any{"_return": true, "securityGroupRuleSet": map[string]any{"items": trailRules}}
	return out, nil
}

func ec2DeleteSecurityGroup(c *Call, r *Region) (any, error) {
	sg, err := groupParam(c, r)
	if err != nil {
		return nil, err
	}
	if sg.Name == "default" {
		return nil, errorf(400, "CannotDelete", "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", sg.ID)
	}
	for _, in := range r.Instances {
		if in.State != "terminated" && slices.Contains(in.SecurityGroupIDs, sg.ID) {
			return nil, errorf(400, "DependencyViolation", "resource %s has a dependent object", sg.ID)
		}
	}
	for _, other := range r.SecurityGroups {
		if other == sg {
			continue
		}
		for _, rule := range slices.Concat(other.Ingress, other.Egress) {
			if slices.Contains(rule.Groups, sg.ID) {
				return nil, errorf(400, "DependencyViolation", "resource %s has a dependent object", sg.ID)
			}
		}
	}
	r.SecurityGroups = slices.DeleteFunc(r.SecurityGroups, func(x *SecurityGroup) bool { return x == sg })
	c.TrailRequest = map[string]any{"groupId": sg.ID}
	if c.Param("GroupName") != "" && c.Param("GroupId") == "" {
		c.TrailRequest = map[string]any{"groupName": sg.Name}
	}
	c.TrailResponse = map[string]any{"_return": true, "groupId": sg.ID}
	return ec2DeleteSGOut{Return: true, ID: sg.ID}, nil
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

// ---- launch templates (mutations) ----

func validTemplateName(name string) bool {
	if len(name) < 3 || len(name) > 128 {
		return false
	}
	for _, ch := range name {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.ContainsRune("().-/_", ch)) {
			return false
		}
	}
	return true
}

func ec2CreateLaunchTemplate(c *Call, r *Region) (any, error) {
	name := c.Param("LaunchTemplateName")
	if name == "" {
		return nil, missingParam("LaunchTemplateName")
	}
	if !validTemplateName(name) {
		return nil, errorf(400, "InvalidLaunchTemplateName.MalformedException", "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.")
	}
	hasData := false
	for k := range c.Params {
		if strings.HasPrefix(k, "LaunchTemplateData.") {
			hasData = true
		}
	}
	if !hasData {
		return nil, missingParam("LaunchTemplateData")
	}
	if id, err := idempotent(c, r); err != nil {
		return nil, err
	} else if lt, _ := findLaunchTemplate(r, id, ""); id != "" && lt != nil {
		return ec2LaunchTemplateOut{Template: launchTemplateXML(lt)}, nil // a retry of a call that succeeded
	}
	for _, lt := range r.LaunchTemplates {
		if lt.Name == name {
			return nil, errorf(400, "InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.")
		}
	}
	const d = "LaunchTemplateData."
	lt := &LaunchTemplate{ID: c.srv.w.NewID("lt"), Name: name, CreatedBy: c.Identity.ARN, Created: c.Now, DefaultVersion: 1, LatestVersion: 1,
		InstanceType: c.Param(d + "InstanceType"), ImageID: c.Param(d + "ImageId"), KeyName: c.Param(d + "KeyName")}
	if lt.InstanceType != "" && !validInstanceType(lt.InstanceType) {
		return nil, errorf(400, "InvalidParameterValue", "Invalid value '%s' for InstanceType.", lt.InstanceType)
	}
	sgs, err := resolveGroups(r, c.List(d+"SecurityGroup"), c.List(d+"SecurityGroupId"))
	if err != nil {
		return nil, err
	}
	lt.SecurityGroupIDs = sgs
	r.LaunchTemplates = append(r.LaunchTemplates, lt)
	remember(c, r, lt.ID)
	c.created("launch-template", lt.ID)
	data := map[string]any{}
	for k, v := range map[string]string{"InstanceType": lt.InstanceType, "ImageId": lt.ImageID, "KeyName": lt.KeyName} {
		if v != "" {
			data[k] = v
		}
	}
	if len(sgs) > 0 {
		data["SecurityGroupId"] = sgs
	}
	x := launchTemplateXML(lt)
	c.TrailRequest = map[string]any{"CreateLaunchTemplateRequest": map[string]any{"LaunchTemplateName": name, "LaunchTemplateData": data}}
	c.TrailResponse = map[string]any{"CreateLaunchTemplateResponse": map[string]any{"xmlns": c.Service.XMLNS,
		"launchTemplate": map[string]any{"launchTemplateId": lt.ID, "launchTemplateName": lt.Name, "createTime": x.Created, "createdBy": lt.CreatedBy,
			"defaultVersionNumber": 1, "latestVersionNumber": 1}}}
	return ec2LaunchTemplateOut{Template: x}, nil
}

func ec2DeleteLaunchTemplate(c *Call, r *Region) (any, error) {
	id, name := c.Param("LaunchTemplateId"), c.Param("LaunchTemplateName")
	if id == "" && name == "" {
		return nil, errorf(400, "MissingParameter", "The request must contain the parameter LaunchTemplateName or LaunchTemplateId")
	}
	lt, err := findLaunchTemplate(r, id, name)
	if err != nil {
		return nil, err
	}
	r.LaunchTemplates = slices.DeleteFunc(r.LaunchTemplates, func(x *LaunchTemplate) bool { return x == lt })
	x := launchTemplateXML(lt)
	req := map[string]any{}
	if id != "" {
		req["LaunchTemplateId"] = id
	} else {
		req["LaunchTemplateName"] = name
	}
	c.TrailRequest = map[string]any{"DeleteLaunchTemplateRequest": req}
	c.TrailResponse = map[string]any{"DeleteLaunchTemplateResponse": map[string]any{"xmlns": c.Service.XMLNS,
		"launchTemplate": map[string]any{"launchTemplateId": lt.ID, "launchTemplateName": lt.Name, "createTime": x.Created, "createdBy": lt.CreatedBy,
			"defaultVersionNumber": lt.DefaultVersion, "latestVersionNumber": lt.LatestVersion}}}
	return ec2LaunchTemplateOut{Template: x}, nil
}
