package awssim

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Running is a simulator listening on a loopback address.
type Running struct {
	*Server
	URL     string
	Account string
	Region  string
	// AdminKeyID and AdminSecret belong to the scenario's admin user (or root), for clients.
	AdminKeyID, AdminSecret string
	http                    *http.Server
	done                    chan error
	closeOnce               sync.Once
	closeErr                error
}

// Start loads sc and serves it on addr ("" means 127.0.0.1 on a free port).
func Start(sc *Scenario, opts Options, addr string) (*Running, error) {
	srv, err := New(sc, opts)
	if err != nil {
		return nil, err
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("simulator: listen on %s: %w", addr, err)
	}
	r := &Running{Server: srv, URL: "http://" + ln.Addr().String(), Region: "us-east-1", done: make(chan error, 1)}
	r.http = &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	for id, a := range srv.w.Accounts {
		r.Account = id
		if k := srv.adminKey(a); k != nil {
			r.AdminKeyID, r.AdminSecret = k.ID, k.Secret
		}
	}
	if sc != nil {
		for region := range sc.Resources {
			r.Region = region // the region the account lives in, when the scenario says
			break
		}
	}
	go func() {
		err := r.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		r.done <- err
	}()
	return r, nil
}

// adminKey picks the credentials handed to clients: the scenario's admin user's first active
// key, else an active root key, else a key made for a new "admin" user with AdministratorAccess.
func (s *Server) adminKey(a *Account) *AccessKey {
	if sc := s.scenario; sc != nil && sc.Admin != "" {
		if u := a.User(sc.Admin); u != nil {
			for _, k := range u.Keys {
				if k.Status == "Active" {
					return k
				}
			}
		}
	}
	for _, k := range a.Root.Keys {
		if k.Status == "Active" {
			return k
		}
	}
	u := &User{Name: "admin", ID: "AIDA" + s.w.randUpper(17), Path: "/", Created: s.Now(), Attached: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}
	a.Policy(u.Attached[0])
	k := &AccessKey{ID: s.w.newAccessKeyID("AKIA", a.ID), Secret: s.w.newSecret(), Status: "Active", Created: s.Now(), User: u}
	a.addKey(k)
	u.Keys = []*AccessKey{k}
	a.Users = append(a.Users, u)
	a.sortUsers()
	return k
}

// Close stops the server at once: clients keep idle keep-alive connections that a graceful
// shutdown would wait on, and a simulator has nothing to finish. A second Close returns the
// first one's error: a test may close early and still have a cleanup that closes.
func (r *Running) Close() error {
	r.closeOnce.Do(func() { r.closeErr = errors.Join(r.http.Close(), <-r.done) })
	return r.closeErr
}

// Env is the environment a standard AWS client needs to use the simulator as its admin.
func (r *Running) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + r.URL,
		"AWS_ACCESS_KEY_ID=" + r.AdminKeyID,
		"AWS_SECRET_ACCESS_KEY=" + r.AdminSecret,
		"AWS_REGION=" + r.Region,
	}
}

// Config is an aws.Config for the simulator as the admin (or the given key). Its HTTP client
// works around a race between the SDK and net/http that a loopback server makes likely
// (see noWriteToTransport).
func (r *Running) Config(keyID, secret string) aws.Config {
	if keyID == "" {
		keyID, secret = r.AdminKeyID, r.AdminSecret
	}
	return aws.Config{
		Region:       r.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		BaseEndpoint: aws.String(r.URL),
		HTTPClient:   &http.Client{Transport: noWriteToTransport{http.DefaultTransport.(*http.Transport).Clone()}},
	}
}

// bodyNoWriteTo hides io.WriterTo on request bodies. smithy-go closes a request body as soon
// as the response headers arrive, and its closed body answers WriteTo with io.EOF; net/http,
// still probing the body for extra bytes after sending it, then treats that EOF as a write
// error and closes the connection under the response being read ("use of closed network
// connection"). Against a loopback server that answers within microseconds this happens
// about once in a few thousand calls; with only Read, the probe sees a clean EOF.
type bodyNoWriteTo struct{ io.ReadCloser }

type noWriteToTransport struct{ http.RoundTripper }

func (t noWriteToTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r = r.Clone(r.Context())
		r.Body = bodyNoWriteTo{r.Body}
	}
	return t.RoundTripper.RoundTrip(r)
}
