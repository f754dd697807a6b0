# syntax=docker/dockerfile:1
# A Go service, built and run in one stage.
FROM golang:1.23

ENV GOPROXY=https://proxy.golang.org \
    APP_ENV=production

WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download

COPY . .
RUN go build -o /usr/local/bin/hello ./cmd/hello

LABEL org.opencontainers.image.title="hello"
USER 10001
EXPOSE 8080
CMD ["hello", "-listen", ":8080"]
