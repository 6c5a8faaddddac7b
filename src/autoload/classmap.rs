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
//! Reading is the expensive part, and it does not need Composer's order: every directory of
//! every scan root is read once (by real path) by a pool of threads, each taking a directory,
//! listing it through one descriptor, handing its new subdirectories to the others and parsing
//! its PHP files opened relative to it. The result is a tree of directory records in directory
//! order; the rules above are then replayed over it depth first, unit by unit, on one thread.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use rustix::fd::OwnedFd;

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
    let mut tree = Tree::default();
    let roots = units
        .iter()
        .map(|unit| root_of(unit, exclude, &mut tree))
        .collect::<Result<Vec<_>, _>>()?;
    read_tree(&mut tree, exclude, jobs)?;
    let out = replay(units, &roots, &tree, exclude, project_dir);
    // Freeing a hundred thousand strings takes a while: let it overlap writing the files.
    let _ = std::thread::Builder::new().spawn(move || drop((tree, roots)));
    Ok(out)
}

/// Where a unit's scan starts.
enum Root {
    /// Nothing to scan: a PSR directory that does not exist, or a file without a PHP extension.
    Nothing,
    /// A file named directly (a `classmap` entry), parsed unless excluded.
    File {
        shown: String,
        real: String,
        classes: Option<Vec<String>>,
    },
    /// A directory: the path as given and the record of its real path.
    Dir { shown: String, id: usize },
}

/// The directories of every unit, each read once (by real path) with its PHP files parsed.
#[derive(Default)]
struct Tree {
    /// Real path of a directory → its index in `records`.
    ids: HashMap<String, usize, FxBuild>,
    records: Vec<DirRecord>,
}

impl Tree {
    /// The index of the directory at `real`, and whether it is new (to be read). The path is
    /// copied only when it is new.
    fn id(&mut self, real: &str) -> (usize, bool) {
        if let Some(&id) = self.ids.get(real) {
            return (id, false);
        }
        let id = self.ids.len();
        self.ids.insert(real.to_string(), id);
        (id, true)
    }
}

/// One directory as read: its real path and its entries in directory order.
#[derive(Default)]
struct DirRecord {
    real: String,
    entries: Vec<Entry>,
}

/// What a directory holds that a scan looks at (hidden and VCS entries are left out).
enum Entry {
    /// A file with a PHP extension; `None` when an exclude rule matches its real path (it is
    /// excluded however it is reached, so it is not read).
    File {
        name: String,
        classes: Option<Vec<String>>,
    },
    /// A subdirectory (a symlink to one too) and the record of its real path.
    Dir { name: String, id: usize },
    /// A symlink to a file with a PHP extension: the file's real path and classes.
    LinkedFile {
        name: String,
        real: String,
        classes: Option<Vec<String>>,
    },
}

fn root_of(unit: &ScanUnit, exclude: &[Exclude], tree: &mut Tree) -> Result<Root, AutoloadError> {
    let path = Path::new(&unit.path);
    if path.is_file() {
        if !has_extension(path) {
            return Ok(Root::Nothing);
        }
        let shown = normalize(&unit.path);
        let real = std::fs::canonicalize(path)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| shown.clone());
        let classes = if exclude
            .iter()
            .any(|e| e.matches(&real) || e.matches(&shown))
        {
            None
        } else {
            let mut buf = Vec::new();
            let len =
                read_into(None, real.as_str(), &mut buf).map_err(|source| AutoloadError::Io {
                    path: PathBuf::from(&real),
                    source,
                })?;
            Some(find_classes_with(&buf[..len], &mut Scratch::default()))
        };
        return Ok(Root::File {
            shown,
            real,
            classes,
        });
    }
    if !path.is_dir() {
        return match unit.kind {
            ScanKind::Classmap => Err(AutoloadError::ClassmapPath {
                path: path.to_path_buf(),
            }),
            _ => Ok(Root::Nothing),
        };
    }
    let real = fs_err::canonicalize(path).map_err(|source| AutoloadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let (id, _) = tree.id(&real.to_string_lossy());
    Ok(Root::Dir {
        shown: normalize(&unit.path),
        id,
    })
}

fn has_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// The directory reading shared by the threads: a stack of directories to read (depth first,
/// which keeps a thread in the part of the tree it has just read), how many are being read, and
/// the first error.
struct Work {
    todo: Vec<Job>,
    active: usize,
    failure: Option<AutoloadError>,
    /// A reading thread panicked: the others stop instead of waiting for its directory.
    abandoned: bool,
}

struct Shared<'a> {
    work: Mutex<Work>,
    wake: Condvar,
    /// The directory index; a thread takes the lock once per directory it reads, for all the
    /// subdirectories it found.
    tree: Mutex<&'a mut Tree>,
    exclude: &'a [Exclude],
    /// Directories opened by the thread that listed their parent and not read yet.
    open_dirs: AtomicUsize,
}

/// A directory to read: its index, real path and, when its parent's reader opened it (relative
/// to the parent, one name to look up), its descriptor.
struct Job {
    id: usize,
    real: String,
    fd: Option<OwnedFd>,
}

/// At most this many directories wait open: a wide tree must not run out of descriptors.
const MAX_OPEN_DIRS: usize = 128;

/// Reads every directory reachable from the roots registered in `tree`, on `jobs` threads (this
/// one included): each thread takes a directory, lists it, hands its new subdirectories to the
/// others and parses its PHP files, opened relative to the directory.
fn read_tree(tree: &mut Tree, exclude: &[Exclude], jobs: usize) -> Result<(), AutoloadError> {
    let mut todo: Vec<Job> = tree
        .ids
        .iter()
        .map(|(real, &id)| Job {
            id,
            real: real.clone(),
            fd: None,
        })
        .collect();
    // The stack is popped from the end: the first roots are read first.
    todo.sort_unstable_by_key(|job| std::cmp::Reverse(job.id));
    let shared = Shared {
        work: Mutex::new(Work {
            todo,
            active: 0,
            failure: None,
            abandoned: false,
        }),
        wake: Condvar::new(),
        tree: Mutex::new(tree),
        exclude,
        open_dirs: AtomicUsize::new(0),
    };
    let read: Vec<(usize, DirRecord)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..jobs.max(1))
            .map(|_| scope.spawn(|| read_worker(&shared)))
            .collect();
        let mut all = read_worker(&shared);
        for h in helpers {
            all.extend(
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        all
    });
    let work = shared.work.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = work.failure {
        return Err(e);
    }
    let tree = shared.tree.into_inner().unwrap_or_else(|e| e.into_inner());
    tree.records.resize_with(tree.ids.len(), DirRecord::default);
    for (id, record) in read {
        tree.records[id] = record;
    }
    Ok(())
}

/// One reading thread: directories until there are none left and none is being read.
fn read_worker(shared: &Shared) -> Vec<(usize, DirRecord)> {
    let _abandon = AbandonOnPanic(shared);
    let mut done = Vec::new();
    let mut bufs = Buffers {
        dirents: Vec::with_capacity(32 * 1024),
        ..Buffers::default()
    };
    loop {
        let job = {
            let Ok(mut work) = shared.work.lock() else {
                return done;
            };
            loop {
                if work.failure.is_some() || work.abandoned {
                    return done;
                }
                if let Some(job) = work.todo.pop() {
                    work.active += 1;
                    break job;
                }
                if work.active == 0 {
                    shared.wake.notify_all();
                    return done;
                }
                work = match shared.wake.wait(work) {
                    Ok(w) => w,
                    Err(_) => return done,
                };
            }
        };
        let id = job.id;
        let result = read_dir_record(shared, job, &mut bufs);
        let Ok(mut work) = shared.work.lock() else {
            return done;
        };
        work.active -= 1;
        match result {
            Ok(record) => done.push((id, record)),
            Err(e) => {
                work.failure.get_or_insert(e);
            }
        }
        if work.failure.is_some() || (work.todo.is_empty() && work.active == 0) {
            shared.wake.notify_all();
        }
    }
}

/// Wakes the other reading threads for good when this one unwinds: the directory it was reading
/// would otherwise keep them waiting (the panic itself reaches the caller when the scope ends).
struct AbandonOnPanic<'a, 'b>(&'a Shared<'b>);

impl Drop for AbandonOnPanic<'_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut work = self.0.work.lock().unwrap_or_else(|e| e.into_inner());
            work.abandoned = true;
            self.0.wake.notify_all();
        }
    }
}

/// Lists the directory at `real` (in directory order), queues its new subdirectories, then
/// parses its PHP files. The directory is opened once: it is listed through that descriptor and
/// its files are opened relative to it, so the kernel looks up one name per file instead of
/// walking the whole path again.
fn read_dir_record(
    shared: &Shared,
    job: Job,
    bufs: &mut Buffers,
) -> Result<DirRecord, AutoloadError> {
    let real = job.real.as_str();
    use rustix::fs::{FileType, Mode, OFlags};
    let io = |path: &str, source: std::io::Error| AutoloadError::Io {
        path: PathBuf::from(path),
        source,
    };
    let dir_flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let dir = match job.fd {
        Some(fd) => {
            shared.open_dirs.fetch_sub(1, Ordering::Relaxed);
            fd
        }
        None => rustix::fs::open(real, dir_flags, Mode::empty()).map_err(|e| io(real, e.into()))?,
    };
    let mut entries = Vec::new();
    let mut subdirs: Vec<(usize, String, Option<OwnedFd>)> = Vec::new();
    let mut files: Vec<usize> = Vec::new();
    let mut names: Vec<std::ffi::CString> = Vec::new();
    // The buffer holds many entries (a name is at most 255 bytes): no entry is too large.
    let mut listing = rustix::fs::RawDir::new(&dir, bufs.dirents.spare_capacity_mut());
    while let Some(entry) = listing.next() {
        let entry = entry.map_err(|e| io(real, e.into()))?;
        let raw = entry.file_name();
        let bytes = raw.to_bytes();
        if bytes == b"." || bytes == b".." {
            continue;
        }
        let name = String::from_utf8_lossy(bytes);
        if (name.starts_with('.') && name.len() > 1) || VCS_NAMES.contains(&name.as_ref()) {
            continue;
        }
        let mut kind = entry.file_type();
        if kind == FileType::Unknown {
            kind = rustix::fs::statat(&dir, raw, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)
                .map(|st| FileType::from_raw_mode(st.st_mode))
                .map_err(|e| io(&format!("{real}/{name}"), e.into()))?;
        }
        match kind {
            FileType::Symlink => {
                // Followed; a dangling link is skipped.
                let path = format!("{real}/{name}");
                let Ok(meta) = std::fs::metadata(&path) else {
                    continue;
                };
                if meta.is_dir() {
                    let target = fs_err::canonicalize(&path).map_err(|e| io(&path, e))?;
                    subdirs.push((entries.len(), target.to_string_lossy().into_owned(), None));
                    entries.push(Entry::Dir {
                        name: name.into_owned(),
                        id: usize::MAX,
                    });
                } else if meta.is_file() && has_extension(Path::new(&path)) {
                    let target = std::fs::canonicalize(&path)
                        .map(|p| p.to_string_lossy().into_owned())
                        .unwrap_or_else(|_| normalize(&path));
                    let classes = if shared.exclude.iter().any(|e| e.matches(&target)) {
                        None
                    } else {
                        let len =
                            read_into(None, &target, &mut bufs.file).map_err(|e| io(&target, e))?;
                        Some(find_classes_with(&bufs.file[..len], &mut bufs.scratch))
                    };
                    entries.push(Entry::LinkedFile {
                        name: name.into_owned(),
                        real: target,
                        classes,
                    });
                }
            }
            FileType::Directory => {
                let fd = if shared.open_dirs.load(Ordering::Relaxed) < MAX_OPEN_DIRS {
                    // A failure here is met again, and reported, by the open by path.
                    rustix::fs::openat(&dir, raw, dir_flags, Mode::empty())
                        .ok()
                        .inspect(|_| {
                            shared.open_dirs.fetch_add(1, Ordering::Relaxed);
                        })
                } else {
                    None
                };
                subdirs.push((entries.len(), join(real, &name), fd));
                entries.push(Entry::Dir {
                    name: name.into_owned(),
                    id: usize::MAX,
                });
            }
            FileType::RegularFile if has_extension(Path::new(name.as_ref())) => {
                files.push(entries.len());
                names.push(raw.to_owned());
                entries.push(Entry::File {
                    name: name.into_owned(),
                    classes: None,
                });
            }
            _ => {}
        }
    }
    if !subdirs.is_empty() {
        let mut fresh = Vec::new();
        if let Ok(mut tree) = shared.tree.lock() {
            for (slot, sub, fd) in subdirs {
                let (id, new) = tree.id(&sub);
                if let Entry::Dir { id: entry_id, .. } = &mut entries[slot] {
                    *entry_id = id;
                }
                if new {
                    fresh.push(Job { id, real: sub, fd });
                } else if fd.is_some() {
                    shared.open_dirs.fetch_sub(1, Ordering::Relaxed);
                }
            }
        }
        if !fresh.is_empty() {
            if let Ok(mut work) = shared.work.lock() {
                // Reversed, so that the first subdirectory is popped first.
                work.todo.extend(fresh.into_iter().rev());
            }
            shared.wake.notify_all();
        }
    }
    for (slot, raw) in files.into_iter().zip(names) {
        let Entry::File { name, classes } = &mut entries[slot] else {
            continue;
        };
        if !shared.exclude.is_empty() {
            let path = format!("{real}/{name}");
            if shared.exclude.iter().any(|e| e.matches(&path)) {
                continue;
            }
        }
        let len = read_into(Some(&dir), &raw, &mut bufs.file)
            .map_err(|e| io(&format!("{real}/{name}"), e))?;
        *classes = Some(find_classes_with(&bufs.file[..len], &mut bufs.scratch));
    }
    Ok(DirRecord {
        real: real.to_string(),
        entries,
    })
}

/// A reading thread's buffers, reused from directory to directory and file to file.
#[derive(Default)]
struct Buffers {
    dirents: Vec<u8>,
    file: Vec<u8>,
    scratch: Scratch,
}

/// Reads a whole file into `buf` (reused across files, grown as needed, never shrunk) and
/// returns its length: open (relative to `dir` when given), reads until end of file, close.
/// A read that returns less than asked is the end of the file: these are regular files (the
/// scan follows Composer, which reads them whole with one `file_get_contents`), for which
/// Linux returns short counts only at the end.
fn read_into<P: rustix::path::Arg>(
    dir: Option<&rustix::fd::OwnedFd>,
    path: P,
    buf: &mut Vec<u8>,
) -> std::io::Result<usize> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::CLOEXEC;
    let file = match dir {
        Some(dir) => rustix::fs::openat(dir, path, flags, Mode::empty())?,
        None => rustix::fs::open(path, flags, Mode::empty())?,
    };
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize((buf.len() * 2).max(256 * 1024), 0);
        }
        let want = buf.len() - filled;
        match rustix::io::read(&file, &mut buf[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(n) => {
                filled += n;
                if n < want {
                    return Ok(filled);
                }
            }
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Composer's rules over the files of each unit, in order.
fn replay(
    units: &[ScanUnit],
    roots: &[Root],
    tree: &Tree,
    exclude: &[Exclude],
    project_dir: &str,
) -> ClassMap {
    let mut state = Replay {
        exclude,
        project_dir,
        out: ClassMap::default(),
        ambiguous: Vec::new(),
        ambiguous_index: HashMap::default(),
        scanned: HashSet::default(),
        visited: vec![0; tree.records.len()],
    };
    for (i, (unit, root)) in units.iter().zip(roots).enumerate() {
        match root {
            Root::Nothing => {}
            Root::File {
                shown,
                real,
                classes,
            } => state.file(unit, shown.clone(), real, classes.as_deref()),
            Root::Dir { shown, id } => state.dir(unit, i + 1, tree, *id, shown),
        }
    }
    let Replay {
        mut out,
        ambiguous,
        scanned,
        ..
    } = state;
    let _ = std::thread::Builder::new().spawn(move || drop(scanned));
    out.ambiguous = ambiguous
        .into_iter()
        .map(|(class, others)| {
            let first = out.map.get(&class).cloned().unwrap_or_default();
            (class, first, others)
        })
        .collect();
    out
}

struct Replay<'a> {
    exclude: &'a [Exclude],
    project_dir: &'a str,
    out: ClassMap,
    ambiguous: Vec<(String, Vec<String>)>,
    ambiguous_index: HashMap<String, usize, FxBuild>,
    /// Real paths of the files whose classes were taken.
    scanned: HashSet<String, FxBuild>,
    /// Per directory record, the (1-based) unit that last walked it: a directory reached twice
    /// in one unit (through a symlink) is walked once.
    visited: Vec<usize>,
}

impl Replay<'_> {
    /// Depth first, in directory order.
    fn dir(&mut self, unit: &ScanUnit, stamp: usize, tree: &Tree, id: usize, shown: &str) {
        if self.visited[id] == stamp {
            return;
        }
        self.visited[id] = stamp;
        let record = &tree.records[id];
        for entry in &record.entries {
            match entry {
                Entry::File { name, classes } => {
                    let real = join(&record.real, name);
                    self.file(unit, join(shown, name), &real, classes.as_deref());
                }
                Entry::Dir { name, id } => {
                    let sub = normalize(&join(shown, name));
                    self.dir(unit, stamp, tree, *id, &sub);
                }
                Entry::LinkedFile {
                    name,
                    real,
                    classes,
                } => {
                    let path = normalize(&format!("{shown}/{name}"));
                    self.file(unit, path, real, classes.as_deref());
                }
            }
        }
    }

    fn file(&mut self, unit: &ScanUnit, path: String, real: &str, classes: Option<&[String]>) {
        let Some(classes) = classes else {
            // Excluded by its real path.
            return;
        };
        if self.scanned.contains(real)
            || self
                .exclude
                .iter()
                .any(|e| e.matches(real) || e.matches(&path))
        {
            return;
        }
        let classes: Vec<&String> = match &unit.kind {
            ScanKind::Classmap => {
                self.scanned.insert(real.to_string());
                classes.iter().collect()
            }
            ScanKind::Psr4 { namespace } | ScanKind::Psr0 { namespace } => {
                let psr0 = matches!(unit.kind, ScanKind::Psr0 { .. });
                let kept = filter_by_namespace(
                    classes,
                    &path,
                    namespace,
                    psr0,
                    &unit.path,
                    self.project_dir,
                    &mut self.out.violations,
                );
                if !kept.is_empty() {
                    self.scanned.insert(real.to_string());
                }
                kept
            }
        };
        for class in classes {
            match self.out.map.get(class) {
                None => {
                    self.out.map.insert(class.clone(), path.clone());
                }
                Some(existing) if *existing != path && !is_test_path(existing, &path) => {
                    match self.ambiguous_index.get(class.as_str()) {
                        Some(&i) => self.ambiguous[i].1.push(path.clone()),
                        None => {
                            self.ambiguous_index
                                .insert(class.clone(), self.ambiguous.len());
                            self.ambiguous.push((class.clone(), vec![path.clone()]));
                        }
                    }
                }
                Some(_) => {}
            }
        }
    }
}

/// `dir/name`, without `format!`'s machinery (it runs for every file and directory).
fn join(dir: &str, name: &str) -> String {
    let mut path = String::with_capacity(dir.len() + 1 + name.len());
    path.push_str(dir);
    path.push('/');
    path.push_str(name);
    path
}

/// `{/(test|fixture|example|stub)s?/}i` anywhere in either path.
fn is_test_path(a: &str, b: &str) -> bool {
    let text = format!("{a} {b}").to_ascii_lowercase();
    ["test", "fixture", "example", "stub"]
        .iter()
        .any(|w| text.contains(&format!("/{w}/")) || text.contains(&format!("/{w}s/")))
}

fn filter_by_namespace<'c>(
    classes: &'c [String],
    file: &str,
    namespace: &str,
    psr0: bool,
    base: &str,
    project_dir: &str,
    violations: &mut Vec<String>,
) -> Vec<&'c String> {
    let sub = file.get(base.len() + 1..).unwrap_or("");
    let sub = match sub.rfind('.') {
        Some(dot) => &sub[..dot],
        None => sub,
    };
    let in_namespace = |class: &&String| namespace.is_empty() || class.starts_with(namespace);
    let valid: Vec<&String> = classes
        .iter()
        .filter(in_namespace)
        .filter(|class| complies(class, namespace, psr0, sub))
        .collect();
    if valid.is_empty() {
        let shown = match file.strip_prefix(project_dir) {
            Some(rest) => format!(".{rest}"),
            None => file.to_string(),
        };
        let standard = if psr0 { "psr-0" } else { "psr-4" };
        for class in classes.iter().filter(in_namespace) {
            violations.push(format!(
                "Class {class} located in {shown} does not comply with {standard} autoloading standard. Skipping."
            ));
        }
    }
    valid
}

/// Whether `class` is the class the standard expects in the file at `sub` (relative to the
/// rule's directory, without extension): PSR-4 maps the part after the namespace prefix with
/// `\` as `/`; PSR-0 the whole name, with `_` in the class name (after the last `\`) as `/`
/// too. Compared byte by byte, without building the expected path.
fn complies(class: &str, namespace: &str, psr0: bool, sub: &str) -> bool {
    let (name, underscores_from) = if psr0 {
        (class, class.rfind('\\').map_or(0, |i| i + 1))
    } else {
        (&class[namespace.len()..], usize::MAX)
    };
    name.len() == sub.len()
        && name
            .bytes()
            .zip(sub.bytes())
            .enumerate()
            .all(|(i, (c, s))| {
                let c = match c {
                    b'\\' => b'/',
                    b'_' if i >= underscores_from => b'/',
                    c => c,
                };
                c == s
            })
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
    fn expected_paths_compared_in_place() {
        // PSR-4: the part after the prefix, `\\` as `/`; `_` stays.
        assert!(complies(
            "Acme\\Lib\\Sub_Dir\\Foo",
            "Acme\\",
            false,
            "Lib/Sub_Dir/Foo"
        ));
        assert!(!complies("Acme\\Lib\\Foo", "Acme\\", false, "Lib/Fo"));
        assert!(!complies("Acme\\Lib\\Foo", "Acme\\", false, "Lib/Foo/Bar"));
        // PSR-0: `_` becomes `/` only in the class name, after the last `\\`.
        assert!(complies("Old_Ns\\Foo_Bar", "", true, "Old_Ns/Foo/Bar"));
        assert!(!complies("Old_Ns\\Foo_Bar", "", true, "Old/Ns/Foo/Bar"));
        assert!(complies("Old_Style_Thing", "Old_", true, "Old/Style/Thing"));
        assert!(!complies(
            "Old_Style_Thing",
            "Old_",
            true,
            "Old_Style_Thing"
        ));
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
