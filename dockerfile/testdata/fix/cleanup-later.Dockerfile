FROM alpine:3.20
WORKDIR /src
COPY . .
RUN apk add --no-cache --virtual .build gcc make musl-dev
# build it
RUN make && make install
LABEL org.opencontainers.image.title="tool"

# the story's mistake: the toolchain stays in the layers above
RUN apk del .build
CMD ["/usr/local/bin/tool"]
