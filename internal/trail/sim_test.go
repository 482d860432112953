package trail_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
	"github.com/accountguard/accountguard/internal/awsx"
	"github.com/accountguard/accountguard/internal/trail"
	"github.com/accountguard/accountguard/internal/trail/event"
)

// leakedKey runs the leaked-key scenario, exports its trail as CloudTrail would deliver it
// to S3, and uploads the files to a simulated bucket (plus one object that is not CloudTrail).
func leakedKey(t *testing.T) (*awssim.Running, *s3.Client, string, int) {
	t.Helper()
	r := simtest.Start(t, "leaked-key", awssim.Options{})
	records := len(r.Trail()) // before our own calls, which the simulator records too
	dir, files := simtest.ExportTrail(t, r.Trail())
	client := s3.NewFromConfig(r.Config("", ""), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := t.Context()
	bucket := "acme-cloudtrail"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	simtest.PutFiles(t, client, bucket, dir, files)
	return r, client, bucket, records
}

func TestS3ReaderAndLeakedKeyStory(t *testing.T) {
	r, client, bucket, records := leakedKey(t)
	ctx := t.Context()
	gt := r.GroundTruth()
	broken := "AWSLogs/" + r.Account + "/CloudTrail/ap-northeast-2/2026/01/01/" + r.Account + "_CloudTrail_ap-northeast-2_20260101T0000Z_broken.json.gz"
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(broken), Body: strings.NewReader("not gzip, not json")}); err != nil {
		t.Fatal(err)
	}

	srcs, errs := trail.S3Sources(ctx, client, bucket, "", trail.Window{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	e := trail.NewEngine()
	res := e.Hunt(ctx, srcs, trail.HuntOptions{ReadOptions: trail.ReadOptions{Workers: 8}})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "s3://"+bucket+"/"+broken) {
		t.Fatalf("want one error naming the broken object, got %v", res.Errors)
	}
	if res.Stats.Records != int64(records) {
		t.Fatalf("read %d records from S3, the simulator recorded %d", res.Stats.Records, records)
	}

	// Pruning by key name: one region, a window after the attack's start.
	w := trail.Window{Regions: []string{"sa-east-1"}, Since: gt.Start.Add(-time.Hour), Until: gt.Start.Add(3 * time.Hour)}
	pruned, errs := trail.S3Sources(ctx, client, bucket, "AWSLogs/", w)
	if len(errs) > 0 || len(pruned) == 0 || len(pruned) >= len(srcs)/4 {
		t.Fatalf("pruned listing: %d of %d objects, %v", len(pruned), len(srcs), errs)
	}
	for _, s := range pruned {
		if !strings.Contains(s.Name(), "/sa-east-1/") {
			t.Errorf("kept %s", s.Name())
		}
	}

	// The timeline: the leaked ci-deploy key and the support-admin user it made, nothing else.
	sus := res.Suspects()
	var names []string
	for _, s := range sus {
		names = append(names, s.Actor+" "+s.ARN)
	}
	joined := strings.Join(names, "\n")
	if !strings.Contains(joined, gt.LeakedKey) || !strings.Contains(joined, "user/support-admin") {
		t.Fatalf("suspects %v: want the leaked key %s and support-admin", names, gt.LeakedKey)
	}
	for _, s := range sus {
		if !strings.Contains(s.ARN, "user/ci-deploy") && !strings.Contains(s.ARN, "user/support-admin") {
			t.Errorf("legitimate principal among the attackers: %+v", s)
		}
	}
	entries, _, errs := trail.Collect(ctx, srcs, trail.ReadOptions{Workers: 8}, trail.AttackerSelector(sus))
	if len(errs) != 1 {
		t.Fatalf("second pass errors: %v", errs)
	}
	groups := trail.Timeline(entries)
	if len(entries) < 20 || len(groups) < 3 {
		t.Fatalf("timeline: %d entries in %d groups", len(entries), len(groups))
	}
	for _, en := range entries {
		if !slices.Contains(gt.IPs, en.IP) {
			t.Errorf("timeline holds a call from %s (%s by %s), not an attacker IP", en.IP, en.EventName, en.Actor)
		}
	}
	var phases []string
	for _, g := range groups {
		phases = append(phases, string(g.Phase))
	}
	for _, p := range []string{"enumeration", "persistence", "impact"} {
		if !slices.Contains(phases, p) {
			t.Errorf("timeline has no %s phase: %v", p, phases)
		}
	}
	if !slices.IsSortedFunc(entries, func(a, b trail.Entry) int { return a.Time.Compare(b.Time) }) {
		t.Error("timeline not in eventTime order")
	}

	// activity --key: exactly what the ground truth says the attacker created.
	created, _ := res.Created.By(gt.LeakedKey)
	got := map[string]bool{}
	for _, c := range created {
		got[c.Type+" "+c.ID] = true
	}
	// Instances a spot request launched have no CloudTrail record of their own (as in AWS):
	// no trail reader can see them; the spot request that made them must be attributed.
	var trailText strings.Builder
	for _, rec := range r.Trail()[:records] {
		fmt.Fprintf(&trailText, "%+v\n", rec)
	}
	spotEvents := map[string]bool{}
	for _, c := range created {
		if c.Type == "spot-request" {
			spotEvents[c.EventID] = true
		}
	}
	want := map[string]bool{}
	for _, c := range gt.Created {
		inTrail := true
		for _, part := range strings.Split(c.ID, "|") { // policy attachments: user|policy
			inTrail = inTrail && strings.Contains(trailText.String(), part)
		}
		if !inTrail {
			if c.Type != "instance" || !spotEvents[c.EventID] {
				t.Errorf("%s %s is in no trail record and not from an attributed spot request", c.Type, c.ID)
			}
			continue
		}
		want[c.Type+" "+c.ID] = true
	}
	if len(want) < 15 {
		t.Fatalf("only %d attacker objects in the trail", len(want))
	}
	for k := range want {
		if !got[k] {
			t.Errorf("activity --key %s misses %s", gt.LeakedKey, k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("activity --key %s lists %s, which the attacker did not create", gt.LeakedKey, k)
		}
	}
}

func TestLookupEventsReader(t *testing.T) {
	r, _, _, records := leakedKey(t)
	before := map[string]bool{}
	for _, rec := range r.Trail()[:records] {
		before[rec.EventID] = true
	}
	cfg := r.Config("", "")
	awsx.AddRateLimits(&cfg, awsx.DefaultRateLimits) // LookupEvents: 2 requests/s per region
	regions := []string{"us-east-1", "ap-northeast-2", "us-west-2", "eu-west-1", "sa-east-1"}
	var srcs []trail.Source
	for _, region := range regions {
		c := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.Region = region })
		srcs = append(srcs, trail.Lookup{API: c, Region: region})
	}
	start := time.Now()
	entries, st, errs := trail.Collect(t.Context(), srcs, trail.ReadOptions{Workers: len(regions)}, func([]byte, *event.Identity, []byte) bool { return true })
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := map[string]bool{}
	for _, e := range entries {
		got[e.EventID] = true
		// besides the scenario, only this test's own calls (S3 uploads, these lookups)
		if !before[e.EventID] && e.Source != "s3.amazonaws.com" && e.Source != "cloudtrail.amazonaws.com" {
			t.Errorf("LookupEvents returned %s %s, which the scenario did not record", e.EventName, e.EventID)
		}
	}
	var inRegions int
	for _, rec := range r.Trail()[:records] {
		if slices.Contains(regions, rec.AWSRegion) && time.Since(rec.Time()) < trail.LookupRetention-time.Hour {
			inRegions++
			if !got[rec.EventID] {
				t.Errorf("LookupEvents missed %s %s in %s", rec.EventName, rec.EventID, rec.AWSRegion)
			}
		}
	}
	if inRegions < 100 || st.Records < int64(inRegions) {
		t.Fatalf("LookupEvents gave %d records for %d recorded", st.Records, inRegions)
	}
	// 50 events a page, at most 2 pages a second per region
	pages := int(st.Records)/len(regions)/50 + 1
	if el := time.Since(start); pages > 4 && el < time.Duration(pages/2-1)*time.Second/time.Duration(len(regions)) {
		t.Errorf("%d pages in %v: faster than the LookupEvents rate limit allows", pages, el)
	}
	res := trail.NewEngine().Hunt(t.Context(), srcs[:1], trail.HuntOptions{})
	var critical int
	for _, f := range res.Findings(res.Account) {
		if f.Severity.String() == "critical" {
			critical++
		}
	}
	if critical == 0 {
		t.Error("no critical finding from the LookupEvents records of the leaked-key scenario")
	}
}
