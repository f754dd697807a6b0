FROM golang:1.23-bookworm
ENV CGO_ENABLED=1 GODEBUG=netdns=go
WORKDIR /go/src/app
COPY . .
RUN go install ./cmd/api
USER nobody
CMD ["api"]
