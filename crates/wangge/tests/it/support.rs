//! The test application and its helpers.

use reqwest::{Client, Method, Response, StatusCode, header};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::Value;
use std::net::SocketAddr;
use wangge::infra::config::Config;

/// The demo password every demo account has in tests.
pub const PW: &str = "wangge-demo";

/// The states of a case still open (not closed, rejected, withdrawn or merged), written out
/// here for the recounts, apart from the code's own list.
pub const OPEN_STATUSES: [&str; 6] = [
    "reported",
    "accepted",
    "dispatched",
    "handling",
    "fed_back",
    "verified",
];

/// A running application on a fresh database with the demo street.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The running server's state (for jobs a test runs at a chosen time).
    pub state: wangge::AppState,
    pub client: Client,
    pub db: DatabaseConnection,
    pub url: String,
    pub schema: Option<String>,
    tweak: fn(&mut Config),
    _dir: tempfile::TempDir,
}

fn new_client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// A fresh, migrated database: (url, schema).
pub async fn fresh_db(dir: &std::path::Path) -> (String, Option<String>, DatabaseConnection) {
    match std::env::var("WANGGE_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = format!(
                "t_{}",
                &wangge::infra::tokens::random_token().expect("random")[..16]
            );
            let admin = wangge::infra::db::connect(&url, None)
                .await
                .expect("connect to PostgreSQL");
            admin
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .expect("create schema");
            admin.close().await.ok();
            let db = wangge::infra::db::connect(&url, Some(&schema))
                .await
                .expect("connect to schema");
            (url, Some(schema), db)
        }
        _ => {
            let url = wangge::infra::config::sqlite_url(dir);
            let db = wangge::infra::db::connect(&url, None)
                .await
                .expect("open SQLite");
            (url, None, db)
        }
    }
}

impl TestApp {
    /// Starts the app on the seeded demo street.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the app on the seeded demo street with a setting changed (a short timeout…).
    pub async fn spawn_with(tweak: fn(&mut Config)) -> TestApp {
        Self::spawn_in(tempfile::tempdir().expect("temp dir"), tweak).await
    }

    /// Starts the app with its data directory (and, on SQLite, its database) in `dir`.
    pub async fn spawn_in(dir: tempfile::TempDir, tweak: fn(&mut Config)) -> TestApp {
        let (url, schema, db) = fresh_db(dir.path()).await;
        wangge::app::migrate(&db).await.expect("migrate");
        wangge::demo::generate(&db, 20261122, PW)
            .await
            .expect("demo");
        let (addr, state) = Self::serve(&url, schema.as_deref(), dir.path(), tweak).await;
        TestApp {
            addr,
            state,
            client: new_client(),
            db,
            url,
            schema,
            tweak,
            _dir: dir,
        }
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Starts another server on the same database (a restart).
    pub async fn restart(&self) -> SocketAddr {
        Self::serve(
            &self.url,
            self.schema.as_deref(),
            self._dir.path(),
            self.tweak,
        )
        .await
        .0
    }

    async fn serve(
        url: &str,
        schema: Option<&str>,
        dir: &std::path::Path,
        tweak: fn(&mut Config),
    ) -> (SocketAddr, wangge::AppState) {
        let db = wangge::infra::db::connect(url, schema)
            .await
            .expect("connect");
        let mut config = Config::local(dir, url);
        tweak(&mut config);
        let server = wangge::Server::bind(config, db).await.expect("bind");
        let addr = server.local_addr().expect("local addr");
        let state = server.state().clone();
        tokio::spawn(server.run());
        (addr, state)
    }

    /// A full URL.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn token(&self, username: &str) -> String {
        let r = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": PW}))
            .send()
            .await
            .expect("login request");
        assert_eq!(r.status(), StatusCode::OK, "login as {username}");
        let v: Value = r.json().await.expect("json");
        v["token"].as_str().expect("token").to_owned()
    }

    /// Sends a request with a bearer token and an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        let mut rb = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        rb.send().await.expect("request")
    }

    /// GET with a token, expecting JSON; returns (status, body).
    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let r = self.call(Method::GET, token, path, None).await;
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// POST/PATCH/PUT with a token and a JSON body; returns (status, body).
    pub async fn send(
        &self,
        method: Method,
        token: &str,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let r = self.call(method, token, path, Some(body)).await;
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// The id of the node with this code (looked up as the district admin).
    pub async fn node_id(&self, admin_token: &str, code: &str) -> i64 {
        let (s, v) = self
            .get(
                admin_token,
                &format!("/api/v1/org/nodes?q={code}&include_retired=true"),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        v.as_array()
            .and_then(|a| a.iter().find(|n| n["code"] == code))
            .and_then(|n| n["id"].as_i64())
            .unwrap_or_else(|| panic!("no node {code}"))
    }

    /// The first column of the first row of a query, straight from the database: an integer as
    /// a number, anything else as text (panics, naming the query, on no row or a NULL).
    pub async fn scalar(&self, sql: &str) -> Value {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                sql.to_owned(),
            ))
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("a row for {sql}"));
        if let Ok(v) = row.try_get_by_index::<i64>(0) {
            return serde_json::json!(v);
        }
        serde_json::json!(
            row.try_get_by_index::<String>(0)
                .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        )
    }

    /// An integer [`TestApp::scalar`].
    pub async fn int(&self, sql: &str) -> i64 {
        self.scalar(sql)
            .await
            .as_i64()
            .unwrap_or_else(|| panic!("an integer from {sql}"))
    }

    /// A text [`TestApp::scalar`].
    pub async fn text(&self, sql: &str) -> String {
        self.scalar(sql)
            .await
            .as_str()
            .unwrap_or_else(|| panic!("text from {sql}"))
            .to_owned()
    }

    /// Takes a case action with the case's current version, expecting success; the case after.
    pub async fn act(&self, token: &str, id: i64, mut body: Value) -> Value {
        let (_, c) = self.get(token, &format!("/api/v1/cases/{id}")).await;
        body["version"] = c["version"].clone();
        let (s, v) = self
            .send(
                Method::POST,
                token,
                &format!("/api/v1/cases/{id}/actions"),
                body.clone(),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body} → {v}");
        v
    }

    /// The first building of a grid, by the grid's code.
    pub async fn building_in(&self, grid_code: &str) -> i64 {
        self.int(&format!(
            "SELECT MIN(b.id) FROM org_nodes b JOIN org_nodes g ON b.parent_id = g.id \
             WHERE g.code = '{grid_code}' AND b.level = 'building'"
        ))
        .await
    }

    /// The public report page's session: its pre-login cookie and CSRF token.
    pub async fn public_session(&self) -> (String, String) {
        let first = self
            .client
            .get(self.url("/report"))
            .send()
            .await
            .expect("get");
        let cookie = first
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("wangge_pre="))
            .and_then(|v| v.split(';').next())
            .expect("a pre-login cookie")
            .to_owned();
        let csrf = csrf_of(&first.text().await.expect("text"));
        (cookie, csrf)
    }

    /// Posts the public report form (multipart) with these fields, in that session.
    pub async fn public_report(
        &self,
        session: &(String, String),
        fields: &[(&str, String)],
    ) -> Response {
        let boundary = "wanggeBoundary7MA4YWxk";
        let mut body = String::new();
        for (k, v) in fields {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        self.client
            .post(self.url(&format!("/report?_csrf={}", session.1)))
            .header(header::COOKIE, session.0.clone())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("post")
    }

    /// Registers a household in a building with its head, as `token`: (household, resident).
    /// `more` adds fields to the resident (a phone…).
    pub async fn household_with_head(
        &self,
        token: &str,
        building: i64,
        name: &str,
        id: &str,
        more: Value,
    ) -> (i64, i64) {
        let (s, h) = self
            .send(
                Method::POST,
                token,
                "/api/v1/households",
                serde_json::json!({"building_id": building, "room": format!("9-{}", &id[14..17])}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{h}");
        let hid = h["household"]["id"].as_i64().expect("household");
        let mut body = serde_json::json!({"household_id": hid, "name": name, "id_number": id, "relation": "户主"});
        if let (Some(b), Some(m)) = (body.as_object_mut(), more.as_object()) {
            b.extend(m.clone());
        }
        let (s, r) = self
            .send(Method::POST, token, "/api/v1/residents", body)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        (hid, r["id"].as_i64().expect("resident"))
    }

    /// How many audit rows exist (all, unscoped), read straight from the database.
    pub async fn audit_rows(&self) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM audit_log",
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get::<i64>("", "n").expect("n")
    }
}

/// A period from yesterday to tomorrow in Beijing time, as `from=…&to=…`: figures asked over it
/// count what a test just did, whatever the hour (a month's figures asked at midnight on its
/// last day would not).
pub fn around_today() -> String {
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let day = chrono::Duration::days(1);
    format!("from={}&to={}", today - day, today + day)
}

/// A birth date (`YYYY-MM-DD`) that makes someone `years` old today, whatever the year.
pub fn born_years_ago(years: i32) -> String {
    use chrono::Datelike;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    // Born on 12 March: this year's birthday is past, or the birth year is one earlier.
    let passed = (today.month(), today.day()) >= (3, 12);
    let year = today.year() - years - if passed { 0 } else { 1 };
    chrono::NaiveDate::from_ymd_opt(year, 3, 12)
        .expect("date")
        .to_string()
}

/// A valid ID number of someone born on that day; `seq` tells people born the same day apart.
pub fn id_number(birth: (i32, u32, u32), seq: u32) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).expect("date");
    wangge_core::people::make_id("330106", d, seq)
        .expose()
        .to_owned()
}

/// A browser-like session: cookies kept by hand, CSRF token read from pages.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            cookies: Vec::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &Response) {
        for v in r.headers().get_all(header::SET_COOKIE) {
            let Ok(s) = v.to_str() else { continue };
            let Some((kv, _)) = s.split_once(';').or(Some((s, ""))) else {
                continue;
            };
            let Some((k, val)) = kv.split_once('=') else {
                continue;
            };
            self.cookies.retain(|(n, _)| n != k);
            if !val.is_empty() && !s.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), val.to_owned()));
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let r = self
            .app
            .client
            .get(self.app.url(path))
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .expect("get");
        self.keep(&r);
        let s = r.status();
        (s, r.text().await.unwrap_or_default())
    }

    /// Posts a form; returns (status, Location header or body).
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let body = form
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    wangge::web::urlencode(k),
                    wangge::web::urlencode(v)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let r = self
            .app
            .client
            .post(self.app.url(path))
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("post");
        self.keep(&r);
        let s = r.status();
        let loc = r
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match loc {
            Some(l) => (s, l),
            None => (s, r.text().await.unwrap_or_default()),
        }
    }

    /// Posts a multipart form with a file (`file_field`, a JPEG or any bytes) as a browser does;
    /// returns (status, Location header or body).
    pub async fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        file: &[u8],
    ) -> (StatusCode, String) {
        let boundary = "wanggeUpload7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .app
            .client
            .post(self.app.url(path))
            .header(header::COOKIE, self.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("upload");
        self.keep(&r);
        let s = r.status();
        let loc = r
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match loc {
            Some(l) => (s, l),
            None => (s, r.text().await.unwrap_or_default()),
        }
    }

    /// Logs in through the login form; returns the CSRF token of the session.
    pub async fn login(&mut self, username: &str) -> String {
        let (s, page) = self.get("/login").await;
        assert_eq!(s, StatusCode::OK);
        let pre = csrf_of(&page);
        let (s, loc) = self
            .post(
                "/login",
                &[
                    ("_csrf", &pre),
                    ("username", username),
                    ("password", PW),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "login form as {username}: {loc}");
        let (s, home) = self.get("/").await;
        assert_eq!(s, StatusCode::OK);
        csrf_of(&home)
    }
}

/// The first `_csrf` value in a page.
pub fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"_csrf\" value=\"").expect("a csrf field") + 20;
    page[at..at + 64].to_owned()
}

/// A tiny JPEG (with an Exif block the store strips).
pub fn tiny_jpeg() -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x16];
    jpeg.extend_from_slice(b"Exif\0\0II*\0\x08\0\0\0\0\0GPS!");
    jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 2, 7, 7, 7, 0xFF, 0xD9]);
    jpeg
}
