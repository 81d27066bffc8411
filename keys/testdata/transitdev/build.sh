#!/usr/bin/env bash
# Builds transitdev: HashiCorp Vault's core, HTTP API and transit engine in
# dev mode (in-memory, one unseal key, a chosen root token), for the transit
# integration tests of package keys (PHIGATE_TEST_VAULT=<output>).
#
# No Vault or OpenBao binary is served by the registries this project may
# use: OpenBao's module is not on the Go module proxy (its v2 tags lack a /v2
# module path) and Debian packages neither. Vault v1.21.4 is: its module zip
# lacks the nested api/ and sdk/ modules, so this script drops their replace
# directives, uses the published api and sdk, patches three call sites where
# the published sdk v0.21.0 differs from the tag's tree, and builds a small
# main (main.go beside this file) instead of the full CLI, which compiles
# about 1,000 more packages (cloud SDKs). Vault >= 1.15 is BUSL-licensed: this
# is a test fixture, built on the test machine and never shipped.
#
# Usage: build.sh OUTPUT   (cold build: about 1,700 packages; cached after)
set -euo pipefail
out=$(realpath -m "$1")
here=$(cd "$(dirname "$0")" && pwd)
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3} GOFLAGS=-mod=mod
VAULT=github.com/hashicorp/vault@v1.21.4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir=$(cd /tmp && go mod download -json "$VAULT" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
cp -r "$dir"/. "$work"/ && chmod -R u+w "$work" && cd "$work"
sed -i '/^replace github.com\/hashicorp\/vault\/\(api\|sdk\)/d' go.mod
sed -i 's/ActivationFunc: iStore.activateDeduplication,/ActivationFunc: func(ctx context.Context, req *logical.Request, _ string) error { return iStore.activateDeduplication(ctx, req) },/' vault/identity_store.go
sed -i 's/b.idStoreBackend.ActivationFunc(ctx, nil)/b.idStoreBackend.ActivationFunc(ctx, nil, "")/' vault/logical_system_activation_flags.go
sed -i 's/restoredKeyName, err := b.lm.RestorePolicy(ctx, req.Storage, keyName, backupB64, force)/err := b.lm.RestorePolicy(ctx, req.Storage, keyName, backupB64, force); restoredKeyName := keyName/' builtin/logical/transit/path_restore.go
mkdir -p cmd/transitdev && cp "$here/main.go" cmd/transitdev/main.go
go build -o "$out" ./cmd/transitdev
echo "built $out"
