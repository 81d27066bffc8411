// Command transitdev runs Vault's core in dev mode (in-memory storage,
// single unseal key, a chosen root token) with Vault's HTTP API and the
// transit secrets engine, for phigate's integration tests. It accepts the
// dev-mode flags of `vault server -dev`.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/vault/builtin/logical/transit"
	"github.com/hashicorp/vault/helper/namespace"
	"github.com/hashicorp/vault/helper/testhelpers/corehelpers"
	vaulthttp "github.com/hashicorp/vault/http"
	"github.com/hashicorp/vault/internalshared/configutil"
	"github.com/hashicorp/vault/sdk/logical"
	"github.com/hashicorp/vault/sdk/physical/inmem"
	"github.com/hashicorp/vault/vault"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "server" {
		fmt.Fprintln(os.Stderr, "usage: transitdev server -dev -dev-root-token-id=ID -dev-listen-address=127.0.0.1:8200")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	fs.Bool("dev", true, "dev mode (always)")
	token := fs.String("dev-root-token-id", "root", "root token")
	listen := fs.String("dev-listen-address", "127.0.0.1:8200", "address")
	fs.Parse(os.Args[2:])
	if err := run(*token, *listen); err != nil {
		fmt.Fprintln(os.Stderr, "transitdev:", err)
		os.Exit(1)
	}
}

func run(token, listen string) error {
	logger := hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: os.Stderr})
	phys, err := inmem.NewInmem(nil, logger)
	if err != nil {
		return err
	}
	core, err := vault.NewCore(&vault.CoreConfig{
		Physical: phys, Logger: logger, DisableMlock: true,
		BuiltinRegistry: corehelpers.NewMockBuiltinRegistry(),
		LogicalBackends: map[string]logical.Factory{"transit": transit.Factory},
	})
	if err != nil {
		return err
	}
	if err := dev(core, token); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "transitdev: listening on %s\n", ln.Addr())
	h := vaulthttp.Handler.Handler(&vault.HandlerProperties{Core: core, ListenerConfig: &configutil.Listener{}})
	return http.Serve(ln, h)
}

// dev initialises and unseals the core and replaces the root token by one
// with the given id, as `vault server -dev` does.
func dev(core *vault.Core, token string) error {
	ctx := namespace.ContextWithNamespace(context.Background(), namespace.RootNamespace)
	init, err := core.Initialize(ctx, &vault.InitParams{
		BarrierConfig: &vault.SealConfig{SecretShares: 1, SecretThreshold: 1, Name: "shamir"},
	})
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	if ok, err := core.Unseal(init.SecretShares[0]); err != nil || !ok {
		return fmt.Errorf("unseal: %v", err)
	}
	for i := 0; ; i++ {
		if leader, _, _, err := core.Leader(); err == vault.ErrHANotEnabled || leader {
			break
		}
		if i > 50 {
			return fmt.Errorf("core did not become active")
		}
		time.Sleep(100 * time.Millisecond)
	}
	req := &logical.Request{Operation: logical.UpdateOperation, ClientToken: init.RootToken, Path: "auth/token/create",
		Data: map[string]interface{}{"id": token, "policies": []string{"root"}, "no_parent": true, "no_default_policy": true}}
	if _, err := core.HandleRequest(ctx, req); err != nil {
		return fmt.Errorf("create root token: %w", err)
	}
	req.Path, req.Data = "auth/token/revoke-self", nil
	_, err = core.HandleRequest(ctx, req)
	return err
}
