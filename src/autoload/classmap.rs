//! Building the class map: scanning `classmap` paths (always) and, with `--optimize`, every
//! PSR-4/PSR-0 directory, the way Composer's class-map generator does.
//!
//! - Directories are walked depth-first in directory order, following symlinks, skipping names
//!   that start with `.` and VCS directories (`CVS`, `_svn`, `_darcs`), keeping files ending in
//!   `.php`, `.inc` or `.hh`.
//! - A file is scanned once (by real path): a `classmap` scan always marks it, a PSR scan only
//!   when it kept a class. `exclude-from-classmap` rules are matched against the real path and
//!   the path as found.
//! - In a PSR scan a class is kept only when its name maps to the file's path under the rule
//!   (PSR-4: the part after the namespace prefix; PSR-0: the full name with `_` in the class
//!   name as `/`). When no class of a file complies, each is reported as a violation.
//! - The first file found for a class wins; later different files are reported as ambiguous
//!   unless one of the paths is under a `test(s)`, `fixture(s)`, `example(s)` or `stub(s)`
//!   directory.
//!
//! Parsing is the expensive part: files are listed on one thread (sequential, to keep
//! Composer's order) and handed to parsing threads as they are found, so that walking and
//! parsing overlap; then the rules above are replayed in order.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::paths::normalize;
use super::scan::{find_classes_with, Scratch};
use super::AutoloadError;

const EXTENSIONS: [&str; 3] = ["php", "inc", "hh"];
const VCS_NAMES: [&str; 3] = ["CVS", "_svn", "_darcs"];

/// One `exclude-from-classmap` rule: `<real base>/<pattern>($|/)`, searched anywhere in a path,
/// where `**` matches one or more characters and `*` one or more characters other than `/`.
#[derive(Debug, Clone)]
pub struct Exclude {
    prefix: String,
    /// A searcher for `prefix`, built once (every listed file is checked against it).
    finder: memchr::memmem::Finder<'static>,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(u8),
    Any,
    Segment,
}

impl Exclude {
    /// The rule for `pattern` declared by a package installed at `base` (or `None` when the
    /// directory it is relative to does not exist, as Composer drops it).
    pub fn new(base: &str, pattern: &str) -> Option<Exclude> {
        let mut path = pattern.replace('\\', "/").trim_matches('/').to_string();
        while path.contains("//") {
            path = path.replace("//", "/");
        }
        let mut updir = String::new();
        loop {
            if let Some(rest) = path.strip_prefix("../") {
                updir.push_str("../");
                path = rest.to_string();
            } else if let Some(rest) = path.strip_prefix("./") {
                updir.push_str("./");
                path = rest.to_string();
            } else {
                break;
            }
        }
        let resolved = std::fs::canonicalize(format!("{base}/{updir}")).ok()?;
        let mut tokens = Vec::new();
        let bytes = path.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'*' {
                if bytes.get(i + 1) == Some(&b'*') {
                    tokens.push(Token::Any);
                    i += 2;
                } else {
                    tokens.push(Token::Segment);
                    i += 1;
                }
            } else {
                tokens.push(Token::Literal(bytes[i]));
                i += 1;
            }
        }
        let prefix = format!("{}/", resolved.to_string_lossy().replace('\\', "/"));
        Some(Exclude {
            finder: memchr::memmem::Finder::new(prefix.as_bytes()).into_owned(),
            prefix,
            tokens,
        })
    }

    fn find(&self, hay: &[u8], from: usize) -> Option<usize> {
        if from > hay.len() || self.prefix.is_empty() {
            return None;
        }
        self.finder.find(&hay[from..]).map(|i| i + from)
    }

    pub fn matches(&self, path: &str) -> bool {
        let p = path.as_bytes();
        let prefix = self.prefix.as_bytes();
        let mut from = 0;
        while let Some(pos) = self.find(p, from) {
            if match_tokens(&self.tokens, p, pos + prefix.len()) {
                return true;
            }
            from = pos + 1;
        }
        false
    }
}

fn match_tokens(tokens: &[Token], s: &[u8], i: usize) -> bool {
    match tokens.first() {
        None => i == s.len() || s[i] == b'/',
        Some(Token::Literal(b)) => s.get(i) == Some(b) && match_tokens(&tokens[1..], s, i + 1),
        Some(Token::Any) => (i + 1..=s.len()).any(|j| match_tokens(&tokens[1..], s, j)),
        Some(Token::Segment) => {
            let mut j = i;
            while j < s.len() && s[j] != b'/' {
                j += 1;
                if match_tokens(&tokens[1..], s, j) {
                    return true;
                }
            }
            false
        }
    }
}

/// What a scan is for: a `classmap` path, or a PSR directory with its namespace.
#[derive(Debug, Clone)]
pub enum ScanKind {
    Classmap,
    Psr4 { namespace: String },
    Psr0 { namespace: String },
}

/// One path to scan, in Composer's order.
#[derive(Debug, Clone)]
pub struct ScanUnit {
    /// Absolute, normalised.
    pub path: String,
    pub kind: ScanKind,
}

/// The class map with what Composer warns about.
#[derive(Debug, Default)]
pub struct ClassMap {
    pub map: BTreeMap<String, String>,
    pub ambiguous: Vec<(String, String, Vec<String>)>,
    pub violations: Vec<String>,
}

struct Candidate {
    /// Absolute, normalised path as found.
    path: String,
    real: String,
    /// Matched by an `exclude-from-classmap` rule (worked out once, while listing).
    excluded: bool,
}

/// FxHash (as in rustc): the path and class sets hash tens of thousands of local strings, for
/// which SipHash's protection against chosen keys buys nothing.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// Scans the units in order and returns the class map.
pub fn build(
    units: &[ScanUnit],
    exclude: &[Exclude],
    jobs: usize,
    project_dir: &str,
) -> Result<ClassMap, AutoloadError> {
    let excluded = |c: &Candidate| {
        exclude
            .iter()
            .any(|e| e.matches(&c.real) || e.matches(&c.path))
    };
    let (listed, index, parsed) = list_and_parse(units, &excluded, jobs)?;
    let out = replay(units, &listed, &index, &parsed, project_dir);
    // Freeing a hundred thousand strings takes a while: let it overlap writing the files.
    let _ = std::thread::Builder::new().spawn(move || drop((listed, index, parsed)));
    Ok(out)
}

/// Composer's rules over the parsed files, in listing order.
fn replay(
    units: &[ScanUnit],
    listed: &[Vec<Candidate>],
    index: &HashMap<String, usize, FxBuild>,
    parsed: &[Vec<String>],
    project_dir: &str,
) -> ClassMap {
    let mut out = ClassMap::default();
    let mut ambiguous: Vec<(String, Vec<String>)> = Vec::new();
    let mut ambiguous_index: HashMap<String, usize, FxBuild> = HashMap::default();
    let mut scanned: HashSet<&str, FxBuild> = HashSet::default();
    for (unit, files) in units.iter().zip(listed) {
        for c in files {
            if c.excluded || scanned.contains(c.real.as_str()) {
                continue;
            }
            let Some(&slot) = index.get(c.real.as_str()) else {
                continue;
            };
            let classes = &parsed[slot];
            let classes = match &unit.kind {
                ScanKind::Classmap => {
                    scanned.insert(c.real.as_str());
                    classes.clone()
                }
                ScanKind::Psr4 { namespace } | ScanKind::Psr0 { namespace } => {
                    let psr0 = matches!(unit.kind, ScanKind::Psr0 { .. });
                    let kept = filter_by_namespace(
                        classes,
                        &c.path,
                        namespace,
                        psr0,
                        &unit.path,
                        project_dir,
                        &mut out.violations,
                    );
                    if !kept.is_empty() {
                        scanned.insert(c.real.as_str());
                    }
                    kept
                }
            };
            for class in classes {
                match out.map.get(&class) {
                    None => {
                        out.map.insert(class, c.path.clone());
                    }
                    Some(existing) if *existing != c.path && !is_test_path(existing, &c.path) => {
                        match ambiguous_index.get(&class) {
                            Some(&i) => ambiguous[i].1.push(c.path.clone()),
                            None => {
                                ambiguous_index.insert(class.clone(), ambiguous.len());
                                ambiguous.push((class, vec![c.path.clone()]));
                            }
                        }
                    }
                    Some(_) => {}
                }
            }
        }
    }
    out.ambiguous = ambiguous
        .into_iter()
        .map(|(class, others)| {
            let first = out.map.get(&class).cloned().unwrap_or_default();
            (class, first, others)
        })
        .collect();
    out
}

/// `{/(test|fixture|example|stub)s?/}i` anywhere in either path.
fn is_test_path(a: &str, b: &str) -> bool {
    let text = format!("{a} {b}").to_ascii_lowercase();
    ["test", "fixture", "example", "stub"]
        .iter()
        .any(|w| text.contains(&format!("/{w}/")) || text.contains(&format!("/{w}s/")))
}

fn filter_by_namespace(
    classes: &[String],
    file: &str,
    namespace: &str,
    psr0: bool,
    base: &str,
    project_dir: &str,
    violations: &mut Vec<String>,
) -> Vec<String> {
    let sub = file.get(base.len() + 1..).unwrap_or("");
    let sub = match sub.rfind('.') {
        Some(dot) => &sub[..dot],
        None => sub,
    };
    let mut valid = Vec::new();
    let mut rejected = Vec::new();
    for class in classes {
        if !namespace.is_empty() && !class.starts_with(namespace) {
            continue;
        }
        let expected = if psr0 {
            match class.rfind('\\') {
                Some(i) => format!(
                    "{}{}",
                    class[..=i].replace('\\', "/"),
                    class[i + 1..].replace('_', "/")
                ),
                None => class.replace('_', "/"),
            }
        } else {
            class[namespace.len()..].replace('\\', "/")
        };
        if expected == sub {
            valid.push(class.clone());
        } else {
            rejected.push(class.clone());
        }
    }
    if valid.is_empty() {
        let shown = match file.strip_prefix(project_dir) {
            Some(rest) => format!(".{rest}"),
            None => file.to_string(),
        };
        let standard = if psr0 { "psr-0" } else { "psr-4" };
        for class in rejected {
            violations.push(format!(
                "Class {class} located in {shown} does not comply with {standard} autoloading standard. Skipping."
            ));
        }
    }
    valid
}

fn list_files(unit: &ScanUnit) -> Result<Vec<Candidate>, AutoloadError> {
    let path = Path::new(&unit.path);
    let mut out = Vec::new();
    if path.is_file() {
        push_candidate(path, &mut out);
        return Ok(out);
    }
    if !path.is_dir() {
        return match unit.kind {
            ScanKind::Classmap => Err(AutoloadError::ClassmapPath {
                path: path.to_path_buf(),
            }),
            _ => Ok(out),
        };
    }
    let mut visited = HashSet::new();
    let walked =
        fs_err::canonicalize(path).and_then(|real| walk(path, real, &mut visited, &mut out));
    walked.map_err(|source| AutoloadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(out)
}

fn has_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// A file given directly (a `classmap` entry naming one file).
fn push_candidate(path: &Path, out: &mut Vec<Candidate>) {
    if !has_extension(path) {
        return;
    }
    let shown = normalize(&path.to_string_lossy());
    let real = std::fs::canonicalize(path)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| shown.clone());
    out.push(Candidate {
        path: shown,
        real,
        excluded: false,
    });
}

/// Depth-first in directory order. `real_dir` is the real path of `dir`: entries that are not
/// symlinks extend it by name, so only the scan root and symlinks cost a `realpath` (which
/// reads every component of the path).
fn walk(
    dir: &Path,
    real_dir: PathBuf,
    visited: &mut HashSet<PathBuf>,
    out: &mut Vec<Candidate>,
) -> std::io::Result<()> {
    if !visited.insert(real_dir.clone()) {
        return Ok(());
    }
    let shown_dir = normalize(&dir.to_string_lossy());
    let real_dir_text = real_dir.to_string_lossy().into_owned();
    for entry in fs_err::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        if (name_text.starts_with('.') && name_text.len() > 1)
            || VCS_NAMES.contains(&name_text.as_ref())
        {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type()?;
        if file_type.is_symlink() {
            // Follow symlinks; a dangling link is skipped.
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                let real = fs_err::canonicalize(&path)?;
                walk(&path, real, visited, out)?;
            } else if meta.is_file() {
                push_candidate(&path, out);
            }
        } else if file_type.is_dir() {
            let real = real_dir.join(&name);
            walk(&path, real, visited, out)?;
        } else if file_type.is_file() && has_extension(&path) {
            out.push(Candidate {
                path: format!("{shown_dir}/{name_text}"),
                real: format!("{real_dir_text}/{name_text}"),
                excluded: false,
            });
        }
    }
    Ok(())
}

/// Reads a whole file into `buf` (reused across files, grown as needed, never shrunk) and
/// returns its length: open, reads until end of file, close — without the `fstat` and
/// `lseek` that `fs::read` spends on sizing a new buffer for each file.
fn read_into(path: &str, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize((buf.len() * 2).max(256 * 1024), 0);
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// What [`list_and_parse`] returns: the files of each unit, the index of each file parsed
/// (by real path) and the classes of each.
type Listing = (
    Vec<Vec<Candidate>>,
    HashMap<String, usize, FxBuild>,
    Vec<Vec<String>>,
);

/// Lists the units in order on this thread while `jobs` threads parse the files as they are
/// found (each real path once, unless excluded), so that walking directories and parsing
/// overlap.
fn list_and_parse(
    units: &[ScanUnit],
    excluded: &dyn Fn(&Candidate) -> bool,
    jobs: usize,
) -> Result<Listing, AutoloadError> {
    let (queue, jobs_rx) = std::sync::mpsc::channel::<(usize, String)>();
    let jobs_rx = Mutex::new(jobs_rx);
    let failure: Mutex<Option<AutoloadError>> = Mutex::new(None);
    let mut index: HashMap<String, usize, FxBuild> = HashMap::default();
    let (listed, done) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs.max(1))
            .map(|_| scope.spawn(|| parse_queue(&jobs_rx, &failure)))
            .collect();
        let mut list = || -> Result<Vec<Vec<Candidate>>, AutoloadError> {
            let mut listed = Vec::with_capacity(units.len());
            for unit in units {
                let mut files = list_files(unit)?;
                for c in &mut files {
                    c.excluded = excluded(c);
                    if !c.excluded && !index.contains_key(c.real.as_str()) {
                        let slot = index.len();
                        index.insert(c.real.clone(), slot);
                        // Sending fails only when every parser stopped on an error, which is
                        // reported below.
                        let _ = queue.send((slot, c.real.clone()));
                    }
                }
                listed.push(files);
            }
            Ok(listed)
        };
        let listed = list();
        drop(queue);
        let done: Vec<_> = workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        (listed, done)
    });
    let listed = listed?;
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }
    let mut parsed = vec![Vec::new(); index.len()];
    for (slot, classes) in done.into_iter().flatten() {
        parsed[slot] = classes;
    }
    Ok((listed, index, parsed))
}

/// One parsing thread: files from the queue until it closes; on a read error it records the
/// first and stops.
fn parse_queue(
    jobs: &Mutex<std::sync::mpsc::Receiver<(usize, String)>>,
    failure: &Mutex<Option<AutoloadError>>,
) -> Vec<(usize, Vec<String>)> {
    let mut done = Vec::new();
    let mut buf = Vec::new();
    let mut scratch = Scratch::default();
    loop {
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => break,
        };
        let Ok((slot, file)) = job else { break };
        match read_into(&file, &mut buf) {
            Ok(len) => done.push((slot, find_classes_with(&buf[..len], &mut scratch))),
            Err(source) => {
                if let Ok(mut first) = failure.lock() {
                    first.get_or_insert(AutoloadError::Io {
                        path: PathBuf::from(file),
                        source,
                    });
                }
                break;
            }
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusion_patterns() {
        let dir = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        let base = base.to_string_lossy();
        let rule = Exclude::new(&base, "**/Test/**").unwrap();
        assert!(rule.matches(&format!("{base}/app/code/X/Test/Unit/A.php")));
        assert!(!rule.matches(&format!("{base}/app/code/X/Tests/A.php")));
        let rule = Exclude::new(&base, "/src/Legacy/").unwrap();
        assert!(rule.matches(&format!("{base}/src/Legacy/A.php")));
        assert!(rule.matches(&format!("{base}/src/Legacy")));
        assert!(!rule.matches(&format!("{base}/src/LegacyX/A.php")));
        let rule = Exclude::new(&base, "src/*/Fixture").unwrap();
        assert!(rule.matches(&format!("{base}/src/A/Fixture/B.php")));
        assert!(!rule.matches(&format!("{base}/src/A/B/Fixture/B.php")));
        assert!(Exclude::new(&base, "missing/../../x").is_some());
        assert!(Exclude::new(&format!("{base}/nope"), "x").is_none());
    }

    #[test]
    fn psr_compliance() {
        let mut v = Vec::new();
        let classes = vec!["Acme\\Lib\\Foo".to_string(), "Acme\\Lib\\Other".to_string()];
        assert_eq!(
            filter_by_namespace(
                &classes,
                "/p/src/Foo.php",
                "Acme\\Lib\\",
                false,
                "/p/src",
                "/p",
                &mut v
            ),
            ["Acme\\Lib\\Foo"]
        );
        assert!(v.is_empty());
        let classes = vec!["Acme_Old_Thing".to_string()];
        assert_eq!(
            filter_by_namespace(
                &classes,
                "/p/lib/Acme/Old/Thing.php",
                "Acme_",
                true,
                "/p/lib",
                "/p",
                &mut v
            ),
            ["Acme_Old_Thing"]
        );
        let wrong = vec!["Acme\\Lib\\Bar".to_string()];
        assert!(filter_by_namespace(
            &wrong,
            "/p/src/Foo.php",
            "Acme\\Lib\\",
            false,
            "/p/src",
            "/p",
            &mut v
        )
        .is_empty());
        assert_eq!(v, ["Class Acme\\Lib\\Bar located in ./src/Foo.php does not comply with psr-4 autoloading standard. Skipping."]);
    }
}
