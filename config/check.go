package config

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/viper"
)

// mapKeys are the settings whose sub-keys are names the user picks: the
// terminal app checks those names (colours by role, keys by action).
var mapKeys = []string{"ui.theme", "ui.keys"}

// knownKeys are every setting Defaults gives a value.
func knownKeys() []string {
	v := viper.New()
	Defaults(v)
	return v.AllKeys()
}

// unknownKeys reads a configuration file on its own and names each key
// that is no setting, with the nearest one that is.
func unknownKeys(path string) ([]string, error) {
	fv := viper.New()
	fv.SetConfigFile(path)
	if err := fv.ReadInConfig(); err != nil {
		return nil, err
	}
	known := knownKeys()
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	var out []string
	for _, k := range fv.AllKeys() {
		if isKnown[k] || underMap(k) {
			continue
		}
		msg := fmt.Sprintf("%s: unknown setting %q", path, k)
		if n := Nearest(k, known); n != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", n)
		}
		out = append(out, msg)
	}
	sort.Strings(out)
	return out, nil
}

func underMap(k string) bool {
	for _, m := range mapKeys {
		if strings.HasPrefix(k, m+".") {
			return true
		}
	}
	return false
}

// fromEnvironment adds P2PDESK_UI_THEME_<ROLE> and P2PDESK_UI_KEYS_<ACTION>
// to the maps, as config.example.yaml promises (viper's own lookup only
// knows keys it has a default for).
func (c *Config) fromEnvironment(environ []string) {
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "P2PDESK_UI_THEME_"):
			c.UI.Theme = withEntry(c.UI.Theme, strings.ToLower(strings.TrimPrefix(k, "P2PDESK_UI_THEME_")), v)
		case strings.HasPrefix(k, "P2PDESK_UI_KEYS_"):
			c.UI.Keys = withEntry(c.UI.Keys, strings.ToLower(strings.TrimPrefix(k, "P2PDESK_UI_KEYS_")), v)
		}
	}
}

func withEntry(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

// Nearest is the candidate closest to name by edit distance, if it is
// close enough to be what was meant ("", else).
func Nearest(name string, candidates []string) string {
	best, bestD := "", len(name)/2+2
	for _, c := range candidates {
		if d := distance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance, over runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// typeErrorRE reads mapstructure's "'ui.mouse' cannot parse value as 'bool'".
// A duration says "'keyring.timeout' time: invalid duration".
var typeErrorRE = regexp.MustCompile(`'([a-z0-9_.]+)' (?:cannot parse value as '([a-zA-Z0-9.]+)'|time: invalid (duration))`)

// typeErrors says each value of the wrong type by its key and what it
// should be.
func typeErrors(err error, v *viper.Viper, where string) error {
	ms := typeErrorRE.FindAllStringSubmatch(err.Error(), -1)
	if len(ms) == 0 {
		return fmt.Errorf("configuration in %s: %w", where, err)
	}
	want := map[string]string{"bool": "true or false", "float64": "a number", "int": "a whole number", "int64": "a whole number",
		"uint64": "a whole number from 0", "time.Duration": "a duration such as 5s or 2m"}
	var lines []string
	for _, m := range ms {
		typ := m[2]
		if m[3] == "duration" {
			typ = "time.Duration"
		}
		w := want[typ]
		if w == "" {
			w = "a " + typ
		}
		lines = append(lines, fmt.Sprintf("%s is %q: it must be %s", m[1], fmt.Sprint(v.Get(m[1])), w))
	}
	return fmt.Errorf("configuration in %s: %s", where, strings.Join(lines, "; "))
}
