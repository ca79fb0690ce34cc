//! Import throughput benchmark: how long `newsvault import` takes on a duty-machine tree compared
//! with plainly copying that tree (`cp -r`, and `cp -r` followed by `sync`) on the same disk, plus
//! the peak RSS of the import process.
//!
//! It generates a deterministic synthetic tree (`articles/<site>/<id>.md`, record format of
//! DESIGN.md), times the copy and the import (running `sync` before each step so both start from
//! the same state; page cache is not dropped), runs `newsvault verify` once (not timed) and prints
//! a table. Nothing is asserted. The search index, which import leaves to the next `search`,
//! `serve` or `run`, is timed separately as the first `search` after the import.
//!
//! Each round also times the *layout floor* (`layout_floor`): the same records written into
//! DESIGN.md's directory layout and nothing else, directly and through temporary files and
//! renames. It bounds from below what any import that keeps that layout can reach on this disk.
//!
//! ```text
//! cargo bench -p newsvault --bench import -- [--records N] [--rounds R] [--dir D] [--keep]
//!     [--no-catch-up]
//! ```
//!
//! `--records` defaults to 100000 (about 1.1 GB); `--dir` is the parent of the scratch directory
//! (default `<target dir>/bench-import/`); `--keep` leaves the tree, copy and data dir in place.

use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SITES: [&str; 9] = [
    "rfi", "bbc", "voa", "dw", "nyt", "rfa", "cdt", "reuters", "ft",
];
/// Id of a site's oldest record; ids count down from here, so the newest record has the smallest.
const FIRST_ID: u64 = 0xFFFFF;
/// Publication time of the oldest record (that of the seed record); newer ones follow it.
const OLDEST_MS: i64 = 1_685_139_303_000;
const SEED: u64 = 0x6e65_7773_7661_756c;
const PUNCTUATION: [char; 4] = ['，', '。', '“', '”'];
const CJK: &str = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过\
家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两\
长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便\
位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住\
员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任\
至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连\
远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语\
英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失\
拿网香似斯专石若兵弟谁校志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级\
克精哪官示冷域按协选热健乡态环考居虑足";

/// Command-line options (after `--`).
#[derive(Default)]
struct Args {
    records: u64,
    dir: Option<PathBuf>,
    keep: bool,
    /// cp/import pairs, alternated, so that a disk's changing state hits both alike.
    rounds: usize,
    /// Skip timing the search index's catch-up after each import.
    no_catch_up: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        records: 100_000,
        rounds: 1,
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--records" => {
                let n = it.next().ok_or("--records needs a value")?;
                args.records = n.parse().map_err(|e| format!("--records {n}: {e}"))?;
            }
            "--dir" => args.dir = Some(it.next().ok_or("--dir needs a value")?.into()),
            "--keep" => args.keep = true,
            "--no-catch-up" => args.no_catch_up = true,
            "--rounds" => {
                let n = it.next().ok_or("--rounds needs a value")?;
                args.rounds = n.parse().map_err(|e| format!("--rounds {n}: {e}"))?;
            }
            "--bench" => {} // appended by `cargo bench`
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if args.records > (FIRST_ID + 1) * SITES.len() as u64 {
        return Err("--records: too many for the duty-machine id space".into());
    }
    Ok(args)
}

/// Deterministic source of synthetic content (splitmix64).
struct Gen {
    state: u64,
    chars: Vec<char>,
}

impl Gen {
    fn new(seed: u64) -> Self {
        Gen {
            state: seed,
            chars: CJK.chars().collect(),
        }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi` (modulo bias is irrelevant here).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }

    /// Appends `n` characters of Chinese text, about one in sixteen of them punctuation.
    fn text(&mut self, n: u64, out: &mut String) {
        for _ in 0..n {
            let r = self.next();
            let pool = if r.is_multiple_of(16) {
                &PUNCTUATION[..]
            } else {
                &self.chars[..]
            };
            out.push(pool[(r >> 8) as usize % pool.len()]);
        }
    }

    /// Appends a one-line HTML body of 2–20 KB: a date div, then paragraphs, some images and spans.
    fn body(&mut self, ms: i64, out: &mut String) {
        let target = out.len() + self.range(2 << 10, 20 << 10) as usize;
        let date = chrono::DateTime::from_timestamp_millis(ms).expect("ms in range");
        let _ = write!(out, "<div>{}</div>", date.format("%d/%m/%Y - %H:%M"));
        while out.len() < target {
            if self.next().is_multiple_of(8) {
                let (a, b) = (self.next(), self.next());
                let _ = write!(
                    out,
                    "<img src=\"https://s.example/media/{a:016x}{b:016x}.jpg\">"
                );
            }
            let depth = self.range(0, 8).saturating_sub(4); // 3 in 8 nest 1–3 spans deep
            out.push_str("<p>");
            (0..depth).for_each(|_| out.push_str("<span>"));
            let room = (target.saturating_sub(out.len()) / 3).max(1) as u64;
            let n = self.range(20, 400).min(room);
            self.text(n, out);
            (0..depth).for_each(|_| out.push_str("</span>"));
            out.push_str("</p>");
        }
    }

    /// Replaces `out` with record number `i` (0 = oldest) of `site`, published at `ms`.
    fn record(&mut self, i: u64, site: &str, ms: i64, out: &mut String) {
        out.clear();
        let day = chrono::DateTime::from_timestamp_millis(ms).expect("ms in range");
        let _ = write!(out, "<!--{ms}-->\n[");
        let title_len = self.range(10, 41);
        self.text(title_len, out);
        let day = day.format("%Y%m%d");
        let _ = write!(
            out,
            "](https://www.{site}.example/zh/{day}-{i})\n------\n\n"
        );
        self.body(ms, out);
        out.push('\n');
    }
}

/// Writes `n` records under `root/articles/`, oldest first, round robin over the sites; returns
/// the bytes written.
fn generate(root: &Path, n: u64) -> io::Result<u64> {
    for site in SITES {
        fs::create_dir_all(root.join("articles").join(site))?;
    }
    let mut generator = Gen::new(SEED);
    let mut buf = String::with_capacity(32 << 10);
    let (mut total, mut ms) = (0, OLDEST_MS);
    let sites = SITES.len() as u64;
    for i in 0..n {
        let site = SITES[(i % sites) as usize];
        let id = FIRST_ID - i / sites;
        ms += generator.range(1_000, 120_000) as i64;
        generator.record(i, site, ms, &mut buf);
        // The record is built in memory first, so this is one write per file.
        fs::write(root.join(format!("articles/{site}/{id}.md")), &buf)?;
        total += buf.len() as u64;
    }
    Ok(total)
}

fn sync() -> io::Result<()> {
    run_ok(&mut Command::new("sync"))
}

/// Runs `cmd` to completion; an error unless it exits 0.
fn run_ok(cmd: &mut Command) -> io::Result<()> {
    let status = cmd.status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("{cmd:?} failed: {status}")))
    }
}

/// Times `cp -r src dst`; returns (until cp exits, until the following `sync` returns).
fn time_copy(src: &Path, dst: &Path) -> io::Result<(Duration, Duration)> {
    sync()?;
    let start = Instant::now();
    run_ok(Command::new("cp").arg("-r").arg(src).arg(dst))?;
    let copied = start.elapsed();
    sync()?;
    Ok((copied, start.elapsed()))
}

/// Outcome of a child process waited for with `wait4`.
struct Measured {
    elapsed: Duration,
    /// Exit code, or 128 + signal number.
    code: i32,
    max_rss_kb: u64,
    /// User and system CPU time.
    cpu: (Duration, Duration),
}

/// Runs `cmd` to completion, reaping it with `wait4` to get its peak resident set size.
fn run_measured(cmd: &mut Command) -> io::Result<Measured> {
    let start = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our child and nothing else waits for it (std never reaps on drop);
        // both out-pointers are valid for writes.
        if unsafe { libc::wait4(pid, &mut status, 0, &mut usage) } == pid {
            break;
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    let elapsed = start.elapsed();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok(Measured {
        elapsed,
        code,
        max_rss_kb: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        cpu: (tv(usage.ru_utime), tv(usage.ru_stime)),
    })
}

/// "<cpu model>, nproc <n>" from /proc/cpuinfo and the scheduler.
fn machine() -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, m)| m.trim())
        })
        .unwrap_or("unknown CPU");
    let nproc = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{model}, nproc {nproc}")
}

fn print_table(records: u64, bytes: u64, copy: (Duration, Duration), import: &Measured) {
    let (cp, cp_sync) = (copy.0.as_secs_f64(), copy.1.as_secs_f64());
    let (imp, mb) = (import.elapsed.as_secs_f64(), bytes as f64 / 1e6);
    let rows = [
        ("machine", machine()),
        ("records", records.to_string()),
        ("total bytes", format!("{bytes} ({mb:.1} MB)")),
        ("cp -r", format!("{cp:.3} s")),
        ("cp -r + sync", format!("{cp_sync:.3} s")),
        ("import", format!("{imp:.3} s (exit {})", import.code)),
        (
            "import CPU",
            format!(
                "user {:.2} s, sys {:.2} s",
                import.cpu.0.as_secs_f64(),
                import.cpu.1.as_secs_f64()
            ),
        ),
        ("import / cp -r", format!("{:.2}", imp / cp)),
        ("import / (cp -r + sync)", format!("{:.2}", imp / cp_sync)),
        ("records/s", format!("{:.0}", records as f64 / imp)),
        ("MB/s", format!("{:.1}", mb / imp)),
        (
            "peak RSS",
            format!("{:.1} MB", import.max_rss_kb as f64 / 1024.0),
        ),
    ];
    for (label, value) in rows {
        println!("{label:<24}{value}");
    }
}

/// The layout floor: what DESIGN.md's data directory costs on this disk before newsvault does
/// any work of its own. Every record of `tree` is read and written to
/// `dst/archive/<site>/<yyyy>/<mm>/<key>/v1.md` (one directory per article, as the layout
/// requires), through a temporary file and a rename when `atomic`, on as many threads as there
/// are cores; no parsing beyond the timestamp line, no hashing, capture log or SQLite. Returns
/// (until the last file is placed, until `sync` returns).
fn layout_floor(tree: &Path, dst: &Path, atomic: bool) -> io::Result<(Duration, Duration)> {
    let mut files = Vec::new();
    for site in fs::read_dir(tree.join("articles"))? {
        let site = site?;
        for file in fs::read_dir(site.path())? {
            files.push((site.file_name(), file?.path()));
        }
    }
    sync()?;
    let start = Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || place_all(part, dst, atomic)))
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().expect("floor worker panicked"))
    })?;
    let placed = start.elapsed();
    sync()?;
    Ok((placed, start.elapsed()))
}

fn place_all(files: &[(std::ffi::OsString, PathBuf)], dst: &Path, atomic: bool) -> io::Result<()> {
    for (site, path) in files {
        let bytes = fs::read(path)?;
        let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let ms: i64 = std::str::from_utf8(line)
            .ok()
            .and_then(|head| head.strip_prefix("<!--")?.split_once("-->"))
            .and_then(|(ms, _)| ms.parse().ok())
            .ok_or_else(|| io::Error::other(format!("{}: no timestamp line", path.display())))?;
        let month = chrono::DateTime::from_timestamp_millis(ms).expect("ms in range");
        // A stand-in for the article key: 16 hex digits that differ per file.
        let mut key = Gen::new(ms as u64 ^ bytes.len() as u64);
        let dir = dst
            .join("archive")
            .join(site)
            .join(month.format("%Y/%m").to_string())
            .join(format!("{:016x}", key.next()));
        fs::create_dir_all(&dir)?;
        if atomic {
            let tmp = dir.join(".v1.md.tmp");
            fs::write(&tmp, &bytes)?;
            fs::rename(&tmp, dir.join("v1.md"))?;
        } else {
            fs::write(dir.join("v1.md"), &bytes)?;
        }
    }
    Ok(())
}

/// `newsvault --data <data>`, using the binary cargo built for this package.
fn newsvault(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsvault"));
    cmd.arg("--data").arg(data);
    cmd
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args().map_err(|e| {
        format!("{e}\nusage: import [--records N] [--rounds R] [--dir D] [--keep] [--no-catch-up]")
    })?;
    let default_parent = Path::new(env!("CARGO_TARGET_TMPDIR")).with_file_name("bench-import");
    let work = args
        .dir
        .unwrap_or(default_parent)
        .join(format!("run-{}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    let tree = work.join("tree");

    let start = Instant::now();
    let bytes = generate(&tree, args.records)?;
    eprintln!(
        "generated {} records in {:.1} s under {}",
        args.records,
        start.elapsed().as_secs_f64(),
        tree.display()
    );

    // Every round copies and imports into fresh folders; nothing is deleted until the end,
    // because ext4 allocates new inodes slowly for minutes after a mass deletion.
    let mut rounds = Vec::new();
    for round in 0..args.rounds.max(1) {
        let copy_times = time_copy(&tree, &work.join(format!("copy-{round}")))?;
        sync()?;
        let data = work.join(format!("data-{round}"));
        let import = run_measured(newsvault(&data).arg("import").arg(&tree))?;
        println!("round {}:", round + 1);
        print_table(args.records, bytes, copy_times, &import);
        // What the layout alone costs, against the same round's copy.
        let cp = copy_times.0.as_secs_f64();
        for (atomic, name) in [(false, "direct"), (true, "atomic")] {
            let (placed, synced) =
                layout_floor(&tree, &work.join(format!("floor-{name}-{round}")), atomic)?;
            println!(
                "{:<24}{:.3} s ({:.2}x cp -r), {:.3} s with sync ({:.2}x cp -r + sync)",
                format!("layout floor, {name}"),
                placed.as_secs_f64(),
                placed.as_secs_f64() / cp,
                synced.as_secs_f64(),
                synced.as_secs_f64() / copy_times.1.as_secs_f64(),
            );
        }
        rounds.push((cp, import.elapsed.as_secs_f64()));
        // Import leaves the search index to the next `search`, `serve` or `run`: timed here,
        // apart from what the target counts.
        if args.no_catch_up {
            continue;
        }
        let search = run_measured(
            newsvault(&data)
                .arg("search")
                .arg("的")
                .stdout(std::process::Stdio::null()),
        )?;
        println!(
            "{:<24}{:.3} s (the first `search` after the import; exit {}), peak RSS {:.1} MB",
            "search index catch-up",
            search.elapsed.as_secs_f64(),
            search.code,
            search.max_rss_kb as f64 / 1024.0
        );
    }
    if rounds.len() > 1 {
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let cp = median(rounds.iter().map(|r| r.0).collect());
        let imp = median(rounds.iter().map(|r| r.1).collect());
        let ratio = median(rounds.iter().map(|r| r.1 / r.0).collect());
        println!(
            "median of {} rounds: cp -r {cp:.3} s, import {imp:.3} s, import / cp -r {ratio:.2}",
            rounds.len()
        );
    }
    let data = work.join("data-0");
    let verify = newsvault(&data).arg("verify").status()?;
    println!("{:<24}{verify}", "verify (after import)");
    if args.keep {
        eprintln!("kept {}", work.display());
    } else {
        fs::remove_dir_all(&work)?;
    }
    Ok(())
}
