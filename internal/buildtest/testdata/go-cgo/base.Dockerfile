# golang:1.26-bookworm with gcc and libc6-dev, as the official image has
# them, so that cgo is on by default as it is there.
FROM golang:1.26-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
