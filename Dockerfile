# Production image: the API binary plus the built SPA.
# Build stage: Rust toolchain, trunk and wasm-bindgen, Node for wasm-opt (binaryen 132).
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm cmake && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN bash -c 'source scripts/tools.sh && ensure_wasm_tools && ensure_node_packages && build_spa' \
 && cargo build --locked --release -p api

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /srv/portail portail \
 && mkdir -p /srv/portail/files /srv/portail/scratch \
 && chown portail /srv/portail/files /srv/portail/scratch
WORKDIR /srv/portail
COPY --from=build /src/target/release/portail-famille /usr/local/bin/portail-famille
COPY --from=build /src/web/dist /srv/portail/web/dist
USER portail
ENV BIND_ADDRESS=0.0.0.0 PORT=8000 WEB_DIST=/srv/portail/web/dist \
    STORAGE_URL=/srv/portail/files UPLOAD_SCRATCH_DIR=/srv/portail/scratch
EXPOSE 8000
CMD ["portail-famille"]
