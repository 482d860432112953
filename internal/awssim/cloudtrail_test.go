package awssim

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

func TestLookupEventsThroughSDK(t *testing.T) {
	r := start(t, "leaked-key", Options{})
	ctx := t.Context()
	gt := r.GroundTruth()
	client := cloudtrail.NewFromConfig(r.Config("", ""), func(o *cloudtrail.Options) { o.Region = "us-west-2" })
	// Everything the attacker's key did in us-west-2, through paging, newest first.
	var events []cttypes.Event
	p := cloudtrail.NewLookupEventsPaginator(client, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(3),
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("support-admin")}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, page.Events...)
	}
	if len(events) < 4 {
		t.Fatalf("%d events", len(events))
	}
	names := map[string]bool{}
	for i, e := range events {
		names[aws.ToString(e.EventName)] = true
		if i > 0 && aws.ToTime(e.EventTime).After(aws.ToTime(events[i-1].EventTime)) {
			t.Fatal("events are not newest first")
		}
		var rec Record
		if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil || rec.AWSRegion != "us-west-2" || rec.UserIdentity.UserName != "support-admin" {
			t.Fatalf("CloudTrailEvent %v: %+v", err, rec)
		}
	}
	if !names["RunInstances"] || !names["CreateKeyPair"] {
		t.Fatalf("event names %v", names)
	}
	// The leaked key, looked up by access key in us-east-1 (where IAM events are recorded).
	east := cloudtrail.NewFromConfig(r.Config("", ""), func(o *cloudtrail.Options) { o.Region = "us-east-1" })
	out, err := east.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(gt.LeakedKey)}},
		StartTime: aws.Time(gt.Start.Add(-time.Minute)), EndTime: aws.Time(gt.Start.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range out.Events {
		if aws.ToString(e.EventName) == "CreateUser" {
			found = true
		}
	}
	if !found {
		t.Fatalf("CreateUser by the leaked key not found in %d events", len(out.Events))
	}
	_, err = east.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("a")}, {AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("b")}}})
	if apiCode(err) != "InvalidLookupAttributesException" {
		t.Fatalf("two attributes: %v", err)
	}
	if _, err := east.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Now()), EndTime: aws.Time(time.Now().Add(-time.Hour))}); apiCode(err) != "InvalidTimeRangeException" {
		t.Fatalf("inverted range: %v", err)
	}
}
