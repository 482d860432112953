package trail

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// LookupAPI is the part of the CloudTrail client the LookupEvents reader needs. The
// client's Config should carry awsx's rate limits: LookupEvents allows 2 requests per
// second per account and region.
type LookupAPI interface {
	LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// LookupRetention is how far back LookupEvents reaches.
const LookupRetention = 90 * 24 * time.Hour

// Lookup reads one region's management events from the LookupEvents API, streamed as
// JSON lines of records into the same reader the files use.
type Lookup struct {
	API    LookupAPI
	Region string
	Since  time.Time // zero means 90 days ago
	Until  time.Time // zero means now
}

func (l Lookup) Name() string { return "lookup-events:" + l.Region }

// AllowEmpty: a region without events is an empty answer, not a broken input.
func (Lookup) AllowEmpty() {}

// Open starts paging in the background; a failed call ends the stream with that error.
func (l Lookup) Open(ctx context.Context) (io.ReadCloser, error) {
	now := time.Now()
	in := &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(50)}
	since, until := l.Since, l.Until
	if since.IsZero() {
		since = now.Add(-LookupRetention)
	}
	if until.IsZero() {
		until = now
	}
	in.StartTime, in.EndTime = aws.Time(since), aws.Time(until)
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		p := cloudtrail.NewLookupEventsPaginator(l.API, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				pw.CloseWithError(fmt.Errorf("cloudtrail:LookupEvents: %w", err))
				return
			}
			for _, e := range page.Events {
				if e.CloudTrailEvent == nil {
					continue
				}
				if _, err := io.WriteString(pw, *e.CloudTrailEvent+"\n"); err != nil {
					return // the reader stopped
				}
			}
		}
		pw.Close()
	}()
	return &pipeCloser{PipeReader: pr, cancel: cancel}, nil
}

type pipeCloser struct {
	*io.PipeReader
	cancel context.CancelFunc
}

func (p *pipeCloser) Close() error {
	p.cancel()
	return p.PipeReader.Close()
}
