package inventory_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accountguard/accountguard/internal/awssim"
	"github.com/accountguard/accountguard/internal/awssim/simtest"
	"github.com/accountguard/accountguard/internal/inventory"
)

var simNow = func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }

func startScenario(t testing.TB, name string, opts awssim.Options) *awssim.Running {
	t.Helper()
	if opts.Now == nil {
		opts.Now = simNow
	}
	return simtest.Start(t, name, opts)
}

func collect(t testing.TB, r *awssim.Running) *inventory.Snapshot {
	t.Helper()
	return inventory.Collect(t.Context(), inventory.NewClients(r.Config("", "")),
		inventory.Options{Now: simNow, CredentialReportWait: time.Millisecond, HomeRegion: "us-east-1"})
}

// The inventory of leaked-key equals the simulator's own state: users, keys, and every
// regional object, the attacker's included.
func TestInventoryEqualsScenario(t *testing.T) {
	r := startScenario(t, "leaked-key", awssim.Options{})
	snap := collect(t, r)
	if snap.Partial() {
		t.Fatalf("unexpected errors: %v", snap.Errors)
	}
	if snap.Account.ID != "111122223333" || snap.Account.Alias != "acme-prod" {
		t.Fatalf("account %+v", snap.Account)
	}
	if len(snap.EnabledRegions()) != 17 || len(snap.Resources) != 17 {
		t.Fatalf("enabled regions %d, collected %d", len(snap.EnabledRegions()), len(snap.Resources))
	}
	r.Inspect(func(w *awssim.World) {
		a := w.Accounts["111122223333"]
		var wantUsers, gotUsers []string
		for _, u := range a.Users {
			wantUsers = append(wantUsers, u.Name)
			su := snap.User(u.Name)
			if su == nil {
				continue
			}
			var wantKeys, gotKeys []string
			for _, k := range u.Keys {
				wantKeys = append(wantKeys, k.ID+"/"+k.Status)
			}
			for _, k := range su.AccessKeys {
				gotKeys = append(gotKeys, k.ID+"/"+k.Status)
			}
			slices.Sort(wantKeys)
			slices.Sort(gotKeys)
			if !slices.Equal(wantKeys, gotKeys) {
				t.Errorf("user %s keys = %v, want %v", u.Name, gotKeys, wantKeys)
			}
			if (u.Login != nil) != (su.LoginProfile != nil) || len(u.MFA) != len(su.MFADevices) {
				t.Errorf("user %s: login/MFA mismatch", u.Name)
			}
		}
		for _, u := range snap.IAM.Users {
			gotUsers = append(gotUsers, u.Name)
		}
		if !slices.Equal(wantUsers, gotUsers) {
			t.Errorf("users = %v, want %v", gotUsers, wantUsers)
		}
		for _, reg := range a.Regions {
			res := snap.Resources[reg.Name]
			if !reg.Enabled() {
				if res != nil {
					t.Errorf("region %s is not enabled but was collected", reg.Name)
				}
				continue
			}
			if res == nil {
				t.Errorf("region %s not collected", reg.Name)
				continue
			}
			check := func(what string, want, got []string) {
				slices.Sort(want)
				slices.Sort(got)
				if !slices.Equal(want, got) {
					t.Errorf("%s %s = %v, want %v", reg.Name, what, got, want)
				}
			}
			check("instances", ids(reg.Instances, func(x *awssim.Instance) string { return x.ID + "/" + x.Type }),
				ids(res.Instances, func(x inventory.Instance) string { return x.ID + "/" + x.Type }))
			check("security groups", ids(reg.SecurityGroups, func(x *awssim.SecurityGroup) string { return x.ID }),
				ids(res.SecurityGroups, func(x inventory.SecurityGroup) string { return x.ID }))
			check("key pairs", ids(reg.KeyPairs, func(x *awssim.KeyPair) string { return x.Name }),
				ids(res.KeyPairs, func(x inventory.KeyPair) string { return x.Name }))
			check("spot requests", ids(reg.SpotRequests, func(x *awssim.SpotRequest) string { return x.ID }),
				ids(res.SpotRequests, func(x inventory.SpotRequest) string { return x.ID }))
			check("launch templates", ids(reg.LaunchTemplates, func(x *awssim.LaunchTemplate) string { return x.ID }),
				ids(res.LaunchTemplates, func(x inventory.LaunchTemplate) string { return x.ID }))
			check("auto scaling groups", ids(reg.AutoScaling, func(x *awssim.AutoScalingGroup) string { return x.Name }),
				ids(res.AutoScalingGroups, func(x inventory.AutoScalingGroup) string { return x.Name }))
		}
	})
	// The attacker's objects, as the scenario's ground truth names them, are all in the snapshot.
	gt := r.GroundTruth()
	for _, c := range gt.Created {
		if !snapshotHas(snap, c) {
			t.Errorf("attacker's %s %s (%s) is not in the snapshot", c.Type, c.ID, c.Region)
		}
	}
	sa := snap.User("support-admin")
	if sa == nil || len(sa.AccessKeys) != 1 || sa.LoginProfile == nil || !hasPolicy(sa, "AdministratorAccess") {
		t.Fatalf("support-admin = %+v", sa)
	}
	if ci := snap.User("ci-deploy"); ci == nil || ci.QuarantinePolicy() == "" {
		t.Fatalf("ci-deploy should carry AWS's quarantine policy: %+v", ci)
	}
	var gpuRegions int
	for _, res := range snap.Resources {
		for _, in := range res.Instances {
			if strings.HasPrefix(in.Type, "p3.") || strings.HasPrefix(in.Type, "g4dn.") {
				gpuRegions++
				break
			}
		}
	}
	if gpuRegions < 3 {
		t.Fatalf("GPU instances in %d regions, want at least 3", gpuRegions)
	}
}

// ids maps objects to their identifying strings.
func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func hasPolicy(u *inventory.User, name string) bool {
	for _, p := range u.AttachedPolicies {
		if p.Name == name {
			return true
		}
	}
	return false
}

func snapshotHas(s *inventory.Snapshot, c awssim.Created) bool {
	res := s.Resources[c.Region]
	switch c.Type {
	case "iam-user":
		return s.User(c.ID) != nil
	case "access-key":
		u, _ := s.KeyOwner(c.ID)
		return u != nil
	case "login-profile":
		u := s.User(c.ID)
		return u != nil && u.LoginProfile != nil
	case "policy-attachment":
		user, arn, _ := strings.Cut(c.ID, "|")
		u := s.User(user)
		return u != nil && slices.ContainsFunc(u.AttachedPolicies, func(p inventory.AttachedPolicy) bool { return p.ARN == arn })
	case "instance":
		return res != nil && slices.ContainsFunc(res.Instances, func(x inventory.Instance) bool { return x.ID == c.ID })
	case "security-group":
		return res != nil && slices.ContainsFunc(res.SecurityGroups, func(x inventory.SecurityGroup) bool { return x.ID == c.ID })
	case "key-pair":
		return res != nil && slices.ContainsFunc(res.KeyPairs, func(x inventory.KeyPair) bool { return x.Name == c.ID || x.ID == c.ID })
	case "spot-request":
		return res != nil && slices.ContainsFunc(res.SpotRequests, func(x inventory.SpotRequest) bool { return x.ID == c.ID })
	case "launch-template":
		return res != nil && slices.ContainsFunc(res.LaunchTemplates, func(x inventory.LaunchTemplate) bool { return x.ID == c.ID || x.Name == c.ID })
	case "auto-scaling-group":
		return res != nil && slices.ContainsFunc(res.AutoScalingGroups, func(x inventory.AutoScalingGroup) bool { return x.Name == c.ID })
	}
	return true // types the snapshot does not hold
}

// A region that fails yields a partial snapshot: the other regions are complete, the failure
// is recorded with the region and call.
func TestInventoryPartialOnRegionFailure(t *testing.T) {
	r := startScenario(t, "leaked-key", awssim.Options{FailRegions: []string{"us-west-2"}})
	snap := collect(t, r)
	if !snap.Partial() {
		t.Fatal("want a partial snapshot")
	}
	for _, e := range snap.Errors {
		if e.Region != "us-west-2" {
			t.Errorf("unexpected error outside the failing region: %s", e)
		}
	}
	if res := snap.Resources["us-east-1"]; res == nil || len(res.Instances) == 0 {
		t.Fatal("us-east-1 should still be collected")
	}
	if snap.User("support-admin") == nil {
		t.Fatal("IAM should still be collected")
	}
}

// A missing permission is recorded with its code, and the part stays marked as not collected.
func TestInventoryAccessDenied(t *testing.T) {
	r := startScenario(t, "leaked-key", awssim.Options{Deny: []string{"iam:GetAccountPasswordPolicy"}})
	snap := collect(t, r)
	if snap.IAM.Collected["password_policy"] {
		t.Fatal("password policy must not be marked collected")
	}
	found := false
	for _, e := range snap.Errors {
		if e.Operation == "GetAccountPasswordPolicy" && e.AccessDenied() {
			found = true
		}
	}
	if !found {
		t.Fatalf("errors = %v", snap.Errors)
	}
}

func TestSnapshotRoundTripAndBadFiles(t *testing.T) {
	r := startScenario(t, "leaked-key", awssim.Options{})
	snap := collect(t, r)
	dir := t.TempDir()
	path := filepath.Join(dir, "snap.json")
	if err := snap.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := inventory.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(snap)
	b, _ := json.Marshal(back)
	if string(a) != string(b) {
		t.Fatal("snapshot changed in a write/read round trip")
	}
	newer := filepath.Join(dir, "newer.json")
	os.WriteFile(newer, []byte(`{"version": 99}`), 0o644)
	if _, err := inventory.Read(newer); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("newer version: %v", err)
	}
	corrupt := filepath.Join(dir, "corrupt.json")
	os.WriteFile(corrupt, []byte(`{"version": 1, "iam": [`), 0o644)
	if _, err := inventory.Read(corrupt); err == nil || !strings.Contains(err.Error(), "corrupt.json") {
		t.Fatalf("corrupt: %v", err)
	}
	notSnap := filepath.Join(dir, "other.json")
	os.WriteFile(notSnap, []byte(`{"Records": []}`), 0o644)
	if _, err := inventory.Read(notSnap); err == nil {
		t.Fatal("a non-snapshot must be refused")
	}
}

// Root's facts come from the credential report's <root_account> row.
func TestInventoryRootFromCredentialReport(t *testing.T) {
	r := startScenario(t, "leaked-key", awssim.Options{})
	snap := collect(t, r)
	root := snap.IAM.Root
	if root.MFAEnabled || root.AccessKeysActive != 1 || root.PasswordLastUsed == nil || root.KeyLastUsed == nil {
		t.Fatalf("root = %+v", root)
	}
	if got := simNow().Sub(*root.PasswordLastUsed); got < 20*24*time.Hour || got > 22*24*time.Hour {
		t.Fatalf("root password last used %v ago, want 21 days", got)
	}
}
