package awssim

import (
	"encoding/base64"

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
		"DescribeRegions":        ec2DescribeRegions,
		"DescribeInstances":      ec2DescribeInstances,
		"DescribeSecurityGroups": ec2DescribeSecurityGroups,
		"DescribeKeyPairs":       ec2DescribeKeyPairs,
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
