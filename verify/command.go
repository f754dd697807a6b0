package verify

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/elfdeps"
)

// Command is a program to run in an image, with what the image's config
// says about how to run it.
type Command struct {
	// Argv is the program and its arguments. A program name without a slash
	// is looked up in the PATH of Env, inside the image.
	Argv []string
	// Env is the environment, as KEY=VALUE. [Run] adds PATH and HOME, as
	// the engine does, when Env does not set them.
	Env []string
	// WorkingDir is the absolute directory to run in, inside the image
	// ("" means /). It is created when missing, as the engine does.
	WorkingDir string
	// User is who runs the program, as Docker spells it: "", "name",
	// "uid", "name:group", "uid:gid" and the mixes. "" means root. Names are
	// looked up in the image's /etc/passwd and /etc/group.
	User string
}

// CommandOf builds the Command docker would run for cf: its Entrypoint
// followed by its Cmd, or by override when override is not empty (as `docker
// run IMAGE ARGS...` replaces Cmd and keeps Entrypoint). A shell-form
// instruction is already ["/bin/sh", "-c", "..."] in the config. Env,
// WorkingDir and User come from cf. An image with neither Entrypoint nor Cmd,
// and no override, has no command: the error is [ErrNoCommand].
func CommandOf(cf *v1.ConfigFile, override []string) (Command, error) {
	if cf == nil {
		return Command{}, fmt.Errorf("%w: no config", ErrNoCommand)
	}
	c := cf.Config
	args := c.Cmd
	if len(override) > 0 {
		args = override
	}
	argv := append(slices.Clone(c.Entrypoint), args...)
	if len(argv) == 0 {
		return Command{}, ErrNoCommand
	}
	return Command{Argv: argv, Env: slices.Clone(c.Env), WorkingDir: c.WorkingDir, User: c.User}, nil
}

// environ is env with PATH and HOME added when missing, as the engine adds
// them.
func environ(env []string, home string) []string {
	out := slices.Clone(env)
	if !hasVar(out, "PATH") {
		out = append(out, "PATH="+elfdeps.DefaultPath)
	}
	if !hasVar(out, "HOME") {
		out = append(out, "HOME="+home)
	}
	return out
}

func hasVar(env []string, key string) bool {
	return slices.ContainsFunc(env, func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == key
	})
}

// workdir is the clean absolute working directory of c.
func workdir(wd string) string {
	return path.Clean("/" + wd)
}

// ids is who a command runs as.
type ids struct {
	uid, gid int
	home     string
}

// lookupUser resolves spec ("name", "uid", "name:group", "uid:gid"...) in
// the rootfs's /etc/passwd and /etc/group as the engine does: a name must be
// listed; a number need not be, and then runs with gid 0 and HOME=/; a user
// without a group gets the primary group its passwd entry gives. The files
// are read through root, so a symlink in them cannot lead outside.
//
// Supplementary groups are not set: the sandbox runs with none.
func lookupUser(root *os.Root, spec string) (ids, error) {
	user, group, hasGroup := strings.Cut(spec, ":")
	if user == "" {
		user = "0"
	}
	id := ids{home: "/"}
	passwd, err := readTable(root, "etc/passwd")
	if err != nil {
		return id, err
	}
	n, numeric := number(user)
	found := false
	for _, f := range passwd {
		if len(f) < 6 || (f[0] != user && (!numeric || f[2] != user)) {
			continue
		}
		uid, ok1 := number(f[2])
		gid, ok2 := number(f[3])
		if !ok1 || !ok2 {
			continue
		}
		id, found = ids{uid: uid, gid: gid, home: f[5]}, true
		break
	}
	switch {
	case !found && !numeric:
		return id, fmt.Errorf("user %q: %w: not in /etc/passwd", user, ErrUnknownUser)
	case !found:
		id.uid = n
	}
	if !hasGroup {
		return id, nil
	}
	if gid, ok := number(group); ok {
		id.gid = gid
		return id, nil
	}
	groups, err := readTable(root, "etc/group")
	if err != nil {
		return id, err
	}
	for _, f := range groups {
		if len(f) >= 3 && f[0] == group {
			if gid, ok := number(f[2]); ok {
				id.gid = gid
				return id, nil
			}
		}
	}
	return id, fmt.Errorf("group %q: %w: not in /etc/group", group, ErrUnknownUser)
}

// readTable reads a colon-separated file of the rootfs; a missing file is
// an empty table.
func readTable(root *os.Root, name string) ([][]string, error) {
	b, err := root.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for line := range strings.SplitSeq(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rows = append(rows, strings.Split(line, ":"))
	}
	return rows, nil
}

// number parses a non-negative decimal id.
func number(s string) (int, bool) {
	n, err := strconv.ParseUint(s, 10, 32)
	return int(n), err == nil
}
