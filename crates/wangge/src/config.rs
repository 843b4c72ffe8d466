//! Configuration: command-line flags, `WANGGE_*` environment variables and an optional TOML
//! file, in that order of precedence.

use anyhow::Context;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

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
    /// Show the demo accounts' hint on the login page (`wangge demo` only).
    pub demo_hint: bool,
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
}

impl FileConfig {
    /// Reads a TOML file.
    pub fn read(path: &Path) -> anyhow::Result<FileConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("无法读取配置文件 {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("配置文件 {} 格式错误", path.display()))
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
        crate::db::backend_of(&database_url)?;
        Ok(Config {
            listen,
            data_dir,
            database_url,
            secure_cookies: file.secure_cookies.unwrap_or(false),
            demo_hint: false,
        })
    }
}
