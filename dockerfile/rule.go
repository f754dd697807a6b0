package dockerfile

import (
	"slices"
	"strings"
)

// Rule is one lint rule. IDs and aliases are public API: rules are added
// and deprecated, never renumbered.
type Rule struct {
	ID       string   // DIET followed by three digits
	Name     string   // short kebab-case name, for SARIF and docs
	Aliases  []string // hadolint rule IDs that check the same thing
	Severity Severity
	Fixable  bool   // diet fix can repair (some of) its findings
	Summary  string // one line
	Doc      string // why it matters, and where it differs from hadolint
	Bad      string // a Dockerfile it fires on
	Good     string // the same Dockerfile, fixed

	check func(*linter) []Finding
}

// registry lists every rule, in ID order.
var registry = []*Rule{
	&ruleShellSyntax, &ruleSwallowed, &ruleUnknown,
	&ruleCleanupLater, &ruleArchiveKept, &ruleChownCopy, &ruleAddURL, &ruleCopyContext,
	&ruleCopyRoot, &ruleUseradd, &ruleAddFile, &ruleCopyArchive, &ruleConsecutiveRun,
	&ruleAptLists, &ruleAptRecommends, &ruleApkCache, &rulePipCache, &ruleYumClean, &ruleDnfClean,
	&ruleZypperClean, &ruleYarnCache, &ruleNpmCache, &ruleGoCache, &ruleCargoCache, &ruleJavaCache,
	&ruleToolchain, &ruleBuildInFinal, &ruleGoStrip, &ruleGoTrimpath, &ruleLargeBase,
}

// Rules returns every rule, in ID order.
func Rules() []Rule {
	out := make([]Rule, len(registry))
	for i, r := range registry {
		out[i] = *r
		out[i].Aliases = slices.Clone(r.Aliases)
	}
	return out
}

// Lookup finds a rule by ID, name or hadolint alias, ignoring case.
func Lookup(id string) (Rule, bool) {
	id = strings.TrimSpace(id)
	for _, r := range registry {
		if strings.EqualFold(r.ID, id) || strings.EqualFold(r.Name, id) ||
			slices.ContainsFunc(r.Aliases, func(a string) bool { return strings.EqualFold(a, id) }) {
			out := *r
			out.Aliases = slices.Clone(r.Aliases)
			return out, true
		}
	}
	return Rule{}, false
}
