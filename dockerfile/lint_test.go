package dockerfile

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ruleCase is one row of the rule table: a snippet, the rules it checks
// (IDs or hadolint aliases; by default those of want) and the findings
// those rules must give, as "ID@line", nothing else.
type ruleCase struct {
	name  string
	src   string
	check string // space-separated rule IDs or aliases
	want  string // space-separated ID@line
	opts  []Option
	ctx   string // "": no context dir; "bare": a context without .dockerignore; "ignored": with one
}

// hadolint marks a case taken from hadolint's own tests for the alias.
const hadolint = "hadolint: "

var ruleCases = []ruleCase{
	// DIET001: the shell does not parse.
	{name: "dangling &&", src: "FROM alpine\nRUN apk add --no-cache curl &&\n", want: "DIET001@2"},
	{name: "open quote", src: "FROM alpine\nRUN echo 'unterminated\n", want: "DIET001@2"},
	{name: "if parses", src: "FROM alpine\nRUN if true; then echo yes; fi\n", check: "DIET001"},
	{name: "exec sh -c does not parse", src: "FROM alpine\nRUN [\"sh\", \"-c\", \"a &&\"]\n", want: "DIET001@2"},
	{name: "error line inside continuation", src: "FROM alpine\nRUN echo a \\\n  && echo b \\\n  && (echo c\n", want: "DIET001@4"},

	// DIET002: a continuation swallows the next instruction.
	{name: "blank and comment swallowed", src: "FROM alpine\nRUN echo a \\\n\n# next\nRUN echo b\n", want: "DIET002@5"},
	{name: "swallowed without blank", src: "FROM alpine\nRUN echo a \\\nCOPY a b\n", want: "DIET002@3"},
	{name: "plain continuation", src: "FROM alpine\nRUN echo a \\\n  && echo b\n", check: "DIET002"},

	// DIET003: not an instruction.
	{name: "stray &&", src: "FROM alpine\nRUN echo a\n  && rm -rf /tmp/*\n", want: "DIET003@3"},
	{name: "typo", src: "FROM alpine\nRNU echo a\n", want: "DIET003@2"},
	{name: "lower-case keywords", src: "from alpine\nrun echo a\n", check: "DIET003"},

	// DIET101: cleanup in a later layer.
	{name: "apk del later", src: "FROM alpine\nRUN apk add go git\nRUN apk del go git\n", want: "DIET101@3"},
	{name: "apt purge later", src: "FROM debian\nRUN apt-get update && apt-get install -y gcc\nRUN apt-get purge -y gcc\n", want: "DIET101@3"},
	{name: "download deleted later", src: "FROM debian\nRUN curl -fsSLo /tmp/x.tgz https://example.com/x.tgz\nRUN rm /tmp/x.tgz\n", want: "DIET101@3"},
	{name: "copy deleted later", src: "FROM alpine\nCOPY big.tar /tmp/big.tar\nRUN rm -f /tmp/big.tar\n", want: "DIET101@3"},
	{name: "only deletes", src: "FROM alpine\nRUN rm -rf /var/cache/apk/*\n", want: "DIET101@2"},
	{name: "virtual package", src: "FROM alpine\nRUN apk add --virtual .deps gcc\nRUN apk del .deps\n", want: "DIET101@3"},
	{name: "from a stage", src: "FROM alpine AS base\nRUN apk add gcc\nFROM base\nRUN apk del gcc\n", want: "DIET101@4"},
	{name: "cleanup line inside RUN", src: "FROM alpine\nRUN apk add go\nRUN echo start \\\n  && make \\\n  && apk del go\n", want: "DIET101@5"},
	{name: "copied tree removed", src: "FROM node\nWORKDIR /app\nCOPY . .\nRUN npm ci && rm -rf .git\n", want: "DIET101@4"},
	{name: "one copied file removed", src: "FROM python\nCOPY requirements.txt /tmp/\nRUN pip install --no-cache-dir -r /tmp/requirements.txt && rm /tmp/requirements.txt\n", check: "DIET101"},
	{name: "same RUN", src: "FROM alpine\nRUN apk add go && go build . && apk del go\n", check: "DIET101"},
	{name: "config file removed", src: "FROM nginx\nRUN rm /etc/nginx/conf.d/default.conf\n", check: "DIET101"},
	{name: "build stage", src: "FROM alpine AS b\nRUN apk add go\nRUN apk del go\nFROM alpine\nCOPY --from=b /x /x\n", check: "DIET101"},
	{name: "each RUN cleans its own apt lists and cache", src: "FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nRUN apt-get update && apt-get install -y git && apt-get clean && rm -rf /var/lib/apt/lists/*\n", check: "DIET101"},
	{name: "apt-get clean alone later", src: "FROM debian\nRUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*\nRUN apt-get clean\n", want: "DIET101@3"},
	{name: "own download cleaned, earlier copy too", src: "FROM debian\nCOPY big.tar /tmp/big.tar\nRUN curl -fsSLo /tmp/x.tgz https://example.com/x.tgz && rm -rf /tmp/*\n", want: "DIET101@3"},

	// DIET102: a downloaded archive is kept.
	{name: "wget and tar", src: "FROM debian\nRUN wget https://example.com/x.tar.gz && tar -xzf x.tar.gz\n", want: "DIET102@2"},
	{name: "wget tar rm", src: "FROM debian\nRUN wget https://example.com/x.tar.gz && tar -xzf x.tar.gz && rm x.tar.gz\n", check: "DIET102"},
	{name: "curl pipe tar", src: "FROM debian\nRUN curl -fsSL https://example.com/x.tar.gz | tar -xz -C /opt\n", check: "DIET102"},
	{name: "xz -d then tar keeps the tar", src: "FROM alpine\nRUN wget https://example.com/upx.tar.xz \\\n  && xz -d upx.tar.xz \\\n  && tar -xvf upx.tar\n", want: "DIET102@2"},
	{name: "xz -d tar rm", src: "FROM alpine\nRUN wget https://example.com/upx.tar.xz && xz -d upx.tar.xz && tar -xvf upx.tar && rm upx.tar\n", check: "DIET102"},
	{name: "curl -o zip", src: "FROM debian\nRUN curl -fsSLo /tmp/a.zip https://example.com/a.zip && unzip /tmp/a.zip -d /opt\n", want: "DIET102@2"},
	{name: "download in build stage", src: "FROM alpine AS b\nRUN wget https://example.com/x.tar.gz && tar -xzf x.tar.gz\nFROM alpine\nCOPY --from=b /x /x\n", check: "DIET102"},
	{name: "archive removed before the download", src: "FROM debian\nRUN rm -f x.tar.gz && wget https://example.com/x.tar.gz && tar -xzf x.tar.gz\n", want: "DIET102@2"},

	// DIET103: chown -R after COPY.
	{name: "chown after copy", src: "FROM node\nCOPY . /app\nRUN chown -R node:node /app\n", want: "DIET103@3"},
	{name: "chmod relative to workdir", src: "FROM alpine\nWORKDIR /app\nCOPY bin/ ./bin/\nRUN chmod -R 755 bin\n", want: "DIET103@4"},
	{name: "chown elsewhere", src: "FROM node\nCOPY . /app\nRUN chown -R node /data\n", check: "DIET103"},
	{name: "chown before copy", src: "FROM node\nRUN chown -R node /app\nCOPY . /app\n", check: "DIET103"},

	// DIET104: ADD of a URL.
	{name: "add remote archive", src: "FROM debian\nADD https://example.com/tool.tar.gz /tmp/\n", want: "DIET104@2"},
	{name: "add then chmod", src: "FROM debian\nADD https://example.com/tool /usr/local/bin/tool\nRUN chmod +x /usr/local/bin/tool\n", want: "DIET104@2"},
	{name: "add binary as is", src: "FROM debian\nADD https://example.com/tool /usr/local/bin/tool\n", check: "DIET104"},

	// DIET105: COPY . without .dockerignore.
	{name: "copy context bare", src: "FROM python\nCOPY . /app\n", ctx: "bare", want: "DIET105@2"},
	{name: "copy context ignored", src: "FROM python\nCOPY . /app\n", ctx: "ignored", check: "DIET105"},
	{name: "copy context unknown", src: "FROM python\nCOPY . /app\n", check: "DIET105"},
	{name: "copy subdir", src: "FROM python\nCOPY src/ /app\n", ctx: "bare", check: "DIET105"},

	// DIET106 = DL3067.
	{name: hadolint + "copy root to root", src: "COPY --from=build / /\n", want: "DL3067@1"},
	{name: hadolint + "quoted root", src: "COPY --from=build \"/\" \"/\"\n", want: "DL3067@1"},
	{name: hadolint + "no --from", src: "COPY / /\n", check: "DL3067"},
	{name: hadolint + "a directory", src: "COPY --from=build /app /\n", check: "DL3067"},
	{name: hadolint + "into a subdirectory", src: "COPY --from=build / /app\n", check: "DL3067"},

	// DIET107 = DL3046.
	{name: hadolint + "useradd alone", src: "RUN useradd luser\n", check: "DL3046"},
	{name: hadolint + "short uid", src: "RUN useradd -u 12345 luser\n", check: "DL3046"},
	{name: hadolint + "long uid and -l", src: "RUN useradd -l -u 123456 luser\n", check: "DL3046"},
	{name: hadolint + "just -l", src: "RUN useradd -l luser\n", check: "DL3046"},
	{name: hadolint + "long uid", src: "RUN useradd -u 123456 luser\n", want: "DL3046@1"},
	{name: "long --uid", src: "RUN useradd --uid 123456 luser\n", want: "DL3046@1"},

	// DIET108 = DL3020.
	{name: hadolint + "add tar", src: "ADD file.tar /usr/src/app/\n", check: "DL3020"},
	{name: hadolint + "add gzip", src: "ADD file.gz /usr/src/app/\n", check: "DL3020"},
	{name: hadolint + "add bz2", src: "ADD file.bz2 /usr/src/app/\n", check: "DL3020"},
	{name: hadolint + "add xz", src: "ADD file.xz /usr/src/app/\n", check: "DL3020"},
	{name: hadolint + "add tgz", src: "ADD file.tgz /usr/src/app/\n", check: "DL3020"},
	{name: hadolint + "add url", src: "ADD http://file.com /usr/src/app/\n", check: "DL3020"},
	{name: hadolint + "using add", src: "ADD file /usr/src/app/\n", want: "DL3020@1"},
	{name: hadolint + "zip", src: "ADD file.zip /usr/src/app/\n", want: "DL3020@1"},
	{name: hadolint + "quoted tgz", src: "ADD \"file.tgz\" /usr/src/app/\n", check: "DL3020"},
	{name: hadolint + "quoted url", src: "ADD \"http://file.com\" /usr/src/app/\n", check: "DL3020"},
	{name: hadolint + "quoted zip", src: "ADD \"file.zip\" /usr/src/app/\n", want: "DL3020@1"},

	// DIET109 = DL3010.
	{name: hadolint + "copy then extract 1", src: "COPY packaged-app.tar /usr/src/app\nRUN tar -xf /usr/src/app/packaged-app.tar\n", want: "DL3010@1"},
	{name: hadolint + "copy then extract 2", src: "COPY packaged-app.tar /usr/src/app\nWORKDIR /usr/src/app\nRUN foo bar && echo something && tar -xf packaged-app.tar\n", want: "DL3010@1"},
	{name: hadolint + "copy then extract 3", src: "COPY foo/bar/packaged-app.tar /foo.tar\nRUN tar -xf /foo.tar\n", want: "DL3010@1"},
	{name: hadolint + "windows paths 1", src: "COPY build\\foo\\bar.tar.gz \"C:\\Program Files\\Foo\"\nRUN tar -xf \"C:\\Program Files\\Foo\\bar.tar.gz\"\n", want: "DL3010@1"},
	{name: hadolint + "windows paths 2", src: "COPY build\\foo\\bar.tar.gz \"C:\\Program Files\\foo.tar.gz\"\nRUN tar -xf foo.tar.gz\n", want: "DL3010@1"},
	{name: hadolint + "copy without extract", src: "COPY packaged-app.tar /usr/src/app\nFROM debian:11 as newstage\n", check: "DL3010"},
	{name: hadolint + "not an archive", src: "COPY package.json /usr/src/app\n", check: "DL3010"},
	{name: hadolint + "copy from a stage", src: "COPY --from=builder /usr/local/share/some.tar /opt/some.tar\n", check: "DL3010"},
	{name: "old-style tar", src: "COPY app.tgz /opt/\nRUN cd /opt && tar xzf app.tgz\n", want: "DL3010@1"},

	// DIET110 = DL3059.
	{name: hadolint + "no RUN", src: "FROM debian:10\n", check: "DL3059"},
	{name: hadolint + "one RUN", src: "RUN /foo.sh\n", check: "DL3059"},
	{name: hadolint + "not consecutive", src: "RUN /foo.sh\nWORKDIR /\nRUN /bar.sh\n", check: "DL3059"},
	{name: hadolint + "two consecutive", src: "RUN /foo.sh\nRUN /bar.sh\n", want: "DL3059@2"},
	{name: hadolint + "separated by a comment", src: "RUN /foo.sh\n# a comment\nRUN /bar.sh\n", want: "DL3059@3"},
	{name: hadolint + "separated by two comments", src: "RUN /foo.sh\n# a comment\n# another comment\nRUN /bar.sh\n", want: "DL3059@4"},
	{name: hadolint + "one RUN after a comment", src: "# a comment\nRUN /foo.sh\n", check: "DL3059"},
	{name: hadolint + "different flags 1", src: "RUN --mount=type=secret,id=foo /foo.sh\nRUN /bar.sh\n", check: "DL3059"},
	{name: hadolint + "different flags 2", src: "RUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=bar /bar.sh\n", check: "DL3059"},
	{name: hadolint + "equal flags", src: "RUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=foo /bar.sh\n", want: "DL3059@2"},
	{name: hadolint + "chained 1", src: "RUN foo && bar\nRUN foobar\n", check: "DL3059"},
	{name: hadolint + "chained 2", src: "RUN foo; bar\nRUN foobar\n", check: "DL3059"},
	{name: hadolint + "chained 3", src: "RUN foobar\nRUN foo && bar\n", check: "DL3059"},
	{name: hadolint + "chained 4", src: "RUN foobar\nRUN foo; bar\n", check: "DL3059"},
	{name: hadolint + "chained 5", src: "RUN foo && bar\nRUN foo; bar\n", check: "DL3059"},
	{name: hadolint + "single commands in a row", src: "RUN foo && bar\nRUN foo\nRUN bar\n", want: "DL3059@3"},

	// DIET201 = DL3009.
	{name: hadolint + "apt-get no cleanup", src: "FROM scratch\nRUN apt-get update && apt-get install python\n", want: "DL3009@2"},
	{name: hadolint + "cleanup in stage image", src: "FROM ubuntu as foo\nRUN apt-get update && apt-get install python\nFROM scratch\nRUN echo hey!\n", check: "DL3009"},
	{name: hadolint + "no cleanup in last stage", src: "FROM ubuntu as foo\nRUN hey!\nFROM scratch\nRUN apt-get update && apt-get install python\n", want: "DL3009@4"},
	{name: hadolint + "no cleanup in intermediate stage", src: "FROM ubuntu as foo\nRUN apt-get update && apt-get install python\nFROM foo\nRUN hey!\n", want: "DL3009@2"},
	{name: hadolint + "intermediate stage cleans", src: "FROM ubuntu as foo\nRUN apt-get update && apt-get install python && rm -rf /var/lib/apt/lists/*\nFROM foo\nRUN hey!\n", check: "DL3009"},
	{name: hadolint + "stage not used later", src: "FROM ubuntu as foo\nRUN apt-get update && apt-get install python\nFROM scratch\nRUN hey!\n", check: "DL3009"},
	{name: hadolint + "apt-get cleanup", src: "FROM scratch\nRUN apt-get update && apt-get install python && rm -rf /var/lib/apt/lists/*\n", check: "DL3009"},
	{name: hadolint + "cache mount on lists", src: "RUN --mount=type=cache,target=/var/lib/apt/lists \\\n    apt-get update && apt-get install python\n", check: "DL3009"},
	{name: hadolint + "cache mounts on apt dirs 1", src: "RUN --mount=type=cache,target=/var/lib/apt \\\n    --mount=type=cache,target=/var/cache/apt \\\n    rm -f /etc/apt/apt.conf.d/docker-clean && \\\n    apt-get update && apt-get install python\n", check: "DL3009"},
	{name: hadolint + "cache mounts on apt dirs 2", src: "RUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN --mount=type=cache,target=/var/cache/apt \\\n    --mount=type=cache,target=/var/lib/apt \\\n    apt-get update && apt-get install foo\n", check: "DL3009"},
	{name: hadolint + "cache mount on the cache only", src: "RUN --mount=type=cache,target=/var/cache/apt \\\n    rm -f /etc/apt/apt.conf.d/docker-clean && \\\n    apt-get update && apt-get install python\n", want: "DL3009@3"},
	{name: hadolint + "cache mount on /var/lib/apt only", src: "RUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN --mount=type=cache,target=/var/lib/apt \\\n    apt-get update && apt-get install python\n", want: "DL3009@3"},
	{name: "apt update", src: "FROM debian\nRUN apt update && apt install -y curl\n", want: "DIET201@2"},
	{name: "lists dir removed", src: "FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists\n", check: "DIET201"},
	{name: "unrelated rm -rf is not a cleanup", src: "FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /tmp/foo\n", want: "DIET201@2"},
	{name: "onbuild", src: "FROM debian AS x\nONBUILD RUN apt-get update && apt-get install -y curl\nFROM scratch\n", want: "DIET201@2"},
	{name: "sh -c", src: "FROM debian\nRUN sh -c 'apt-get update && apt-get install -y curl'\n", want: "DIET201@2"},
	{name: "lists removed before the update", src: "FROM debian\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y curl\n", want: "DIET201@2"},
	{name: "aptitude update", src: "FROM debian\nRUN aptitude update && aptitude install -y --without-recommends curl\n", want: "DIET201@2"},
	{name: "aptitude update cleaned", src: "FROM debian\nRUN aptitude update && aptitude install -y -R curl && rm -rf /var/lib/apt/lists/*\n", check: "DIET201 DIET202"},

	// DIET202 = DL3015.
	{name: hadolint + "with --no-install-recommends", src: "RUN apt-get install --no-install-recommends python\n", check: "DL3015"},
	{name: hadolint + "without", src: "RUN apt-get install python\n", want: "DL3015@1"},
	{name: hadolint + "without, -y first", src: "RUN apt-get -y install python\n", want: "DL3015@1"},
	{name: hadolint + "via option", src: "RUN apt-get -o APT::Install-Recommends=false install python\n", check: "DL3015"},
	{name: "apt.conf.d written earlier", src: "RUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99norecommends\nRUN apt-get install -y python\n", check: "DL3015"},

	{name: "aptitude install", src: "FROM debian\nRUN aptitude install -y curl\n", want: "DL3015@2"},

	// DIET203 = DL3019.
	{name: hadolint + "apk add", src: "RUN apk add flex=2.6.4-r1\n", want: "DL3019@1"},
	{name: hadolint + "apk add --no-cache", src: "RUN apk add --no-cache flex=2.6.4-r1\n", check: "DL3019"},
	{name: hadolint + "cache mount", src: "RUN --mount=type=cache,target=/var/cache/apk apk add -U curl=7.77.0\n", check: "DL3019"},
	{name: hadolint + "mount elsewhere and --no-cache", src: "RUN --mount=type=cache,target=/var/cache/foo apk add --no-cache -U curl=7.77.0\n", check: "DL3019"},
	{name: hadolint + "mount elsewhere", src: "RUN --mount=type=cache,target=/var/cache/foo apk add -U curl=7.77.0\n", want: "DL3019@1"},
	{name: "apk update", src: "FROM alpine\nRUN apk update && apk add --no-cache curl\n", want: "DL3019@2"},
	{name: "cache removed", src: "FROM alpine\nRUN apk add curl && rm -rf /var/cache/apk/*\n", check: "DL3019"},
	{name: "cache removed before apk add", src: "FROM alpine\nRUN rm -rf /var/cache/apk/* && apk add curl\n", want: "DL3019@2"},

	// DIET204 = DL3042.
	{name: hadolint + "pip2", src: "RUN pip2 install MySQL_python\n", want: "DL3042@1"},
	{name: hadolint + "pip3", src: "RUN pip3 install MySQL_python\n", want: "DL3042@1"},
	{name: hadolint + "pip", src: "RUN pip install MySQL_python\n", want: "DL3042@1"},
	{name: hadolint + "pip2 --no-cache-dir", src: "RUN pip2 install MySQL_python --no-cache-dir\n", check: "DL3042"},
	{name: hadolint + "pip3 --no-cache-dir", src: "RUN pip3 install --no-cache-dir MySQL_python\n", check: "DL3042"},
	{name: hadolint + "pipx", src: "RUN pipx install software\n", check: "DL3042"},
	{name: hadolint + "pipenv", src: "RUN pipenv install library\n", check: "DL3042"},
	{name: hadolint + "ENV truthy", src: "ENV PIP_NO_CACHE_DIR=1\nRUN pip install MySQL_python\n", check: "DL3042"},
	{name: hadolint + "ENV on", src: "ENV PIP_NO_CACHE_DIR=on\nRUN pip install MySQL_python\n", check: "DL3042"},
	{name: hadolint + "RUN truthy", src: "RUN PIP_NO_CACHE_DIR=yes pip install MySQL_python\n", check: "DL3042"},
	{name: hadolint + "export truthy", src: "RUN export PIP_NO_CACHE_DIR=true && pip install MySQL_python\n", check: "DL3042"},
	{name: hadolint + "ENV falsy", src: "ENV PIP_NO_CACHE_DIR=0\nRUN pip install MySQL_python\n", want: "DL3042@2"},
	{name: hadolint + "RUN falsy", src: "RUN PIP_NO_CACHE_DIR=off pip install MySQL_python\n", want: "DL3042@1"},
	{name: hadolint + "export falsy", src: "RUN export PIP_NO_CACHE_DIR=no && pip install MySQL_python\n", want: "DL3042@1"},
	{name: hadolint + "inherited", src: "FROM debian:buster as base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install six\n", check: "DL3042"},
	{name: hadolint + "not inherited", src: "FROM debian:buster as base\nENV PIP_NO_CACHE_DIR=1\nFROM debian:buster\nRUN pip install six\n", want: "DL3042@4"},
	{name: "python -m pip", src: "FROM python\nRUN python3 -m pip install flask\n", want: "DL3042@2"},
	{name: "pip cache mount", src: "FROM python\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n", check: "DL3042"},
	{name: "pip cache purge", src: "FROM python\nRUN pip install flask && pip cache purge\n", check: "DL3042"},
	{name: "pip cache purge before install", src: "FROM python\nRUN pip cache purge && pip install flask\n", want: "DL3042@2"},

	// DIET205 = DL3032.
	{name: hadolint + "yum install", src: "RUN yum install -y mariadb-10.4\n", want: "DL3032@1"},
	{name: hadolint + "yum clean all", src: "RUN yum install -y mariadb-10.4 && yum clean all\n", check: "DL3032"},
	{name: hadolint + "not a yum command", src: "RUN bash -c `# not even a yum command`\n", check: "DL3032"},
	{name: hadolint + "rm /var/cache/yum", src: "RUN yum install -y mariadb-10.4 && rm -rf /var/cache/yum/*\n", check: "DL3032"},
	{name: "clean before install", src: "RUN yum clean all && yum install -y mariadb-10.4\n", want: "DL3032@1"},
	{name: "yum update", src: "RUN yum update -y\n", want: "DL3032@1"},
	{name: "yum upgrade cleaned", src: "RUN yum upgrade -y && yum clean all\n", check: "DL3032"},

	// DIET206 = DL3040.
	{name: hadolint + "dnf install", src: "RUN dnf install -y mariadb-10.4\n", want: "DL3040@1"},
	{name: hadolint + "microdnf install", src: "RUN microdnf install -y mariadb-10.4\n", want: "DL3040@1"},
	{name: hadolint + "microdnf clean for dnf", src: "RUN dnf install -y mariadb-10.4 && microdnf clean all\n", want: "DL3040@1"},
	{name: hadolint + "dnf clean all", src: "RUN dnf install -y mariadb-10.4 && dnf clean all\n", check: "DL3040"},
	{name: hadolint + "microdnf clean all", src: "RUN microdnf install -y mariadb-10.4 && microdnf clean all\n", check: "DL3040"},
	{name: hadolint + "notdnf", src: "RUN notdnf install mariadb\n", check: "DL3040"},
	{name: hadolint + "dnf rm /var/cache/yum", src: "RUN dnf install -y mariadb-10.4 && rm -rf /var/cache/yum/*\n", check: "DL3040"},
	{name: hadolint + "microdnf rm /var/cache/yum", src: "RUN microdnf install -y mariadb-10.4 && rm -rf /var/cache/yum/*\n", check: "DL3040"},
	{name: "dnf upgrade", src: "RUN dnf upgrade -y\n", want: "DL3040@1"},
	{name: "microdnf update", src: "RUN microdnf update -y\n", want: "DL3040@1"},
	{name: "dnf update cleaned", src: "RUN dnf update -y && dnf clean all\n", check: "DL3040"},
	{name: "dnf5 cache mount", src: "FROM fedora:41\nRUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y httpd\n", check: "DL3040"},
	{name: "dnf5", src: "FROM fedora:41\nRUN dnf5 install -y httpd\n", want: "DL3040@2"},
	{name: "dnf5 cache removed", src: "FROM fedora:41\nRUN dnf5 install -y httpd && rm -rf /var/cache/libdnf5/*\n", check: "DL3040"},

	// DIET207 = DL3036.
	{name: hadolint + "zypper install", src: "RUN zypper install -y mariadb=10.4\n", want: "DL3036@1"},
	{name: hadolint + "zypper clean", src: "RUN zypper install -y mariadb=10.4 && zypper clean\n", check: "DL3036"},
	{name: hadolint + "zypper cc", src: "RUN zypper install -y mariadb=10.4 && zypper cc\n", check: "DL3036"},

	// DIET208 = DL3060.
	{name: hadolint + "non-yarn", src: "RUN foo\n", check: "DL3060"},
	{name: hadolint + "no cache clean", src: "RUN yarn install foo\n", want: "DL3060@1"},
	{name: hadolint + "cache clean", src: "RUN yarn install bar && yarn cache clean\n", check: "DL3060"},
	{name: hadolint + "last stage", src: "FROM node:lts-alpine as foo\nRUN hey!\nFROM scratch\nRUN yarn install\n", want: "DL3060@4"},
	{name: hadolint + "inherited stage", src: "FROM node:lts-alpine as foo\nRUN yarn install\nFROM foo\nRUN hey!\n", want: "DL3060@2"},
	{name: hadolint + "inherited stage cleans", src: "FROM node:lts-alpine as foo\nRUN yarn install && yarn cache clean\nFROM foo\nRUN hey!\n", check: "DL3060"},
	{name: hadolint + "stage not reused", src: "FROM node:lts-alpine as foo\nRUN yarn install foo\nFROM scratch\nRUN hey!\n", check: "DL3060"},
	{name: "bare yarn", src: "FROM node\nRUN yarn\n", want: "DL3060@2"},
	{name: "yarn cache clean before install", src: "FROM node\nRUN yarn cache clean && yarn install\n", want: "DL3060@2"},

	// DIET209: npm.
	{name: "npm ci", src: "FROM node\nRUN npm ci --omit=dev\n", want: "DIET209@2"},
	{name: "npm cache clean", src: "FROM node\nRUN npm ci --omit=dev && npm cache clean --force\n", check: "DIET209"},
	{name: "npm cache mount", src: "FROM node\nRUN --mount=type=cache,target=/root/.npm npm ci\n", check: "DIET209"},
	{name: "npm cache clean before ci", src: "FROM node\nRUN npm cache clean --force && npm ci\n", want: "DIET209@2"},

	// DIET210: go caches.
	{name: "go build", src: "FROM golang\nRUN go build -o /app .\n", want: "DIET210@2"},
	{name: "go clean", src: "FROM golang\nRUN go build -o /app . && go clean -cache -modcache\n", check: "DIET210"},
	{name: "go clean before build", src: "FROM golang\nRUN go clean -cache -modcache && go build -o /app .\n", want: "DIET210@2"},
	{name: "go cache mounts", src: "FROM golang\nRUN --mount=type=cache,target=/root/.cache/go-build --mount=type=cache,target=/go/pkg/mod go build -o /app .\n", check: "DIET210"},
	{name: "go build cache mount only", src: "FROM golang\nRUN --mount=type=cache,target=/root/.cache/go-build go build -o /app .\n", want: "DIET210@2"},
	{name: "go in a build stage", src: "FROM golang AS b\nRUN go build -o /app .\nFROM scratch\nCOPY --from=b /app /app\n", check: "DIET210"},
	{name: "GOPATH from ENV", src: "FROM alpine\nENV GOPATH=/gopath\nRUN apk add --no-cache go && go get example.com/x && rm -rf /gopath /root/.cache\n", check: "DIET210"},

	// DIET211, DIET212.
	{name: "cargo build", src: "FROM rust\nRUN cargo build --release\n", want: "DIET211@2"},
	{name: "cargo in a build stage", src: "FROM rust AS b\nRUN cargo build --release\nFROM debian\nCOPY --from=b /t /t\n", check: "DIET211"},
	{name: "mvn package", src: "FROM maven\nRUN mvn package\n", want: "DIET212@2"},
	{name: "mvn with a cache mount", src: "FROM maven\nRUN --mount=type=cache,target=/root/.m2 mvn package\n", check: "DIET212"},

	// DIET301: toolchain in the final image.
	{name: "apk toolchain", src: "FROM alpine\nRUN apk add --no-cache go git musl-dev\n", want: "DIET301@2"},
	{name: "toolchain removed in the same RUN", src: "FROM alpine\nRUN apk add --no-cache --virtual .b gcc musl-dev && make && apk del .b\n", check: "DIET301"},
	{name: "toolchain image", src: "FROM golang:1.23\nCOPY . .\n", want: "DIET301@1"},
	{name: "toolchain in a build stage", src: "FROM golang:1.23 AS b\nRUN apk add git\nFROM alpine\nCOPY --from=b /a /a\n", check: "DIET301"},
	{name: "apt headers", src: "FROM debian\nRUN apt-get install -y build-essential libssl-dev\n", want: "DIET301@2"},
	{name: "runtime packages", src: "FROM alpine\nRUN apk add --no-cache ca-certificates tzdata\n", check: "DIET301"},

	// DIET302: build in the final image.
	{name: "go build single stage", src: "FROM golang\nRUN go build -o /app .\n", want: "DIET302@2"},
	{name: "multi-stage build", src: "FROM golang AS b\nRUN go build -o /app .\nFROM scratch\nCOPY --from=b /app /app\n", check: "DIET302"},
	{name: "make", src: "FROM gcc\nRUN ./configure && make\n", want: "DIET302@2"},

	// DIET303, DIET304: Go flags.
	{name: "unstripped", src: "FROM golang AS b\nRUN go build -trimpath -o /app .\nFROM scratch\nCOPY --from=b /app /app\n", want: "DIET303@2"},
	{name: "ldflags -s -w", src: "FROM golang AS b\nRUN go build -ldflags \"-s -w\" -o /app .\nFROM scratch\nCOPY --from=b /app /app\n", check: "DIET303"},
	{name: "ldflags=-s", src: "FROM golang AS b\nRUN go build -ldflags=-s -o /app .\nFROM scratch\nCOPY --from=b /app /app\n", check: "DIET303"},
	{name: "stripped later", src: "FROM golang AS b\nRUN go build -o /app .\nRUN strip --strip-unneeded /app\nFROM scratch\nCOPY --from=b /app /app\n", check: "DIET303"},
	{name: "unused stage", src: "FROM golang AS test\nRUN go build ./...\nFROM scratch\nCOPY x /x\n", check: "DIET303 DIET304"},
	{name: "no trimpath", src: "FROM golang AS b\nRUN go build -ldflags='-s -w' -o /app .\nFROM scratch\nCOPY --from=b /app /app\n", want: "DIET304@2"},
	{name: "GOFLAGS trimpath", src: "FROM golang AS b\nENV GOFLAGS=-trimpath\nRUN go build -ldflags='-s -w' -o /app .\nFROM scratch\nCOPY --from=b /app /app\n", check: "DIET304"},

	// DIET305: large base under a static binary.
	{name: "debian under static go", src: "FROM golang AS b\nRUN CGO_ENABLED=0 go build -o /app .\nFROM debian:bookworm\nCOPY --from=b /app /app\nCMD [\"/app\"]\n", want: "DIET305@3"},
	{name: "ENV CGO_ENABLED", src: "FROM golang AS b\nENV CGO_ENABLED=0\nRUN go build -o /app .\nFROM ubuntu\nCOPY --from=b /app /app\n", want: "DIET305@4"},
	{name: "scratch under static go", src: "FROM golang AS b\nRUN CGO_ENABLED=0 go build -o /app .\nFROM scratch\nCOPY --from=b /app /app\n", check: "DIET305"},
	{name: "cgo binary", src: "FROM golang AS b\nRUN go build -o /app .\nFROM debian\nCOPY --from=b /app /app\n", check: "DIET305"},
	{name: "final stage runs", src: "FROM golang AS b\nRUN CGO_ENABLED=0 go build -o /app .\nFROM debian\nRUN apt-get update\nCOPY --from=b /app /app\n", check: "DIET305"},

	// Ignores and options.
	{name: "hadolint ignore", src: "FROM debian\n# hadolint ignore=DL3009\nRUN apt-get update && apt-get install -y --no-install-recommends x\n", check: "DIET201"},
	{name: "diet ignore", src: "FROM debian\n# diet ignore=DIET201\nRUN apt-get update && apt-get install -y --no-install-recommends x\n", check: "DIET201"},
	{name: "ignore list", src: "FROM debian\n# some words\n# diet ignore=DIET202, DL3009\nRUN apt-get update && apt-get install -y x\n", check: "DIET201 DIET202"},
	{name: "ignore is for the next instruction only", src: "FROM alpine\n# hadolint ignore=DL3019\nRUN apk add x\nRUN apk add y\n", want: "DL3019@4"},
	{name: "ignore above a blank line does not count", src: "FROM alpine\n# hadolint ignore=DL3019\n\nRUN apk add x\n", want: "DL3019@4"},
	{name: "global ignore", src: "# diet global ignore=DL3019\nFROM alpine\nRUN apk add x\nRUN apk add y\n", check: "DL3019"},
	{name: "WithDisabled alias", src: "FROM alpine\nRUN apk add x\n", check: "DL3019", opts: []Option{WithDisabled("DL3019")}},
	{name: "WithTarget", src: "FROM ubuntu AS a\nRUN apt-get update\nFROM scratch\n", want: "DL3009@2", opts: []Option{WithTarget("a")}},
}

func TestRules(t *testing.T) {
	t.Parallel()
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := Parse("Dockerfile", []byte(tc.src))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.src, err)
			}
			opts := tc.opts
			if tc.ctx != "" {
				dir := t.TempDir()
				if tc.ctx == "ignored" {
					if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(".git\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				opts = append(opts, WithContextDir(dir))
			}
			check := map[string]bool{}
			for _, id := range strings.Fields(tc.check + " " + tc.want) {
				id, _, _ = strings.Cut(id, "@")
				r, ok := Lookup(id)
				if !ok {
					t.Fatalf("no rule %q", id)
				}
				check[r.ID] = true
			}
			var want []string
			for _, w := range strings.Fields(tc.want) {
				id, line, _ := strings.Cut(w, "@")
				r, _ := Lookup(id)
				want = append(want, r.ID+"@"+line)
			}
			var got []string
			for _, fd := range Lint(f, opts...) {
				if check[fd.ID] {
					got = append(got, fmt.Sprintf("%s@%d", fd.ID, fd.Line))
				}
			}
			slices.Sort(want)
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Lint(%q) (-want +got):\n%s", tc.src, diff)
			}
		})
	}
}

// TestEveryRuleHasCases fails when a rule has no case in the table that
// expects it to fire and none that expects it not to.
func TestEveryRuleHasCases(t *testing.T) {
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, tc := range ruleCases {
		for _, w := range strings.Fields(tc.want) {
			id, _, _ := strings.Cut(w, "@")
			r, _ := Lookup(id)
			fires[r.ID] = true
		}
		for _, id := range strings.Fields(tc.check) {
			r, _ := Lookup(id)
			if !strings.Contains(tc.want, id) {
				quiet[r.ID] = true
			}
		}
	}
	for _, r := range Rules() {
		if !fires[r.ID] {
			t.Errorf("%s (%s) has no case where it fires", r.ID, r.Name)
		}
		if !quiet[r.ID] && r.ID != "DIET003" {
			t.Errorf("%s (%s) has no case where it must stay quiet", r.ID, r.Name)
		}
	}
	if n := len(ruleCases); n < 80 {
		t.Errorf("%d rule cases, want at least 80", n)
	}
}
