//! The syntax layer: a lossless parse of a Dockerfile that mirrors BuildKit's
//! own parser (`frontend/dockerfile/parser`), and a quote-aware shell splitter
//! for RUN bodies.

pub mod ast;
pub mod dump;
mod parser;
pub mod shell;
pub mod validate;
mod words;

pub use ast::*;
pub use parser::{parse, parse_owned, ParseError};
pub use words::{parse_words, split_whitespace};
