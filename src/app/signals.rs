//! Ctrl-C and SIGTERM: the first asks the run to stop and clean up, the second exits at once.

use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio_util::sync::CancellationToken;

/// Watches for SIGINT and SIGTERM in the background; returns the token the first one cancels.
pub fn install() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        let mut term = signal(SignalKind::terminate()).ok();
        next_signal(&mut term).await;
        eprintln!(
            "\ninterrupted: removing containers and restoring images (press Ctrl-C again to quit at once)"
        );
        cancel.cancel();
        next_signal(&mut term).await;
        eprintln!("interrupted twice: exiting now; `imagebench clean` removes what is left");
        std::process::exit(130);
    });
    token
}

/// Waits for the next SIGINT or SIGTERM.
async fn next_signal(term: &mut Option<Signal>) {
    match term {
        Some(t) => tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = t.recv() => {},
        },
        None => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
