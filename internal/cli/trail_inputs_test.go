package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

const shapesBucket = "../trail/testdata/shapes/bucket"

// A folder copied from a trail bucket (digests, Insights, an organization trail, Config,
// GuardDuty, ELB, .DS_Store …) is hunted without a word on stderr; a file that is not
// CloudTrail named on the command line is still a partial failure naming it.
func TestTrailHuntRealBucketFolder(t *testing.T) {
	for _, cmd := range [][]string{{"trail", "hunt", shapesBucket, "-o", "json"}, {"trail", "timeline", shapesBucket, "-o", "json"}} {
		code, _, stderr := runCLI(t, cmd...)
		if (code != ExitOK && code != ExitFindings) || strings.TrimSpace(stderr) != "" {
			t.Errorf("%v: exit %d, stderr %q", cmd[:2], code, stderr)
		}
	}
	snapshot := filepath.Join(shapesBucket, "AWSLogs/111122223333/Config/us-east-2/2015/8/1/ConfigSnapshot/111122223333_Config_us-east-2_ConfigSnapshot_20150801T021012Z_1f6f1a0e-2f9b-4b8c-9d3e-EXAMPLEc0d1e.json.gz")
	code, _, stderr := runCLI(t, "trail", "hunt", shapesBucket, snapshot, "-o", "json")
	if code != ExitPartial || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "ConfigSnapshot") {
		t.Errorf("named Config snapshot: exit %d, stderr %q", code, stderr)
	}
}
