package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/phigate/phigate/gateway"
	"github.com/phigate/phigate/server"
)

// Config is phigate's whole configuration. It is read from a TOML file
// (--config or PHIGATE_CONFIG), then PHIGATE_* environment variables, then
// flags, then checked by Validate. Each leaf field names its TOML key, its
// flag, and its environment variable (PHIGATE_ + the flag in upper case with
// "-" as "_"). A field tagged secret has a twin tagged fileof that reads the
// secret from a file, and is redacted when printed.
type Config struct {
	DataDir        string        `toml:"data_dir" flag:"data-dir" help:"folder for the database, key file and certificate"`
	Database       string        `toml:"database" flag:"database" secret:"url" help:"SQLite file path or postgres:// URL (default: DATA_DIR/phigate.db)"`
	DatabaseFile   string        `toml:"database_file" flag:"database-file" fileof:"database" help:"file holding the database URL"`
	LogLevel       string        `toml:"log_level" flag:"log-level" help:"debug, info, warn or error"`
	BootstrapAdmin string        `toml:"bootstrap_admin" flag:"bootstrap-admin" help:"name of the administrator created on first start"`
	Server         ServerConfig  `toml:"server"`
	Auth           AuthConfig    `toml:"auth"`
	Gateway        GatewayConfig `toml:"gateway"`
	Keys           KeysConfig    `toml:"keys"`
	Audit          AuditConfig   `toml:"audit"`
}

// GatewayConfig configures the AI gateway (/v1/...).
type GatewayConfig struct {
	RoutesFile        string   `toml:"routes_file" flag:"gateway-routes" help:"TOML file with the gateway's default policy, routes and per-key settings"`
	ConversationTTL   Duration `toml:"conversation_ttl" flag:"gateway-conversation-ttl" help:"lifetime of a conversation's placeholder map after its last change"`
	UpstreamTimeout   Duration `toml:"upstream_timeout" flag:"gateway-upstream-timeout" help:"time allowed for a whole non-streamed vendor call"`
	StreamIdleTimeout Duration `toml:"stream_idle_timeout" flag:"gateway-stream-idle-timeout" help:"silence allowed between two events of a vendor stream"`
	RequestsPerMinute int      `toml:"requests_per_minute" flag:"gateway-requests-per-minute" help:"default requests per minute per API key (0: unlimited)"`
	TokensPerDay      int      `toml:"tokens_per_day" flag:"gateway-tokens-per-day" help:"default tokens per day per API key (0: unlimited)"`
}

// ServerConfig configures the HTTPS listener.
type ServerConfig struct {
	Listen            string   `toml:"listen" flag:"listen" help:"HTTPS address to listen on"`
	TLSCert           string   `toml:"tls_cert" flag:"tls-cert" help:"PEM certificate (default: a self-signed one in DATA_DIR)"`
	TLSKey            string   `toml:"tls_key" flag:"tls-key" help:"PEM private key of --tls-cert"`
	MetricsListen     string   `toml:"metrics_listen" flag:"metrics-listen" help:"HTTPS address for Prometheus /metrics (empty: off)"`
	MaxBodyBytes      int64    `toml:"max_body_bytes" flag:"max-body-bytes" help:"largest request body accepted"`
	ReadHeaderTimeout Duration `toml:"read_header_timeout" flag:"read-header-timeout" help:"time allowed to send request headers"`
	ReadTimeout       Duration `toml:"read_timeout" flag:"read-timeout" help:"time allowed to send a whole request"`
	WriteTimeout      Duration `toml:"write_timeout" flag:"write-timeout" help:"time allowed to write a response (streams included)"`
	IdleTimeout       Duration `toml:"idle_timeout" flag:"idle-timeout" help:"keep-alive idle time"`
	ShutdownTimeout   Duration `toml:"shutdown_timeout" flag:"shutdown-timeout" help:"time to drain in-flight requests on SIGTERM"`
}

// DefaultDataDir is the data folder used when none is configured.
const DefaultDataDir = "phigate-data"

// DefaultConfig returns the configuration of a fresh install.
func DefaultConfig() Config {
	return Config{
		DataDir:        DefaultDataDir,
		LogLevel:       "info",
		BootstrapAdmin: "admin",
		Keys:           DefaultKeysConfig(),
		Audit:          DefaultAuditConfig(),
		Server: ServerConfig{
			Listen:            server.DefaultAddr,
			MetricsListen:     "127.0.0.1:9464",
			MaxBodyBytes:      server.DefaultMaxBodyBytes,
			ReadHeaderTimeout: Duration(server.DefaultReadHeaderTimeout),
			ReadTimeout:       Duration(server.DefaultReadTimeout),
			WriteTimeout:      Duration(server.DefaultWriteTimeout),
			IdleTimeout:       Duration(server.DefaultIdleTimeout),
			ShutdownTimeout:   Duration(server.DefaultShutdownTimeout),
		},
		Auth: DefaultAuthConfig(),
		Gateway: GatewayConfig{
			ConversationTTL:   Duration(gateway.DefaultConversationTTL),
			UpstreamTimeout:   Duration(gateway.DefaultUpstreamTimeout),
			StreamIdleTimeout: Duration(gateway.DefaultStreamIdleTimeout),
		},
	}
}

// Validate checks the configuration and fills derived defaults.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("config: data_dir must not be empty")
	}
	if c.Database == "" {
		c.Database = filepath.Join(c.DataDir, "phigate.db")
	}
	if (c.Server.TLSCert == "") != (c.Server.TLSKey == "") {
		return errors.New("config: tls_cert and tls_key must be given together")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: log_level %q must be debug, info, warn or error", c.LogLevel)
	}
	if c.Server.Listen == "" {
		return errors.New("config: server.listen must not be empty")
	}
	if c.Server.MaxBodyBytes <= 0 {
		return errors.New("config: server.max_body_bytes must be positive")
	}
	if err := c.Auth.Validate(); err != nil {
		return err
	}
	if err := c.Audit.validate(); err != nil {
		return err
	}
	return c.Keys.validate()
}

// IsPostgres reports whether the database is a PostgreSQL URL.
func (c *Config) IsPostgres() bool {
	return strings.HasPrefix(c.Database, "postgres://") || strings.HasPrefix(c.Database, "postgresql://")
}

// Duration is a time.Duration written as "15m" in files, flags and env.
type Duration time.Duration

// UnmarshalText parses a duration such as "90s" or "12h".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as "1h0m0s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// configField is one leaf of Config found by reflection.
type configField struct {
	key    string // dotted TOML key: "server.listen"
	flag   string
	help   string
	secret string // "", "true" or "url"
	fileof string
	v      reflect.Value
}

func (f configField) env() string {
	return "PHIGATE_" + strings.ToUpper(strings.ReplaceAll(f.flag, "-", "_"))
}

func configFields(c *Config) []configField {
	var out []configField
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := range t.NumField() {
			sf, fv := t.Field(i), v.Field(i)
			key := prefix + sf.Tag.Get("toml")
			if sf.Type.Kind() == reflect.Struct && sf.Type != reflect.TypeFor[Duration]() {
				walk(fv, key+".")
				continue
			}
			out = append(out, configField{key: key, flag: sf.Tag.Get("flag"), help: sf.Tag.Get("help"),
				secret: sf.Tag.Get("secret"), fileof: sf.Tag.Get("fileof"), v: fv})
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return out
}

// set parses s into the field.
func (f configField) set(s string) error {
	switch p := f.v.Addr().Interface().(type) {
	case *string:
		*p = s
	case *int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a whole number", f.key, s)
		}
		*p = n
	case *int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%s: %q is not a whole number", f.key, s)
		}
		*p = n
	case *bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%s: %q is not true or false", f.key, s)
		}
		*p = b
	case *Duration:
		if err := p.UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("%s: %w", f.key, err)
		}
	case *[]string:
		*p = splitList(s)
	default:
		return fmt.Errorf("%s: unsupported type", f.key)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// configLoader binds Config to a command's flag set.
type configLoader struct {
	path  *string
	flags map[string]*string
	fs    *flag.FlagSet
}

// bindConfig registers --config and one flag per config field on fs.
func bindConfig(fs *flag.FlagSet) *configLoader {
	l := &configLoader{fs: fs, flags: map[string]*string{}}
	l.path = fs.String("config", "", "configuration file (TOML); also PHIGATE_CONFIG")
	var c Config
	for _, f := range configFields(&c) {
		l.flags[f.flag] = fs.String(f.flag, "", f.help+" (env "+f.env()+")")
	}
	return l
}

// Load builds the configuration: defaults, file, environment, flags, secret
// files, Validate.
func (l *configLoader) Load(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	path := *l.path
	if path == "" {
		path = getenv("PHIGATE_CONFIG")
	}
	if path != "" {
		if err := loadConfigFile(path, &c); err != nil {
			return c, err
		}
	}
	fields := configFields(&c)
	for _, f := range fields {
		if v := getenv(f.env()); v != "" {
			if err := f.set(v); err != nil {
				return c, fmt.Errorf("config: environment %s: %w", f.env(), err)
			}
		}
	}
	set := map[string]bool{}
	l.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, f := range fields {
		if set[f.flag] {
			if err := f.set(*l.flags[f.flag]); err != nil {
				return c, fmt.Errorf("config: flag --%s: %w", f.flag, err)
			}
		}
	}
	if err := readSecretFiles(&c); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func loadConfigFile(path string, c *Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: read %s: %w", path, errors.Unwrap(err))
	}
	dec := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields()
	err = dec.Decode(c)
	var sme *toml.StrictMissingError
	if errors.As(err, &sme) && len(sme.Errors) > 0 {
		e := sme.Errors[0]
		row, _ := e.Position()
		return fmt.Errorf("config: %s line %d: unknown key %q", path, row, strings.Join(e.Key(), "."))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		return fmt.Errorf("config: %s line %d column %d: %s", path, row, col, strings.TrimPrefix(de.Error(), "toml: "))
	}
	if err != nil {
		return fmt.Errorf("config: %s: %s", path, strings.TrimPrefix(err.Error(), "toml: "))
	}
	return nil
}

// readSecretFiles replaces each secret with the content of its file twin
// (the field whose fileof tag names the secret's flag).
func readSecretFiles(c *Config) error {
	fields := configFields(c)
	byFlag := map[string]configField{}
	for _, f := range fields {
		byFlag[f.flag] = f
	}
	for _, f := range fields {
		if f.fileof == "" || f.v.String() == "" {
			continue
		}
		b, err := os.ReadFile(f.v.String())
		if err != nil {
			return fmt.Errorf("config: %s: read %s: %w", f.key, f.v.String(), errors.Unwrap(err))
		}
		byFlag[f.fileof].v.SetString(strings.TrimRight(string(b), "\r\n"))
	}
	return nil
}

// Print writes the configuration as TOML with secrets redacted.
func (c *Config) Print() string {
	var b strings.Builder
	section := ""
	for _, f := range configFields(c) {
		sec, key := "", f.key
		if i := strings.LastIndexByte(f.key, '.'); i >= 0 {
			sec, key = f.key[:i], f.key[i+1:]
		}
		if sec != section {
			fmt.Fprintf(&b, "\n[%s]\n", sec)
			section = sec
		}
		fmt.Fprintf(&b, "%s = %s\n", key, formatValue(f))
	}
	return b.String()
}

func formatValue(f configField) string {
	switch f.secret {
	case "true":
		if f.v.String() != "" {
			return `"(redacted)"`
		}
	case "url":
		if u, err := url.Parse(f.v.String()); err == nil && u.User != nil {
			return strconv.Quote(u.Redacted())
		}
	}
	switch v := f.v.Interface().(type) {
	case string:
		return strconv.Quote(v)
	case Duration:
		return strconv.Quote(v.D().String())
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	default:
		return fmt.Sprint(v)
	}
}
