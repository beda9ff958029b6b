//! Benchmarks of each stage, and of the whole `flyx check` and `flyx build`
//! in memory, on synthetic stacks of 10 to 10,000 services: `cargo bench`.
//! The figures and the machine are in docs/performance.md; `benches/cli.sh`
//! times the installed binary, disk included.

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

fn emit(c: &mut Criterion) {
    let mut group = c.benchmark_group("emit");
    group.sample_size(10);
    for n in SIZES {
        let (sources, file) = sources(n);
        let topology = flyx::check(&sources, file).topology.expect("checks");
        let options = flyx::emit::EmitOptions::beside(format!("synth-{n}.flyx"));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| flyx::emit::emit(&topology, &options).expect("emits"));
        });
    }
    group.finish();
}

/// `flyx build` without the disk: check, then emit every file.
fn whole_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("flyx_build");
    group.sample_size(10);
    for n in SIZES {
        let (sources, file) = sources(n);
        let options = flyx::emit::EmitOptions::beside(format!("synth-{n}.flyx"));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                let topology = flyx::check(&sources, file).topology.expect("checks");
                flyx::emit::emit(&topology, &options).expect("emits")
            });
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

criterion_group!(benches, parse, lower, check, emit, whole_check, whole_build);
criterion_main!(benches);
