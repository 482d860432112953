package awssim

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed scenarios/*.yaml
var embedded embed.FS

// Scenario is an account described in YAML. Times are absolute (RFC 3339) or relative to the
// simulator's clock ("-60d", "-40h", "-90m").
type Scenario struct {
	Name        string                `yaml:"name"`
	Description string                `yaml:"description"`
	Account     AccountSpec           `yaml:"account"`
	OptedIn     []string              `yaml:"opted_in_regions"` // opt-in regions the account enabled
	Admin       string                `yaml:"admin"`            // user whose key `sim serve` hands out
	Root        RootSpec              `yaml:"root"`
	Password    *PasswordPolicy       `yaml:"password_policy"`
	Groups      []GroupSpec           `yaml:"groups"`
	Users       []UserSpec            `yaml:"users"`
	Roles       []RoleSpec            `yaml:"roles"`
	Resources   map[string]RegionSpec `yaml:"resources"` // by region
	History     []HistorySpec         `yaml:"history"`
	Cost        CostSpec              `yaml:"cost"`
	Posture     PostureSpec           `yaml:"posture"`
	// Attacker names what the scenario's attacker is, for tests to compare conclusions with.
	Attacker AttackerSpec `yaml:"attacker"`
}

// AccountSpec names the account.
type AccountSpec struct {
	ID    string `yaml:"id"`
	Alias string `yaml:"alias"`
}

// RootSpec is the root user.
type RootSpec struct {
	Created          string    `yaml:"created"`
	PasswordLastUsed string    `yaml:"password_last_used"`
	MFA              bool      `yaml:"mfa"`
	HardwareMFA      bool      `yaml:"hardware_mfa"`
	Keys             []KeySpec `yaml:"keys"`
}

// KeySpec is an access key. ID and secret are generated (deterministically) when empty.
type KeySpec struct {
	ID              string `yaml:"id"`
	Secret          string `yaml:"secret"`
	Status          string `yaml:"status"`
	Created         string `yaml:"created"`
	LastUsed        string `yaml:"last_used"`
	LastUsedService string `yaml:"last_used_service"`
	LastUsedRegion  string `yaml:"last_used_region"`
}

// UserSpec is an IAM user.
type UserSpec struct {
	Name     string            `yaml:"name"`
	Path     string            `yaml:"path"`
	Created  string            `yaml:"created"`
	Console  *ConsoleSpec      `yaml:"console"`
	MFA      []MFASpec         `yaml:"mfa"`
	Groups   []string          `yaml:"groups"`
	Attached []string          `yaml:"attached"`
	Inline   map[string]string `yaml:"inline"`
	Keys     []KeySpec         `yaml:"keys"`
	Tags     map[string]string `yaml:"tags"`
}

// ConsoleSpec is a login profile.
type ConsoleSpec struct {
	Created          string `yaml:"created"`
	PasswordLastUsed string `yaml:"password_last_used"`
	ResetRequired    bool   `yaml:"reset_required"`
}

// MFASpec is an MFA device.
type MFASpec struct {
	Virtual bool   `yaml:"virtual"`
	Enabled string `yaml:"enabled"`
}

// GroupSpec is an IAM group.
type GroupSpec struct {
	Name     string            `yaml:"name"`
	Attached []string          `yaml:"attached"`
	Inline   map[string]string `yaml:"inline"`
}

// RoleSpec is an IAM role.
type RoleSpec struct {
	Name        string            `yaml:"name"`
	Path        string            `yaml:"path"`
	Created     string            `yaml:"created"`
	Description string            `yaml:"description"`
	Trust       string            `yaml:"trust"`
	Attached    []string          `yaml:"attached"`
	Inline      map[string]string `yaml:"inline"`
	LastUsed    string            `yaml:"last_used"`
}

// RegionSpec holds a region's resources as they exist before the history.
type RegionSpec struct {
	Instances      []InstanceSpec `yaml:"instances"`
	SecurityGroups []SGSpec       `yaml:"security_groups"`
	KeyPairs       []struct {
		Name    string `yaml:"name"`
		Created string `yaml:"created"`
	} `yaml:"key_pairs"`
	Volumes []struct {
		Size      int32  `yaml:"size"`
		Type      string `yaml:"type"`
		Instance  string `yaml:"instance"` // instance name it is attached to
		Encrypted bool   `yaml:"encrypted"`
		Created   string `yaml:"created"`
	} `yaml:"volumes"`
	Snapshots []struct {
		Size      int32  `yaml:"size"`
		Encrypted bool   `yaml:"encrypted"`
		Created   string `yaml:"created"`
	} `yaml:"snapshots"`
	Images []struct {
		Name    string `yaml:"name"`
		Created string `yaml:"created"`
		Public  bool   `yaml:"public"`
	} `yaml:"images"`
}

// InstanceSpec is an EC2 instance.
type InstanceSpec struct {
	Name           string   `yaml:"name"`
	Type           string   `yaml:"type"`
	State          string   `yaml:"state"`
	Launched       string   `yaml:"launched"`
	KeyName        string   `yaml:"key_name"`
	SecurityGroups []string `yaml:"security_groups"` // names
	Monitoring     bool     `yaml:"monitoring"`
	Protected      bool     `yaml:"termination_protection"`
}

// SGSpec is a security group.
type SGSpec struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Ingress     []SGRule `yaml:"ingress"`
}

// HistorySpec is a run of API calls made by one principal, once or repeatedly.
type HistorySpec struct {
	Name      string     `yaml:"name"`
	Attacker  bool       `yaml:"attacker"` // calls made by the attacker: their results are ground truth
	As        string     `yaml:"as"`       // user name, "root", an access key ID, or "aws" (AWS itself, e.g. attaching its quarantine policy)
	IP        string     `yaml:"ip"`
	UserAgent string     `yaml:"user_agent"`
	At        string     `yaml:"at"`    // time of the first call
	Every     string     `yaml:"every"` // repeat period ("24h"), with From/To
	From      string     `yaml:"from"`
	To        string     `yaml:"to"`
	Step      string     `yaml:"step"` // time between calls within a run (default 2s)
	Calls     []CallSpec `yaml:"calls"`
}

// CallSpec is one API call. Params are the query-protocol parameters (IAM, STS, EC2, Auto
// Scaling); Body is the JSON body of JSON-protocol services. Service "signin" with action
// ConsoleLogin records a console sign-in (MFA as given).
type CallSpec struct {
	Service string            `yaml:"service"`
	Region  string            `yaml:"region"`
	Action  string            `yaml:"action"`
	Params  map[string]string `yaml:"params"`
	Body    string            `yaml:"body"`
	MFA     bool              `yaml:"mfa"` // ConsoleLogin only
	Repeat  int               `yaml:"repeat"`
	// Fail, when set, is the error code the call is expected to fail with (e.g. AccessDenied
	// storms); a call that fails otherwise stops the load with an error.
	Fail string `yaml:"fail"`
}

// AttackerSpec is the scenario's ground truth about the attacker, as written in the YAML.
// Everything the attacker's calls created is added at load time (Server.GroundTruth).
type AttackerSpec struct {
	LeakedUser string   `yaml:"leaked_user"` // the user whose key leaked
	Users      []string `yaml:"users"`       // users the attacker created
	IPs        []string `yaml:"ips"`
	Regions    []string `yaml:"regions"` // regions the attacker used that the account never used
}

// GroundTruth is what the attacker did, as the simulator knows it.
type GroundTruth struct {
	LeakedKey  string    // access key ID that leaked
	Keys       []string  // every access key the attacker used or created
	Principals []string  // ARNs the attacker acted as
	Users      []string  // IAM users the attacker created
	IPs        []string  // source IPs of the attacker's calls
	Regions    []string  // regions the attacker created resources in
	Created    []Created // every object the attacker's calls created
	Start      time.Time // first attacker call
}

// Created is an object a call created.
type Created struct {
	Type    string // "iam-user", "access-key", "login-profile", "instance", "security-group", "key-pair", "spot-request", "launch-template", "auto-scaling-group" …
	ID      string
	Region  string
	By      string // access key ID of the caller
	EventID string
}

// ScenarioNames lists the embedded scenarios.
func ScenarioNames() []string {
	entries, _ := fs.ReadDir(embedded, "scenarios")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// LoadScenario reads an embedded scenario by name, or a YAML file by path.
func LoadScenario(nameOrPath string) (*Scenario, error) {
	var data []byte
	var err error
	if strings.ContainsAny(nameOrPath, `/\`) || strings.HasSuffix(nameOrPath, ".yaml") || strings.HasSuffix(nameOrPath, ".yml") {
		data, err = os.ReadFile(nameOrPath)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", nameOrPath, err)
		}
	} else {
		data, err = embedded.ReadFile("scenarios/" + nameOrPath + ".yaml")
		if err != nil {
			return nil, fmt.Errorf("scenario %q: unknown (built-in scenarios: %s)", nameOrPath, strings.Join(ScenarioNames(), ", "))
		}
	}
	return ParseScenario(filepath.Base(nameOrPath), data)
}

// ParseScenario parses scenario YAML; unknown fields are errors, so typos do not pass silently.
func ParseScenario(name string, data []byte) (*Scenario, error) {
	var sc Scenario
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("scenario %s: %s", name, oneLine(err))
	}
	if !regexp.MustCompile(`^\d{12}$`).MatchString(sc.Account.ID) {
		return nil, fmt.Errorf("scenario %s: account.id %q is not a 12-digit account ID", name, sc.Account.ID)
	}
	if sc.Name == "" {
		sc.Name = strings.TrimSuffix(name, ".yaml")
	}
	return &sc, nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

// parseTime reads an absolute or relative time; "" is the zero time.
func parseTime(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	d, err := parseDuration(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: want RFC 3339 or a relative time like -60d or -40h", v)
	}
	return now.Add(d).Truncate(time.Second), nil
}

// parseDuration is time.ParseDuration with a "d" (24h) unit.
func parseDuration(v string) (time.Duration, error) {
	neg := strings.HasPrefix(v, "-")
	v = strings.TrimPrefix(v, "-")
	var total time.Duration
	if i := strings.Index(v, "d"); i > 0 {
		days, err := strconv.Atoi(v[:i])
		if err != nil {
			return 0, err
		}
		total = time.Duration(days) * 24 * time.Hour
		v = v[i+1:]
	}
	if v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, err
		}
		total += d
	}
	if neg {
		total = -total
	}
	return total, nil
}

// load builds the world from sc and replays its history.
func (s *Server) load(sc *Scenario) (err error) {
	now := s.Now()
	tm := func(what, v string) time.Time {
		if err != nil {
			return time.Time{}
		}
		var t time.Time
		t, err = parseTime(v, now)
		if err != nil {
			err = fmt.Errorf("scenario %s: %s: %w", sc.Name, what, err)
		}
		return t
	}
	s.w = newWorld(s.rng)
	a := &Account{ID: sc.Account.ID, Alias: sc.Account.Alias, w: s.w}
	s.w.Accounts[a.ID] = a
	s.scenario = sc
	for _, r := range StandardRegions {
		opt := "opt-in-not-required"
		if r.OptIn {
			opt = "not-opted-in"
			if slices.Contains(sc.OptedIn, r.Name) {
				opt = "opted-in"
			}
		}
		a.Regions = append(a.Regions, &Region{Name: r.Name, OptIn: opt})
	}
	a.Root = Root{Created: tm("root.created", sc.Root.Created), PasswordLastUsed: tm("root.password_last_used", sc.Root.PasswordLastUsed), MFA: sc.Root.MFA || sc.Root.HardwareMFA, HardwareMFA: sc.Root.HardwareMFA}
	if a.Root.Created.IsZero() {
		a.Root.Created = now.AddDate(-3, 0, 0)
	}
	for _, ks := range sc.Root.Keys {
		k := s.keyFromSpec(a, ks, tm)
		a.Root.Keys = append(a.Root.Keys, k)
	}
	a.PasswordPolicy = sc.Password
	for _, gs := range sc.Groups {
		a.Groups = append(a.Groups, &Group{Name: gs.Name, ID: "AGPA" + s.w.randUpper(17), Path: "/", Created: a.Root.Created, Attached: gs.Attached, Inline: gs.Inline})
	}
	for _, rs := range sc.Roles {
		path := rs.Path
		if path == "" {
			path = "/"
		}
		a.Roles = append(a.Roles, &Role{Name: rs.Name, ID: "AROA" + s.w.randUpper(17), Path: path, Created: tm("role "+rs.Name, rs.Created),
			Description: rs.Description, AssumeRolePolicy: rs.Trust, Attached: rs.Attached, Inline: rs.Inline, LastUsed: tm("role last_used", rs.LastUsed)})
	}
	for _, us := range sc.Users {
		path := us.Path
		if path == "" {
			path = "/"
		}
		u := &User{Name: us.Name, ID: "AIDA" + s.w.randUpper(17), Path: path, Created: tm("user "+us.Name, us.Created), Groups: us.Groups, Attached: us.Attached, Inline: us.Inline, Tags: us.Tags}
		if us.Console != nil {
			u.Login = &LoginProfile{Created: tm("console.created", us.Console.Created), ResetRequired: us.Console.ResetRequired}
			if u.Login.Created.IsZero() {
				u.Login.Created = u.Created
			}
			u.PasswordLastUsed = tm("console.password_last_used", us.Console.PasswordLastUsed)
		}
		for i, m := range us.MFA {
			d := &MFADevice{Virtual: m.Virtual, Enabled: tm("mfa.enabled", m.Enabled)}
			if m.Virtual {
				d.Serial = fmt.Sprintf("arn:aws:iam::%s:mfa/%s", a.ID, us.Name)
				if i > 0 {
					d.Serial += strconv.Itoa(i + 1)
				}
			} else {
				d.Serial = fmt.Sprintf("GAHT%08d", 10000000+s.w.rng.IntN(89999999))
			}
			u.MFA = append(u.MFA, d)
		}
		for _, ks := range us.Keys {
			k := s.keyFromSpec(a, ks, tm)
			k.User = u
			u.Keys = append(u.Keys, k)
		}
		for _, arn := range u.Attached {
			if a.Policy(arn) == nil {
				return fmt.Errorf("scenario %s: user %s: unknown managed policy %s", sc.Name, u.Name, arn)
			}
		}
		a.Users = append(a.Users, u)
	}
	a.sortUsers()
	if err != nil {
		return err
	}
	if err := s.loadResources(a, sc, tm); err != nil {
		return err
	}
	if err := s.loadPosture(a, sc, now); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	return s.replay(a, sc, now)
}

func (s *Server) keyFromSpec(a *Account, ks KeySpec, tm func(string, string) time.Time) *AccessKey {
	k := &AccessKey{ID: ks.ID, Secret: ks.Secret, Status: ks.Status, Created: tm("key created", ks.Created),
		LastUsed: tm("key last_used", ks.LastUsed), LastUsedService: ks.LastUsedService, LastUsedRegion: ks.LastUsedRegion}
	if k.ID == "" {
		k.ID = s.w.newAccessKeyID("AKIA", a.ID)
	}
	if k.Secret == "" {
		k.Secret = s.w.newSecret()
	}
	if k.Status == "" {
		k.Status = "Active"
	}
	a.addKey(k)
	return k
}

func (s *Server) loadResources(a *Account, sc *Scenario, tm func(string, string) time.Time) error {
	for name, rs := range sc.Resources {
		r := a.Region(name)
		if r == nil {
			return fmt.Errorf("scenario %s: resources: unknown region %q", sc.Name, name)
		}
		vpc := defaultVPC(r)
		sgByName := map[string]string{}
		for _, sg := range defaultSecurityGroups(s.w, r, vpc) {
			sgByName[sg.Name] = sg.ID
		}
		for _, g := range rs.SecurityGroups {
			sg := &SecurityGroup{ID: s.w.NewID("sg"), Name: g.Name, Description: g.Description, VPCID: vpc, Ingress: g.Ingress,
				Egress: []SGRule{{Protocol: "-1", CIDRs: []string{"0.0.0.0/0"}}}}
			r.SecurityGroups = append(r.SecurityGroups, sg)
			sgByName[g.Name] = sg.ID
		}
		for _, kp := range rs.KeyPairs {
			r.KeyPairs = append(r.KeyPairs, &KeyPair{ID: s.w.NewID("key"), Name: kp.Name, Type: "rsa", Created: tm("key pair", kp.Created), Fingerprint: fingerprint(s.w)})
		}
		instByName := map[string]string{}
		for _, is := range rs.Instances {
			inst := &Instance{ID: s.w.NewID("i"), Type: is.Type, ImageID: "ami-0c9c942bd7bf113a2", KeyName: is.KeyName, State: is.State,
				LaunchTime: tm("instance "+is.Name, is.Launched), VPCID: vpc, SubnetID: "subnet-0" + s.w.randHex(16), AvailabilityZone: name + "a",
				PrivateIP: fmt.Sprintf("172.31.%d.%d", s.w.rng.IntN(255), 1+s.w.rng.IntN(254)), Monitoring: is.Monitoring,
				DisableApiTermination: is.Protected, ReservationID: s.w.NewID("r"), Tags: map[string]string{"Name": is.Name}}
			if inst.State == "" {
				inst.State = "running"
			}
			for _, g := range is.SecurityGroups {
				id, ok := sgByName[g]
				if !ok {
					return fmt.Errorf("scenario %s: instance %s: unknown security group %q", sc.Name, is.Name, g)
				}
				inst.SecurityGroupIDs = append(inst.SecurityGroupIDs, id)
			}
			r.Instances = append(r.Instances, inst)
			instByName[is.Name] = inst.ID
		}
		for _, v := range rs.Volumes {
			vol := &Volume{ID: s.w.NewID("vol"), Type: v.Type, SizeGiB: v.Size, Encrypted: v.Encrypted, Created: tm("volume", v.Created), AvailabilityZone: name + "a", State: "available"}
			if v.Instance != "" {
				vol.InstanceID, vol.State = instByName[v.Instance], "in-use"
			}
			if vol.Type == "" {
				vol.Type = "gp3"
			}
			r.Volumes = append(r.Volumes, vol)
		}
		for _, sn := range rs.Snapshots {
			r.Snapshots = append(r.Snapshots, &Snapshot{ID: s.w.NewID("snap"), VolumeID: "vol-ffffffff", State: "completed", SizeGiB: sn.Size, Encrypted: sn.Encrypted, Started: tm("snapshot", sn.Created)})
		}
		for _, im := range rs.Images {
			r.Images = append(r.Images, &Image{ID: s.w.NewID("ami"), Name: im.Name, State: "available", Created: tm("image", im.Created), Public: im.Public})
		}
	}
	return nil
}

// defaultVPC is the ID of the region's default VPC (every region has one).
func defaultVPC(r *Region) string { return "vpc-" + shortHash(r.Name) }

// defaultSecurityGroups makes sure the region has its default VPC's "default" group.
func defaultSecurityGroups(w *World, r *Region, vpc string) []*SecurityGroup {
	for _, sg := range r.SecurityGroups {
		if sg.Name == "default" {
			return r.SecurityGroups
		}
	}
	sg := &SecurityGroup{ID: "sg-" + shortHash("default/"+r.Name), Name: "default", Description: "default VPC security group", VPCID: vpc,
		Ingress: []SGRule{{Protocol: "-1", Groups: []string{"sg-" + shortHash("default/"+r.Name)}}},
		Egress:  []SGRule{{Protocol: "-1", CIDRs: []string{"0.0.0.0/0"}}}}
	r.SecurityGroups = append([]*SecurityGroup{sg}, r.SecurityGroups...)
	return r.SecurityGroups
}

func shortHash(s string) string {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return fmt.Sprintf("%017x", h)[:17]
}

func fingerprint(w *World) string {
	var parts []string
	for range 20 {
		parts = append(parts, w.randHex(2))
	}
	return strings.Join(parts, ":")
}

// replay runs the history's calls through the handlers at their times, in time order, and
// records them in CloudTrail. Calls of attacker runs add to the ground truth.
func (s *Server) replay(a *Account, sc *Scenario, now time.Time) error {
	type scheduled struct {
		at   time.Time
		h    *HistorySpec
		call CallSpec
		seq  int
	}
	var plan []scheduled
	seq := 0
	for i := range sc.History {
		h := &sc.History[i]
		step := 2 * time.Second
		if h.Step != "" {
			d, err := parseDuration(h.Step)
			if err != nil {
				return fmt.Errorf("scenario %s: history %q: step: %w", sc.Name, h.Name, err)
			}
			step = d
		}
		var starts []time.Time
		if h.Every != "" {
			every, err := parseDuration(h.Every)
			if err != nil || every <= 0 {
				return fmt.Errorf("scenario %s: history %q: every %q is not a positive duration", sc.Name, h.Name, h.Every)
			}
			from, err1 := parseTime(h.From, now)
			to, err2 := parseTime(h.To, now)
			if err := errors.Join(err1, err2); err != nil || from.IsZero() || to.IsZero() {
				return fmt.Errorf("scenario %s: history %q: every needs from and to: %v", sc.Name, h.Name, err)
			}
			for t := from; !t.After(to); t = t.Add(every) {
				jitter := time.Duration(s.rng.IntN(int(every/time.Second)/6+1)) * time.Second
				starts = append(starts, t.Add(jitter))
			}
		} else {
			at, err := parseTime(h.At, now)
			if err != nil || at.IsZero() {
				return fmt.Errorf("scenario %s: history %q: at %q: want a time", sc.Name, h.Name, h.At)
			}
			starts = append(starts, at)
		}
		for _, start := range starts {
			t := start
			for _, c := range h.Calls {
				for range max(1, c.Repeat) {
					plan = append(plan, scheduled{at: t, h: h, call: c, seq: seq})
					seq++
					t = t.Add(step)
				}
			}
		}
	}
	slices.SortStableFunc(plan, func(x, y scheduled) int {
		if c := x.at.Compare(y.at); c != 0 {
			return c
		}
		return x.seq - y.seq
	})
	gt := &s.truth
	for _, p := range plan {
		if p.at.After(now) {
			continue
		}
		if p.call.Service == "signin" {
			if err := s.consoleLogin(a, p.h, p.call, p.at); err != nil {
				return fmt.Errorf("scenario %s: history %q: %w", sc.Name, p.h.Name, err)
			}
			continue
		}
		var key *AccessKey
		var err error
		if p.h.As != "aws" {
			if key, err = s.historyKey(a, p.h.As); err != nil {
				return fmt.Errorf("scenario %s: history %q: %w", sc.Name, p.h.Name, err)
			}
		}
		params := url.Values{"Action": {p.call.Action}}
		for k, v := range p.call.Params {
			params.Set(k, v)
		}
		before := len(s.trail)
		s.created = nil
		_, err = s.invoke(a, key, p.call.Service, p.call.Region, p.call.Action, params, []byte(p.call.Body), p.at, p.h.IP, p.h.UserAgent)
		code := ""
		if err != nil {
			code = asAPIError(err).Code
		}
		if code != p.call.Fail {
			return fmt.Errorf("scenario %s: history %q: %s:%s at %s: got error %q, want %q", sc.Name, p.h.Name, p.call.Service, p.call.Action, p.at.Format(time.RFC3339), code, p.call.Fail)
		}
		if p.h.Attacker && key != nil {
			if gt.Start.IsZero() {
				gt.Start = p.at
			}
			addUnique(&gt.Keys, key.ID)
			addUnique(&gt.Principals, a.identityOf(key).ARN)
			addUnique(&gt.IPs, p.h.IP)
			eventID := ""
			if len(s.trail) > before {
				eventID = s.trail[len(s.trail)-1].EventID
			}
			for _, c := range s.created {
				c.By, c.EventID = key.ID, eventID
				gt.Created = append(gt.Created, c)
				switch c.Type {
				case "iam-user":
					addUnique(&gt.Users, c.ID)
				case "access-key", "login-profile", "policy-attachment", "iam-role", "iam-policy": // global, no region
				default:
					addUnique(&gt.Regions, c.Region)
				}
			}
		}
	}
	if sc.Attacker.LeakedUser != "" {
		u := a.User(sc.Attacker.LeakedUser)
		if u == nil || len(u.Keys) == 0 {
			return fmt.Errorf("scenario %s: attacker.leaked_user %q has no key", sc.Name, sc.Attacker.LeakedUser)
		}
		gt.LeakedKey = u.Keys[0].ID
	}
	s.created = nil
	return nil
}

func addUnique(list *[]string, v string) {
	if v != "" && !slices.Contains(*list, v) {
		*list = append(*list, v)
	}
}

// historyKey resolves a history run's "as": "root", a user name (its first active key), or a key ID.
func (s *Server) historyKey(a *Account, as string) (*AccessKey, error) {
	if as == "root" {
		for _, k := range a.Root.Keys {
			if k.Status == "Active" {
				return k, nil
			}
		}
		return nil, fmt.Errorf("as root: root has no active access key")
	}
	if k := s.w.keys[as]; k != nil {
		return k, nil
	}
	u := a.User(as)
	if u == nil {
		return nil, fmt.Errorf("as %q: no such user or key", as)
	}
	for _, k := range u.Keys {
		if k.Status == "Active" {
			return k, nil
		}
	}
	return nil, fmt.Errorf("as %q: the user has no active access key", as)
}

// consoleLogin records a console sign-in of the user (or root) and marks the password used.
func (s *Server) consoleLogin(a *Account, h *HistorySpec, c CallSpec, at time.Time) error {
	var id Identity
	if h.As == "root" {
		id = a.identityOf(nil)
		a.Root.PasswordLastUsed = at
	} else {
		u := a.User(h.As)
		if u == nil || u.Login == nil {
			return fmt.Errorf("ConsoleLogin as %q: no such user with a console password", h.As)
		}
		id = a.identityOf(&AccessKey{User: u})
		u.PasswordLastUsed = at
	}
	id.Key = nil
	mfa := "No"
	if c.MFA {
		mfa = "Yes"
	}
	rec := Record{
		EventVersion: "1.09",
		UserIdentity: UserIdentity{Type: id.Type, PrincipalID: id.PrincipalID, ARN: id.ARN, AccountID: a.ID, UserName: id.UserName},
		EventTime:    at.UTC().Format("2006-01-02T15:04:05Z"), EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin",
		AWSRegion: "us-east-1", SourceIPAddress: h.IP, UserAgent: h.UserAgent,
		ResponseElements: map[string]string{"ConsoleLogin": "Success"},
		AdditionalData:   map[string]any{"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": mfa},
		RequestID:        "", EventID: requestID(s.rng), EventType: "AwsConsoleSignIn", ManagementEvent: true,
		RecipientAccountID: a.ID, EventCategory: "Management",
	}
	s.trail = append(s.trail, rec)
	return nil
}

// GroundTruth returns what the scenario's attacker did.
func (s *Server) GroundTruth() GroundTruth {
	s.mu.Lock()
	defer s.mu.Unlock()
	gt := s.truth
	gt.Created = slices.Clone(gt.Created)
	return gt
}

// Scenario returns the scenario the server was loaded from.
func (s *Server) Scenario() *Scenario { return s.scenario }

// created notes an object a handler made, for the ground truth of attacker runs.
func (c *Call) created(typ, id string) {
	if c.HTTP != nil {
		return
	}
	c.srv.created = append(c.srv.created, Created{Type: typ, ID: id, Region: c.recordRegion()})
}
