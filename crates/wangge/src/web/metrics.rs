//! Prometheus metrics, written by hand: request counts and durations by route and status.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// (method, route, status) → (count, seconds).
type Table = BTreeMap<(String, String, u16), (u64, f64)>;

/// Counters kept by this process.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<Table>,
    /// When the database last took a write probe (ms), and whether it did.
    probe: Mutex<Option<(i64, bool)>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        if let Ok(mut m) = self.requests.lock() {
            let e = m
                .entry((method.to_owned(), route.to_owned(), status))
                .or_default();
            e.0 += 1;
            e.1 += secs;
        }
    }

    /// Whether the database takes writes: a small real write (see `db::health_write`), made at
    /// most every two seconds whoever asks, the answer kept in between.
    pub async fn writable(&self, db: &sea_orm::DatabaseConnection) -> bool {
        let now = crate::infra::clock::now_ms();
        if let Ok(guard) = self.probe.lock()
            && let Some((at, ok)) = *guard
            && now - at < 2_000
        {
            return ok;
        }
        let ok = match crate::infra::db::health_write(db).await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "health check: the database does not take writes");
                false
            }
        };
        if let Ok(mut guard) = self.probe.lock() {
            *guard = Some((now, ok));
        }
        ok
    }

    /// The text exposition format.
    pub fn render(&self, db_up: bool, writable: bool) -> String {
        let mut out = String::new();
        out.push_str("# HELP wangge_up Whether the database answers (1) or not (0).\n# TYPE wangge_up gauge\n");
        let _ = writeln!(out, "wangge_up {}", u8::from(db_up));
        out.push_str("# HELP wangge_db_writable Whether the database takes writes (1) or not (0: full disk, read-only).\n# TYPE wangge_db_writable gauge\n");
        let _ = writeln!(out, "wangge_db_writable {}", u8::from(writable));
        out.push_str("# HELP wangge_http_requests_total HTTP requests by method, route and status.\n# TYPE wangge_http_requests_total counter\n");
        let snapshot = self.requests.lock().map(|m| m.clone()).unwrap_or_default();
        for ((m, r, s), (n, _)) in &snapshot {
            let _ = writeln!(
                out,
                "wangge_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{s}\"}} {n}"
            );
        }
        out.push_str("# HELP wangge_http_request_seconds_sum Time spent serving requests.\n# TYPE wangge_http_request_seconds_sum counter\n");
        for ((m, r, s), (_, secs)) in &snapshot {
            let _ = writeln!(
                out,
                "wangge_http_request_seconds_sum{{method=\"{m}\",route=\"{r}\",status=\"{s}\"}} {secs:.6}"
            );
        }
        out
    }
}

/// Counts every request under its route template (never the raw path, which holds ids).
pub async fn middleware(State(st): State<crate::web::Base>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let resp = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    st.metrics
        .observe(&method, &route, resp.status().as_u16(), secs);
    tracing::debug!(
        method,
        route,
        status = resp.status().as_u16(),
        ms = secs * 1000.0,
        "request"
    );
    resp
}
