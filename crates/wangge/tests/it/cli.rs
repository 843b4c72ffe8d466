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

#[test]
fn a_population_ledger_imports_from_the_command_line_with_a_report_of_rejected_rows() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let o = wangge(
        d,
        &[
            "user",
            "add",
            "--username",
            "boss",
            "--role",
            "admin",
            "--root-name",
            "示范区",
            "--root-code",
            "330106",
            "--password",
            "boss-2026x",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let tree = d.join("tree.csv");
    std::fs::write(&tree, "编码,名称,层级,上级编码\n330106001,示范街道,街道,330106\n330106001001,示范社区,社区,330106001\n33010600100101,第一网格,网格,330106001001\n3301060010010101,1幢,楼栋,33010600100101\n").expect("write");
    assert!(
        wangge(d, &["org", "import", tree.to_str().expect("path")])
            .status
            .success()
    );

    let birth = chrono::NaiveDate::from_ymd_opt(1961, 4, 5).expect("date");
    let good = wangge_core::people::make_id("330106", birth, 123)
        .expose()
        .to_owned();
    let bad = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('0') { '1' } else { '0' }
    );
    let ledger = d.join("台账.csv");
    std::fs::write(
        &ledger,
        format!("楼栋,房号,与户主关系,姓名,公民身份号码,联系电话,标签\n1幢,101,户主,陈国强,{good},13912340000,退役军人\n1幢,102,户主,林小红,{bad},,\n"),
    )
    .expect("write");
    let o = wangge(d, &["import", "residents", ledger.to_str().expect("path")]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("读取 2 行：新增 1，更新 0，未变 0，退回 1"),
        "{out}"
    );
    assert!(
        !out.contains(&good) && !out.contains(&bad) && !out.contains("13912340000"),
        "no personal data in the output: {out}"
    );
    let report = d.join("台账.rejected.xlsx");
    let rows = wangge::web::xlsx::read_rows(
        &std::fs::read(&report).expect("the rejected rows are written next to the file"),
    )
    .expect("xlsx");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][0], "3");
    assert!(rows[1][1].contains("校验"), "{rows:?}");
    assert_eq!(rows[1][5], "林小红");

    let o = wangge(d, &["import", "residents", ledger.to_str().expect("path")]);
    assert!(
        text(&o).contains("新增 0，更新 0，未变 1，退回 1"),
        "{}",
        text(&o)
    );

    // Another key would not open what is stored: refused before anything is written.
    let o = Command::new(env!("CARGO_BIN_EXE_wangge"))
        .args([
            "import",
            "residents",
            ledger.to_str().expect("path"),
            "--data-dir",
        ])
        .arg(d)
        .env_remove("WANGGE_DATABASE_URL")
        .env("WANGGE_DATA_KEY", "ab".repeat(32))
        .output()
        .expect("run");
    assert!(!o.status.success());
    assert!(text(&o).contains("数据密钥与数据库不符"), "{}", text(&o));
    let o = wangge(d, &["import", "residents", "/no/such/ledger.xlsx"]);
    assert!(
        !o.status.success() && text(&o).contains("找不到文件"),
        "{}",
        text(&o)
    );
}
