package citest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/dietimage/diet/internal/fixture/example"
)

// root is the repository's root, from this package's directory.
var root = filepath.Join("..", "..", "..")

// dietBinary builds cmd/diet once for the test.
func dietBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "diet")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/diet")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/diet: %v\n%s", err, out)
	}
	return bin
}

// TestAction runs the action's step, action/run.sh, as GitHub would: with
// a step summary and an output file, on the example image and the story's
// first Dockerfile. Budgets the image breaks give passed=false and the
// failing rules in the summary, without failing the step; budgets it keeps
// give passed=true; the SARIF file holds the lint's findings.
func TestAction(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	diet := dietBinary(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "example.tar")
	if err := example.Build(t.Context(), img); err != nil {
		t.Fatal(err)
	}
	dockerfile, err := filepath.Abs(filepath.Join(root, "..", "shared", "seed", "dockerfiles", "v1.01.Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dockerfile); err != nil {
		dockerfile = filepath.Join(dir, "Dockerfile")
		os.WriteFile(dockerfile, []byte("FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"), 0o644)
	}
	script, err := filepath.Abs(filepath.Join(root, "action", "run.sh"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(args string, wantStatus int) (summary string, outputs map[string]string) {
		t.Helper()
		temp := t.TempDir()
		sum, out := filepath.Join(temp, "summary.md"), filepath.Join(temp, "output")
		cmd := exec.Command(bash, script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CI=", "DIET_BIN="+diet, "DIET_IMAGE="+img, "DIET_DOCKERFILE="+dockerfile,
			"DIET_ARGS="+args, "DIET_RULES=", "RUNNER_TEMP="+temp, "GITHUB_STEP_SUMMARY="+sum, "GITHUB_OUTPUT="+out)
		log, err := cmd.CombinedOutput()
		status := 0
		if ee, ok := err.(*exec.ExitError); ok {
			status = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if status != wantStatus {
			t.Fatalf("action/run.sh with %q exited %d, want %d:\n%s", args, status, wantStatus, log)
		}
		b, _ := os.ReadFile(sum)
		o, _ := os.ReadFile(out)
		outputs = map[string]string{}
		for line := range strings.SplitSeq(strings.TrimSpace(string(o)), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				outputs[k] = v
			}
		}
		if !strings.Contains(string(log), string(b)) {
			t.Errorf("the log does not show the summary")
		}
		return string(b), outputs
	}

	summary, out := run("--max-size 10MB --deny-culprits go-build-cache", 0)
	if out["passed"] != "false" || !strings.Contains(summary, "— ❌ rules fail") || !strings.Contains(summary, "| ❌ | max-size |") {
		t.Errorf("broken budgets: outputs %v, summary:\n%s", out, summary)
	}
	var sarif struct {
		Version string
		Runs    []struct {
			Results []struct{ RuleID string }
		}
	}
	b, err := os.ReadFile(out["sarif"])
	if err != nil {
		t.Fatalf("sarif output %q: %v", out["sarif"], err)
	}
	if err := json.Unmarshal(b, &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) == 0 {
		t.Errorf("SARIF of the story's Dockerfile: %v, %+v; want version 2.1.0 and findings", err, sarif)
	}

	summary, out = run("--max-size 20MB", 0)
	if out["passed"] != "true" || !strings.Contains(summary, "— ✅ rules pass") {
		t.Errorf("kept budgets: outputs %v, summary:\n%s", out, summary)
	}

	// An error is the step's: diet's status, no output.
	_, out = run("--max-size lots", 2)
	if _, ok := out["passed"]; ok {
		t.Errorf("a bad flag wrote outputs %v", out)
	}
}

// TestActionYAML checks action.yml against the script: every input the
// step passes exists, and the outputs come from the step that runs it.
func TestActionYAML(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs  map[string]struct{ Required bool }
		Outputs map[string]struct{ Value string }
		Runs    struct {
			Using string
			Steps []struct {
				ID, Run, Uses string
				Env           map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(b, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", action.Runs.Using)
	}
	inputRef := regexp.MustCompile(`inputs\.([a-z-]+)`)
	var step bool
	for _, s := range action.Runs.Steps {
		for _, v := range s.Env {
			for _, m := range inputRef.FindAllStringSubmatch(v, -1) {
				if _, ok := action.Inputs[m[1]]; !ok {
					t.Errorf("step %q reads inputs.%s, which action.yml does not declare", s.ID, m[1])
				}
			}
		}
		if strings.Contains(s.Run, "action/run.sh") {
			step = s.ID == "diet"
			if _, err := os.Stat(filepath.Join(root, "action", "run.sh")); err != nil {
				t.Error(err)
			}
		}
	}
	if !step {
		t.Error("no step with id diet runs action/run.sh")
	}
	for name, o := range action.Outputs {
		if !strings.Contains(o.Value, "steps.diet.outputs."+name) {
			t.Errorf("output %s = %q, want it from steps.diet", name, o.Value)
		}
	}
}

// TestPreCommitHooks runs what .pre-commit-hooks.yaml names: each hook's
// entry, with a file its pattern matches, must run (exit 0, or 3 for
// findings), and the pattern must pick Dockerfiles and nothing else.
func TestPreCommitHooks(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct{ ID, Entry, Language, Files string }
	if err := yaml.Unmarshal(b, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) == 0 {
		t.Fatal("no hooks")
	}
	diet := dietBinary(t)
	for _, h := range hooks {
		files := regexp.MustCompile(h.Files) // pre-commit's re.search; this pattern is in the common subset
		for _, name := range []string{"Dockerfile", "docker/Dockerfile.prod", "Containerfile", "app.dockerfile", "svc/web.Containerfile"} {
			if !files.MatchString(name) {
				t.Errorf("%s: files does not match %s", h.ID, name)
			}
		}
		for _, name := range []string{"Dockerfile.go/main.go", "README.md", "docs/dockerfile.md", "mydockerfile"} {
			if files.MatchString(name) {
				t.Errorf("%s: files matches %s", h.ID, name)
			}
		}
		words := strings.Fields(h.Entry)
		if h.Language != "golang" || words[0] != "diet" {
			t.Errorf("%s: entry %q in %s, want diet, built by pre-commit from this module", h.ID, h.Entry, h.Language)
			continue
		}
		dir := t.TempDir()
		df := filepath.Join(dir, "Dockerfile")
		os.WriteFile(df, []byte("FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"), 0o644)
		cmd := exec.Command(diet, append(words[1:], df)...)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 3) {
			t.Errorf("%s: %s %s: %v\n%s", h.ID, h.Entry, df, err, out)
		}
		if !strings.Contains(string(out), "Dockerfile:2") {
			t.Errorf("%s: %s found nothing on an apt-get without cleanup:\n%s", h.ID, h.Entry, out)
		}
	}
}
