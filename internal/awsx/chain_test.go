package awsx_test

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/awsx"
)

// IMDS: with no other credentials, the chain asks the instance metadata service (IMDSv2), and
// the credentials it hands out work against the endpoint.
func TestLoadUsesIMDSCredentials(t *testing.T) {
	r := startSim(t)
	isolate(t)
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch {
		case req.Method == http.MethodPut && req.URL.Path == "/latest/api/token":
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "300") // the SDK needs the TTL back
			w.Write([]byte("imds-token"))
		case req.Header.Get("X-Aws-Ec2-Metadata-Token") != "imds-token":
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		case strings.HasSuffix(req.URL.Path, "/iam/security-credentials/") || strings.HasSuffix(req.URL.Path, "/iam/security-credentials-extended/"):
			w.Write([]byte("web-instance-role"))
		case strings.Contains(req.URL.Path, "/iam/security-credentials"):
			json.NewEncoder(w).Encode(map[string]string{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": r.AdminKeyID,
				"SecretAccessKey": r.AdminSecret, "Token": "session-token", "Expiration": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
				"LastUpdated": time.Now().UTC().Format(time.RFC3339)})
		case strings.HasSuffix(req.URL.Path, "/placement/region"):
			w.Write([]byte("ap-northeast-2"))
		default:
			http.NotFound(w, req)
		}
	}))
	defer imds.Close()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)
	t.Setenv("AWS_ENDPOINT_URL", r.URL)
	t.Setenv("AWS_REGION", "ap-northeast-2")
	_, id := loadAndAsk(t, awsx.Options{})
	if id.Account != r.Account || id.AccessKeyID != r.AdminKeyID {
		t.Fatalf("identity %+v", id)
	}
}

// SSO: a profile with an sso_session and a cached token gets role credentials from the SSO
// portal (here at AWS_ENDPOINT_URL_SSO), as `aws sso login` leaves things.
func TestLoadUsesSSOProfile(t *testing.T) {
	r := startSim(t)
	dir := isolate(t)
	t.Setenv("HOME", dir)
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/federation/credentials" || req.Header.Get("X-Amz-Sso_bearer_token") != "sso-access-token" ||
			req.URL.Query().Get("role_name") != "SecurityAudit" || req.URL.Query().Get("account_id") != r.Account {
			http.Error(w, `{"message":"bad request"}`, http.StatusForbidden)
			return
		}
		fmt.Fprintf(w, `{"roleCredentials":{"accessKeyId":%q,"secretAccessKey":%q,"sessionToken":"tok","expiration":%d}}`,
			r.AdminKeyID, r.AdminSecret, time.Now().Add(time.Hour).UnixMilli())
	}))
	defer portal.Close()
	config := fmt.Sprintf("[profile audit]\nsso_session = corp\nsso_account_id = %s\nsso_role_name = SecurityAudit\nregion = ap-northeast-2\n\n[sso-session corp]\nsso_region = ap-northeast-2\nsso_start_url = https://corp.awsapps.com/start\n", r.Account)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte("corp"))
	cache := filepath.Join(dir, ".aws", "sso", "cache")
	os.MkdirAll(cache, 0o700)
	token := fmt.Sprintf(`{"accessToken":"sso-access-token","expiresAt":%q,"region":"ap-northeast-2","startUrl":"https://corp.awsapps.com/start"}`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(cache, hex.EncodeToString(sum[:])+".json"), []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL_SSO", portal.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", r.URL)
	cfg, id := loadAndAsk(t, awsx.Options{Profile: "audit"})
	if id.Account != r.Account || cfg.Region != "ap-northeast-2" {
		t.Fatalf("identity %+v region %s", id, cfg.Region)
	}
}
