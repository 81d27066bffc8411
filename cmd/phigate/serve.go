package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/api"
	"github.com/phigate/phigate/audit"
	"github.com/phigate/phigate/server"
)

// ServeCommand runs the HTTPS service until SIGINT or SIGTERM, reloading
// the certificate on SIGHUP.
type ServeCommand struct {
	m   *Main
	cfg *configLoader
}

// ParseFlags reads the configuration flags.
func (c *ServeCommand) ParseFlags(args []string) error {
	fs := c.m.newFlagSet("serve", "serve [flags]\n\nRuns the HTTPS service. With no configuration it keeps everything in ./phigate-data.")
	c.cfg = bindConfig(fs)
	return fs.Parse(args)
}

// Run serves until ctx ends, then drains in-flight requests.
func (c *ServeCommand) Run(ctx context.Context) error {
	cfg, err := c.cfg.Load(c.m.Getenv)
	if err != nil {
		return err
	}
	log := c.m.newLogger(cfg.LogLevel)
	d, err := c.m.openDeploymentMode(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer d.Close()

	srv, metrics, err := c.openServers(ctx, d)
	if err != nil {
		return err
	}
	url := "https://" + srv.ListenAddr().String()
	if err := bootstrapAdmin(ctx, d, c.m.Stdout, url); err != nil {
		srv.Close()
		return err
	}
	attrs := []any{"url", url, "database", dbKind(cfg)}
	if metrics != nil {
		attrs = append(attrs, "metrics", "https://"+metrics.ListenAddr().String()+"/metrics")
	}
	log.Info("listening", attrs...)
	c.wait(ctx, srv, d, log)
	log.Info("shutting down: draining in-flight requests")
	if metrics != nil {
		metrics.Close()
	}
	if err := srv.Close(); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	log.Info("stopped")
	return nil
}

// openServers wires the application routes and starts the HTTPS and
// metrics listeners.
func (c *ServeCommand) openServers(ctx context.Context, d *deployment) (*server.Server, *server.MetricsServer, error) {
	mux := http.NewServeMux()
	h := api.NewHandler()
	h.Logger = d.log
	h.Audit = &audit.Reader{Store: d.store, Log: d.audit, Hasher: d.hasher()}
	ah, err := d.newAccessHandler(ctx, h, d.sealer(), d.hasher())
	if err != nil {
		return nil, nil, err
	}
	h.Register(mux)
	ah.Register(mux)
	var metrics *server.Metrics
	if d.cfg.Server.MetricsListen != "" {
		metrics = server.NewMetrics()
	}
	if err := registerGateway(ctx, d, h, mux, metrics); err != nil {
		return nil, nil, err
	}

	srv := server.NewServer()
	srv.Addr = d.cfg.Server.Listen
	srv.CertFile, srv.KeyFile = d.certFile, d.certKey
	srv.Handler = mux
	srv.Logger = d.log
	srv.Ready = readiness(d.store)
	srv.MaxBodyBytes = d.cfg.Server.MaxBodyBytes
	srv.ReadHeaderTimeout = d.cfg.Server.ReadHeaderTimeout.D()
	srv.ReadTimeout = d.cfg.Server.ReadTimeout.D()
	srv.WriteTimeout = d.cfg.Server.WriteTimeout.D()
	srv.IdleTimeout = d.cfg.Server.IdleTimeout.D()
	srv.ShutdownTimeout = d.cfg.Server.ShutdownTimeout.D()
	srv.Metrics = metrics
	if err := srv.Open(); err != nil {
		return nil, nil, err
	}
	if srv.Metrics == nil {
		return srv, nil, nil
	}
	ms := &server.MetricsServer{Addr: d.cfg.Server.MetricsListen, Metrics: srv.Metrics, Server: srv}
	if err := ms.Open(); err != nil {
		srv.Close()
		return nil, nil, err
	}
	return srv, ms, nil
}

// wait blocks until ctx ends. On each SIGHUP it reloads the certificate
// and the key file (a version added by `phigate keys rotate`).
func (c *ServeCommand) wait(ctx context.Context, srv *server.Server, d *deployment, log interface {
	Info(string, ...any)
	Error(string, ...any)
}) {
	hup := make(chan os.Signal, 1)
	if c.m.Signals {
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := srv.ReloadCertificate(); err != nil {
				log.Error("certificate reload failed: keeping the old certificate", "err", err.Error())
			} else {
				log.Info("certificate reloaded")
			}
			if d.ring == nil {
				continue
			}
			if changed, err := d.ring.Reload(); err != nil {
				log.Error("key file reload failed: keeping the loaded keys", "err", err.Error())
			} else if changed {
				log.Info("key file reloaded")
			}
		}
	}
}

// readiness checks that the store answers and its migrations are current.
func readiness(s phigate.HealthStore) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := s.Ping(ctx); err != nil {
			return err
		}
		st, err := s.SchemaStatus(ctx)
		if err != nil {
			return err
		}
		if !st.Current() {
			return phigate.Errorf(phigate.EVERSION, "readiness", "migrations are not current")
		}
		return nil
	}
}

func dbKind(cfg Config) string {
	if cfg.IsPostgres() {
		return "postgres"
	}
	return "sqlite"
}
