//! The `wangge` command line: first administrator, passwords, import, clear errors.

use std::process::{Command, Output};

fn wangge(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wangge"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("WANGGE_DATABASE_URL")
        .env("WANGGE_LOG", "warn")
        .output()
        .expect("run wangge")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_first_administrator_and_the_tree_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let o = wangge(d, &["user", "add", "--username", "boss", "--role", "admin"]);
    assert!(!o.status.success(), "no node, no account");
    assert!(text(&o).contains("--root-name"), "{}", text(&o));

    let o = wangge(
        d,
        &[
            "user",
            "add",
            "--username",
            "boss",
            "--role",
            "admin",
            "--name",
            "区管理员",
            "--root-name",
            "示范区",
            "--root-code",
            "330106",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("初始密码"),
        "a random password is printed once: {out}"
    );

    let csv = d.join("tree.csv");
    std::fs::write(&csv, "编码,名称,层级,上级编码\n330106001,示范街道,街道,330106\n330106001001,示范社区,社区,330106001\n33010600100101,示范社区第一网格,网格,330106001001\n").expect("write");
    let o = wangge(d, &["org", "import", csv.to_str().expect("path")]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("新增 3"), "{}", text(&o));
    let o = wangge(d, &["org", "import", csv.to_str().expect("path")]);
    assert!(
        text(&o).contains("未变 3"),
        "importing twice changes nothing: {}",
        text(&o)
    );

    let bad = d.join("bad.csv");
    std::fs::write(&bad, "编码,名称,层级,上级编码\n3301060010010101,1幢,楼栋,33010600100101\n,无编码,网格,330106001001\n").expect("write");
    let o = wangge(d, &["org", "import", bad.to_str().expect("path")]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("第 3 行") && text(&o).contains("整个文件未导入"),
        "{}",
        text(&o)
    );

    let o = wangge(
        d,
        &[
            "user",
            "add",
            "--username",
            "wgy1",
            "--role",
            "grid_worker",
            "--org",
            "33010600100101",
            "--password",
            "grid-2026",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = wangge(d, &["user", "passwd", "wgy1", "--password", "abc"]);
    assert!(
        !o.status.success() && text(&o).contains("8 位"),
        "{}",
        text(&o)
    );
    let o = wangge(d, &["user", "passwd", "wgy1", "--password", "grid-2027"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = wangge(d, &["user", "disable", "wgy1"]);
    assert!(
        o.status.success() && text(&o).contains("已禁用"),
        "{}",
        text(&o)
    );
    let o = wangge(d, &["user", "disable", "nobody"]);
    assert!(!o.status.success() && text(&o).contains("没有账号"));
}

#[test]
fn bad_urls_and_files_get_clear_messages() {
    let dir = tempfile::tempdir().expect("dir");
    let o = wangge(
        dir.path(),
        &["migrate", "--database-url", "mysql://localhost/x"],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("数据库地址无法识别"), "{}", text(&o));
    let o = wangge(dir.path(), &["org", "import", "/no/such/file.csv"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("无法读取文件"), "{}", text(&o));
    let o = wangge(dir.path(), &["serve", "--listen", "not-an-address"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("监听地址格式错误"), "{}", text(&o));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let o = wangge(dir.path(), &["serve", "--listen", &addr]);
    assert!(!o.status.success());
    assert!(text(&o).contains("端口被占用"), "{}", text(&o));
    assert!(
        text(&o).contains("wangge user add"),
        "an empty database says how to begin: {}",
        text(&o)
    );
}
