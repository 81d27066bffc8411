package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/api"
	"github.com/phigate/phigate/gateway"
	"github.com/phigate/phigate/phi"
	"github.com/phigate/phigate/server"
)

// gatewayDeps are the services the AI gateway is built from.
type gatewayDeps struct {
	detector  phigate.Detector      // phi.Scanner
	uncovered phigate.Detector      // phi.Scanner at high sensitivity
	coder     gateway.Coder         // gateway.DeidCoder
	sealer    phigate.Sealer        // keys
	hasher    phigate.Hasher        // keys
	audit     phigate.AuditLog      // audit
	authn     phigate.Authenticator // auth
}

// gatewayDeps returns the deployment's services for the gateway: two PHI
// scanners (requests bound for a vendor without a BAA in force are scanned
// at high sensitivity, where a miss is a disclosure), keys, the audit log
// and authentication.
func (d *deployment) gatewayDeps(h *api.Handler) (gatewayDeps, error) {
	std, high := phi.NewScanner(), phi.NewScanner()
	high.Sensitivity = phi.HighSensitivity
	for _, sc := range []*phi.Scanner{std, high} {
		if err := sc.Open(); err != nil {
			return gatewayDeps{}, fmt.Errorf("PHI scanner: %w", err)
		}
	}
	return gatewayDeps{detector: std, uncovered: high, coder: &gateway.DeidCoder{},
		sealer: d.gatewaySealer(), hasher: d.hasher(), audit: d.gatewayAudit(), authn: h.Authenticator}, nil
}

// registerGateway adds /v1/chat/completions, /v1/messages,
// /v1/embeddings and /v1/models, and the vendor API, and starts the
// conversation reaper and the BAA expiry alert.
func registerGateway(ctx context.Context, d *deployment, h *api.Handler, mux *http.ServeMux, metrics *server.Metrics) error {
	deps, err := d.gatewayDeps(h)
	if err != nil {
		return err
	}
	vendors := d.vendorService()
	if deps.detector == nil || deps.coder == nil || deps.sealer == nil || deps.hasher == nil || deps.audit == nil || deps.authn == nil {
		d.log.Warn("AI gateway off: it needs the PHI scanner, keys, audit log and authentication wired")
		return nil
	}
	rc := &gateway.RoutesConfig{}
	if path := d.cfg.Gateway.RoutesFile; path != "" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("gateway routes: %w", err)
		}
		rc, err = gateway.LoadRoutesConfig(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("gateway routes %s: %w", path, err)
		}
	}
	reg := &gateway.Registry{Store: d.store, Sealer: deps.sealer, Routes: rc.Routes}
	vendors.OnChange = reg.Forget
	convs := &gateway.Conversations{Store: d.store, Sealer: deps.sealer, Hasher: deps.hasher,
		TTL: d.cfg.Gateway.ConversationTTL.D()}
	g := gateway.NewGateway()
	g.Detector, g.UncoveredDetector = deps.detector, deps.uncovered
	g.Coder, g.Registry, g.Conversations = deps.coder, reg, convs
	g.Audit, g.Authenticator, g.Hasher, g.Logger = deps.audit, deps.authn, deps.hasher, d.log
	g.Keys = rc.Keys
	if rc.Policy != nil {
		g.Policy = *rc.Policy
	}
	g.Limits = gateway.Limits{RequestsPerMinute: d.cfg.Gateway.RequestsPerMinute, TokensPerDay: d.cfg.Gateway.TokensPerDay}
	g.UpstreamTimeout, g.StreamIdleTimeout = d.cfg.Gateway.UpstreamTimeout.D(), d.cfg.Gateway.StreamIdleTimeout.D()
	g.MaxBodyBytes = d.cfg.Server.MaxBodyBytes
	if err := g.Open(); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	if metrics != nil {
		metrics.CounterFunc("phigate_gateway_result_audit_failures_total",
			"AI calls answered whose result event could not be written to the audit log (the call's own event was).",
			func() float64 { return float64(g.ResultAuditFailures()) })
	}
	g.Register(mux)
	(&api.VendorHandler{Handler: h, Vendors: vendors}).Register(mux)
	go convs.RunReaper(ctx, 10*time.Minute, func(err error) { d.log.Error("conversation reaper", "err", err.Error()) })
	go vendors.RunBAAAlerts(ctx, time.Hour, func(v *phigate.Vendor, left time.Duration) {
		d.log.Warn("vendor BAA expires soon: PHI will be refused for it from then on",
			"vendor", v.Name, "expires", v.BAA.Expires.Format(time.RFC3339), "days_left", int(left.Hours()/24))
	})
	return nil
}
