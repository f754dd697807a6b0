FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt
# fetch the tool
RUN curl -fsSLO https://example.com/tool-1.2.tar.gz \
    && tar -xzf tool-1.2.tar.gz \
    && ln -s /opt/tool-1.2/bin/tool /usr/local/bin/tool
CMD ["tool", "--version"]
