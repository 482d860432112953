package trail

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/accountguard/accountguard/internal/trail/event"
)

// Created is one resource a create-type call made, with who made it.
type Created struct {
	Type      string    `json:"type"` // "instance", "iam-user", "access-key" … (see creators)
	ID        string    `json:"id"`
	Region    string    `json:"region"`
	Time      time.Time `json:"time"`
	EventID   string    `json:"event_id"`
	EventName string    `json:"event_name"`
	Principal string    `json:"principal"`            // ARN of the caller
	KeyID     string    `json:"access_key,omitempty"` // access key the call was signed with
	Actor     string    `json:"actor"`                // detect.ActorID of the caller
	IP        string    `json:"source_ip,omitempty"`
	// Owner is the user a key or password was made for (CreateAccessKey, CreateLoginProfile).
	Owner string `json:"owner,omitempty"`
	// Parent is the Auto Scaling group that launched an instance, when AWS launched it on the
	// group's behalf: the instance belongs to whoever created the group.
	Parent string `json:"parent,omitempty"`
}

// idPath is where one create-type call keeps the IDs of what it made.
type idPath struct {
	typ  string
	path event.PathID
}

// creators maps an eventName to where its IDs are. IDs come from responseElements (what
// AWS assigned) and, where AWS assigns none (names chosen by the caller), requestParameters.
var creators = map[string][]idPath{}

func creator(eventName, typ string, paths ...string) {
	for _, p := range paths {
		creators[eventName] = append(creators[eventName], idPath{typ: typ, path: event.Intern(p)})
	}
}

func init() {
	creator("RunInstances", "instance", "responseElements.instancesSet.items.instanceId")
	creator("RequestSpotInstances", "spot-request", "responseElements.spotInstanceRequestSet.items.spotInstanceRequestId")
	creator("RequestSpotFleet", "spot-fleet", "responseElements.RequestSpotFleetResponse.spotFleetRequestId")
	creator("CreateFleet", "fleet", "responseElements.CreateFleetResponse.fleetId")
	creator("CreateKeyPair", "key-pair", "responseElements.keyPairId")
	creator("ImportKeyPair", "key-pair", "responseElements.keyPairId")
	creator("CreateSecurityGroup", "security-group", "responseElements.groupId")
	creator("CreateLaunchTemplate", "launch-template", "responseElements.CreateLaunchTemplateResponse.launchTemplate.launchTemplateId")
	creator("CreateLaunchConfiguration", "launch-configuration", "requestParameters.launchConfigurationName")
	creator("CreateAutoScalingGroup", "auto-scaling-group", "requestParameters.autoScalingGroupName")
	creator("CreateUser", "iam-user", "responseElements.user.userName")
	creator("CreateAccessKey", "access-key", "responseElements.accessKey.accessKeyId")
	creator("CreateLoginProfile", "login-profile", "requestParameters.userName")
	creator("CreateRole", "iam-role", "responseElements.role.roleName")
	creator("CreatePolicy", "iam-policy", "responseElements.policy.arn")
	creator("CreateGroup", "iam-group", "responseElements.group.groupName")
	creator("CreateInstanceProfile", "instance-profile", "responseElements.instanceProfile.instanceProfileName")
	creator("CreateVirtualMFADevice", "mfa-device", "responseElements.virtualMFADevice.serialNumber")
	creator("CreateFunction20150331", "lambda-function", "responseElements.functionArn")
	creator("CreateFunction", "lambda-function", "responseElements.functionArn")
	creator("CreateBucket", "bucket", "requestParameters.bucketName")
	creator("CreateTrail", "trail", "responseElements.trailARN")
	creator("CreateCluster", "cluster", "responseElements.cluster.clusterArn")
	creator("RegisterTaskDefinition", "task-definition", "responseElements.taskDefinition.taskDefinitionArn")
	creator("CreateService", "ecs-service", "responseElements.service.serviceArn")
	creator("CreateNotebookInstance", "sagemaker-notebook", "responseElements.notebookInstanceArn")
	creator("CreateTrainingJob", "sagemaker-training-job", "responseElements.trainingJobArn")
	creator("CreateEndpoint", "sagemaker-endpoint", "responseElements.endpointArn")
	creator("CreateVpc", "vpc", "responseElements.vpc.vpcId")
	creator("CreateSubnet", "subnet", "responseElements.subnet.subnetId")
	creator("CreateInternetGateway", "internet-gateway", "responseElements.internetGateway.internetGatewayId")
	creator("AllocateAddress", "elastic-ip", "responseElements.allocationId")
	creator("CreateVolume", "volume", "responseElements.volumeId")
	creator("CreateSnapshot", "snapshot", "responseElements.snapshotId")
	creator("CreateImage", "image", "responseElements.imageId")
	creator("CopyImage", "image", "responseElements.imageId")
	creator("VerifyEmailIdentity", "ses-identity", "requestParameters.emailAddress")
	creator("VerifyDomainIdentity", "ses-identity", "requestParameters.domain")
	creator("CreateEmailIdentity", "ses-identity", "requestParameters.emailIdentity")
	creator("CreateSAMLProvider", "saml-provider", "responseElements.sAMLProviderArn")
	creator("CreateDBInstance", "db-instance", "responseElements.dBInstanceIdentifier")
}

var (
	pathOwnerKey  = event.Intern("responseElements.accessKey.userName")
	pathOwnerUser = event.Intern("requestParameters.userName")
	pathPolicyARN = event.Intern("requestParameters.policyArn")
	pathRoleName  = event.Intern("requestParameters.roleName")
	pathGroupName = event.Intern("requestParameters.groupName")
	pathTags      = event.Intern("requestParameters.tagSpecificationSet.items.tags")
)

// attachCalls make a policy attachment, identified as "<principal name>|<policy ARN>".
var attachCalls = map[string]event.PathID{
	"AttachUserPolicy": pathOwnerUser, "AttachRolePolicy": pathRoleName, "AttachGroupPolicy": pathGroupName,
}

func init() {
	for n := range attachCalls {
		creators[n] = nil // handled in createdBy
	}
}

// createdBy extracts what a successful create-type record made. The strings are copies.
func createdBy(e *event.Event, t time.Time, id event.Identity, actor []byte) []Created {
	if e.Has(event.ErrorCode) && len(e.Str(event.ErrorCode)) > 0 {
		return nil
	}
	name := string(e.Str(event.EventName))
	paths, ok := creators[name]
	if !ok {
		return nil
	}
	base := Created{
		Region: string(e.Str(event.AWSRegion)), Time: t, EventID: string(e.Str(event.EventID)),
		EventName: string(e.Str(event.EventName)), Principal: string(id.ARN), KeyID: string(id.AccessKeyID),
		Actor: string(actor), IP: string(e.Str(event.SourceIPAddress)),
	}
	switch base.EventName {
	case "CreateAccessKey":
		base.Owner = string(e.First(pathOwnerKey))
	case "CreateLoginProfile":
		base.Owner = string(e.First(pathOwnerUser))
	}
	if p, ok := attachCalls[name]; ok {
		who, policy := e.First(p), e.First(pathPolicyARN)
		if len(who) == 0 || len(policy) == 0 {
			return nil
		}
		base.Type, base.ID, base.Owner = "policy-attachment", string(who)+"|"+string(policy), string(who)
		return []Created{base}
	}
	if name == "RunInstances" && string(id.InvokedBy) == "autoscaling.amazonaws.com" {
		for _, v := range e.Values(pathTags) {
			if bytes.Contains(v.Raw, []byte(`"aws:autoscaling:groupName"`)) {
				if g := groupTag(v.Raw); g != "" {
					base.Parent = g
				}
			}
		}
	}
	var out []Created
	for _, p := range paths {
		for _, v := range e.Values(p.path) {
			if v.IsNull() {
				continue
			}
			c := base
			c.Type, c.ID = p.typ, v.String()
			if c.ID != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// replayed reports whether keepCreated would keep none of what createdBy(e, t, _, actor)
// returns, given list and seen: each resource was made by the same actor no later than t
// (a replayed or duplicated record), so createdBy's copies need not be made. key is a
// buffer for the lookups; when idx is not nil, the indices in list of what the record
// made are appended to it.
func replayed(e *event.Event, t time.Time, actor []byte, list []Created, seen map[string]int, key *[]byte, idx *[]int32) bool {
	name := e.Str(event.EventName)
	paths, ok := creators[string(name)]
	if !ok {
		return true // nothing made
	}
	had := func(typ string, id, id2 []byte) bool {
		k := append(append((*key)[:0], typ...), 0)
		k = append(k, id...)
		if id2 != nil {
			k = append(append(k, '|'), id2...)
		}
		k = append(append(k, 0), actor...)
		*key = k
		i, ok := seen[string(k)]
		if ok && idx != nil {
			*idx = append(*idx, int32(i))
		}
		return ok && !t.Before(list[i].Time)
	}
	if p, ok := attachCalls[string(name)]; ok {
		who, policy := e.First(p), e.First(pathPolicyARN)
		return len(who) == 0 || len(policy) == 0 || had("policy-attachment", who, policy)
	}
	for _, p := range paths {
		for _, v := range e.Values(p.path) {
			if v.IsNull() {
				continue
			}
			if id := v.Text(nil); len(id) > 0 && !had(p.typ, id, nil) {
				return false
			}
		}
	}
	return true
}

// madeLimit bounds the record text one worker keeps to know repeated creation records.
const madeLimit = 1 << 20

// creations attributes what a successful create-type record made (createdBy, keepCreated).
// A record that repeats an earlier one (a replay, or one read twice: an organization's
// trail and the account's) made the same resources, known without reading its IDs again:
// w.made keeps, by what decides createdBy's types and IDs (actor, eventName and the raw
// requestParameters and responseElements), the indices in w.created of what it made.
func (w *worker) creations(ev *event.Event, t time.Time, id event.Identity, actor []byte) {
	var key []byte
	if w.kept.created.Load() < maxCreated {
		key = w.madeKey(ev, actor)
		if idx, ok := w.made[string(key)]; ok {
			if w.allBy(idx, t) {
				return
			}
			key = nil // known: nothing to remember
		} else if w.idx = w.idx[:0]; replayed(ev, t, actor, w.created, w.seen, &w.key, &w.idx) {
			w.remember(key, w.idx)
			return
		}
	}
	cs := createdBy(ev, t, id, actor)
	for _, c := range cs {
		// a place is taken before keeping, so that workers keeping at once cannot pass the
		// limit together
		if w.kept.created.Add(1) > maxCreated {
			w.kept.created.Add(-1)
			w.kept.otherCreated.Add(1)
			continue
		}
		if !keepCreated(&w.created, w.seen, c) {
			w.kept.created.Add(-1) // known already: no place taken
		}
	}
	if key == nil {
		return
	}
	w.idx = w.idx[:0]
	for _, c := range cs {
		w.key = append(append(append(append(append(w.key[:0], c.Type...), 0), c.ID...), 0), c.Actor...)
		i, ok := w.seen[string(w.key)]
		if !ok {
			return // not kept (maxCreated): the record is not known
		}
		w.idx = append(w.idx, int32(i))
	}
	w.remember(key, w.idx)
}

// madeKey is the text w.made knows a creation record by, in w.mk: lengths first, so no
// two records' texts run together alike.
func (w *worker) madeKey(ev *event.Event, actor []byte) []byte {
	k := w.mk[:0]
	for _, b := range [][]byte{actor, ev.Str(event.EventName), ev.Top(event.RequestParameters), ev.Top(event.ResponseElements)} {
		k = binary.AppendUvarint(k, uint64(len(b)))
		k = append(k, b...)
	}
	w.mk = k
	return k
}

// allBy reports whether every resource at idx in w.created was made no later than t.
func (w *worker) allBy(idx []int32, t time.Time) bool {
	for _, i := range idx {
		if t.Before(w.created[i].Time) {
			return false
		}
	}
	return true
}

// remember keeps idx for the record known by key, within madeLimit.
func (w *worker) remember(key []byte, idx []int32) {
	if w.madeBytes+len(key)+4*len(idx) > madeLimit {
		return
	}
	if w.made == nil {
		w.made = map[string][]int32{}
	}
	w.made[string(key)] = slices.Clone(idx)
	w.madeBytes += len(key) + 4*len(idx)
}

// Attribution answers "who created this?" and "what did this principal create?".
type Attribution struct {
	All  []Created
	byID map[string][]int
}

// NewAttribution indexes cs (sorted by time).
func NewAttribution(cs []Created) *Attribution {
	slices.SortFunc(cs, func(a, b Created) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.EventID+a.ID, b.EventID+b.ID)
	})
	a := &Attribution{All: cs, byID: map[string][]int{}}
	for i, c := range cs {
		a.byID[c.ID] = append(a.byID[c.ID], i)
	}
	return a
}

// WhoCreated returns the creation records of id (an instance ID, user name, key ID …).
func (a *Attribution) WhoCreated(id string) []Created {
	var out []Created
	for _, i := range a.byID[id] {
		out = append(out, a.All[i])
	}
	return out
}

// By returns everything created by the given actors (access key IDs or ARNs), following
// the keys those actors created for other users: a key made by an attacker's key is the
// attacker's too, and so is whatever that key created.
func (a *Attribution) By(actors ...string) (created []Created, followed []string) {
	want := map[string]bool{}
	for _, x := range actors {
		want[x] = true
	}
	mine := func(c *Created) bool {
		return want[c.Actor] || want[c.KeyID] || want[c.Principal] || (c.Parent != "" && want["asg:"+c.Parent])
	}
	for changed := true; changed; {
		changed = false
		for i := range a.All {
			c := &a.All[i]
			if !mine(c) {
				continue
			}
			var next []string
			switch c.Type {
			case "access-key":
				next = append(next, c.ID)
			case "iam-user":
				// a user made by the attacker: its sessions are the attacker's
				next = append(next, userARN(c.Principal, c.ID))
			case "auto-scaling-group":
				next = append(next, "asg:"+c.ID) // what the group launches
			}
			for _, n := range next {
				if n != "" && !want[n] {
					want[n] = true
					followed = append(followed, n)
					changed = true
				}
			}
		}
	}
	for i := range a.All {
		if mine(&a.All[i]) {
			created = append(created, a.All[i])
		}
	}
	var people []string
	for _, f := range followed {
		if !strings.HasPrefix(f, "asg:") {
			people = append(people, f)
		}
	}
	return created, people
}

// userARN builds arn:aws:iam::<account>:user/<name> from a caller ARN in the same account.
func userARN(callerARN, name string) string {
	parts := strings.SplitN(callerARN, ":", 6)
	if len(parts) < 5 || parts[4] == "" {
		return ""
	}
	return "arn:" + parts[1] + ":iam::" + parts[4] + ":user/" + name
}

// groupTag reads the aws:autoscaling:groupName tag from a tags array.
func groupTag(raw []byte) string {
	var tags []struct{ Key, Value string }
	if json.Unmarshal(raw, &tags) != nil {
		var one struct{ Key, Value string }
		if json.Unmarshal(raw, &one) != nil {
			return ""
		}
		tags = append(tags, one)
	}
	for _, t := range tags {
		if t.Key == "aws:autoscaling:groupName" {
			return t.Value
		}
	}
	return ""
}
