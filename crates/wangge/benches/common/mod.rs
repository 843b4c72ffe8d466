//! What the benchmarks share: their flags, a client of the real server's API, and latency
//! figures printed one way.

use reqwest::Client;
use serde_json::{Value, json};
use std::time::Instant;

/// The demo accounts' password.
pub const PW: &str = "wangge-demo";

/// The command line's flags (`--rows 1_000_000`, `--keep`).
pub struct Flags(Vec<String>);

impl Flags {
    pub fn from_env() -> Flags {
        Flags(std::env::args().collect())
    }

    /// The number after `name`, if given and a number (underscores allowed).
    pub fn num(&self, name: &str) -> Option<u64> {
        let i = self.0.iter().position(|f| f == name)?;
        self.0.get(i + 1)?.replace('_', "").parse().ok()
    }

    /// The text after `name`, if given (the case loop's `--postgres URL`; each bench compiles
    /// this module on its own, and the people bench has no text flag).
    #[allow(dead_code)]
    pub fn text(&self, name: &str) -> Option<String> {
        let i = self.0.iter().position(|f| f == name)?;
        self.0.get(i + 1).cloned()
    }

    /// Whether `name` is given.
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|f| f == name)
    }
}

/// The heading line: what runs, on which database, on how many cores.
pub fn heading(what: &str, database: &str) {
    println!(
        "wangge {what} benchmark — {database}, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
}

/// A client of the server's JSON API.
pub struct Api {
    pub client: Client,
    pub base: String,
}

impl Api {
    /// Logs a demo account in; answers its bearer token.
    pub async fn token(&self, user: &str) -> anyhow::Result<String> {
        let v: Value = self
            .client
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"username": user, "password": PW}))
            .send()
            .await?
            .json()
            .await?;
        v["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("login {user}: {v}"))
    }

    /// One GET: (milliseconds, body); an error status is an error.
    pub async fn get(&self, token: &str, path: &str) -> anyhow::Result<(f64, Value)> {
        let t = Instant::now();
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await?;
        let ok = r.status().is_success();
        let v: Value = r.json().await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        anyhow::ensure!(ok, "GET {path}: {v}");
        Ok((ms, v))
    }

    /// Times `samples` sequential GETs after five warm-ups: (milliseconds, the last body).
    pub async fn time(
        &self,
        token: &str,
        path: &str,
        samples: usize,
    ) -> anyhow::Result<(Vec<f64>, Value)> {
        let mut last = Value::Null;
        for _ in 0..5 {
            last = self.get(token, path).await?.1;
        }
        let mut ms = Vec::with_capacity(samples);
        for _ in 0..samples {
            ms.push(self.get(token, path).await?.0);
        }
        Ok((ms, last))
    }
}

/// Latency summary of one measured query.
pub struct Figures {
    pub name: String,
    pub n: usize,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

pub fn summarize(name: &str, mut ms: Vec<f64>) -> Figures {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| {
        ms.get(((ms.len() as f64 * q).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(0.0)
    };
    Figures {
        name: name.to_owned(),
        n: ms.len(),
        p50: at(0.50),
        p99: at(0.99),
        max: ms.last().copied().unwrap_or(0.0),
    }
}

/// One line per query, with its verdict against a p99 target.
pub fn print(f: &Figures, target: Option<f64>) {
    let verdict = match target {
        Some(t) if f.p99 < t => format!("目标 p99 < {t} ms ✓"),
        Some(t) => format!("目标 p99 < {t} ms ✗"),
        None => String::new(),
    };
    println!(
        "  {:<44} n={:<5} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  {verdict}",
        f.name, f.n, f.p50, f.p99, f.max
    );
}
