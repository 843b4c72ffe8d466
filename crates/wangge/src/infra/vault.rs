//! Personal data at rest: ID numbers and phones are sealed with authenticated encryption
//! (XChaCha20-Poly1305, a fresh random nonce per value, the field's name as associated data so
//! a sealed phone cannot pass for an ID number) and found again through a blind index (a keyed
//! HMAC-SHA256 of the normalized value), so exact-match lookups never need the plain value in
//! the database.
//!
//! The key never lives in the database: it comes from the configuration (`WANGGE_DATA_KEY`, 64
//! hex digits) or from the key file `keys/data.key` in the data directory, created with owner-only
//! permissions on first start. Losing the key loses the sealed values: back it up apart from the
//! database. Two keys are derived from it, one to seal and one to index.

use anyhow::{Context, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit as _, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, KeyInit as _, Mac};
use sha2::Sha256;
use std::path::{Path, PathBuf};

type HmacSha256 = Hmac<Sha256>;

/// The sealed form's version prefix: a later key rotation writes `v2.`.
const PREFIX: &str = "v1.";
const NONCE: usize = 24;

/// Which personal field a value is: it is bound into both the seal and the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// 身份证号.
    IdNumber,
    /// 电话.
    Phone,
    /// The last four characters of an ID number (searched, never stored in the clear: with
    /// the birth date beside them they would give most of the number away).
    IdTail,
    /// The last four digits of a phone.
    PhoneTail,
    /// The deployment's key check (see [`Vault::verify`]).
    Check,
    /// A public reporter's grant to their follow-up page after a lookup (a MAC, not a value).
    TrackGrant,
}

impl Field {
    fn tag(self) -> &'static [u8] {
        match self {
            Field::IdNumber => b"id_number",
            Field::Phone => b"phone",
            Field::IdTail => b"id_tail",
            Field::PhoneTail => b"phone_tail",
            Field::Check => b"key_check",
            Field::TrackGrant => b"track_grant",
        }
    }
}

/// The keys that seal and index personal data.
pub struct Vault {
    cipher: XChaCha20Poly1305,
    index_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

/// An HMAC under a 32-byte key. HMAC pads a short key with zeros to the hash's block, so
/// passing the padded block is the same function, and cannot fail.
fn mac(key: &[u8; 32]) -> HmacSha256 {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    HmacSha256::new(&block.into())
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = mac(master);
    mac.update(label);
    mac.finalize().into_bytes().into()
}

fn parse_hex_key(s: &str) -> anyhow::Result<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("数据密钥应为 64 位十六进制数字（32 字节）");
    }
    let mut key = [0u8; 32];
    for (i, k) in key.iter_mut().enumerate() {
        *k = u8::from_str_radix(&s[2 * i..2 * i + 2], 16)?;
    }
    Ok(key)
}

/// Where the key file lives in a data directory.
pub fn key_file(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("data.key")
}

impl Vault {
    /// A vault over a 32-byte master key.
    pub fn from_key(master: &[u8; 32]) -> Vault {
        let seal = derive(master, b"wangge/seal/v1");
        Vault {
            cipher: XChaCha20Poly1305::new(&Key::from(seal)),
            index_key: derive(master, b"wangge/blind-index/v1"),
        }
    }

    /// The vault of a deployment: the configured key if there is one, else the key file in the
    /// data directory, created (32 random bytes, hex, mode 0600) if it does not exist yet.
    pub fn load(data_dir: &Path, configured: Option<&str>) -> anyhow::Result<Vault> {
        if let Some(k) = configured.filter(|k| !k.trim().is_empty()) {
            return Ok(Vault::from_key(
                &parse_hex_key(k).context("WANGGE_DATA_KEY")?,
            ));
        }
        let path = key_file(data_dir);
        match std::fs::read_to_string(&path) {
            Ok(s) => {
                Ok(Vault::from_key(&parse_hex_key(&s).with_context(|| {
                    format!("密钥文件 {} 已损坏", path.display())
                })?))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key_file(&path),
            Err(e) => Err(e).with_context(|| format!("无法读取密钥文件 {}", path.display())),
        }
    }

    /// Seals a value: `v1.` and the URL-safe base64 of nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, field: Field, plain: &str) -> anyhow::Result<String> {
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).map_err(|e| anyhow!("no randomness: {e}"))?;
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: field.tag(),
                },
            )
            .map_err(|_| anyhow!("encryption failed"))?;
        let mut out = Vec::with_capacity(NONCE + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// Opens a sealed value; fails if it was sealed under another key or for another field,
    /// or was altered.
    pub fn unseal(&self, field: Field, sealed: &str) -> anyhow::Result<String> {
        let body = sealed
            .strip_prefix(PREFIX)
            .ok_or_else(|| anyhow!("unknown sealed-value version"))?;
        let raw = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| anyhow!("sealed value is not base64"))?;
        if raw.len() < NONCE + 16 {
            bail!("sealed value too short");
        }
        let (nonce, ct) = raw.split_at(NONCE);
        let nonce: [u8; NONCE] = nonce.try_into()?;
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ct,
                    aad: field.tag(),
                },
            )
            .map_err(|_| {
                anyhow!("sealed value does not open with this key (wrong key or altered)")
            })?;
        String::from_utf8(plain).map_err(|_| anyhow!("sealed value is not text"))
    }

    /// The masked form of a sealed ID number (`110101********1234`); a value that does not
    /// open shows as stars.
    pub fn masked_id(&self, sealed: &str) -> String {
        self.unseal(Field::IdNumber, sealed)
            .map_or_else(|_| "*".repeat(18), |v| wangge_core::people::mask_id(&v))
    }

    /// The masked form of a sealed phone (`138****5678`); empty for no phone, stars for a
    /// value that does not open.
    pub fn masked_phone(&self, sealed: &str) -> String {
        if sealed.is_empty() {
            return String::new();
        }
        self.unseal(Field::Phone, sealed)
            .map_or_else(|_| "****".into(), |v| wangge_core::people::mask_phone(&v))
    }

    /// The blind index of a normalized value: the first 64 bits of a keyed HMAC, as an
    /// integer. Equal values give equal indexes; without the key, an index tells nothing about
    /// the value. An integer key keeps the index small: a registry of a million people writes
    /// a quarter of the index pages a hex string would. Two different ID numbers share an index
    /// with a chance of about 1 in 37 million million at a million people (n² / 2⁶⁵).
    pub fn blind(&self, field: Field, normalized: &str) -> i64 {
        let mut mac = mac(&self.index_key);
        mac.update(field.tag());
        mac.update(&[0]);
        mac.update(normalized.as_bytes());
        let out = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&out[..8]);
        i64::from_be_bytes(first)
    }
}

/// The setting that holds a value sealed under the deployment's key.
const CHECK_SETTING: &str = "vault.key_check";
const CHECK_PLAIN: &str = "wangge";

impl Vault {
    /// Refuses a key other than the one the database's values were sealed with (a replaced key
    /// file, a mistyped `WANGGE_DATA_KEY`): every sealed ID number would fail to open. The
    /// first start with an empty database records a value sealed under this key.
    pub async fn verify(&self, db: &impl sea_orm::ConnectionTrait) -> anyhow::Result<()> {
        use crate::infra::settings as setting;
        use sea_orm::{ActiveModelTrait as _, EntityTrait as _, Set};
        match setting::Entity::find_by_id(CHECK_SETTING).one(db).await? {
            Some(r) => {
                if self.unseal(Field::Check, &r.value).ok().as_deref() != Some(CHECK_PLAIN) {
                    bail!(
                        "数据密钥与数据库不符：库中的身份证号和电话是用另一把密钥加密的。\
                         请恢复原来的密钥文件（keys/data.key）或 WANGGE_DATA_KEY"
                    );
                }
            }
            None => {
                setting::ActiveModel {
                    name: Set(CHECK_SETTING.into()),
                    value: Set(self.seal(Field::Check, CHECK_PLAIN)?),
                    updated_at: Set(crate::infra::clock::now_ms()),
                }
                .insert(db)
                .await?;
            }
        }
        Ok(())
    }
}

fn create_key_file(path: &Path) -> anyhow::Result<Vault> {
    let dir = path.parent().ok_or_else(|| anyhow!("bad key path"))?;
    std::fs::create_dir_all(dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| anyhow!("no randomness: {e}"))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(mut f) => {
            use std::io::Write;
            writeln!(f, "{}", crate::infra::tokens::hex(&key))
                .and_then(|()| f.sync_all())
                .with_context(|| format!("无法写入密钥文件 {}", path.display()))?;
            tracing::warn!(
                path = %path.display(),
                "created the data key for ID numbers and phones: back it up apart from the database"
            );
            Ok(Vault::from_key(&key))
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let s = std::fs::read_to_string(path)?;
            Ok(Vault::from_key(&parse_hex_key(&s)?))
        }
        Err(e) => Err(e).with_context(|| format!("无法创建密钥文件 {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_open_only_with_their_key_and_field() {
        let v = Vault::from_key(&[7; 32]);
        let id = "11010519491231002X";
        let a = v.seal(Field::IdNumber, id).expect("seal");
        let b = v.seal(Field::IdNumber, id).expect("seal");
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.contains(id) && !a.contains("1949"));
        assert_eq!(v.unseal(Field::IdNumber, &a).expect("open"), id);
        assert!(v.unseal(Field::Phone, &a).is_err(), "bound to its field");
        assert!(
            Vault::from_key(&[8; 32])
                .unseal(Field::IdNumber, &a)
                .is_err()
        );
        let mut bad = a.clone();
        bad.replace_range(10..11, if &a[10..11] == "A" { "B" } else { "A" });
        assert!(
            v.unseal(Field::IdNumber, &bad).is_err(),
            "tampering is caught"
        );
        assert!(v.unseal(Field::IdNumber, "plain").is_err());
    }

    #[test]
    fn blind_index_is_stable_keyed_and_field_bound() {
        let v = Vault::from_key(&[7; 32]);
        let x = v.blind(Field::Phone, "13800135678");
        assert_eq!(x, v.blind(Field::Phone, "13800135678"));
        assert_ne!(x, v.blind(Field::IdNumber, "13800135678"));
        assert_ne!(
            x,
            Vault::from_key(&[8; 32]).blind(Field::Phone, "13800135678")
        );
    }

    #[test]
    fn the_padded_key_is_the_same_hmac() {
        let key = [9u8; 32];
        let mut short = HmacSha256::new_from_slice(&key).expect("any length");
        let mut padded = mac(&key);
        short.update(b"x");
        padded.update(b"x");
        assert_eq!(
            short.finalize().into_bytes(),
            padded.finalize().into_bytes()
        );
    }

    #[test]
    fn key_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let v1 = Vault::load(dir.path(), None).expect("create");
        let sealed = v1.seal(Field::Phone, "13800135678").expect("seal");
        let v2 = Vault::load(dir.path(), None).expect("reopen");
        assert_eq!(
            v2.unseal(Field::Phone, &sealed).expect("same key"),
            "13800135678"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(key_file(dir.path()))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "owner only");
        }
        let configured = "ab".repeat(32);
        let v3 = Vault::load(dir.path(), Some(&configured)).expect("configured");
        assert!(
            v3.unseal(Field::Phone, &sealed).is_err(),
            "the configured key wins"
        );
        let e = Vault::load(dir.path(), Some("1234")).expect_err("short key");
        assert!(format!("{e:#}").contains("64 位"));
    }
}
