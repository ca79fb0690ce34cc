//! Helpers shared by the integration tests and the benchmark.

pub(crate) mod bench_set;
pub(crate) mod f1;
