# A Go program that calls C: golang's Debian images ship gcc, so cgo is
# on, and the program cannot be built with CGO_ENABLED=0.
FROM golang:1.22-bookworm
WORKDIR /src
COPY . .
RUN go build -o /app ./cmd/app
CMD ["/app"]
