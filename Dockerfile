# syntax=docker/dockerfile:1
# BASE: hack/image.sh builds without a registry and gives a bookworm base made by mmdebstrap.
ARG BASE=debian:bookworm-slim

# Build: every library from Debian's packages, as on a developer's machine (hack/install-deps.sh).
FROM ${BASE} AS build
WORKDIR /src
COPY hack/install-deps.sh hack/install-deps.sh
RUN bash hack/install-deps.sh --build-only && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -G Ninja -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DCSP_E2E=OFF \
    && cmake --build /build \
    && cmake --install /build --prefix /out --strip

# Run: only the shared libraries the binaries link, as a non-root user. Versions come from the
# bookworm release the base image pins, so apt pins would only repeat it. One image, three
# binaries: csp-operator (the default), csp-agent (apparmor_parser loads its profiles) and
# cspctl (`--entrypoint /usr/local/bin/cspctl`).
FROM ${BASE}
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       ca-certificates libcpprest2.10 libyaml-0-2 libyaml-cpp0.7 libspdlog1.10 libfmt9 libssl3 \
       libsodium23 apparmor \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/bin/ /usr/local/bin/
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/csp-operator"]
