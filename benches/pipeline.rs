//! Benchmarks of each stage on synthetic stacks: `cargo bench`.
//! The figures and the machine are in docs/performance.md.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use flyx::source::Sources;

mod synth;

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

fn sources(n: usize) -> (Sources, flyx::source::FileId) {
    Sources::single(format!("synth-{n}.flyx"), synth::stack(n))
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sample_size(10);
    for n in SIZES {
        let (sources, file) = sources(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| flyx::syntax::parse(&sources, file).expect("parses"));
        });
    }
    group.finish();
}

fn lower(c: &mut Criterion) {
    let mut group = c.benchmark_group("lower");
    group.sample_size(10);
    for n in SIZES {
        let (sources, file) = sources(n);
        let ast = flyx::syntax::parse(&sources, file).expect("parses");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| flyx::lower::lower(&ast, file));
        });
    }
    group.finish();
}

fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for n in [10, 100, 1_000, 5_000, 10_000] {
        let (sources, file) = sources(n);
        let ast = flyx::syntax::parse(&sources, file).expect("parses");
        let (stack, _) = flyx::lower::lower(&ast, file);
        let stack = stack.expect("lowers");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter_batched(
                || stack.clone(),
                flyx::check::check,
                criterion::BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

fn whole_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("flyx_check");
    group.sample_size(10);
    for n in SIZES {
        let (sources, file) = sources(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| flyx::check(&sources, file));
        });
    }
    group.finish();
}

criterion_group!(benches, parse, lower, check, whole_check);
criterion_main!(benches);
