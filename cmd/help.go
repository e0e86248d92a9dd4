package cmd

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"p2pdesk/i18n"
)

// helpID is the catalogue's message for a command's one-line help:
// cli.<path below p2pdesk>, cli.root for p2pdesk itself.
func helpID(c *cobra.Command) string {
	p := strings.Fields(c.CommandPath())
	if len(p) <= 1 {
		return "cli.root"
	}
	return "cli." + strings.Join(p[1:], ".")
}

// helpLang is the language of the command line's help, known before any
// flag is parsed: --lang among the arguments, else P2PDESK_UI_LANG, else
// the locale (ui.lang of the file counts once the configuration is read,
// for what the commands print).
func helpLang(args []string, getenv func(string) string) i18n.Lang {
	for i, a := range args {
		v, ok := strings.CutPrefix(a, "--lang=")
		if !ok && a == "--lang" && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if ok {
			if l, err := i18n.Parse(v); err == nil {
				return l
			}
		}
	}
	if l, err := i18n.Parse(getenv("P2PDESK_UI_LANG")); err == nil {
		return l
	}
	return i18n.FromLocale(getenv)
}

// localiseHelp says the commands' help in tr's language: each command's
// line, the long text, the flags, and cobra's headings. English is left
// as the commands write it.
func localiseHelp(root *cobra.Command, tr *i18n.Tr) {
	if tr.Lang() == i18n.EN {
		return
	}
	msgs := i18n.Messages(tr.Lang())
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if _, ok := msgs[helpID(c)]; ok {
			c.Short = tr.T(helpID(c))
		}
		for _, f := range []*pflag.FlagSet{c.LocalNonPersistentFlags(), c.PersistentFlags()} {
			f.VisitAll(func(f *pflag.Flag) {
				if _, ok := msgs["cli.flag."+f.Name]; ok {
					f.Usage = tr.T("cli.flag." + f.Name)
				}
			})
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	root.Long = tr.T("cli.root.long")
	t := root.UsageTemplate()
	for _, h := range []string{"Usage:", "Aliases:", "Examples:", "Available Commands:", "Additional Commands:", "Global Flags:", "Flags:",
		"Additional help topics:"} {
		t = strings.ReplaceAll(t, h, tr.T("cli.head."+strings.TrimSuffix(strings.ReplaceAll(strings.ToLower(h), " ", "_"), ":")))
	}
	t = strings.ReplaceAll(t, `Use "{{.CommandPath}} [command] --help" for more information about a command.`, tr.T("cli.more_help"))
	root.SetUsageTemplate(t)
}
