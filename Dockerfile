# syntax=docker/dockerfile:1
# Build: a static binary (pure-Go SQLite, no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
ARG DATE=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" \
      -o /out/statusthing .

# Run: Debian slim with Chromium for browser checks, CA certificates and time zones.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium ca-certificates tzdata curl tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin statusthing \
 && mkdir -p /data && chown statusthing:statusthing /data
COPY --from=build /out/statusthing /usr/local/bin/statusthing
USER statusthing
WORKDIR /data
ENV STATUSTHING_DATABASE_PATH=/data/statusthing.db \
    STATUSTHING_BROWSER_PATH=/usr/bin/chromium \
    DISABLE_ROD_FLAG=1
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
# tini as PID 1 reaps the Chromium processes killed when a hung browser is replaced.
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/statusthing"]
CMD ["serve"]
