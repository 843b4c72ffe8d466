//! Argon2id password hashing, off the async runtime.

use anyhow::anyhow;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// A valid hash of a random string, verified against when the user does not exist so that
/// an unknown username takes as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$xj5dLG2WIGDzhd4OTmkmL10JBnOC6NCb4zj2PM3tSo0";

/// Hashes a password (Argon2id, default parameters, random salt).
pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow!("hashing a password failed: {e}"))
}

/// Hashes a password on the blocking pool.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

/// Checks a password against a stored hash; `None` checks against a dummy to keep timing flat.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow!("bad stored hash: {e}"))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && ok)
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_fail() {
        let h = hash("secret-pass1".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify("secret-pass1".into(), Some(h.clone()))
                .await
                .expect("verify")
        );
        assert!(!verify("wrong-pass1".into(), Some(h)).await.expect("verify"));
        assert!(
            !verify("anything1".into(), None)
                .await
                .expect("dummy parses")
        );
    }
}
