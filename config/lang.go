package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"p2pdesk/i18n"
)

// Lang is the language the app speaks: ui.lang (file, P2PDESK_UI_LANG,
// --lang) when set, else the locale (LC_ALL, LC_MESSAGES, LANG), else
// English. validate has refused an unknown ui.lang already.
func (c Config) Lang(getenv func(string) string) i18n.Lang {
	if c.UI.Lang != "" {
		if l, err := i18n.Parse(c.UI.Lang); err == nil {
			return l
		}
	}
	return i18n.FromLocale(getenv)
}

// File is the configuration file in use: the one named, else the default.
func File(named string) string {
	if named != "" {
		return named
	}
	return filepath.Join(ConfigDir(), "config.yaml")
}

// SetLang keeps ui.lang in the configuration file, changing that one key
// and keeping the rest of the file, comments included; the file (and its
// directory) is created if there is none.
func SetLang(path string, l i18n.Lang) error {
	var doc yaml.Node
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	default:
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: the top level is not a mapping", path)
	}
	ui := child(root, "ui")
	if ui.Kind != yaml.MappingNode {
		// "ui:" with nothing under it, or "ui: {}".
		ui.Kind, ui.Tag, ui.Value, ui.Style, ui.Content = yaml.MappingNode, "!!map", "", 0, nil
	}
	lang := child(ui, "lang")
	lang.Kind, lang.Tag, lang.Value, lang.Style = yaml.ScalarNode, "!!str", string(l), 0
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	out := buf.Bytes()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// child is the value of key in a mapping, added when missing.
func child(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, k, v)
	return v
}
