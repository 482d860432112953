package awssim

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// clock is a settable simulator clock for tests that let time pass.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func ids(insts []types.Instance) []string {
	var out []string
	for _, in := range insts {
		out = append(out, aws.ToString(in.InstanceId))
	}
	return out
}

// jsonOf round-trips v through JSON, as the trail is written, for generic inspection.
func jsonOf(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

// lastEvent is the newest trail record of that event name (error-free when ok is set).
func lastEvent(t *testing.T, r *Running, name string) Record {
	t.Helper()
	tr := r.Trail()
	for i := len(tr) - 1; i >= 0; i-- {
		if tr[i].EventName == name && tr[i].ErrorCode == "" {
			return tr[i]
		}
	}
	t.Fatalf("no successful %s in the trail", name)
	return Record{}
}

func TestEC2KeyPairsAndSecurityGroups(t *testing.T) {
	r, client := startEC2(t)
	ctx := context.Background()
	c := client("us-west-2")

	kp, err := c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("miner")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(aws.ToString(kp.KeyMaterial), "-----BEGIN RSA PRIVATE KEY-----\n") || !strings.HasSuffix(aws.ToString(kp.KeyMaterial), "-----END RSA PRIVATE KEY-----") ||
		!strings.HasPrefix(aws.ToString(kp.KeyPairId), "key-") || len(aws.ToString(kp.KeyFingerprint)) != 59 {
		t.Fatalf("CreateKeyPair = %+v", kp)
	}
	ed, err := c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("ed"), KeyType: types.KeyTypeEd25519})
	if err != nil || !strings.Contains(aws.ToString(ed.KeyMaterial), "OPENSSH PRIVATE KEY") {
		t.Fatalf("ed25519: %+v, %v", ed, err)
	}
	_, err = c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("miner")})
	wantCode(t, "duplicate key pair", err, "InvalidKeyPair.Duplicate")
	rec := lastEvent(t, r, "CreateKeyPair")
	resp := jsonOf(t, rec.ResponseElements)
	if resp["keyPairId"] != aws.ToString(ed.KeyPairId) || resp["keyMaterial"] != "<sensitiveDataRemoved>" || jsonOf(t, rec.RequestParameters)["keyName"] != "ed" {
		t.Fatalf("CreateKeyPair trail: %v / %v", rec.RequestParameters, rec.ResponseElements)
	}

	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("launch-wizard-1"), Description: aws.String("launch-wizard-1 created")})
	if err != nil || !strings.HasPrefix(aws.ToString(sg.GroupId), "sg-") {
		t.Fatalf("CreateSecurityGroup: %+v, %v", sg, err)
	}
	if got := jsonOf(t, lastEvent(t, r, "CreateSecurityGroup").ResponseElements); got["groupId"] != aws.ToString(sg.GroupId) {
		t.Fatalf("CreateSecurityGroup trail response = %v", got)
	}
	_, err = c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("launch-wizard-1"), Description: aws.String("again")})
	wantCode(t, "duplicate group", err, "InvalidGroup.Duplicate")
	_, err = c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("sg-lookalike"), Description: aws.String("x")})
	wantCode(t, "sg- name", err, "InvalidParameterValue")
	_, err = c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("x"), Description: aws.String("x"), VpcId: aws.String("vpc-0deadbeef")})
	wantCode(t, "unknown vpc", err, "InvalidVpcID.NotFound")

	open := []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}, Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}},
		{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}}
	auth, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: open})
	if err != nil || !aws.ToBool(auth.Return) || len(auth.SecurityGroupRules) != 3 || aws.ToString(auth.SecurityGroupRules[0].CidrIpv4) != "0.0.0.0/0" ||
		!strings.HasPrefix(aws.ToString(auth.SecurityGroupRules[0].SecurityGroupRuleId), "sgr-") {
		t.Fatalf("Authorize: %+v, %v", auth, err)
	}
	req := jsonOf(t, lastEvent(t, r, "AuthorizeSecurityGroupIngress").RequestParameters)
	perms := req["ipPermissions"].(map[string]any)["items"].([]any)
	first := perms[0].(map[string]any)
	if req["groupId"] != aws.ToString(sg.GroupId) || first["fromPort"] != 22.0 || first["ipRanges"].(map[string]any)["items"].([]any)[0].(map[string]any)["cidrIp"] != "0.0.0.0/0" {
		t.Fatalf("Authorize trail request = %v", req)
	}
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: open[:1]})
	wantCode(t, "duplicate rule", err, "InvalidPermission.Duplicate")
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupName: aws.String("launch-wizard-1"),
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(3389), ToPort: aws.Int32(3389), CidrIp: aws.String("0.0.0.0/33")})
	wantCode(t, "malformed cidr", err, "InvalidParameterValue")
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId,
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tpc"), FromPort: aws.Int32(1), ToPort: aws.Int32(2), IpRanges: []types.IpRange{{CidrIp: aws.String("1.2.3.4/32")}}}}})
	wantCode(t, "unknown protocol", err, "InvalidParameterValue")
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String("sg-0123456789abcdef0"), IpPermissions: open})
	wantCode(t, "unknown group", err, "InvalidGroup.NotFound")
	// The legacy top-level form adds a rule too.
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupName: aws.String("launch-wizard-1"),
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(3389), ToPort: aws.Int32(3389), CidrIp: aws.String("0.0.0.0/0")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{aws.ToString(sg.GroupId)}})
	if err != nil || len(got.SecurityGroups) != 1 {
		t.Fatal(err)
	}
	ingress := got.SecurityGroups[0].IpPermissions
	if len(ingress) != 3 || aws.ToString(ingress[1].IpProtocol) != "-1" || aws.ToInt32(ingress[2].FromPort) != 3389 {
		t.Fatalf("ingress = %+v", ingress)
	}
	f, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{{Name: aws.String("ip-permission.cidr"), Values: []string{"0.0.0.0/0"}}}})
	if err != nil || len(f.SecurityGroups) != 1 {
		t.Fatalf("cidr filter: %d, %v", len(f.SecurityGroups), err)
	}

	// A group used by an instance cannot go; the default group never can.
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0abcdef1234567890"), InstanceType: types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SecurityGroupIds: []string{aws.ToString(sg.GroupId)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId})
	wantCode(t, "group in use", err, "DependencyViolation")
	_, err = c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupName: aws.String("default")})
	wantCode(t, "default group", err, "CannotDelete")
	if _, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids(run.Instances)}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId})
	if err != nil || aws.ToString(del.GroupId) != aws.ToString(sg.GroupId) {
		t.Fatalf("DeleteSecurityGroup: %+v, %v", del, err)
	}
	_, err = c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId})
	wantCode(t, "deleted group", err, "InvalidGroup.NotFound")

	// DeleteKeyPair by name and by ID; deleting again still succeeds.
	if _, err := c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String("miner")}); err != nil {
		t.Fatal(err)
	}
	if out, err := c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyPairId: ed.KeyPairId}); err != nil || aws.ToString(out.KeyPairId) != aws.ToString(ed.KeyPairId) {
		t.Fatalf("delete by id: %+v, %v", out, err)
	}
	if _, err := c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String("miner")}); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	left, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
	if err != nil || len(left.KeyPairs) != 0 {
		t.Fatalf("key pairs left: %+v, %v", left, err)
	}
}

func TestEC2RunInstancesAndTerminate(t *testing.T) {
	clk := newClock()
	r, client := startEC2With(t, ec2Scenario, Options{Now: clk.now})
	ctx := context.Background()
	c := client("ap-northeast-2")

	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0abcdef1234567890"), InstanceType: types.InstanceTypeP316xlarge,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(3), KeyName: aws.String("deploy"), SecurityGroups: []string{"web"},
		Monitoring:        &types.RunInstancesMonitoringEnabled{Enabled: aws.Bool(true)},
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("gpu")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Instances) != 3 || aws.ToString(run.OwnerId) != "111122223333" || run.Instances[0].State.Name != types.InstanceStateNamePending ||
		run.Instances[2].InstanceType != types.InstanceTypeP316xlarge || aws.ToInt32(run.Instances[2].AmiLaunchIndex) != 2 {
		t.Fatalf("RunInstances = %+v", run)
	}
	got, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids(run.Instances)})
	if err != nil || len(got.Reservations) != 1 || len(got.Reservations[0].Instances) != 3 {
		t.Fatalf("describe new: %+v, %v", got, err)
	}
	in := got.Reservations[0].Instances[0]
	if in.State.Name != types.InstanceStateNameRunning || in.Monitoring.State != types.MonitoringStateEnabled || aws.ToString(in.PublicIpAddress) == "" ||
		aws.ToString(in.SecurityGroups[0].GroupName) != "web" || instanceNames(got.Reservations)[0] != "gpu" {
		t.Fatalf("new instance = %+v", in)
	}

	// CloudTrail: the instance type in requestParameters, the instance IDs in responseElements.
	rec := lastEvent(t, r, "RunInstances")
	req, resp := jsonOf(t, rec.RequestParameters), jsonOf(t, rec.ResponseElements)
	items := resp["instancesSet"].(map[string]any)["items"].([]any)
	if req["instanceType"] != "p3.16xlarge" || len(items) != 3 || items[0].(map[string]any)["instanceId"] != aws.ToString(run.Instances[0].InstanceId) ||
		req["instancesSet"].(map[string]any)["items"].([]any)[0].(map[string]any)["imageId"] != "ami-0abcdef1234567890" {
		t.Fatalf("RunInstances trail: %v / %v", req, resp)
	}

	// Errors RunInstances gives.
	base := func() *ec2.RunInstancesInput {
		return &ec2.RunInstancesInput{ImageId: aws.String("ami-0abcdef1234567890"), InstanceType: types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}
	}
	in1 := base()
	in1.KeyName = aws.String("nope")
	_, err = c.RunInstances(ctx, in1)
	wantCode(t, "unknown key pair", err, "InvalidKeyPair.NotFound")
	in2 := base()
	in2.SecurityGroups = []string{"nope"}
	_, err = c.RunInstances(ctx, in2)
	wantCode(t, "unknown group name", err, "InvalidGroup.NotFound")
	in3 := base()
	in3.SecurityGroupIds = []string{"sg-0123456789abcdef0"}
	_, err = c.RunInstances(ctx, in3)
	wantCode(t, "unknown group id", err, "InvalidGroup.NotFound")
	in4 := base()
	in4.InstanceType = "huge"
	_, err = c.RunInstances(ctx, in4)
	wantCode(t, "bad instance type", err, "InvalidParameterValue")
	in5 := base()
	in5.ImageId = nil
	_, err = c.RunInstances(ctx, in5)
	wantCode(t, "no image", err, "MissingParameter")
	in6 := base()
	in6.MinCount = aws.Int32(3)
	_, err = c.RunInstances(ctx, in6)
	wantCode(t, "min above max", err, "InvalidParameterValue")
	in8 := base()
	in8.MaxCount = aws.Int32(5000)
	_, err = c.RunInstances(ctx, in8)
	wantCode(t, "instance quota", err, "InstanceLimitExceeded")
	in7 := base()
	in7.LaunchTemplate = &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("none")}
	_, err = c.RunInstances(ctx, in7)
	wantCode(t, "unknown template", err, "InvalidLaunchTemplateName.NotFoundException")

	// A retried call (same ClientToken) gets the same reservation, not new instances; the
	// same token with other parameters is refused.
	tok := base()
	tok.ClientToken = aws.String("retry-me-1")
	first, err := c.RunInstances(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.RunInstances(ctx, tok)
	if err != nil || aws.ToString(second.ReservationId) != aws.ToString(first.ReservationId) || !slices.Equal(ids(second.Instances), ids(first.Instances)) {
		t.Fatalf("retry: %+v, %v", second, err)
	}
	tok.InstanceType = types.InstanceTypeT3Large
	_, err = c.RunInstances(ctx, tok)
	wantCode(t, "token reused with other parameters", err, "IdempotentParameterMismatch")
	if _, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids(first.Instances)}); err != nil {
		t.Fatal(err)
	}

	// Termination protection.
	target := aws.ToString(run.Instances[0].InstanceId)
	if _, err := c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(target), DisableApiTermination: &types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	attr, err := c.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: aws.String(target), Attribute: types.InstanceAttributeNameDisableApiTermination})
	if err != nil || !aws.ToBool(attr.DisableApiTermination.Value) {
		t.Fatalf("protected: %+v, %v", attr, err)
	}
	_, err = c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids(run.Instances)})
	wantCode(t, "protected instance", err, "OperationNotPermitted")
	if _, err := c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(target), DisableApiTermination: &types.AttributeBooleanValue{Value: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	if d := jsonOf(t, lastEvent(t, r, "ModifyInstanceAttribute").RequestParameters); d["instanceId"] != target {
		t.Fatalf("Modify trail = %v", d)
	}
	_, err = c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: aws.String("i-0123456789abcdef0"), DisableApiTermination: &types.AttributeBooleanValue{Value: aws.Bool(false)}})
	wantCode(t, "modify unknown", err, "InvalidInstanceID.NotFound")

	term, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids(run.Instances)})
	if err != nil || len(term.TerminatingInstances) != 3 {
		t.Fatalf("terminate: %+v, %v", term, err)
	}
	ch := term.TerminatingInstances[0]
	if ch.PreviousState.Name != types.InstanceStateNameRunning || ch.CurrentState.Name != types.InstanceStateNameShuttingDown || aws.ToInt32(ch.CurrentState.Code) != 32 {
		t.Fatalf("state change = %+v", ch)
	}
	if resp := jsonOf(t, lastEvent(t, r, "TerminateInstances").ResponseElements); len(resp["instancesSet"].(map[string]any)["items"].([]any)) != 3 {
		t.Fatalf("terminate trail = %v", resp)
	}
	_, err = c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	wantCode(t, "terminate unknown", err, "InvalidInstanceID.NotFound")
	// A protected scenario instance refuses too.
	web1, _ := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"web-1"}}}})
	_, err = c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids(web1.Reservations[0].Instances)})
	wantCode(t, "protected scenario instance", err, "OperationNotPermitted")

	// Terminated instances stay visible for a while, then vanish.
	gone, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"terminated"}}}})
	if err != nil || len(instanceNames(gone.Reservations)) != 3 {
		t.Fatalf("terminated visible: %v, %v", instanceNames(gone.Reservations), err)
	}
	again, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{target}})
	if err != nil || again.TerminatingInstances[0].PreviousState.Name != types.InstanceStateNameTerminated {
		t.Fatalf("terminate again: %+v, %v", again, err)
	}
	clk.advance(2 * time.Hour)
	later, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil || len(instanceNames(later.Reservations)) != 7 {
		t.Fatalf("after an hour: %v, %v", instanceNames(later.Reservations), err)
	}
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{target}})
	wantCode(t, "long-terminated instance", err, "InvalidInstanceID.NotFound")
}

func TestEC2SpotRequests(t *testing.T) {
	r, client := startEC2(t)
	ctx := context.Background()
	c := client("sa-east-1")
	req, err := c.RequestSpotInstances(ctx, &ec2.RequestSpotInstancesInput{InstanceCount: aws.Int32(4), SpotPrice: aws.String("5.00"),
		LaunchSpecification: &types.RequestSpotLaunchSpecification{ImageId: aws.String("ami-0abcdef1234567890"), InstanceType: types.InstanceTypeG4dn12xlarge}})
	if err != nil {
		t.Fatal(err)
	}
	if len(req.SpotInstanceRequests) != 4 || req.SpotInstanceRequests[0].State != types.SpotInstanceStateOpen || !strings.HasPrefix(aws.ToString(req.SpotInstanceRequests[0].SpotInstanceRequestId), "sir-") {
		t.Fatalf("RequestSpotInstances = %+v", req)
	}
	resp := jsonOf(t, lastEvent(t, r, "RequestSpotInstances").ResponseElements)
	if items := resp["spotInstanceRequestSet"].(map[string]any)["items"].([]any); items[0].(map[string]any)["spotInstanceRequestId"] != aws.ToString(req.SpotInstanceRequests[0].SpotInstanceRequestId) {
		t.Fatalf("spot trail = %v", resp)
	}
	// Two more through RunInstances' spot market option.
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0abcdef1234567890"), InstanceType: types.InstanceTypeC5Large, MinCount: aws.Int32(2), MaxCount: aws.Int32(2),
		InstanceMarketOptions: &types.InstanceMarketOptionsRequest{MarketType: types.MarketTypeSpot}})
	if err != nil || aws.ToString(run.Instances[0].SpotInstanceRequestId) == "" || run.Instances[0].InstanceLifecycle != types.InstanceLifecycleTypeSpot {
		t.Fatalf("spot RunInstances: %+v, %v", run, err)
	}

	var all []types.SpotInstanceRequest
	p := ec2.NewDescribeSpotInstanceRequestsPaginator(c, &ec2.DescribeSpotInstanceRequestsInput{MaxResults: aws.Int32(5)})
	pages := 0
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, pg.SpotInstanceRequests...)
	}
	if pages != 2 || len(all) != 6 {
		t.Fatalf("spot paging: %d pages, %d requests", pages, len(all))
	}
	first := all[0]
	if first.State != types.SpotInstanceStateActive || aws.ToString(first.Status.Code) != "fulfilled" || aws.ToString(first.InstanceId) == "" ||
		first.LaunchSpecification.InstanceType != types.InstanceTypeG4dn12xlarge || aws.ToString(first.SpotPrice) != "5.00" {
		t.Fatalf("spot request = %+v", first)
	}
	spotInsts, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: aws.String("instance-lifecycle"), Values: []string{"spot"}}}})
	if err != nil || len(instanceNamesOrIDs(spotInsts.Reservations)) != 6 {
		t.Fatalf("spot instances: %v, %v", spotInsts, err)
	}

	// Cancelling leaves the instance running.
	id := aws.ToString(first.SpotInstanceRequestId)
	cancel, err := c.CancelSpotInstanceRequests(ctx, &ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{id}})
	if err != nil || cancel.CancelledSpotInstanceRequests[0].State != types.CancelSpotInstanceRequestStateCancelled {
		t.Fatalf("cancel: %+v, %v", cancel, err)
	}
	after, err := c.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{id}})
	if err != nil || aws.ToString(after.SpotInstanceRequests[0].Status.Code) != "request-canceled-and-instance-running" {
		t.Fatalf("after cancel: %+v, %v", after, err)
	}
	open, err := c.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{Filters: []types.Filter{{Name: aws.String("state"), Values: []string{"active"}}}})
	if err != nil || len(open.SpotInstanceRequests) != 5 {
		t.Fatalf("active filter: %d, %v", len(open.SpotInstanceRequests), err)
	}
	// Terminating a spot instance closes its request.
	if _, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{aws.ToString(all[1].InstanceId)}}); err != nil {
		t.Fatal(err)
	}
	closed, err := c.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{aws.ToString(all[1].SpotInstanceRequestId)}})
	if err != nil || closed.SpotInstanceRequests[0].State != types.SpotInstanceStateClosed {
		t.Fatalf("closed: %+v, %v", closed, err)
	}
	// A persistent request is fulfilled again when its instance is terminated, until cancelled.
	pers, err := c.RequestSpotInstances(ctx, &ec2.RequestSpotInstancesInput{Type: types.SpotInstanceTypePersistent,
		LaunchSpecification: &types.RequestSpotLaunchSpecification{ImageId: aws.String("ami-0abcdef1234567890"), InstanceType: types.InstanceTypeP38xlarge}})
	if err != nil {
		t.Fatal(err)
	}
	pid := pers.SpotInstanceRequests[0].SpotInstanceRequestId
	describe := func() types.SpotInstanceRequest {
		t.Helper()
		out, err := c.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{aws.ToString(pid)}})
		if err != nil {
			t.Fatal(err)
		}
		return out.SpotInstanceRequests[0]
	}
	firstInst := aws.ToString(describe().InstanceId)
	if _, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{firstInst}}); err != nil {
		t.Fatal(err)
	}
	again := describe()
	if again.State != types.SpotInstanceStateActive || aws.ToString(again.InstanceId) == firstInst || aws.ToString(again.InstanceId) == "" {
		t.Fatalf("persistent request after termination = %+v", again)
	}
	if _, err := c.CancelSpotInstanceRequests(ctx, &ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{aws.ToString(pid)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{aws.ToString(again.InstanceId)}}); err != nil {
		t.Fatal(err)
	}
	if last := describe(); last.State != types.SpotInstanceStateCancelled || aws.ToString(last.InstanceId) != aws.ToString(again.InstanceId) {
		t.Fatalf("cancelled persistent request = %+v", last)
	}
	_, err = c.CancelSpotInstanceRequests(ctx, &ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{"sir-nothere1"}})
	wantCode(t, "cancel unknown", err, "InvalidSpotInstanceRequestID.NotFound")
	_, err = c.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{"sir-nothere1"}})
	wantCode(t, "describe unknown", err, "InvalidSpotInstanceRequestID.NotFound")
	_, err = c.RequestSpotInstances(ctx, &ec2.RequestSpotInstancesInput{LaunchSpecification: &types.RequestSpotLaunchSpecification{ImageId: aws.String("ami-0abcdef1234567890"), KeyName: aws.String("nope")}})
	wantCode(t, "spot with unknown key", err, "InvalidKeyPair.NotFound")
}

func instanceNamesOrIDs(res []types.Reservation) []string {
	var out []string
	for _, r := range res {
		out = append(out, ids(r.Instances)...)
	}
	return out
}

func TestEC2LaunchTemplates(t *testing.T) {
	r, client := startEC2(t)
	ctx := context.Background()
	c := client("ap-northeast-2")
	lt, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("gpu-fleet"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{InstanceType: types.InstanceTypeP4d24xlarge, ImageId: aws.String("ami-0abcdef1234567890"), KeyName: aws.String("ops"), SecurityGroups: []string{"db"}}})
	if err != nil {
		t.Fatal(err)
	}
	tpl := lt.LaunchTemplate
	if !strings.HasPrefix(aws.ToString(tpl.LaunchTemplateId), "lt-") || aws.ToInt64(tpl.DefaultVersionNumber) != 1 || !strings.HasSuffix(aws.ToString(tpl.CreatedBy), ":user/admin") {
		t.Fatalf("CreateLaunchTemplate = %+v", tpl)
	}
	resp := jsonOf(t, lastEvent(t, r, "CreateLaunchTemplate").ResponseElements)
	if resp["CreateLaunchTemplateResponse"].(map[string]any)["launchTemplate"].(map[string]any)["launchTemplateId"] != aws.ToString(tpl.LaunchTemplateId) {
		t.Fatalf("template trail = %v", resp)
	}
	_, err = c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("gpu-fleet"), LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String("ami-0abcdef1234567890")}})
	wantCode(t, "duplicate template", err, "InvalidLaunchTemplateName.AlreadyExistsException")
	// The SDK fills ClientToken; a retry with the same token returns the same template.
	retry, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("retried"), ClientToken: aws.String("tok-1"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String("ami-0abcdef1234567890")}})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("retried"), ClientToken: aws.String("tok-1"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String("ami-0abcdef1234567890")}})
	if err != nil || aws.ToString(again.LaunchTemplate.LaunchTemplateId) != aws.ToString(retry.LaunchTemplate.LaunchTemplateId) {
		t.Fatalf("retried template: %+v, %v", again, err)
	}
	if _, err := c.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateName: aws.String("retried")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("a b"), LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String("ami-0abcdef1234567890")}})
	wantCode(t, "malformed name", err, "InvalidLaunchTemplateName.MalformedException")
	if _, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("second"), LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String("ami-0abcdef1234567890")}}); err != nil {
		t.Fatal(err)
	}

	// Launch from it: type, key and groups come from the template.
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		LaunchTemplate: &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("gpu-fleet"), Version: aws.String("$Latest")}})
	if err != nil {
		t.Fatal(err)
	}
	in := run.Instances[0]
	if in.InstanceType != types.InstanceTypeP4d24xlarge || aws.ToString(in.KeyName) != "ops" || aws.ToString(in.SecurityGroups[0].GroupName) != "db" {
		t.Fatalf("launched from template: %+v", in)
	}
	_, err = c.RunInstances(ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		LaunchTemplate: &types.LaunchTemplateSpecification{LaunchTemplateId: tpl.LaunchTemplateId, Version: aws.String("7")}})
	wantCode(t, "missing version", err, "InvalidLaunchTemplateId.VersionNotFound")

	var names []string
	p := ec2.NewDescribeLaunchTemplatesPaginator(c, &ec2.DescribeLaunchTemplatesInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range pg.LaunchTemplates {
			names = append(names, aws.ToString(x.LaunchTemplateName))
		}
	}
	if !slices.Equal(names, []string{"gpu-fleet", "second"}) {
		t.Fatalf("paged templates = %v", names)
	}
	byName, err := c.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"second"}})
	if err != nil || len(byName.LaunchTemplates) != 1 {
		t.Fatalf("by name: %+v, %v", byName, err)
	}
	_, err = c.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"nope"}})
	wantCode(t, "unknown name", err, "InvalidLaunchTemplateName.NotFoundException")
	_, err = c.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{"lt-0123456789abcdef0"}})
	wantCode(t, "unknown id", err, "InvalidLaunchTemplateId.NotFound")
	_, err = c.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{MaxResults: aws.Int32(201)})
	wantCode(t, "MaxResults above 200", err, "InvalidParameterValue")

	del, err := c.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: tpl.LaunchTemplateId})
	if err != nil || aws.ToString(del.LaunchTemplate.LaunchTemplateName) != "gpu-fleet" {
		t.Fatalf("delete: %+v, %v", del, err)
	}
	_, err = c.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: tpl.LaunchTemplateId})
	wantCode(t, "delete again", err, "InvalidLaunchTemplateId.NotFound")
	_, err = c.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateName: aws.String("gpu-fleet")})
	wantCode(t, "delete by name again", err, "InvalidLaunchTemplateName.NotFoundException")
}

func TestEC2ImagesSnapshotsVolumesAttributes(t *testing.T) {
	_, client := startEC2(t)
	ctx := context.Background()
	c := client("ap-northeast-2")
	imgs, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	if err != nil || len(imgs.Images) != 1 || aws.ToString(imgs.Images[0].Name) != "golden-2024" || aws.ToString(imgs.Images[0].OwnerId) != "111122223333" ||
		imgs.Images[0].State != types.ImageStateAvailable || aws.ToString(imgs.Images[0].CreationDate) == "" {
		t.Fatalf("images: %+v, %v", imgs, err)
	}
	amazon, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}})
	if err != nil || len(amazon.Images) != 0 {
		t.Fatalf("amazon images: %+v, %v", amazon, err)
	}
	_, err = c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"ami-0000000000000000f"}})
	wantCode(t, "unknown image", err, "InvalidAMIID.NotFound")

	snaps, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}})
	if err != nil || len(snaps.Snapshots) != 1 || aws.ToInt32(snaps.Snapshots[0].VolumeSize) != 20 || snaps.Snapshots[0].State != types.SnapshotStateCompleted {
		t.Fatalf("snapshots: %+v, %v", snaps, err)
	}
	_, err = c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{"snap-0000000000000000f"}})
	wantCode(t, "unknown snapshot", err, "InvalidSnapshot.NotFound")

	vols, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	if err != nil || len(vols.Volumes) != 2 {
		t.Fatalf("volumes: %+v, %v", vols, err)
	}
	inUse, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{Filters: []types.Filter{{Name: aws.String("status"), Values: []string{"in-use"}}}})
	if err != nil || len(inUse.Volumes) != 1 || len(inUse.Volumes[0].Attachments) != 1 || aws.ToString(inUse.Volumes[0].Attachments[0].InstanceId) == "" ||
		inUse.Volumes[0].VolumeType != types.VolumeTypeGp3 {
		t.Fatalf("in-use volumes: %+v, %v", inUse, err)
	}
	enc, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{Filters: []types.Filter{{Name: aws.String("encrypted"), Values: []string{"true"}}}})
	if err != nil || len(enc.Volumes) != 1 || enc.Volumes[0].VolumeType != types.VolumeTypeSt1 || aws.ToInt32(enc.Volumes[0].Size) != 100 {
		t.Fatalf("encrypted volumes: %+v, %v", enc, err)
	}
	_, err = c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{"vol-0000000000000000f"}})
	wantCode(t, "unknown volume", err, "InvalidVolume.NotFound")
	_, err = c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{MaxResults: aws.Int32(501)})
	wantCode(t, "MaxResults above 500", err, "InvalidParameterValue")

	web1, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"web-1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	id := ids(web1.Reservations[0].Instances)[0]
	attr, err := c.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: aws.String(id), Attribute: types.InstanceAttributeNameDisableApiTermination})
	if err != nil || !aws.ToBool(attr.DisableApiTermination.Value) || aws.ToString(attr.InstanceId) != id {
		t.Fatalf("disableApiTermination: %+v, %v", attr, err)
	}
	typ, err := c.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: aws.String(id), Attribute: types.InstanceAttributeNameInstanceType})
	if err != nil || aws.ToString(typ.InstanceType.Value) != "t3.micro" {
		t.Fatalf("instanceType: %+v, %v", typ, err)
	}
	_, err = c.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: aws.String(id), Attribute: "bogus"})
	wantCode(t, "unknown attribute", err, "InvalidParameterValue")
	_, err = c.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: aws.String("i-0123456789abcdef0"), Attribute: types.InstanceAttributeNameDisableApiTermination})
	wantCode(t, "unknown instance", err, "InvalidInstanceID.NotFound")
}
