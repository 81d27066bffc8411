package keys

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/phigate/phigate"
)

// Defaults of Transit.
const (
	DefaultTransitMount   = "transit"
	DefaultTransitKey     = "phigate"
	DefaultTransitTimeout = 10 * time.Second
)

// Transit is a KMS backed by the transit secrets engine of HashiCorp Vault
// or OpenBao: the KEK never leaves the server, which encrypts, decrypts and
// re-wraps data keys. The transit key must be of type aes256-gcm96 with
// derived=true (EnsureKey creates it so): each data key's associated data is
// sent as the derivation context, which binds it to its subject like the
// associated data of the local ring.
//
// Set the exported fields, then use it. It is safe for concurrent use.
type Transit struct {
	// Address is the server's base URL, "https://vault.example:8200".
	Address string
	// Token authenticates to the server. Security-sensitive: read it from a
	// _FILE secret, never log it.
	Token string
	// Mount is the transit engine's path. Empty means DefaultTransitMount.
	Mount string
	// Key is the transit key's name. Empty means DefaultTransitKey.
	Key string
	// Namespace, if set, is sent as X-Vault-Namespace (Vault Enterprise,
	// OpenBao namespaces).
	Namespace string
	// Client sends the requests. Nil means a client with
	// DefaultTransitTimeout; set one with TLS roots for a private CA.
	Client *http.Client
}

var (
	_ KMS            = (*Transit)(nil)
	_ BatchRewrapper = (*Transit)(nil)
)

// NewTransit returns a Transit for the server at address.
func NewTransit(address, token string) *Transit {
	return &Transit{Address: address, Token: token}
}

// EnsureKey creates the transit key (aes256-gcm96, derived) unless it
// exists, and checks that an existing one is derived. Codes: EINVALID
// (key not derived), EUNAVAILABLE.
func (t *Transit) EnsureKey(ctx context.Context) error {
	const op = "keys.Transit.EnsureKey"
	k, err := t.readKey(ctx)
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		body := map[string]any{"type": "aes256-gcm96", "derived": true}
		return t.do(ctx, op, http.MethodPost, "keys/"+t.key(), body, nil)
	}
	if err != nil {
		return err
	}
	if !k.Derived {
		return phigate.Errorf(phigate.EINVALID, op, "transit key %s is not derived: create it with derived=true", t.key())
	}
	return nil
}

// Wrap encrypts dataKey under the latest key version.
func (t *Transit) Wrap(ctx context.Context, dataKey, ad []byte) (uint32, []byte, error) {
	const op = "keys.Transit.Wrap"
	var out struct {
		Ciphertext string `json:"ciphertext"`
	}
	body := map[string]any{"plaintext": b64(dataKey), "context": b64(ad)}
	if err := t.do(ctx, op, http.MethodPost, "encrypt/"+t.key(), body, &out); err != nil {
		return 0, nil, err
	}
	v, err := transitVersion(op, out.Ciphertext)
	return v, []byte(out.Ciphertext), err
}

// Unwrap decrypts a data key.
func (t *Transit) Unwrap(ctx context.Context, version uint32, wrapped, ad []byte) ([]byte, error) {
	const op = "keys.Transit.Unwrap"
	if err := checkVersion(op, version, wrapped); err != nil {
		return nil, err
	}
	var out struct {
		Plaintext string `json:"plaintext"`
	}
	body := map[string]any{"ciphertext": string(wrapped), "context": b64(ad)}
	if err := t.do(ctx, op, http.MethodPost, "decrypt/"+t.key(), body, &out); err != nil {
		return nil, err
	}
	dk, err := base64.StdEncoding.DecodeString(out.Plaintext)
	if err != nil {
		return nil, phigate.Errorf(phigate.ECRYPTO, op, "transit returned a malformed data key")
	}
	return dk, nil
}

// Rewrap re-wraps a data key on the server under the latest version.
func (t *Transit) Rewrap(ctx context.Context, version uint32, wrapped, ad []byte) (uint32, []byte, error) {
	const op = "keys.Transit.Rewrap"
	if err := checkVersion(op, version, wrapped); err != nil {
		return 0, nil, err
	}
	var out struct {
		Ciphertext string `json:"ciphertext"`
	}
	body := map[string]any{"ciphertext": string(wrapped), "context": b64(ad)}
	if err := t.do(ctx, op, http.MethodPost, "rewrap/"+t.key(), body, &out); err != nil {
		return 0, nil, err
	}
	v, err := transitVersion(op, out.Ciphertext)
	return v, []byte(out.Ciphertext), err
}

// RewrapBatch re-wraps many data keys in one request.
func (t *Transit) RewrapBatch(ctx context.Context, items []WrapItem) ([]WrapItem, error) {
	const op = "keys.Transit.RewrapBatch"
	in := make([]map[string]string, len(items))
	for i, it := range items {
		in[i] = map[string]string{"ciphertext": string(it.Wrapped), "context": b64(it.AD)}
	}
	var out struct {
		Results []struct {
			Ciphertext string `json:"ciphertext"`
			Error      string `json:"error"`
		} `json:"batch_results"`
	}
	if err := t.do(ctx, op, http.MethodPost, "rewrap/"+t.key(), map[string]any{"batch_input": in}, &out); err != nil {
		return nil, err
	}
	if len(out.Results) != len(items) {
		return nil, phigate.Errorf(phigate.EUPSTREAM, op, "transit returned %d results for %d keys", len(out.Results), len(items))
	}
	res := make([]WrapItem, len(items))
	for i, r := range out.Results {
		res[i] = items[i]
		if r.Error != "" {
			res[i].Err = phigate.Errorf(phigate.ECRYPTO, op, "transit could not re-wrap: %s", clip(r.Error))
			continue
		}
		res[i].Version, res[i].Err = transitVersion(op, r.Ciphertext)
		res[i].Wrapped = []byte(r.Ciphertext)
	}
	return res, nil
}

// Rotate adds a key version on the server.
func (t *Transit) Rotate(ctx context.Context) (uint32, error) {
	const op = "keys.Transit.Rotate"
	if err := t.do(ctx, op, http.MethodPost, "keys/"+t.key()+"/rotate", map[string]any{}, nil); err != nil {
		return 0, err
	}
	k, err := t.readKey(ctx)
	if err != nil {
		return 0, err
	}
	return k.Latest, nil
}

// Retire sets the key's minimum decryption version.
func (t *Transit) Retire(ctx context.Context, min uint32) error {
	const op = "keys.Transit.Retire"
	k, err := t.readKey(ctx)
	if err != nil {
		return err
	}
	if min < 1 || min > k.Latest {
		return phigate.Errorf(phigate.EINVALID, op, "minimum decryption version %d is outside 1 to %d", min, k.Latest)
	}
	return t.do(ctx, op, http.MethodPost, "keys/"+t.key()+"/config", map[string]any{"min_decryption_version": min}, nil)
}

// Status reads the key's versions from the server.
func (t *Transit) Status(ctx context.Context) (*KEKStatus, error) {
	k, err := t.readKey(ctx)
	if err != nil {
		return nil, err
	}
	s := &KEKStatus{Source: "transit", Active: k.Latest, Min: k.MinDecrypt}
	for v := uint32(1); v <= k.Latest; v++ {
		kv := KEKVersion{Version: v, Retired: v < k.MinDecrypt}
		// The server lists only versions it can still decrypt with.
		if n, err := k.Keys[strconv.FormatUint(uint64(v), 10)].Int64(); err == nil {
			kv.CreatedAt = time.Unix(n, 0).UTC()
		}
		s.Versions = append(s.Versions, kv)
	}
	return s, nil
}

// transitKey is the part of a transit key's description phigate reads.
type transitKey struct {
	Type       string                 `json:"type"`
	Derived    bool                   `json:"derived"`
	Latest     uint32                 `json:"latest_version"`
	MinDecrypt uint32                 `json:"min_decryption_version"`
	Keys       map[string]json.Number `json:"keys"`
}

func (t *Transit) readKey(ctx context.Context) (*transitKey, error) {
	var k transitKey
	if err := t.do(ctx, "keys.Transit.readKey", http.MethodGet, "keys/"+t.key(), nil, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

func (t *Transit) key() string {
	if t.Key == "" {
		return url.PathEscape(DefaultTransitKey)
	}
	return url.PathEscape(t.Key)
}

func (t *Transit) mount() string {
	if t.Mount == "" {
		return DefaultTransitMount
	}
	return strings.Trim(t.Mount, "/")
}

func (t *Transit) client() *http.Client {
	if t.Client != nil {
		return t.Client
	}
	return &http.Client{Timeout: DefaultTransitTimeout}
}

// do sends one request to /v1/<mount>/<path> and decodes the response's
// "data" into out.
func (t *Transit) do(ctx context.Context, op, method, path string, in, out any) error {
	req, err := t.request(ctx, method, path, in)
	if err != nil {
		return phigate.E(phigate.EINTERNAL, op, err)
	}
	resp, err := t.client().Do(req)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("reach transit: %w", redactURL(err)))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, fmt.Errorf("read transit response: %w", err))
	}
	if resp.StatusCode/100 != 2 {
		return transitErr(op, resp.StatusCode, body)
	}
	if out == nil || len(body) == 0 {
		return nil
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || json.Unmarshal(env.Data, out) != nil {
		return phigate.Errorf(phigate.EUPSTREAM, op, "transit returned a malformed response (status %d)", resp.StatusCode)
	}
	return nil
}

func (t *Transit) request(ctx context.Context, method, path string, in any) (*http.Request, error) {
	var r io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encode transit request: %w", err)
		}
		r = bytes.NewReader(b)
	}
	u := strings.TrimRight(t.Address, "/") + "/v1/" + t.mount() + "/" + path
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return nil, fmt.Errorf("build transit request: %w", err)
	}
	req.Header.Set("X-Vault-Token", t.Token)
	req.Header.Set("X-Vault-Request", "true")
	if t.Namespace != "" {
		req.Header.Set("X-Vault-Namespace", t.Namespace)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// transitErr maps a failed response to a code. The server's message is
// kept (clipped): transit never echoes plaintext in its errors.
func transitErr(op string, status int, body []byte) error {
	var e struct {
		Errors []string `json:"errors"`
	}
	_ = json.Unmarshal(body, &e)
	msg := ""
	if len(e.Errors) > 0 {
		msg = clip(e.Errors[0])
	}
	code := phigate.EUPSTREAM
	switch {
	case status == http.StatusNotFound:
		code = phigate.ENOTFOUND
	case status == http.StatusBadRequest:
		code = phigate.ECRYPTO
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		code = phigate.EFORBIDDEN
	case status >= 500:
		code = phigate.EUNAVAILABLE
	}
	return phigate.Errorf(code, op, "transit answered %d: %s", status, msg)
}

// transitVersion parses the key version of a "vault:v<N>:..." ciphertext.
func transitVersion(op, ct string) (uint32, error) {
	rest, ok := strings.CutPrefix(ct, "vault:v")
	if !ok {
		return 0, phigate.Errorf(phigate.ECRYPTO, op, "wrapped key is not a transit ciphertext")
	}
	n, _, ok := strings.Cut(rest, ":")
	v, err := strconv.ParseUint(n, 10, 32)
	if !ok || err != nil || v == 0 {
		return 0, phigate.Errorf(phigate.ECRYPTO, op, "wrapped key has no valid transit key version")
	}
	return uint32(v), nil
}

// checkVersion refuses a wrapped key whose stated version disagrees with
// its ciphertext.
func checkVersion(op string, version uint32, wrapped []byte) error {
	v, err := transitVersion(op, string(wrapped))
	if err != nil {
		return err
	}
	if v != version {
		return phigate.Errorf(phigate.ECRYPTO, op, "wrapped key says version %d, its record says %d", v, version)
	}
	return nil
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// clip shortens a server message for an error.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// redactURL strips the URL from a client error, keeping the cause.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
