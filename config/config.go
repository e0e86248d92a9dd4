// Package config reads p2pdesk's settings with viper: built-in defaults,
// then the file ($XDG_CONFIG_HOME/p2pdesk/config.yaml), then P2PDESK_*
// environment variables, then flags. It holds no secrets: those live in
// the OS keyring (package store/secrets).
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"p2pdesk/i18n"
)

// Config is every setting, typed. config.example.yaml documents each.
type Config struct {
	Server   string         `mapstructure:"server"`
	Profile  string         `mapstructure:"profile"`
	DataDir  string         `mapstructure:"data_dir"`
	Log      LogConfig      `mapstructure:"log"`
	Embedded EmbeddedConfig `mapstructure:"embedded"`
	Serve    ServeConfig    `mapstructure:"serve"`
	UI       UIConfig       `mapstructure:"ui"`
	Keyring  KeyringConfig  `mapstructure:"keyring"`
	TLS      TLSConfig      `mapstructure:"tls"`
	// Warnings are what the configuration holds that does nothing (an
	// unknown key): said at start, never fatal.
	Warnings []string `mapstructure:"-"`
}

// TLSConfig is what the client trusts of a server's certificate beyond
// the system's roots.
type TLSConfig struct {
	CA  string `mapstructure:"ca"`  // a PEM file of CAs (or the server's self-signed certificate)
	Pin string `mapstructure:"pin"` // the SHA-256 fingerprint of the server's certificate
}

// LogConfig says where logs go: always a file, never the terminal.
type LogConfig struct {
	File  string `mapstructure:"file"`
	Level string `mapstructure:"level"`
}

// EmbeddedConfig tunes the marketplace the TUI starts in-process.
type EmbeddedConfig struct {
	DB        string  `mapstructure:"db"`
	Speed     float64 `mapstructure:"speed"`
	Seed      uint64  `mapstructure:"seed"`
	Merchants int     `mapstructure:"merchants"`
	Sim       bool    `mapstructure:"sim"`
}

// ServeConfig tunes `p2pdesk serve`.
type ServeConfig struct {
	Listen    string  `mapstructure:"listen"`
	DB        string  `mapstructure:"db"`
	RateLimit float64 `mapstructure:"rate_limit"`
	Sim       bool    `mapstructure:"sim"`
	Speed     float64 `mapstructure:"speed"`
	Seed      uint64  `mapstructure:"seed"`
	Merchants int     `mapstructure:"merchants"`
	TLSCert   string  `mapstructure:"tls_cert"`
	TLSKey    string  `mapstructure:"tls_key"`
	// PriceBandBP: how far, in basis points, an ad's price may stand from
	// the index (0: the market's default, 2000 = 20 %).
	PriceBandBP     int64 `mapstructure:"price_band_bp"`
	MaxConnsPerAddr int   `mapstructure:"max_conns_per_addr"`
}

// UIConfig tunes the terminal client.
type UIConfig struct {
	Bell bool `mapstructure:"bell"`
	// Notify sends a desktop notification when the counterparty acts, by
	// the terminal's own escape: osc9 (iTerm2, Windows Terminal, kitty,
	// foot, WezTerm), osc777 (urxvt, VTE terminals), or off.
	Notify  string            `mapstructure:"notify"`
	Mouse   bool              `mapstructure:"mouse"`
	Theme   map[string]string `mapstructure:"theme"`
	Keys    map[string]string `mapstructure:"keys"`
	Refresh time.Duration     `mapstructure:"refresh"`
	// CursorBlink off gives text fields a steady cursor.
	CursorBlink bool `mapstructure:"cursor_blink"`
	// Lang is en or zh-CN; empty follows the locale (see Config.Lang).
	Lang string `mapstructure:"lang"`
}

// KeyringConfig tunes where secrets are kept.
type KeyringConfig struct {
	Timeout time.Duration `mapstructure:"timeout"`
	// FileFallback allows an encrypted file where no OS keyring works. Off
	// unless the user turns it on; the file is sealed with a key derived
	// from a passphrase they type.
	FileFallback bool `mapstructure:"file_fallback"`
}

// Defaults are the values used when nothing else sets a key.
func Defaults(v *viper.Viper) {
	v.SetDefault("server", "")
	v.SetDefault("profile", "default")
	v.SetDefault("data_dir", "")
	v.SetDefault("log.file", "")
	v.SetDefault("log.level", "info")
	v.SetDefault("embedded.db", "")
	v.SetDefault("embedded.speed", 10.0)
	v.SetDefault("embedded.seed", 1)
	v.SetDefault("embedded.merchants", 40)
	v.SetDefault("embedded.sim", true)
	v.SetDefault("serve.listen", "127.0.0.1:8686")
	v.SetDefault("serve.db", "")
	v.SetDefault("serve.rate_limit", 20.0)
	v.SetDefault("serve.sim", true)
	v.SetDefault("serve.speed", 1.0)
	v.SetDefault("serve.seed", 1)
	v.SetDefault("serve.merchants", 40)
	v.SetDefault("serve.tls_cert", "")
	v.SetDefault("serve.tls_key", "")
	v.SetDefault("serve.price_band_bp", 0)
	v.SetDefault("serve.max_conns_per_addr", 64)
	v.SetDefault("tls.ca", "")
	v.SetDefault("tls.pin", "")
	v.SetDefault("ui.bell", true)
	v.SetDefault("ui.notify", "off")
	v.SetDefault("ui.mouse", false)
	v.SetDefault("ui.theme", map[string]string{})
	v.SetDefault("ui.keys", map[string]string{})
	v.SetDefault("ui.refresh", "5s")
	v.SetDefault("ui.cursor_blink", true)
	v.SetDefault("ui.lang", "")
	v.SetDefault("keyring.timeout", "3s")
	v.SetDefault("keyring.file_fallback", false)
}

// Dir is p2pdesk's directory under an XDG base ($XDG_x_HOME or the
// fallback under $HOME).
func Dir(env, fallback string) string {
	base := os.Getenv(env)
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		base = filepath.Join(home, fallback)
	}
	return filepath.Join(base, "p2pdesk")
}

// ConfigDir is where config.yaml lives.
func ConfigDir() string { return Dir("XDG_CONFIG_HOME", ".config") }

// StateDir is where logs go.
func StateDir() string { return Dir("XDG_STATE_HOME", ".local/state") }

// DataDirDefault is where the embedded marketplace keeps its database.
func DataDirDefault() string { return Dir("XDG_DATA_HOME", ".local/share") }

// Load reads the configuration: defaults < file < environment < flags.
// file may be "" for the default location; a missing default file is fine,
// a missing named file is an error.
func Load(file string, flags *pflag.FlagSet) (Config, *viper.Viper, error) {
	v := viper.New()
	Defaults(v)
	v.SetEnvPrefix("P2PDESK")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	path, must := file, true
	if path == "" {
		path, must = filepath.Join(ConfigDir(), "config.yaml"), false
	}
	var warnings []string
	where := "the environment and flags"
	if _, err := os.Stat(path); err == nil || must {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return Config{}, v, fmt.Errorf("reading %s: %w", path, err)
		}
		if warnings, err = unknownKeys(path); err != nil {
			return Config{}, v, fmt.Errorf("reading %s: %w", path, err)
		}
		where = path + ", the environment or flags"
	}
	if flags != nil {
		if err := bind(v, flags); err != nil {
			return Config{}, v, err
		}
	}
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return c, v, typeErrors(err, v, where)
	}
	c.Warnings = warnings
	c.fromEnvironment(os.Environ())
	if c.DataDir == "" {
		c.DataDir = DataDirDefault()
	}
	if c.Log.File == "" {
		c.Log.File = filepath.Join(StateDir(), "p2pdesk.log")
	}
	if c.Embedded.DB == "" {
		c.Embedded.DB = filepath.Join(c.DataDir, "market.db")
	}
	if c.Serve.DB == "" {
		c.Serve.DB = filepath.Join(c.DataDir, "serve.db")
	}
	return c, v, c.validate()
}

// flagKeys maps flag names to configuration keys.
var flagKeys = map[string]string{
	"server": "server", "profile": "profile", "data-dir": "data_dir", "log-file": "log.file", "log-level": "log.level",
	"speed": "embedded.speed", "seed": "embedded.seed", "merchants": "embedded.merchants", "no-sim": "",
	"listen": "serve.listen", "db": "serve.db", "rate-limit": "serve.rate_limit",
	"tls-cert": "serve.tls_cert", "tls-key": "serve.tls_key", "price-band-bp": "serve.price_band_bp", "max-conns-per-addr": "serve.max_conns_per_addr",
	"tls-ca": "tls.ca", "tls-pin": "tls.pin",
	"lang": "ui.lang",
}

func bind(v *viper.Viper, flags *pflag.FlagSet) error {
	var err error
	flags.VisitAll(func(f *pflag.Flag) {
		key, ok := flagKeys[f.Name]
		if !ok || key == "" || err != nil {
			return
		}
		err = v.BindPFlag(key, f)
	})
	return err
}

func (c Config) validate() error {
	if c.Embedded.Speed < 1 || c.Embedded.Speed > 600 {
		return fmt.Errorf("embedded.speed must be from 1 to 600, not %v", c.Embedded.Speed)
	}
	if c.Serve.Speed < 1 || c.Serve.Speed > 600 {
		return fmt.Errorf("serve.speed must be from 1 to 600, not %v", c.Serve.Speed)
	}
	if c.Embedded.Merchants < 0 || c.Embedded.Merchants > 100 || c.Serve.Merchants < 0 || c.Serve.Merchants > 100 {
		return fmt.Errorf("merchants must be from 0 to 100")
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level must be debug, info, warn or error, not %q", c.Log.Level)
	}
	if c.Serve.PriceBandBP < 0 || c.Serve.PriceBandBP > 10000 {
		return fmt.Errorf("serve.price_band_bp must be from 0 (the default band) to 10000 (100 %%), not %d", c.Serve.PriceBandBP)
	}
	if (c.Serve.TLSCert == "") != (c.Serve.TLSKey == "") {
		return fmt.Errorf("serve.tls_cert and serve.tls_key go together: give both or neither")
	}
	if c.UI.Lang != "" {
		if _, err := i18n.Parse(c.UI.Lang); err != nil {
			return fmt.Errorf("ui.lang: %w", err)
		}
	}
	switch c.UI.Notify {
	case "off", "osc9", "osc777":
	default:
		return fmt.Errorf("ui.notify must be off, osc9 or osc777, not %q", c.UI.Notify)
	}
	if c.Keyring.Timeout <= 0 {
		return fmt.Errorf("keyring.timeout must be positive")
	}
	return nil
}
