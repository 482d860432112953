package awssim

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func asgInstanceIDs(g astypes.AutoScalingGroup) []string {
	var out []string
	for _, in := range g.Instances {
		out = append(out, aws.ToString(in.InstanceId))
	}
	return out
}

func TestAutoScalingGroups(t *testing.T) {
	r, ec2For := startEC2(t)
	ctx := context.Background()
	const region = "ap-northeast-2"
	cfg := testConfig(r)
	as := autoscaling.NewFromConfig(cfg, func(o *autoscaling.Options) { o.Region = region })
	c := ec2For(region)

	if _, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("miner"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{InstanceType: types.InstanceTypeG5Xlarge, ImageId: aws.String("ami-0abcdef1234567890")}}); err != nil {
		t.Fatal(err)
	}
	_, err := as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("miners"),
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("miner"), Version: aws.String("$Latest")},
		MinSize:        aws.Int32(1), MaxSize: aws.Int32(10), DesiredCapacity: aws.Int32(3), AvailabilityZones: []string{region + "a", region + "c"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AutoScalingGroups) != 1 {
		t.Fatalf("groups = %+v", out.AutoScalingGroups)
	}
	g := out.AutoScalingGroups[0]
	if aws.ToString(g.AutoScalingGroupName) != "miners" || aws.ToInt32(g.DesiredCapacity) != 3 || aws.ToInt32(g.MaxSize) != 10 || len(g.Instances) != 3 ||
		aws.ToString(g.LaunchTemplate.LaunchTemplateName) != "miner" || !strings.HasPrefix(aws.ToString(g.AutoScalingGroupARN), "arn:aws:autoscaling:"+region+":111122223333:autoScalingGroup:") ||
		!slices.Equal(g.AvailabilityZones, []string{region + "a", region + "c"}) || g.CreatedTime == nil || g.Instances[0].LifecycleState != astypes.LifecycleStateInService {
		t.Fatalf("group = %+v", g)
	}
	if aws.ToString(g.Instances[1].AvailabilityZone) != region+"c" {
		t.Fatalf("instances not spread over zones: %+v", g.Instances)
	}
	// The instances exist in EC2, tagged with their group.
	tagged, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: aws.String("tag:aws:autoscaling:groupName"), Values: []string{"miners"}}}})
	if err != nil || len(instanceNamesOrIDs(tagged.Reservations)) != 3 || tagged.Reservations[0].Instances[0].InstanceType != types.InstanceTypeG5Xlarge {
		t.Fatalf("group instances in EC2: %+v, %v", tagged, err)
	}
	rec := lastEvent(t, r, "CreateAutoScalingGroup")
	if req := jsonOf(t, rec.RequestParameters); req["autoScalingGroupName"] != "miners" || req["desiredCapacity"] != 3.0 || rec.EventSource != "autoscaling.amazonaws.com" || rec.AWSRegion != region {
		t.Fatalf("trail = %+v", rec)
	}

	// Errors on create.
	create := func(name string, min, max, desired int32, lt string) error {
		_, err := as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String(name),
			LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String(lt)},
			MinSize:        aws.Int32(min), MaxSize: aws.Int32(max), DesiredCapacity: aws.Int32(desired), AvailabilityZones: []string{region + "a"}})
		return err
	}
	wantCode(t, "duplicate", create("miners", 0, 1, 0, "miner"), "AlreadyExists")
	wantCode(t, "unknown template", create("other", 0, 1, 0, "nope"), "ValidationError")
	wantCode(t, "desired above max", create("other", 0, 1, 2, "miner"), "ValidationError")
	_, err = as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("other"),
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("miner")}, MinSize: aws.Int32(0), MaxSize: aws.Int32(1), AvailabilityZones: []string{"us-east-1a"}})
	wantCode(t, "zone of another region", err, "ValidationError")
	if err := create("empty", 0, 5, 0, "miner"); err != nil {
		t.Fatal(err)
	}

	// Paging and names.
	var names []string
	p := autoscaling.NewDescribeAutoScalingGroupsPaginator(as, &autoscaling.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range pg.AutoScalingGroups {
			names = append(names, aws.ToString(g.AutoScalingGroupName))
		}
	}
	if pages != 2 || !slices.Equal(names, []string{"miners", "empty"}) {
		t.Fatalf("paging: %d pages, %v", pages, names)
	}
	one, err := as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"empty", "missing"}})
	if err != nil || len(one.AutoScalingGroups) != 1 || aws.ToString(one.AutoScalingGroups[0].AutoScalingGroupName) != "empty" {
		t.Fatalf("by name: %+v, %v", one, err)
	}
	_, err = as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(101)})
	wantCode(t, "MaxRecords above 100", err, "ValidationError")
	_, err = as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{NextToken: aws.String("bogus")})
	wantCode(t, "bad token", err, "InvalidNextToken")

	// Terminating a group's instance makes the group replace it.
	victim := asgInstanceIDs(g)[0]
	if _, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{victim}}); err != nil {
		t.Fatal(err)
	}
	again, err := as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"miners"}})
	if err != nil {
		t.Fatal(err)
	}
	now := asgInstanceIDs(again.AutoScalingGroups[0])
	if len(now) != 3 || slices.Contains(now, victim) {
		t.Fatalf("after terminating %s the group holds %v", victim, now)
	}

	// Delete: refused while instances remain, unless forced; forced terminates them.
	_, err = as.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String("miners")})
	wantCode(t, "delete with instances", err, "ResourceInUse")
	if err == nil || !strings.Contains(err.Error(), "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group") {
		t.Fatalf("ResourceInUse message: %v", err)
	}
	if _, err := as.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String("empty")}); err != nil {
		t.Fatalf("delete empty group: %v", err)
	}
	if _, err := as.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String("miners"), ForceDelete: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if req := jsonOf(t, lastEvent(t, r, "DeleteAutoScalingGroup").RequestParameters); req["forceDelete"] != true {
		t.Fatalf("delete trail = %v", req)
	}
	left, err := as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
	if err != nil || len(left.AutoScalingGroups) != 0 {
		t.Fatalf("groups left: %+v, %v", left, err)
	}
	running, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range running.Reservations {
		for _, in := range res.Instances {
			if in.State.Name != types.InstanceStateNameTerminated {
				t.Fatalf("instance %s of a force-deleted group is %s", aws.ToString(in.InstanceId), in.State.Name)
			}
		}
	}
	_, err = as.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String("miners")})
	wantCode(t, "delete missing", err, "ValidationError")

	// A region the account has not enabled refuses the credentials.
	off := autoscaling.NewFromConfig(cfg, func(o *autoscaling.Options) { o.Region = "me-south-1" })
	_, err = off.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
	wantCode(t, "not-opted-in region", err, "InvalidClientTokenId")
}

// TestEC2AttackerHistory replays an attacker's calls from a scenario's history through the
// handlers and checks the ground truth lists what they made, in the regions they made it.
func TestEC2AttackerHistory(t *testing.T) {
	yaml := ec2Scenario + `
history:
  - name: attacker
    attacker: true
    as: admin
    ip: 198.51.100.7
    user_agent: aws-cli/2.15.0
    at: -40h
    calls:
      - {service: ec2, region: us-west-2, action: CreateKeyPair, params: {KeyName: x1}}
      - {service: ec2, region: us-west-2, action: CreateSecurityGroup, params: {GroupName: open, GroupDescription: open}}
      - {service: ec2, region: us-west-2, action: AuthorizeSecurityGroupIngress, params: {GroupName: open, IpPermissions.1.IpProtocol: "-1", IpPermissions.1.IpRanges.1.CidrIp: 0.0.0.0/0}}
      - {service: ec2, region: us-west-2, action: RunInstances, params: {ImageId: ami-0abcdef1234567890, InstanceType: p3.16xlarge, MinCount: "2", MaxCount: "2", KeyName: x1, SecurityGroup.1: open}}
      - {service: ec2, region: eu-west-1, action: RequestSpotInstances, params: {InstanceCount: "1", LaunchSpecification.ImageId: ami-0abcdef1234567890, LaunchSpecification.InstanceType: g4dn.12xlarge}}
      - {service: ec2, region: eu-west-1, action: CreateLaunchTemplate, params: {LaunchTemplateName: lt1, LaunchTemplateData.ImageId: ami-0abcdef1234567890, LaunchTemplateData.InstanceType: g5.xlarge}}
      - {service: autoscaling, region: eu-west-1, action: CreateAutoScalingGroup, params: {AutoScalingGroupName: asg1, LaunchTemplate.LaunchTemplateName: lt1, MinSize: "2", MaxSize: "2", AvailabilityZones.member.1: eu-west-1b}}
      - {service: ec2, region: me-south-1, action: RunInstances, params: {ImageId: ami-0abcdef1234567890, MinCount: "1", MaxCount: "1"}, fail: AuthFailure}
`
	r, client := startEC2With(t, yaml, Options{})
	gt := r.GroundTruth()
	count := map[string]int{}
	regions := map[string]bool{}
	for _, c := range gt.Created {
		count[c.Type]++
		regions[c.Region] = true
		if c.By == "" || c.EventID == "" {
			t.Fatalf("created without caller or event: %+v", c)
		}
	}
	want := map[string]int{"key-pair": 1, "security-group": 1, "instance": 5, "spot-request": 1, "launch-template": 1, "auto-scaling-group": 1}
	for k, v := range want {
		if count[k] != v {
			t.Fatalf("created %s = %d, want %d (all: %v)", k, count[k], v, count)
		}
	}
	if !regions["us-west-2"] || !regions["eu-west-1"] || len(regions) != 2 || !slices.Contains(gt.Regions, "eu-west-1") {
		t.Fatalf("regions = %v / %v", regions, gt.Regions)
	}
	// The history's instances are there, launched at the history's time.
	out, err := client("us-west-2").DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if err != nil || len(instanceNamesOrIDs(out.Reservations)) != 2 {
		t.Fatalf("us-west-2 instances: %+v, %v", out, err)
	}
	if lt := out.Reservations[0].Instances[0].LaunchTime; lt == nil || r.Now().Sub(*lt).Hours() < 39 {
		t.Fatalf("launch time %v is not the history's", lt)
	}
	// One RunInstances by the attacker; two by the Auto Scaling service for the group.
	var byAttacker, byService int
	for _, rec := range r.Trail() {
		if rec.EventName != "RunInstances" || rec.ErrorCode != "" {
			continue
		}
		switch {
		case rec.SourceIPAddress == "198.51.100.7" && rec.UserIdentity.AccessKeyID != "":
			byAttacker++
		case rec.UserIdentity.InvokedBy == "autoscaling.amazonaws.com" && rec.UserIdentity.Type == "AssumedRole" && rec.AWSRegion == "eu-west-1":
			byService++
			items := jsonOf(t, rec.ResponseElements)["instancesSet"].(map[string]any)["items"].([]any)
			if len(items) != 1 || items[0].(map[string]any)["instanceType"] != "g5.xlarge" {
				t.Fatalf("service launch record = %v", rec.ResponseElements)
			}
		default:
			t.Fatalf("unexpected RunInstances record %+v", rec)
		}
	}
	if byAttacker != 1 || byService != 2 {
		t.Fatalf("RunInstances records: %d by the attacker, %d by Auto Scaling", byAttacker, byService)
	}
}
