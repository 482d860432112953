package awssim

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// EC2 security groups: DescribeSecurityGroups, CreateSecurityGroup,
// AuthorizeSecurityGroupIngress, DeleteSecurityGroup.

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
