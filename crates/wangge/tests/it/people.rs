//! The people registry: personal data sealed at rest.

use crate::support::TestApp;
use wangge::people::vault::{Field, key_file};

#[tokio::test]
async fn the_data_key_is_made_on_first_start_private_and_kept() {
    let app = TestApp::spawn().await;
    let path = key_file(app.data_dir());
    let key = std::fs::read_to_string(&path).expect("the first start writes the key file");
    assert_eq!(key.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o077, 0, "only the owner may read the key");
    }
    let sealed = app
        .state
        .vault
        .seal(Field::IdNumber, "11010519491231002X")
        .expect("seal");
    // A second server on the same data directory uses the same key.
    app.restart().await;
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), key);
    let again = wangge::people::vault::Vault::load(app.data_dir(), None).expect("load");
    assert_eq!(
        again.unseal(Field::IdNumber, &sealed).expect("opens"),
        "11010519491231002X"
    );
    assert_eq!(
        again.blind(Field::IdNumber, "11010519491231002X"),
        app.state.vault.blind(Field::IdNumber, "11010519491231002X")
    );
}
