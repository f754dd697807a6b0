package diet

import (
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/verify"
)

// healthcheck is the image's HEALTHCHECK as an exec probe, run as Docker
// runs it: ["CMD", argv...] as it is, ["CMD-SHELL", cmd] with the
// config's SHELL (default /bin/sh -c). ok is false when there is none:
// no Healthcheck, ["NONE"], an empty test (inherit: the config holds
// what it inherited), or one Docker would refuse.
func healthcheck(cf *v1.ConfigFile) (p verify.Probe, ok bool) {
	hc := cf.Config.Healthcheck
	if hc == nil || len(hc.Test) < 2 {
		return p, false
	}
	switch hc.Test[0] {
	case "CMD":
		p.Exec = slices.Clone(hc.Test[1:])
	case "CMD-SHELL":
		shell := cf.Config.Shell
		if len(shell) == 0 {
			shell = []string{"/bin/sh", "-c"}
		}
		p.Exec = append(slices.Clone(shell), hc.Test[1:]...)
	default:
		return p, false
	}
	if p.Exec[0] == "" {
		return p, false
	}
	return p, true
}
