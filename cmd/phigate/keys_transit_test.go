package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startTransit starts the dev server named by PHIGATE_TEST_VAULT (see
// keys/testdata/transitdev/build.sh) with transit mounted, or skips.
func startTransit(t *testing.T) (addr, token string) {
	bin := os.Getenv("PHIGATE_TEST_VAULT")
	if bin == "" {
		t.Skip("PHIGATE_TEST_VAULT is not set: skipping the transit KMS test of the CLI")
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	hostport := l.Addr().String()
	l.Close()
	token = "cli-test-token"
	cmd := exec.Command(bin, "server", "-dev", "-dev-root-token-id="+token, "-dev-listen-address="+hostport)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr = "http://" + hostport
	for i := 0; ; i++ {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, addr+"/v1/sys/mounts/transit", strings.NewReader(`{"type":"transit"}`))
		req.Header.Set("X-Vault-Token", token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return addr, token
			}
		}
		if i > 300 {
			t.Fatal("transit server did not start")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestKeysTransit(t *testing.T) {
	addr, token := startTransit(t)
	dir, _ := keysDeployment(t, "", time.Now(), 0)
	env := map[string]string{"PHIGATE_KMS": "transit", "PHIGATE_TRANSIT_ADDRESS": addr, "PHIGATE_TRANSIT_TOKEN": token}
	if code, out, errs := run(t, env, "keys", "rotate", "--data-dir", dir); code != 0 || !strings.Contains(out, "version 2 is active") {
		t.Fatalf("rotate: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs := run(t, env, "keys", "status", "--json", "--data-dir", dir)
	var s struct {
		Source string `json:"source"`
		Active uint32 `json:"active"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &s) != nil || s.Source != "transit" || s.Active != 2 {
		t.Fatalf("status: exit %d, %+v\n%s%s", code, s, out, errs)
	}
	env["PHIGATE_TRANSIT_TOKEN"] = "wrong"
	if code, _, errs := run(t, env, "keys", "status", "--data-dir", dir); code != 1 || strings.Contains(errs, "wrong") {
		t.Fatalf("bad token: exit %d: %s", code, errs)
	}
}
