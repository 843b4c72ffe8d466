//! Configuration: command-line flags, `WANGGE_*` environment variables and an optional TOML
//! file, in that order of precedence.

use anyhow::Context;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// How long a request body may pause between two pieces before it is given up (the default).
pub const BODY_IDLE: std::time::Duration = std::time::Duration::from_secs(30);

/// The running configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Where the SQLite file and uploaded files live.
    pub data_dir: PathBuf,
    /// The database URL.
    pub database_url: String,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// The address people reach the platform at (`https://wangge.example.gov.cn`), for links
    /// and QR codes given out (a public report's follow-up link); without it, the request's
    /// own host is used.
    pub public_url: Option<String>,
    /// Show the demo accounts' hint on the login page (`wangge demo` only).
    pub demo_hint: bool,
    /// How long a request body may pause between two pieces (see [`BODY_IDLE`]).
    pub body_idle: std::time::Duration,
    /// Scheduled backups (`serve --backup-dir`): where, how often, how many kept.
    pub backups: Option<Backups>,
    /// Pressing slow cases (`[pressing]` in the file).
    pub pressing: wangge_core::press::Rules,
    /// The three rates' weights (`[rates]` in the file).
    pub rates: wangge_core::rates::Weights,
    /// The key that seals ID numbers and phones (`WANGGE_DATA_KEY` or `data_key`, 64 hex
    /// digits); without one, the key file in the data directory (see `people::vault`).
    pub data_key: Option<DataKey>,
}

/// Where and how often `serve` backs the database up (SQLite).
#[derive(Clone, Debug)]
pub struct Backups {
    /// The directory the copies go to.
    pub dir: PathBuf,
    /// Time between two.
    pub every: std::time::Duration,
    /// How many are kept (the newest).
    pub keep: usize,
}

/// A configured data key; it never prints itself.
#[derive(Clone)]
pub struct DataKey(pub String);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl Config {
    /// The weights the three rates are computed with.
    pub fn rate_weights(&self) -> wangge_core::rates::Weights {
        self.rates
    }
}

/// `[pressing]`: see [`wangge_core::press::Rules`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PressingFile {
    /// Remind at this share of the handling time used.
    pub yellow_at: Option<f64>,
    /// 催办 after this many working days overdue.
    pub urge_after_days: Option<u32>,
    /// Automatic 督办 after this many working days overdue.
    pub supervise_after_days: Option<u32>,
    /// Seconds between runs.
    pub interval_secs: Option<u64>,
}

/// `[rates]`: the weights of the three rates, versioned.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatesFile {
    /// Raise it whenever the weights change, so published figures say how they were computed.
    pub version: Option<u32>,
    /// How much a 基本满意 counts in the satisfaction rate (0.9).
    pub basic_discount: Option<f64>,
}

/// The optional config file's fields; every one may be left out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// See [`Config::listen`].
    pub listen: Option<String>,
    /// See [`Config::data_dir`].
    pub data_dir: Option<PathBuf>,
    /// See [`Config::database_url`].
    pub database_url: Option<String>,
    /// See [`Config::secure_cookies`].
    pub secure_cookies: Option<bool>,
    /// See [`Config::public_url`] (the environment's `WANGGE_PUBLIC_URL` wins).
    pub public_url: Option<String>,
    /// See [`Config::data_key`] (the environment's `WANGGE_DATA_KEY` wins).
    pub data_key: Option<String>,
    /// See [`Config::pressing`].
    #[serde(default)]
    pub pressing: PressingFile,
    /// See [`Config::rates`].
    #[serde(default)]
    pub rates: RatesFile,
}

impl FileConfig {
    /// Reads a TOML file.
    pub fn read(path: &Path) -> anyhow::Result<FileConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("无法读取配置文件 {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("配置文件 {} 格式错误", path.display()))
    }
}

impl Config {
    /// A server on a free loopback port over this data directory and database, every other
    /// setting at its default (tests and benchmarks).
    pub fn local(data_dir: &Path, database_url: &str) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.to_path_buf(),
            database_url: database_url.to_owned(),
            secure_cookies: false,
            public_url: None,
            demo_hint: false,
            body_idle: BODY_IDLE,
            backups: None,
            pressing: Default::default(),
            rates: Default::default(),
            data_key: None,
        }
    }
}

/// The default SQLite URL for a data dir.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("wangge.db").display())
}

impl Config {
    /// Merges flags (already merged with the environment by clap) over the file.
    pub fn resolve(
        file: FileConfig,
        listen: Option<String>,
        data_dir: Option<PathBuf>,
        database_url: Option<String>,
    ) -> anyhow::Result<Config> {
        let listen = listen
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen: SocketAddr = listen
            .parse()
            .with_context(|| format!("监听地址格式错误：{listen}（应如 127.0.0.1:8080）"))?;
        let data_dir = data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = database_url
            .or(file.database_url)
            .unwrap_or_else(|| sqlite_url(&data_dir));
        crate::infra::db::backend_of(&database_url)?;
        let d = wangge_core::press::Rules::default();
        let p = &file.pressing;
        let pressing = wangge_core::press::Rules {
            yellow_at: p.yellow_at.unwrap_or(d.yellow_at),
            urge_after_days: p.urge_after_days.unwrap_or(d.urge_after_days),
            supervise_after_days: p.supervise_after_days.unwrap_or(d.supervise_after_days),
            interval_secs: p.interval_secs.unwrap_or(d.interval_secs),
        };
        if !(0.1..=1.0).contains(&pressing.yellow_at) {
            anyhow::bail!("配置 pressing.yellow_at 应在 0.1 到 1 之间");
        }
        let w = wangge_core::rates::Weights::default();
        let rates = wangge_core::rates::Weights {
            version: file.rates.version.unwrap_or(w.version),
            basic_discount: file.rates.basic_discount.unwrap_or(w.basic_discount),
        };
        if !(0.0..=1.0).contains(&rates.basic_discount) {
            anyhow::bail!("配置 rates.basic_discount 应在 0 到 1 之间");
        }
        let public_url = std::env::var("WANGGE_PUBLIC_URL")
            .ok()
            .or(file.public_url)
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .filter(|u| !u.is_empty());
        if let Some(u) = &public_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            anyhow::bail!("配置 public_url 应以 https:// 或 http:// 开头：{u}");
        }
        Ok(Config {
            public_url,
            pressing,
            rates,
            listen,
            data_dir,
            database_url,
            secure_cookies: file.secure_cookies.unwrap_or(false),
            demo_hint: false,
            body_idle: BODY_IDLE,
            backups: None,
            data_key: std::env::var("WANGGE_DATA_KEY")
                .ok()
                .or(file.data_key)
                .filter(|k| !k.trim().is_empty())
                .map(DataKey),
        })
    }
}
