//! The tutorial's hand-rolled workers, in Rust, in three stages.
//!
//! | stage | file | the tutorial's | what it shows |
//! |---|---|---|---|
//! | 1 | [`basic`] | exemplo1 | three workers, a jobs channel, a results channel |
//! | 2 | [`book_pool`] | — | the Rust Book's `ThreadPool`: a shared `Mutex<Receiver>`, `Drop` that joins |
//! | 3 | [`http_workers`] | exemplo4 | N workers calling the slow API, jobs and results channels |
//!
//! Run any stage: `cargo run -p native-workers -- <stage> [--workers N] [--jobs N] [--url BASE] [--call-timeout-s S] [--json]`.
//!
//! # Hand-rolled vs pool-core
//!
//! Stage 3 and `exemplo6` make the same calls. The difference is in the job
//! function: with a pool it stays `api_worker(id)`; by hand it must take the
//! channels and run its own loop (see [`http_workers`]).
#![forbid(unsafe_code)]

pub mod basic;
pub mod book_pool;
pub mod http_workers;
