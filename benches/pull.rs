//! Cold pull of the `static` demo pair from the managed local registry: each iteration
//! makes every demo image absent (untimed, as a cold sample does, since the fat images
//! share their base layer), then pulls and starts the image (timed). The user's tags are
//! put back at the end.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use imagebench::bench::images::ImageSet;
use imagebench::bench::sample::{Mode, Variant};
use imagebench::registry::managed::{cache_dir, ManagedRegistry};
use std::time::Duration;

fn pull(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (engine, scenario) = match rt.block_on(common::setup()) {
        Ok(x) => x,
        Err(reason) => {
            println!("pull benches skipped: {reason}");
            return;
        }
    };
    let registry = match rt.block_on(ManagedRegistry::start(&cache_dir().join("registry"))) {
        Ok(r) => r,
        Err(e) => {
            println!("pull benches skipped: {e}");
            return;
        }
    };
    let mut images = ImageSet::new(&scenario, Some(&registry.host()));
    rt.block_on(async {
        images.save_tags(&engine).await.unwrap();
        images.push_all(&engine, |m| println!("{m}")).await.unwrap();
    });
    let (index, pair) = scenario
        .pairs
        .iter()
        .enumerate()
        .find(|(_, p)| p.name == "static")
        .expect("static pair");
    let mut group = c.benchmark_group("pull");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for variant in Variant::ALL {
        let remote = images.get(index, variant).run_ref.clone();
        group.bench_function(format!("static/{variant}"), |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let (engine, pair, remote, images) =
                    (engine.clone(), pair.clone(), remote.clone(), &images);
                async move {
                    let mut total = Duration::ZERO;
                    for n in 0..iters {
                        images.make_cold(&engine).await.unwrap();
                        let spec = common::spec(&pair, &remote, n);
                        let m = common::sample(&engine, &pair, &spec, Mode::Cold).await;
                        total += common::measured(&m);
                    }
                    total
                }
            })
        });
    }
    group.finish();
    rt.block_on(async {
        for problem in images.restore(&engine).await {
            println!("warning: {problem}");
        }
        registry.stop().await;
    });
}

criterion_group!(benches, pull);
criterion_main!(benches);
