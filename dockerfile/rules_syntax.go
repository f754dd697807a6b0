package dockerfile

import (
	"fmt"
	"regexp"
	"strings"
)

var ruleShellSyntax = Rule{
	ID: "DIET001", Name: "run-shell-syntax", Severity: SeverityError,
	Summary: "the shell of a RUN does not parse",
	Doc: "The shell rejects the script before running a single command, so docker build stops at this " +
		"RUN. diet still reads the commands the parser can recover, so the other rules judge what the " +
		"author meant. The usual cause is a dangling `&&` or `|` at the end of a line, or a lost quote.",
	Bad:  "FROM alpine:3.20\nRUN apk add --no-cache curl &&\n",
	Good: "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, in := range l.f.Instructions {
			r := in.Run
			if in.Trigger != nil {
				r = in.Trigger.Run
			}
			if r == nil || r.Err == nil {
				continue
			}
			out = append(out, Finding{Line: r.Err.Line,
				Message: fmt.Sprintf("the shell of the RUN on line %d does not parse (%s): docker build fails here", in.Line, r.Err.Message)})
		}
		return out
	},
}

var keywordRe = regexp.MustCompile(`^\s*(ADD|ARG|CMD|COPY|ENTRYPOINT|ENV|EXPOSE|FROM|HEALTHCHECK|LABEL|MAINTAINER|ONBUILD|RUN|SHELL|STOPSIGNAL|USER|VOLUME|WORKDIR)(\s|$)`)

var ruleSwallowed = Rule{
	ID: "DIET002", Name: "continuation-swallows-instruction", Severity: SeverityError,
	Summary: "a line continuation runs on into what looks like the next instruction",
	Doc: "A trailing `\\` continues an instruction on the next line, and BuildKit skips blank lines and " +
		"comments while it looks for that line. One `\\` too many therefore turns the next `RUN` into " +
		"words of the previous command: the cleanup meant for a RUN of its own runs somewhere else, " +
		"or not at all. diet reports each continuation line that starts with an instruction keyword " +
		"in capitals.",
	Bad:  "FROM alpine:3.20\nRUN apk add --no-cache curl \\\n\n# clean up\nRUN rm -rf /tmp/*\n",
	Good: "FROM alpine:3.20\nRUN apk add --no-cache curl\n\n# clean up\nRUN rm -rf /tmp/*\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, in := range l.f.Instructions {
			j := l.f.join(in.Line)
			dropped := map[int]bool{}
			for _, n := range j.dropped {
				dropped[n] = true
			}
			prev := in.Line
			for n := in.Line + 1; n <= j.endLine; n++ {
				if dropped[n] {
					continue
				}
				if m := keywordRe.FindSubmatch(l.f.Lines(n, n)); m != nil {
					why := ""
					if n-prev > 1 {
						why = " (BuildKit skips the blank and comment lines between)"
					}
					out = append(out, Finding{Line: n, Message: fmt.Sprintf(
						"line %d starts with %s, but the continuation at the end of line %d makes it part of the %s on line %d%s: it is not an instruction of its own",
						n, m[1], prev, strings.ToUpper(in.Cmd), in.Line, why)})
				}
				prev = n
			}
		}
		return out
	},
}

var ruleUnknown = Rule{
	ID: "DIET003", Name: "unknown-instruction", Severity: SeverityError,
	Summary: "a line is not a Dockerfile instruction",
	Doc: "BuildKit's parser accepts any word as an instruction and docker build rejects it later, " +
		"so lint reports it with its line. When the line starts with a shell operator (`&&`, `||`, " +
		"`|`, `;`), a `\\` went missing on the line before; diet reads the rest of the line as the " +
		"shell it was meant to be, so the other rules still see it.",
	Bad:  "FROM alpine:3.20\nRUN apk add --no-cache curl\n    && rm -rf /tmp/*\n",
	Good: "FROM alpine:3.20\nRUN apk add --no-cache curl \\\n    && rm -rf /tmp/*\n",
	check: func(l *linter) []Finding {
		var out []Finding
		for _, in := range l.f.Instructions {
			if in.Known {
				continue
			}
			msg := fmt.Sprintf("%q is not a Dockerfile instruction: docker build stops at line %d", in.Cmd, in.Line)
			if in.Run != nil {
				msg += "; it reads as shell that lost its RUN (is a `\\` missing at the end of the line before?)"
			}
			out = append(out, Finding{Line: in.Line, EndLine: in.EndLine, Message: msg})
		}
		return out
	},
}
