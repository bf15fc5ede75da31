//! Opening the app model on a phone's store: `App::open` + the first `view()` (the
//! conversation list), the memory at that point, and opening a conversation of 5,000
//! messages (`Action::OpenConversation` → `view()`).
//!
//! Every measurement runs in a child process of its own (this binary with `--child`),
//! so SQLite's page cache and the allocator start cold in each, and `VmHWM` (the peak
//! resident set since the process started) belongs to that case alone. The store files
//! stay in the OS's page cache between runs (they were just written), as on a phone
//! that opens the app again; a cold read from flash is not measured.
//!
//! Baselines in the same run: the floor (`Store::open` + `Store::conversation_summaries()`
//! on the same file: what any list needs from SQLite) and `App::open` + `view()` on an
//! empty data directory (a first start).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::app::{Action, App, Screen};
use tincan_core::identity::Identity;
use tincan_core::secrets::MemorySecretStore;
use tincan_core::store::Store;
use tincan_tests::proc_mem;

use crate::common::{app_config, median, ms, range, run_child, BoxError};
use crate::fixture::{self, thousands, Fixture, Shape};

/// One child's answer: `key=value` pairs.
type Answer = BTreeMap<String, f64>;

fn put(out: &mut Vec<String>, key: &str, value: f64) {
    out.push(format!("{key}={value}"));
}

fn memory(out: &mut Vec<String>, prefix: &str) -> Result<(), BoxError> {
    let m = proc_mem::read_self()?;
    put(out, &format!("{prefix}_rss_mb"), m.rss_mb());
    put(out, &format!("{prefix}_hwm_mb"), m.peak_rss_mb());
    Ok(())
}

/// The child's side: `--child floor DIR BIG SMALL` or `--child app DIR [BIG SMALL]`. Prints
/// one line, `RESULT key=value…`.
pub fn child(args: &[String]) -> Result<(), BoxError> {
    let (kind, dir) = match args {
        [kind, dir, ..] => (kind.as_str(), PathBuf::from(dir)),
        _ => return Err("--child needs a kind and a directory".into()),
    };
    let mut out = Vec::new();
    memory(&mut out, "start")?;
    match kind {
        "floor" => {
            let big = args.get(2).ok_or("floor needs the big conversation")?;
            let small = args.get(3).ok_or("floor needs the small conversation")?;
            let t = Instant::now();
            let mut store = Store::open(&dir.join("tincan.db"))?;
            put(&mut out, "open_ms", ms(t.elapsed()));
            let t = Instant::now();
            let summaries = store.conversation_summaries()?;
            put(&mut out, "list_ms", ms(t.elapsed()));
            put(&mut out, "rows", summaries.len() as f64);
            memory(&mut out, "list")?;
            let t = Instant::now();
            let page = store.history(big, None, 51)?;
            put(&mut out, "history_ms", ms(t.elapsed()));
            put(&mut out, "history_rows", page.len() as f64);
            let t = Instant::now();
            let again = store.conversation_summaries()?;
            put(&mut out, "list_again_ms", ms(t.elapsed()));
            std::hint::black_box(again);
            // Inside `conversation_summaries`: the newest message of each row is read
            // with `history(id, last + 1, 1)`, one query per row, after the aggregate.
            let t = Instant::now();
            for s in &summaries {
                if let Some(last) = &s.last {
                    std::hint::black_box(store.history(&s.id, Some(last.seq + 1), 1)?);
                }
            }
            put(&mut out, "part_last_ms", ms(t.elapsed()));
            // What `Node::peers()` adds to every view once the conversations run (on a
            // phone every known contact is resumed on open; these fixtures have no
            // conversation secrets, so none runs here): `outbox_count` and
            // `conversation` per running conversation.
            let t = Instant::now();
            for s in &summaries {
                std::hint::black_box(store.outbox_count(&s.id)?);
                std::hint::black_box(store.conversation(&s.id)?);
            }
            put(&mut out, "part_running_peers_ms", ms(t.elapsed()));
            // What each message arriving in an open conversation costs there besides
            // the view: the app marks it read (`Node::mark_read` → `mark_read_here`,
            // up to the newest). Everything is read in these conversations already, so
            // this reads what it would mark and changes nothing.
            for (name, id) in [("big", big), ("small", small)] {
                let t = Instant::now();
                std::hint::black_box(store.history(id, None, 51)?);
                put(&mut out, &format!("{name}_page_ms"), ms(t.elapsed()));
                let t = Instant::now();
                let marked = store.mark_read_here(id, i64::MAX)?;
                put(&mut out, &format!("{name}_mark_read_ms"), ms(t.elapsed()));
                put(&mut out, &format!("{name}_marked"), marked.len() as f64);
            }
        }
        "app" => {
            // The phone's identity exists already (an app that was used before).
            let secrets = Arc::new(MemorySecretStore::default());
            Identity::load_or_create(secrets.as_ref())?;
            let t = Instant::now();
            let app = App::open(app_config(&dir, secrets))?;
            put(&mut out, "open_ms", ms(t.elapsed()));
            let t = Instant::now();
            let view = app.view();
            put(&mut out, "list_ms", ms(t.elapsed()));
            put(&mut out, "rows", view.conversations.len() as f64);
            memory(&mut out, "list")?;
            let t = Instant::now();
            std::hint::black_box(app.view());
            put(&mut out, "list_again_ms", ms(t.elapsed()));
            // Where a list render goes: the node calls `render` makes.
            let node = app.node();
            let t = Instant::now();
            let summaries = node.conversation_summaries()?;
            put(&mut out, "part_summaries_ms", ms(t.elapsed()));
            let t = Instant::now();
            for s in &summaries {
                std::hint::black_box(node.conversation_record(&s.id)?);
            }
            put(&mut out, "part_records_ms", ms(t.elapsed()));
            let t = Instant::now();
            std::hint::black_box(node.contacts()?);
            put(&mut out, "part_contacts_ms", ms(t.elapsed()));
            let t = Instant::now();
            std::hint::black_box(node.peers());
            put(&mut out, "part_peers_ms", ms(t.elapsed()));
            let t = Instant::now();
            std::hint::black_box(node.pending_invites()?);
            put(&mut out, "part_invites_ms", ms(t.elapsed()));
            for (name, id) in [("big", args.get(2)), ("small", args.get(3))] {
                let Some(id) = id else { continue };
                let t = Instant::now();
                app.dispatch(Action::OpenConversation { id: id.clone() });
                put(&mut out, &format!("{name}_dispatch_ms"), ms(t.elapsed()));
                let t = Instant::now();
                let view = app.view();
                put(&mut out, &format!("{name}_view_ms"), ms(t.elapsed()));
                let Screen::Conversation { view: c } = &view.screen else {
                    return Err(format!("opening {id} showed {:?}", view.screen).into());
                };
                put(&mut out, &format!("{name}_items"), c.items.len() as f64);
                put(
                    &mut out,
                    &format!("{name}_has_earlier"),
                    f64::from(u8::from(c.has_earlier)),
                );
                let t = Instant::now();
                std::hint::black_box(node.history(id, None, 51)?);
                put(&mut out, &format!("{name}_history_ms"), ms(t.elapsed()));
                memory(&mut out, name)?;
                app.dispatch(Action::Back);
            }
            // Leave without the goodbyes' bounded wait: nothing is connected.
            std::mem::forget(app);
        }
        other => return Err(format!("unknown child kind {other}").into()),
    }
    println!("RESULT {}", out.join(" "));
    Ok(())
}

fn parse(stdout: &str) -> Result<Answer, BoxError> {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or("the child printed no RESULT line")?;
    line.split_whitespace()
        .map(|kv| {
            let (k, v) = kv.split_once('=').ok_or("bad key=value")?;
            Ok((k.to_owned(), v.parse::<f64>()?))
        })
        .collect()
}

/// One case's runs.
#[derive(Default)]
pub struct Case {
    pub runs: Vec<Answer>,
}

impl Case {
    /// Every run's value of `key`.
    pub fn values(&self, key: &str) -> Vec<f64> {
        self.runs
            .iter()
            .filter_map(|r| r.get(key).copied())
            .collect()
    }

    /// Median of `key` over the runs.
    pub fn median(&self, key: &str) -> f64 {
        median(&self.values(key))
    }

    /// Median of `a + b` per run.
    pub fn median_sum(&self, a: &str, b: &str) -> f64 {
        let v: Vec<f64> = self
            .runs
            .iter()
            .filter_map(|r| Some(r.get(a)? + r.get(b)?))
            .collect();
        median(&v)
    }

    /// `min–max` of `a + b` per run.
    pub fn range_sum(&self, a: &str, b: &str) -> String {
        let v: Vec<f64> = self
            .runs
            .iter()
            .filter_map(|r| Some(r.get(a)? + r.get(b)?))
            .collect();
        range(&v, 1)
    }
}

/// A store and its two cases.
pub struct StoreCases {
    pub fixture: Fixture,
    pub floor: Case,
    pub app: Case,
}

/// What the section measured.
pub struct Results {
    pub stores: Vec<StoreCases>,
    pub empty: Case,
    pub reps: usize,
}

const CHILD_DEADLINE: Duration = Duration::from_secs(120);

fn child_args(kind: &str, dir: &Path, rest: &[&str]) -> Vec<String> {
    let mut v = vec![
        "--child".to_owned(),
        kind.to_owned(),
        dir.display().to_string(),
    ];
    v.extend(rest.iter().map(|s| (*s).to_owned()));
    v
}

/// Runs the section on `shapes` (the first is the main one), `reps` runs per case.
pub fn run(base: &Path, shapes: &[Shape], reps: usize) -> Result<Results, BoxError> {
    let root = tempfile::tempdir_in(base)?;
    let mut stores = Vec::new();
    for (i, shape) in shapes.iter().enumerate() {
        eprintln!("bench: open: building {}…", shape.label());
        let f = fixture::build(&root.path().join(format!("store{i}")), *shape)?;
        eprintln!(
            "bench: open: built in {:.1} s, {:.1} MB",
            f.build_secs,
            f.bytes as f64 / 1e6
        );
        stores.push(StoreCases {
            fixture: f,
            floor: Case::default(),
            app: Case::default(),
        });
    }
    let mut empty = Case::default();
    eprintln!("bench: open: {reps} runs per case, each in its own process…");
    for rep in 0..reps {
        // Every repetition runs every case once, the order rotated.
        let n_cases = 1 + 2 * stores.len();
        for k in 0..n_cases {
            let case = (rep + k) % n_cases;
            if case == 0 {
                let dir = root.path().join(format!("empty{rep}"));
                let out = run_child(&child_args("app", &dir, &[]), CHILD_DEADLINE)?;
                empty.runs.push(parse(&out)?);
                continue;
            }
            let s = &mut stores[(case - 1) / 2];
            let f = &s.fixture;
            if case % 2 == 1 {
                let out = run_child(
                    &child_args("floor", &f.dir, &[&f.big_id, &f.small_id]),
                    CHILD_DEADLINE,
                )?;
                s.floor.runs.push(parse(&out)?);
            } else {
                let out = run_child(
                    &child_args("app", &f.dir, &[&f.big_id, &f.small_id]),
                    CHILD_DEADLINE,
                )?;
                s.app.runs.push(parse(&out)?);
            }
        }
    }
    Ok(Results {
        stores,
        empty,
        reps,
    })
}

/// Prints the section's tables.
pub fn print(r: &Results) {
    let Some(main) = r.stores.first() else {
        return;
    };
    let e = &r.empty;
    let empty_total = e.median_sum("open_ms", "list_ms");
    println!("\n### Opening the app on a full store\n");
    println!(
        "Median of {} runs per row, each in a fresh process (cold SQLite cache, store file \
         in the OS's page cache). Fixtures built through `Store`: each conversation has its \
         own contact; messages interleaved across conversations over 60 days, half sent \
         (delivered) and half received (read, receipts sent; every 10th conversation has 2 \
         unread). \"open\" = `App::open` (or `Store::open`), \"first view\" = `App::view()` \
         (or `Store::conversation_summaries()`), memory read right after the first view.\n",
        r.reps
    );
    println!("| case | store | open ms | first view ms | total ms (min–max) | × floor | × empty app | rows | RSS MB | VmHWM MB |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| **empty data directory: `App::open` + `view()`** (baseline: a first start) | empty | {:.1} | {:.2} | {:.1} ({}) | — | 1.00× | {:.0} | {:.1} | {:.1} |",
        e.median("open_ms"),
        e.median("list_ms"),
        empty_total,
        e.range_sum("open_ms", "list_ms"),
        e.median("rows"),
        e.median("list_rss_mb"),
        e.median("list_hwm_mb"),
    );
    for s in &r.stores {
        let label = s.fixture.shape.label();
        let floor_total = s.floor.median_sum("open_ms", "list_ms");
        let app_total = s.app.median_sum("open_ms", "list_ms");
        let bold = |t: String| {
            if std::ptr::eq(s, main) {
                format!("**{t}**")
            } else {
                t
            }
        };
        println!(
            "| floor: `Store::open` + `conversation_summaries()` (baseline) | {label} | {:.1} | {:.1} | {:.1} ({}) | 1.00× | {:.2}× | {:.0} | {:.1} | {:.1} |",
            s.floor.median("open_ms"),
            s.floor.median("list_ms"),
            floor_total,
            s.floor.range_sum("open_ms", "list_ms"),
            floor_total / empty_total,
            s.floor.median("rows"),
            s.floor.median("list_rss_mb"),
            s.floor.median("list_hwm_mb"),
        );
        println!(
            "| {} | {label} | {:.1} | {:.1} | {:.1} ({}) | {:.2}× | {:.2}× | {:.0} | {:.1} | {:.1} |",
            bold("`App::open` + `view()`".to_owned()),
            s.app.median("open_ms"),
            s.app.median("list_ms"),
            app_total,
            s.app.range_sum("open_ms", "list_ms"),
            app_total / floor_total,
            app_total / empty_total,
            s.app.median("rows"),
            s.app.median("list_rss_mb"),
            s.app.median("list_hwm_mb"),
        );
    }
    println!(
        "\nProcess before opening anything (this benchmark's binary): RSS {:.1} MB.",
        e.median("start_rss_mb")
    );

    println!("\n### Where a list view goes\n");
    println!(
        "The reads `render` makes, timed one by one right after the first two views (app \
         child) or after the summaries (floor child); median ms."
    );
    println!();
    println!("| store | `view()` again (list, warm) | floor: `conversation_summaries()` again | of which the per-row `history(id, last + 1, 1)` | `Node::conversation_summaries()` | `conversation_record` × rows | `contacts()` | `peers()` (none running) | `pending_invites()` | `peers()`' per-row reads if all rows ran (`outbox_count` + `conversation`) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for s in &r.stores {
        println!(
            "| {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.3} | {:.3} | {:.2} |",
            s.fixture.shape.label(),
            s.app.median("list_again_ms"),
            s.floor.median("list_again_ms"),
            s.floor.median("part_last_ms"),
            s.app.median("part_summaries_ms"),
            s.app.median("part_records_ms"),
            s.app.median("part_contacts_ms"),
            s.app.median("part_peers_ms"),
            s.app.median("part_invites_ms"),
            s.floor.median("part_running_peers_ms"),
        );
    }

    println!("\n### Opening a conversation\n");
    println!(
        "In the app child, after the list: `dispatch(OpenConversation)` then `view()` (the \
         first screenful: the newest 50 messages with day separators, and the list under it). \
         Baseline: `Store::history(id, None, 51)` (the page the view reads) in the floor child, \
         same store.\n"
    );
    println!("| store | conversation | dispatch ms | view ms | total ms | × history page | × list view again | items | RSS MB | VmHWM MB |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for s in &r.stores {
        let history = s.floor.median("history_ms");
        let again = s.app.median("list_again_ms");
        println!(
            "| {} | floor: `Store::history(…, 51)` of the {}-message one (baseline) | — | — | {:.3} | 1.00× | — | {:.0} | — | — |",
            s.fixture.shape.label(),
            thousands(s.fixture.shape.big),
            history,
            s.floor.median("history_rows"),
        );
        for (name, messages) in [
            ("big", s.fixture.shape.big),
            ("small", s.fixture.small_messages),
        ] {
            let total = s
                .app
                .median_sum(&format!("{name}_dispatch_ms"), &format!("{name}_view_ms"));
            let row = format!("{} messages", thousands(messages));
            println!(
                "| {} | {} | {:.2} | {:.2} | {:.2} | {:.1}× | {:.2}× | {:.0} | {:.1} | {:.1} |",
                s.fixture.shape.label(),
                if name == "big" && std::ptr::eq(s, main) {
                    format!("**{row}**")
                } else {
                    row
                },
                s.app.median(&format!("{name}_dispatch_ms")),
                s.app.median(&format!("{name}_view_ms")),
                total,
                total / history,
                total / again,
                s.app.median(&format!("{name}_items")),
                s.app.median(&format!("{name}_rss_mb")),
                s.app.median(&format!("{name}_hwm_mb")),
            );
        }
    }
    println!("\n### What a message arriving in an open conversation costs there\n");
    println!(
        "Floor child, after the list (median ms): the page the conversation view reads on \
         every render, and the read marking the app does for every message that arrives \
         while the conversation is on screen (`Store::mark_read_here(id, i64::MAX)`, as \
         `Node::mark_read` calls it; here nothing is left unread, so it only looks).\n"
    );
    println!("| store | conversation | `history(id, None, 51)` | `mark_read_here(id, MAX)` |");
    println!("|---|---|---:|---:|");
    for s in &r.stores {
        for (name, messages) in [
            ("big", s.fixture.shape.big),
            ("small", s.fixture.small_messages),
        ] {
            println!(
                "| {} | {} messages | {:.3} | {:.3} |",
                s.fixture.shape.label(),
                thousands(messages),
                s.floor.median(&format!("{name}_page_ms")),
                s.floor.median(&format!("{name}_mark_read_ms")),
            );
        }
    }
    println!(
        "\nFixtures: {}.",
        r.stores
            .iter()
            .map(|s| format!(
                "{} → {:.1} MB `tincan.db`, built in {:.1} s",
                s.fixture.shape.label(),
                s.fixture.bytes as f64 / 1e6,
                s.fixture.build_secs
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
}
