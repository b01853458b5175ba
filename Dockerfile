# The dflint image. `docker run --rm -v "$PWD":/src IMAGE` checks every
# Dockerfile under the current directory; arguments replace `check`:
# `IMAGE check --format json docker/`, or
# `--user "$(id -u):$(id -g)" ... IMAGE fix Dockerfile` to write fixes back.
#
# cargo builds a release binary in the Rust image; the image that ships holds
# that one binary on distroless's cc base, which has the glibc and libgcc it
# links against and no shell or package manager. Both bases are build
# arguments, so a mirror or a pinned digest needs no edit here.
ARG RUST_IMAGE=rust:1-slim-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM ${RUST_IMAGE} AS build
WORKDIR /build
# The context is only what the binary is built from: .dockerignore admits
# the manifests, src/, rules/ and benches/ (a target Cargo.toml declares).
COPY . .
# The crate registry and target/ are cache mounts, kept between builds and
# never part of a layer, so the binary is copied out in the same RUN.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/build/target \
    cargo build --release --locked --bin dflint \
 && install -D -m 0755 target/release/dflint /out/dflint

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/dflint /usr/local/bin/dflint
# distroless's nonroot user, by number, so that it holds on any runtime base
# (one with no `nonroot` entry in /etc/passwd too).
USER 65532:65532
# Mount the project to lint here: relative paths on the command line and the
# config files dflint looks for resolve from it.
WORKDIR /src
# A command-line tool that runs and exits: there is no service to probe.
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/dflint"]
CMD ["check"]
