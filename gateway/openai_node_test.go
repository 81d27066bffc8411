package gateway_test

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOfficialOpenAIClient drives the gateway with the official "openai"
// npm package, unchanged, over TLS. It needs node and the package:
//
//	npm install --prefix /tmp/openai-node openai@6.30.1
//	PHIGATE_TEST_OPENAI_NODE=/tmp/openai-node/node_modules go test ./gateway -run Official
func TestOfficialOpenAIClient(t *testing.T) {
	mods := os.Getenv("PHIGATE_TEST_OPENAI_NODE")
	if mods == "" {
		t.Skip("PHIGATE_TEST_OPENAI_NODE is not set: skipping the official OpenAI client test (set it to a node_modules folder holding the openai package)")
	}
	if _, err := os.Stat(filepath.Join(mods, "openai")); err != nil {
		t.Skipf("no openai package in %s", mods)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	e := newEnv(t)
	tls := httptest.NewUnstartedServer(e.srv.Config.Handler)
	tls.StartTLS()
	defer tls.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tls.Certificate().Raw}), 0o600)
	models := []string{"gpt-x", "emb"}
	e.vendors.Update(t.Context(), "test", "open", vendorModels(models))
	cmd := exec.Command(node, "testdata/openai_client.cjs")
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods, "NODE_EXTRA_CA_CERTS="+ca, "BASE_URL="+tls.URL+"/v1",
		"API_KEY=key-1", "PROMPT="+note)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("node client failed: %v\n%s", err, errb.String())
	}
	var got struct {
		Plain, Streamed string
		Chunks          int
		Models          []string
		Embedding       int
		Error           struct {
			Status  int
			Code    string
			Message string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("client output %q: %v", out.String(), err)
	}
	if got.Plain != note || got.Streamed != note || got.Chunks < 3 {
		t.Fatalf("answers not restored through the official client: %+v", got)
	}
	if len(got.Models) != 2 || got.Models[1] != "open/gpt-x" || got.Embedding != 2 {
		t.Fatalf("models/embeddings: %+v", got)
	}
	if got.Error.Status != http.StatusNotFound || got.Error.Code != "unknown_model" || strings.Contains(got.Error.Message, "nobody") {
		t.Fatalf("error not seen as an OpenAI error: %+v", got.Error)
	}
	for _, b := range e.vendor.received() {
		if l := leaked(string(b), notePHI); len(l) > 0 {
			t.Fatalf("vendor got %q", l)
		}
	}
}
