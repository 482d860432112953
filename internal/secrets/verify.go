package secrets

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountguard/accountguard/internal/awsx"
	"github.com/accountguard/accountguard/internal/secrets/detect"
)

// VerifyResult is what STS said about a found key.
type VerifyResult struct {
	Status  string // "active", "invalid" (unknown, inactive or deleted key), "wrong-secret", "expired", "no-secret", "error: …"
	ARN     string
	Account string
}

// Verifier asks AWS whether a key pair is live. It is the seam tests fake.
type Verifier interface {
	Verify(ctx context.Context, keyID string, secret, token detect.Secret) (VerifyResult, error)
}

// STSVerifier calls sts:GetCallerIdentity signed with the found pair. Base supplies the
// region, retry settings and endpoint (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS); its own
// credentials are replaced by the found ones.
type STSVerifier struct{ Base aws.Config }

// Verify never returns the secret in an error.
func (v STSVerifier) Verify(ctx context.Context, keyID string, secret, token detect.Secret) (VerifyResult, error) {
	cfg := v.Base.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(keyID, secret.Reveal(), token.Reveal())
	id, err := awsx.CallerIdentity(ctx, sts.NewFromConfig(cfg))
	if err == nil {
		return VerifyResult{Status: "active", ARN: id.ARN, Account: id.Account}, nil
	}
	switch awsx.ErrorCode(err) {
	case "InvalidClientTokenId":
		return VerifyResult{Status: "invalid"}, nil
	case "SignatureDoesNotMatch":
		return VerifyResult{Status: "wrong-secret"}, nil
	case "ExpiredToken", "ExpiredTokenException":
		return VerifyResult{Status: "expired"}, nil
	}
	if ctx.Err() != nil {
		return VerifyResult{}, ctx.Err()
	}
	return VerifyResult{Status: "error: " + firstErrLine(err)}, nil
}

func firstErrLine(err error) string {
	if code := awsx.ErrorCode(err); code != "" {
		return code
	}
	var oe interface{ Unwrap() error }
	for errors.As(err, &oe) && oe.Unwrap() != nil {
		err = oe.Unwrap()
	}
	return err.Error()
}

// pair is a key ID with the secret (and session token) found for it.
type pair struct {
	keyID         string
	secret, token detect.Secret
}

// pairs collects, for each non-example key ID among hits, a secret paired with it and a
// session token found in the same file or blob.
func pairs(hits []Hit) (map[string]pair, []string) {
	ps := map[string]pair{}
	var keys []string
	tokens := map[string]detect.Secret{} // location -> token
	where := func(h Hit) string {
		return h.Loc.Kind + "\x00" + h.Loc.Repo + "\x00" + h.Loc.Path + "\x00" + h.Loc.Blob
	}
	for _, h := range hits {
		if h.Rule == "aws-session-token" && !h.Example {
			tokens[where(h)] = h.Secret
		}
	}
	for _, h := range hits {
		if h.Example || h.KeyID == "" {
			continue
		}
		p, ok := ps[h.KeyID]
		if !ok {
			keys = append(keys, h.KeyID)
			p.keyID = h.KeyID
		}
		if h.Rule == "aws-secret-access-key" && p.secret.IsZero() {
			p.secret = h.Secret
			if t, ok := tokens[where(h)]; ok && len(h.KeyID) > 4 && h.KeyID[:4] == "ASIA" {
				p.token = t
			}
		}
		ps[h.KeyID] = p
	}
	return ps, keys
}

// VerifyKeys verifies every AWS key found (four at a time); keys without a secret are
// reported as "no-secret" without any call.
func VerifyKeys(ctx context.Context, v Verifier, hits []Hit) (map[string]VerifyResult, error) {
	ps, keys := pairs(hits)
	out := make(map[string]VerifyResult, len(keys))
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		sem   = make(chan struct{}, 4)
		first error
	)
	for _, k := range keys {
		p := ps[k]
		if p.secret.IsZero() {
			mu.Lock()
			out[k] = VerifyResult{Status: "no-secret"}
			mu.Unlock()
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			r, err := v.Verify(ctx, p.keyID, p.secret, p.token)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = fmt.Errorf("verify %s: %w", detect.Redact(p.keyID), err)
			}
			out[p.keyID] = r
		})
	}
	wg.Wait()
	return out, first
}
