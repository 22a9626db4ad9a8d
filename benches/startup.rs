//! Warm time-to-ready of each demo image through the library's runner code, so criterion's
//! change detection tracks it. Create-to-ready is timed; container removal is not.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use imagebench::bench::sample::{Mode, Variant};
use std::time::Duration;

fn startup(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (engine, scenario) = match rt.block_on(common::setup()) {
        Ok(x) => x,
        Err(reason) => {
            println!("startup benches skipped: {reason}");
            return;
        }
    };
    let mut group = c.benchmark_group("startup");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for pair in &scenario.pairs {
        for variant in Variant::ALL {
            let image = pair.image(variant).image.to_string();
            let id = format!("{}/{variant}", pair.name);
            group.bench_function(id, |b| {
                b.to_async(&rt).iter_custom(|iters| {
                    let (engine, pair, image) = (engine.clone(), pair.clone(), image.clone());
                    async move {
                        let mut total = Duration::ZERO;
                        for n in 0..iters {
                            let spec = common::spec(&pair, &image, n);
                            total += common::measured(
                                &common::sample(&engine, &pair, &spec, Mode::Warm).await,
                            );
                        }
                        total
                    }
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, startup);
criterion_main!(benches);
