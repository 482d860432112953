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
