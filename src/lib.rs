//! dflint: a Dockerfile linter and rewriter for ML and AI containers.
//!
//! The library is what the `dflint` binary and the tests share: parse a file
//! ([`syntax::parse`]), understand its stages ([`semantics`]), and run the
//! rules ([`lint`]).

pub mod syntax;
