//! `rampart serve`: the engine as a Kubernetes admission webhook over HTTPS (HTTP/1.1 and
//! HTTP/2, TLS 1.2 and up), with policy and certificate files watched and swapped in when they
//! change, Prometheus metrics under Kyverno's names, structured logs, bounded work, and a
//! graceful drain on SIGTERM. See `spec/serve.md`.

mod handler;
mod metrics;
mod state;
mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE, Output};
use handler::{Limits, Server};

/// Flags of `rampart serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Policy and PolicyException files or directories (`stdlib:` paths too), comma-separated
    /// or repeated.
    #[arg(long = "policies", value_delimiter = ',', required = true)]
    pub policies: Vec<String>,
    /// The serving certificate (PEM; the chain may follow it).
    #[arg(long)]
    pub tls_cert: PathBuf,
    /// The serving certificate's private key (PEM).
    #[arg(long)]
    pub tls_key: PathBuf,
    /// Address and port to listen on.
    #[arg(long, default_value = "0.0.0.0:9443")]
    pub listen: SocketAddr,
    /// Files of Namespace objects whose labels `namespaceSelector` and `/psa` read.
    #[arg(long, value_delimiter = ',')]
    pub namespaces: Vec<String>,
    /// `/psa` denies pod controllers (Deployments, ...) whose Pod template would be denied;
    /// Pod Security Admission itself only warns.
    #[arg(long)]
    pub enforce_controllers: bool,
    /// The webhook's `timeoutSeconds`: a request still waiting for its evaluation at 90% of it
    /// is answered by the failure policy.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=30))]
    pub timeout_seconds: u64,
    /// What an evaluation that cannot finish answers: `Fail` denies, `Ignore` admits.
    #[arg(long, default_value = "Fail", value_parser = ["Fail", "Ignore"])]
    pub failure_policy: String,
    /// Requests answered at once; more get 503.
    #[arg(long, default_value_t = 512)]
    pub max_in_flight: usize,
    /// How often policy and certificate files are checked for changes, in seconds.
    #[arg(long, default_value_t = 2)]
    pub reload_interval_seconds: u64,
    /// How long a SIGTERM waits for requests in flight, in seconds.
    #[arg(long, default_value_t = 20)]
    pub drain_seconds: u64,
    /// For load tests only: answer every admission route with a fixed allowed review, without
    /// evaluating anything (the ceiling of this server stack on the machine).
    #[arg(long, hide = true)]
    pub fixed_response: bool,
    /// Log format: `text` or `json`.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
}

/// Runs `serve` until SIGTERM or SIGINT.
pub fn run(args: &ServeArgs, out: &mut Output) -> i32 {
    init_logs(&args.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            out.err(&format!("Error: cannot start the runtime ({e})\n"));
            return EXIT_FAIL;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            out.err(&format!("Error: {e}\n"));
            EXIT_USAGE
        }
    }
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RAMPART_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && !no_color);
    let _ = match format {
        "json" => builder.json().try_init(),
        _ => builder.try_init(),
    };
}

async fn serve(args: &ServeArgs) -> Result<(), String> {
    let live = state::Live::new(state::Inputs {
        policies: args.policies.clone(),
        namespaces: args.namespaces.clone(),
        enforce_controllers: args.enforce_controllers,
    });
    let generation = live.load()?;
    let certificate = Arc::new(tls::Certificate::load(&args.tls_cert, &args.tls_key)?);
    let acceptor = TlsAcceptor::from(Arc::new(tls::server_config(Arc::clone(&certificate))?));
    let server = Arc::new(Server {
        live,
        metrics: metrics::Metrics::default(),
        limits: Limits {
            max_body: 3 << 20,
            body_timeout: Duration::from_secs(10),
            deadline: Duration::from_millis(args.timeout_seconds * 900),
            fail_closed: args.failure_policy == "Fail",
        },
        in_flight: Semaphore::new(args.max_in_flight.max(1)),
        fixed_response: args.fixed_response,
    });
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%address, generation, policies = ?args.policies, "serving");
    tokio::spawn(watch(
        Arc::clone(&server),
        certificate,
        Duration::from_secs(args.reload_interval_seconds.max(1)),
    ));
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10));
    builder.http2().timer(TokioTimer::new());
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let acceptor = acceptor.clone();
                let server = Arc::clone(&server);
                let builder = builder.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    };
                    let service = service_fn(move |request| handler::handle(Arc::clone(&server), request));
                    let connection = builder.serve_connection(TokioIo::new(tls), service);
                    if let Err(e) = watcher.watch(connection.into_owned()).await {
                        tracing::debug!(%peer, error = %e, "connection ended");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!("draining connections");
    let drain = Duration::from_secs(args.drain_seconds);
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the drain period; stopping");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Checks the policy and certificate files every `interval` and reloads what changed.
async fn watch(server: Arc<Server>, certificate: Arc<tls::Certificate>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        ticks.tick().await;
        let live = Arc::clone(&server);
        let reloaded =
            tokio::task::spawn_blocking(move || live.live.changed().then(|| live.live.load()))
                .await
                .ok()
                .flatten();
        match reloaded {
            Some(Ok(generation)) => tracing::info!(generation, "policies reloaded"),
            Some(Err(error)) => {
                tracing::error!(%error, "policies not reloaded; the previous ones stay in force")
            }
            None => {}
        }
        match certificate.reload_if_changed() {
            Some(Ok(())) => tracing::info!("serving certificate reloaded"),
            Some(Err(error)) => {
                tracing::error!(%error, "serving certificate not reloaded; the previous one stays in force")
            }
            None => {}
        }
    }
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
