package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/klauspost/compress/gzip"
)

// sim serve prints the four AWS_* lines first, serves until interrupted, then exits 0.
func TestSimServePrintsEnvironmentAndServes(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var stderr strings.Builder
		done <- Execute(ctx, []string{"sim", "serve", "--scenario", "leaked-key", "--quiet"}, strings.NewReader(""), pw, &stderr)
		pw.Close()
	}()
	env := map[string]string{}
	sc := bufio.NewScanner(pr)
	for len(env) < 4 && sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			t.Fatalf("unexpected line %q", sc.Text())
		}
		env[k] = v
	}
	go io.Copy(io.Discard, pr)
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
		if env[k] == "" {
			t.Fatalf("missing %s in %v", k, env)
		}
	}
	client := sts.NewFromConfig(aws.Config{Region: env["AWS_REGION"], BaseEndpoint: aws.String(env["AWS_ENDPOINT_URL"]),
		Credentials: credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], "")})
	out, err := client.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(out.Account) != "111122223333" || !strings.HasSuffix(aws.ToString(out.Arn), ":user/minji.park") {
		t.Fatalf("identity %v, %v", out, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after interrupt", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim serve did not stop when interrupted")
	}
}

// export-trail writes the S3 export layout CloudTrail uses, and the records name the attacker.
func TestSimExportTrailLayout(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := run(t, t.Context(), "sim", "export-trail", "--scenario", "leaked-key", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	name := regexp.MustCompile(`^AWSLogs/111122223333/CloudTrail/[a-z0-9-]+/\d{4}/\d{2}/\d{2}/111122223333_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$`)
	files, records, attacker := 0, 0, 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if !name.MatchString(filepath.ToSlash(rel)) {
			t.Errorf("file %s does not follow the export layout", rel)
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		var doc struct {
			Records []struct {
				EventName       string `json:"eventName"`
				SourceIPAddress string `json:"sourceIPAddress"`
				AWSRegion       string `json:"awsRegion"`
			}
		}
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			return err
		}
		files++
		for _, r := range doc.Records {
			records++
			if r.SourceIPAddress == "185.220.101.47" {
				attacker++
			}
			if !strings.Contains(rel, "/"+r.AWSRegion+"/") {
				t.Errorf("record of %s in file %s", r.AWSRegion, rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 || records < 100 || attacker < 10 {
		t.Fatalf("%d files, %d records, %d from the attacker", files, records, attacker)
	}
}
