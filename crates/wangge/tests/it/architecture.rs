//! The layering of `crates/wangge/src` (ARCHITECTURE.md), kept by a test: it reads the
//! `crate::` paths of every non-test source file, builds the graph of top-level modules, prints
//! it when it fails, and fails on a circle or on an arrow the layers forbid.
//!
//! [`LAYERS`] is the one place that says which module is in which layer. A new slice adds one
//! line there, in its place in the order of slices.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer of a top-level module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layer {
    /// Errors, clock, config, caches, the database, the vault, the audit writer…: names no
    /// module above.
    Infra,
    /// The web kit: who is calling, pages, forms, sheets, CSRF, metrics. Names only infra.
    Kit,
    /// A slice, with its rank in the order of slices: it names only infra, the kit and the
    /// slices before it — never their `api`, `handlers` or `pages`.
    Slice(u8),
    /// The demo street: names any slice, never the app.
    Demo,
    /// The app: state, router, jobs, home page. Names anything.
    App,
}

/// Which module is in which layer. The slices in their one order.
const LAYERS: &[(&str, Layer)] = &[
    ("infra", Layer::Infra),
    ("web", Layer::Kit),
    ("org", Layer::Slice(1)),
    ("users", Layer::Slice(2)),
    ("auth", Layer::Slice(3)),
    ("audit", Layer::Slice(4)),
    ("cases", Layer::Slice(5)),
    ("people", Layer::Slice(6)),
    ("party", Layer::Slice(7)),
    ("command", Layer::Slice(8)),
    ("demo", Layer::Demo),
    ("app", Layer::App),
];

/// The modules of a slice that are its own surface and nobody else's.
const PRIVATE_SURFACES: &[&str] = &["api", "handlers", "pages"];

fn rank(l: Layer) -> u16 {
    match l {
        Layer::Infra => 0,
        Layer::Kit => 1,
        Layer::Slice(n) => 10 + u16::from(n),
        Layer::Demo => 1000,
        Layer::App => 1001,
    }
}

/// Why an arrow `from → to` (with the path that makes it) is forbidden, if it is.
fn forbidden(from: (&str, Layer), to: (&str, Layer), path: &[String]) -> Option<String> {
    let (f, fl) = from;
    let (t, tl) = to;
    if rank(tl) > rank(fl) {
        return Some(format!("{f} ({fl:?}) names {t} ({tl:?}), a layer above it"));
    }
    if let (Layer::Slice(_), Layer::Slice(_)) = (fl, tl)
        && let Some(second) = path.get(1)
        && PRIVATE_SURFACES.contains(&second.as_str())
    {
        return Some(format!(
            "the slice {f} names {t}::{second}, another slice's surface"
        ));
    }
    None
}

/// Every `crate::…` path in `text`, with `use crate::{a::b, c::{d, e}}` groups expanded.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let text: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `wangge_crate::`, not ours
        }
        let (trees, used) = use_tree(rest);
        out.extend(trees);
        rest = &rest[used..];
    }
    out
}

/// Parses a use tree at the start of `s`: the paths it names and the bytes it used.
fn use_tree(s: &str) -> (Vec<Vec<String>>, usize) {
    let mut prefix: Vec<String> = Vec::new();
    let mut i = 0;
    let bytes = s.as_bytes();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'{' {
            // A group: split on top-level commas and parse each.
            let mut depth = 0;
            let mut start = i + 1;
            let mut out = Vec::new();
            let mut j = i;
            while j < bytes.len() {
                match bytes[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    b',' if depth == 1 => {
                        for mut p in use_tree(&s[start..j]).0 {
                            let mut full = prefix.clone();
                            full.append(&mut p);
                            out.push(full);
                        }
                        start = j + 1;
                    }
                    _ => {}
                }
                j += 1;
            }
            for mut p in use_tree(&s[start..j.min(s.len())]).0 {
                let mut full = prefix.clone();
                full.append(&mut p);
                out.push(full);
            }
            return (out, j + 1);
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if i == start {
            break;
        }
        prefix.push(s[start..i].to_string());
        if s[i..].starts_with("::") {
            i += 2;
        } else {
            break;
        }
    }
    let empty = prefix.is_empty();
    (if empty { Vec::new() } else { vec![prefix] }, i)
}

/// The non-test part of a source file: everything before its first `#[cfg(test)]`.
fn non_test(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let p = entry.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The graph of top-level modules: module → (module it names → the files and paths that name it).
type Graph = BTreeMap<String, BTreeMap<String, Vec<(String, Vec<String>)>>>;

fn graph(src: &Path) -> (BTreeSet<String>, Graph) {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(src).expect("read src") {
        let p = entry.expect("entry").path();
        let name = p
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if p.is_dir() || (name != "lib" && name != "main") {
            modules.insert(name);
        }
    }
    let mut g = Graph::new();
    for f in files {
        let rel = f.strip_prefix(src).expect("under src");
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("")
            .trim_end_matches(".rs")
            .to_string();
        if !modules.contains(&top) {
            continue; // lib.rs and main.rs: the root
        }
        let text = std::fs::read_to_string(&f).expect("read file");
        for path in crate_paths(non_test(&text)) {
            let Some(first) = path.first() else { continue };
            if *first == top {
                continue;
            }
            let target = if modules.contains(first) {
                first.clone()
            } else {
                // A root item (`crate::AppState`): the root re-exports the app's.
                "app".to_string()
            };
            g.entry(top.clone())
                .or_default()
                .entry(target)
                .or_default()
                .push((rel.display().to_string(), path));
        }
    }
    (modules, g)
}

/// The circles of the graph: its strongly connected parts of more than one module.
fn circles(g: &Graph, modules: &BTreeSet<String>) -> Vec<Vec<String>> {
    // Reachability by a walk from each module; two modules are in one circle when each
    // reaches the other. Eleven modules: no need for Tarjan.
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for n in g.get(&m).into_iter().flat_map(|e| e.keys()) {
                if seen.insert(n.clone()) {
                    todo.push(n.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        modules.iter().map(|m| (m, reach(m))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut placed = BTreeSet::new();
    for m in modules {
        if placed.contains(m) || !reaches[m].contains(m) {
            continue;
        }
        let part: Vec<String> = modules
            .iter()
            .filter(|n| reaches[m].contains(*n) && reaches[*n].contains(m))
            .cloned()
            .collect();
        placed.extend(part.iter().cloned());
        out.push(part);
    }
    out
}

fn print(g: &Graph) -> String {
    g.iter()
        .map(|(m, to)| {
            let names: Vec<&str> = to.keys().map(String::as_str).collect();
            format!("{m:<8} -> {}", names.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What is wrong with the source tree at `src`, as sentences (none when it keeps the layers).
fn breaches(src: &Path) -> (Vec<String>, Graph) {
    let (modules, g) = graph(src);
    let layer = |m: &str| LAYERS.iter().find(|(n, _)| *n == m).map(|(_, l)| *l);
    let mut out = Vec::new();
    for m in &modules {
        if layer(m).is_none() {
            out.push(format!(
                "the module {m} is in no layer: add it to LAYERS in tests/it/architecture.rs"
            ));
        }
    }
    for part in circles(&g, &modules) {
        out.push(format!("a circle: {}", part.join(" ⇄ ")));
    }
    for (from, to) in &g {
        for (target, uses) in to {
            let (Some(fl), Some(tl)) = (layer(from), layer(target)) else {
                continue;
            };
            for (file, path) in uses {
                if let Some(why) = forbidden((from, fl), (target, tl), path) {
                    out.push(format!("{why} (src/{file}: crate::{})", path.join("::")));
                }
            }
        }
    }
    (out, g)
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_modules_keep_their_layers() {
    let (found, g) = breaches(&src_dir());
    assert!(
        found.is_empty(),
        "the layering is broken:\n  {}\n\nthe module graph:\n{}",
        found.join("\n  "),
        print(&g)
    );
}

/// The test sees what it must: on a copy of the source with one bad import added, it fails
/// and says which.
#[test]
fn a_bad_import_is_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&src_dir(), dir.path());
    let add = |file: &str, line: &str| {
        let p = dir.path().join(file);
        let text = std::fs::read_to_string(&p).expect("read");
        std::fs::write(&p, format!("{line}\n{text}")).expect("write");
    };
    // The kit naming a slice: a forbidden arrow and a circle (the slices name the kit).
    add("web/base.rs", "use crate::cases::CasesState;");
    // A slice naming another's pages, and one above it.
    add(
        "people/import.rs",
        "use crate::{cases::pages::CaseForm, demo};",
    );
    let (found, _) = breaches(dir.path());
    let text = found.join("\n");
    assert!(text.contains("a circle"), "{text}");
    assert!(text.contains("web (Kit) names cases"), "{text}");
    assert!(
        text.contains("the slice people names cases::pages"),
        "{text}"
    );
    assert!(text.contains("people (Slice(6)) names demo"), "{text}");
    // A new module in no layer.
    std::fs::create_dir(dir.path().join("ledgers")).expect("mkdir");
    std::fs::write(
        dir.path().join("ledgers/mod.rs"),
        "use crate::org::Summary;\n",
    )
    .expect("write");
    let (found, _) = breaches(dir.path());
    assert!(
        found
            .iter()
            .any(|b| b.contains("the module ledgers is in no layer")),
        "{found:?}"
    );
}

#[test]
fn use_trees_are_read_whole() {
    let paths = crate_paths(
        "use crate::{a::b, c::{d, e::f}};\nlet x = crate::g::h(1); // crate::no\nuse wangge_crate::x;",
    );
    let flat: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(flat, ["a::b", "c::d", "c::e::f", "g::h"]);
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read") {
        let p = entry.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Every index a query names (`INDEXED BY "…"`, SQLite's hint) exists in the migrated schema:
/// a migration that renames an index must take the queries with it. (m0013 renamed the
/// figures indexes and the case list's walk still named `ix_cases_fig_created`: every list of
/// more than 10,000 cases failed with a 500.)
#[tokio::test]
async fn every_index_a_query_names_exists() {
    use sea_orm::ConnectionTrait;
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut named = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        let mut rest = non_test(&text);
        while let Some(i) = rest.find("INDEXED BY \"") {
            rest = &rest[i + "INDEXED BY \"".len()..];
            let end = rest.find('"').expect("a closing quote");
            named.insert(rest[..end].to_owned());
        }
    }
    assert!(!named.is_empty(), "the hints are found");
    let app = crate::support::TestApp::spawn().await;
    let sql = if app.schema.is_some() {
        "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1"
    } else {
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = $1"
    };
    for name in named {
        let row = app
            .db
            .query_one_raw(wangge::infra::db::statement(
                &app.db,
                sql,
                vec![name.clone().into()],
            ))
            .await
            .expect("query")
            .expect("a row");
        let n: i64 = row.try_get_by_index(0).expect("count");
        assert_eq!(n, 1, "the index {name} a query names does not exist");
    }
}
