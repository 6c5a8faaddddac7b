//! composer.lock as Composer 2.5.5 writes it (`Locker::setLockData` with `ArrayDumper`).
//!
//! A locked entry is not the repository JSON: Composer loads each version into a package
//! object and dumps it again, so keys come in the dumper's fixed order, link maps are sorted
//! with lower-cased targets, `type` is lower-cased (default `library`), `time` is re-formatted
//! as RFC 3339, `bin` / `license` become lists, `keywords` are sorted, empty values disappear,
//! and every value goes through PHP's array semantics (`{}` becomes `[]`). The file is pretty
//! JSON with 4 spaces, unescaped slashes and unicode, and a final newline.

use serde_json::{Map, Number, Value};

use super::pool::parse_links;
use super::Resolution;
use crate::composer::json::to_pretty;

const README: [&str; 3] = [
    "This file locks the dependencies of your project to a known state",
    "Read more about it at https://getcomposer.org/doc/01-basic-usage.md#installing-dependencies",
    "This file is @generated automatically",
];

/// The text of composer.lock for a resolution.
pub fn render(res: &Resolution, content_hash: &str) -> String {
    let mut lock = Map::new();
    lock.insert(
        "_readme".into(),
        Value::Array(
            README
                .iter()
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
    );
    lock.insert(
        "content-hash".into(),
        Value::String(content_hash.to_string()),
    );
    lock.insert("packages".into(), Value::Array(dump_sorted(&res.packages)));
    lock.insert(
        "packages-dev".into(),
        Value::Array(dump_sorted(&res.packages_dev)),
    );
    lock.insert(
        "aliases".into(),
        Value::Array(
            res.aliases
                .iter()
                .map(|a| {
                    let version = match a.version.as_str() {
                        "dev-master" | "dev-trunk" | "dev-default" => "9999999-dev".to_string(),
                        v => v.to_string(),
                    };
                    let mut m = Map::new();
                    m.insert("package".into(), Value::String(a.package.clone()));
                    m.insert("version".into(), Value::String(version));
                    m.insert("alias".into(), Value::String(a.alias.clone()));
                    m.insert(
                        "alias_normalized".into(),
                        Value::String(a.alias_normalized.clone()),
                    );
                    Value::Object(m)
                })
                .collect(),
        ),
    );
    lock.insert(
        "minimum-stability".into(),
        Value::String(res.minimum_stability.clone()),
    );
    lock.insert(
        "stability-flags".into(),
        php_map(
            res.stability_flags
                .iter()
                .map(|(n, f)| (n.clone(), Value::Number(Number::from(*f)))),
        ),
    );
    lock.insert("prefer-stable".into(), Value::Bool(res.prefer_stable));
    lock.insert("prefer-lowest".into(), Value::Bool(res.prefer_lowest));
    let strings = |list: &[(String, String)]| {
        php_map(
            list.iter()
                .map(|(n, c)| (n.clone(), Value::String(c.clone()))),
        )
    };
    lock.insert("platform".into(), strings(&res.platform));
    lock.insert("platform-dev".into(), strings(&res.platform_dev));
    if let Some(o) = &res.platform_overrides {
        lock.insert("platform-overrides".into(), php_value(o.clone()));
    }
    lock.insert(
        "plugin-api-version".into(),
        Value::String(super::platform::PLUGIN_API_VERSION.into()),
    );
    to_pretty(&Value::Object(lock))
}

/// A PHP array from pairs: `[]` when empty.
fn php_map(items: impl Iterator<Item = (String, Value)>) -> Value {
    let m: Map<String, Value> = items.collect();
    if m.is_empty() {
        Value::Array(Vec::new())
    } else {
        php_value(Value::Object(m))
    }
}

fn dump_sorted(entries: &[std::sync::Arc<Map<String, Value>>]) -> Vec<Value> {
    let mut dumped: Vec<Map<String, Value>> = entries.iter().map(|e| dump(e)).collect();
    dumped.sort_by(|a, b| {
        let key = |m: &Map<String, Value>, k: &str| {
            m.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        key(a, "name")
            .cmp(&key(b, "name"))
            .then_with(|| key(a, "version").cmp(&key(b, "version")))
    });
    dumped.into_iter().map(Value::Object).collect()
}

/// Reverses nothing: lock entries are re-read as repository entries (the dumper's output is
/// also valid loader input); `installation-source` and friends are dropped.
pub fn strip_for_reload(entry: &Map<String, Value>) -> Map<String, Value> {
    let mut m = entry.clone();
    m.remove("installation-source");
    m
}

/// PHP's `json_decode(…, true)` view of a value: `{}` → `[]`, `{"0":…,"1":…}` → a list.
pub fn php_value(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            if m.is_empty() {
                return Value::Array(Vec::new());
            }
            let is_list = m
                .keys()
                .enumerate()
                .all(|(i, k)| k.parse::<usize>().ok() == Some(i) && *k == i.to_string());
            if is_list {
                Value::Array(m.into_iter().map(|(_, v)| php_value(v)).collect())
            } else {
                Value::Object(m.into_iter().map(|(k, v)| (k, php_value(v))).collect())
            }
        }
        Value::Array(a) => Value::Array(a.into_iter().map(php_value).collect()),
        other => other,
    }
}

/// PHP's `empty()` of a decoded value.
fn php_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty() || s == "0",
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

fn is_array(v: &Value) -> bool {
    matches!(v, Value::Array(_) | Value::Object(_))
}

/// `dumpValues`: set unless null or an empty array.
fn put(out: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    let Some(v) = v else { return };
    let v = php_value(v);
    if v.is_null() || v.as_array().is_some_and(|a| a.is_empty()) {
        return;
    }
    out.insert(key.to_string(), v);
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("1".into()),
        Value::Bool(false) => Some(String::new()),
        _ => None,
    }
}

/// One package entry of the lock (`ArrayDumper::dump` minus `version_normalized`,
/// `installation-source`; `time` last).
pub fn dump(data: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let name = data.get("name").and_then(scalar_string).unwrap_or_default();
    let version = data
        .get("version")
        .and_then(scalar_string)
        .unwrap_or_default();
    out.insert("name".into(), Value::String(name.clone()));
    out.insert("version".into(), Value::String(version.clone()));
    if let Some(t) = data.get("target-dir").filter(|v| !php_empty(v)) {
        out.insert("target-dir".into(), php_value(t.clone()));
    }
    if let Some(Value::Object(src)) = data.get("source") {
        if src.get("type").is_some_and(|t| !php_empty(t)) {
            let mut s = Map::new();
            s.insert("type".into(), src["type"].clone());
            s.insert("url".into(), src.get("url").cloned().unwrap_or(Value::Null));
            if let Some(r) = src.get("reference").filter(|r| !r.is_null()) {
                s.insert(
                    "reference".into(),
                    Value::String(scalar_string(r).unwrap_or_default()),
                );
            }
            if let Some(m) = src.get("mirrors").filter(|m| !php_empty(m)) {
                s.insert("mirrors".into(), php_value(m.clone()));
            }
            out.insert("source".into(), Value::Object(s));
        }
    }
    if let Some(Value::Object(dist)) = data.get("dist") {
        if dist.get("type").is_some_and(|t| !php_empty(t)) {
            let mut d = Map::new();
            d.insert("type".into(), dist["type"].clone());
            d.insert(
                "url".into(),
                dist.get("url").cloned().unwrap_or(Value::Null),
            );
            if let Some(r) = dist.get("reference").filter(|r| !r.is_null()) {
                d.insert(
                    "reference".into(),
                    Value::String(scalar_string(r).unwrap_or_default()),
                );
            }
            if let Some(s) = dist.get("shasum").filter(|s| !s.is_null()) {
                d.insert("shasum".into(), s.clone());
            }
            if let Some(m) = dist.get("transport-mirrors-kept").filter(|m| !php_empty(m)) {
                d.insert("mirrors".into(), php_value(m.clone()));
            }
            out.insert("dist".into(), Value::Object(d));
        }
    }
    let own = name.to_lowercase();
    for key in ["require", "conflict", "provide", "replace", "require-dev"] {
        let links = parse_links_raw(data, key, &own, &version);
        if !links.is_empty() {
            let mut sorted = links;
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            out.insert(
                key.into(),
                Value::Object(
                    sorted
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect(),
                ),
            );
        }
    }
    if let Some(Value::Object(suggest)) = data.get("suggest") {
        let mut items: Vec<(String, Value)> = suggest
            .iter()
            .map(|(k, v)| {
                let v = match v.as_str() {
                    Some(s) if s.trim() == "self.version" => Value::String(version.clone()),
                    _ => v.clone(),
                };
                (k.clone(), v)
            })
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        if !items.is_empty() {
            out.insert("suggest".into(), Value::Object(items.into_iter().collect()));
        }
    }
    let time = data
        .get("time")
        .filter(|t| !php_empty(t))
        .and_then(scalar_string)
        .and_then(|t| format_time(&t));
    if data.get("default-branch") == Some(&Value::Bool(true)) {
        out.insert("default-branch".into(), Value::Bool(true));
    }
    if let Some(bin) = data.get("bin") {
        let list: Vec<Value> = match bin {
            Value::Array(a) => a.clone(),
            Value::Object(o) => o.values().cloned().collect(),
            other => vec![other.clone()],
        };
        let list: Vec<Value> = list
            .into_iter()
            .map(|b| match b {
                Value::String(s) => Value::String(s.trim_start_matches('/').to_string()),
                other => other,
            })
            .collect();
        put(&mut out, "bin", Some(Value::Array(list)));
    }
    let package_type = data
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_lowercase)
        .unwrap_or_else(|| "library".into());
    out.insert("type".into(), Value::String(package_type));
    if let Some(extra) = data.get("extra").filter(|e| is_array(e)) {
        put(&mut out, "extra", Some(extra.clone()));
    }
    put(&mut out, "autoload", data.get("autoload").cloned());
    put(&mut out, "autoload-dev", data.get("autoload-dev").cloned());
    if let Some(n) = data.get("notification-url").filter(|v| !php_empty(v)) {
        out.insert("notification-url".into(), n.clone());
    }
    put(&mut out, "include-path", data.get("include-path").cloned());
    if let Some(Value::Object(archive)) = data.get("archive") {
        let mut a = Map::new();
        if let Some(n) = archive.get("name").filter(|v| !php_empty(v)) {
            a.insert("name".into(), n.clone());
        }
        if let Some(e) = archive.get("exclude").filter(|v| !php_empty(v)) {
            a.insert("exclude".into(), php_value(e.clone()));
        }
        if !a.is_empty() {
            out.insert("archive".into(), Value::Object(a));
        }
    }
    if let Some(Value::Object(scripts)) = data.get("scripts") {
        let m: Map<String, Value> = scripts
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::Array(_) | Value::Object(_) => v.clone(),
                    Value::Null => Value::Array(Vec::new()),
                    other => Value::Array(vec![other.clone()]),
                };
                (k.clone(), v)
            })
            .collect();
        put(&mut out, "scripts", Some(Value::Object(m)));
    }
    if let Some(l) = data.get("license").filter(|v| !php_empty(v)) {
        let l = if is_array(l) {
            l.clone()
        } else {
            Value::Array(vec![l.clone()])
        };
        put(&mut out, "license", Some(l));
    }
    if let Some(a) = data.get("authors").filter(|v| !php_empty(v) && is_array(v)) {
        put(&mut out, "authors", Some(a.clone()));
    }
    for key in ["description", "homepage"] {
        if let Some(d) = data.get(key).filter(|v| v.is_string() && !php_empty(v)) {
            out.insert(key.into(), d.clone());
        }
    }
    if let Some(k) = data
        .get("keywords")
        .filter(|v| !php_empty(v) && is_array(v))
    {
        let mut words: Vec<String> = match php_value(k.clone()) {
            Value::Array(a) => a
                .iter()
                .map(|w| scalar_string(w).unwrap_or_default())
                .collect(),
            Value::Object(o) => o
                .values()
                .map(|w| scalar_string(w).unwrap_or_default())
                .collect(),
            _ => Vec::new(),
        };
        words.sort();
        put(
            &mut out,
            "keywords",
            Some(Value::Array(words.into_iter().map(Value::String).collect())),
        );
    }
    if let Some(s) = data.get("support") {
        put(&mut out, "support", Some(s.clone()));
    }
    if let Some(f) = data.get("funding").filter(|v| !php_empty(v) && is_array(v)) {
        put(&mut out, "funding", Some(f.clone()));
    }
    if let Some(a) = data.get("abandoned") {
        if !php_empty(a) {
            let v = match a {
                Value::String(s) => Value::String(s.clone()),
                _ => Value::Bool(true),
            };
            out.insert("abandoned".into(), v);
        }
    }
    if let Some(t) = data.get("transport-options").filter(|v| !php_empty(v)) {
        out.insert("transport-options".into(), php_value(t.clone()));
    }
    if let Some(t) = time {
        out.insert("time".into(), Value::String(t));
    }
    out
}

/// Link maps as the dumper writes them: lower-cased targets, self-links dropped, later
/// duplicates win, pretty constraints.
fn parse_links_raw(
    data: &Map<String, Value>,
    key: &str,
    own: &str,
    version: &str,
) -> Vec<(String, String)> {
    let parsed = parse_links(data, key, own, version);
    parsed.into_iter().map(|l| (l.target, l.pretty)).collect()
}

/// PHP `new DateTime($time, UTC)` then `format(DATE_RFC3339)`, for the forms repositories
/// use: `YYYY-MM-DD[ T]HH:MM:SS[.frac][Z|±HH:MM|±HHMM]`, a date alone, or a Unix timestamp.
pub fn format_time(input: &str) -> Option<String> {
    let s = input.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i64 = s.parse().ok()?;
        return Some(format_unix(secs));
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let year = num(0, 4)?;
    if b.get(4) != Some(&b'-') {
        return None;
    }
    let month = num(5, 2)?;
    if b.get(7) != Some(&b'-') {
        return None;
    }
    let day = num(8, 2)?;
    let (mut h, mut mi, mut sec) = (0, 0, 0);
    let mut p = 10;
    if matches!(b.get(10), Some(b' ' | b'T' | b't')) {
        h = num(11, 2)?;
        if b.get(13) != Some(&b':') {
            return None;
        }
        mi = num(14, 2)?;
        p = 16;
        if b.get(16) == Some(&b':') {
            sec = num(17, 2)?;
            p = 19;
            if b.get(19) == Some(&b'.') {
                p = 20;
                while b.get(p).is_some_and(u8::is_ascii_digit) {
                    p += 1;
                }
            }
        }
    }
    let rest = s[p..].trim_start();
    let offset = match rest {
        "" | "Z" | "z" | "UTC" | "GMT" => "+00:00".to_string(),
        r if (r.starts_with('+') || r.starts_with('-'))
            && r.len() == 6
            && r.as_bytes()[3] == b':' =>
        {
            r.to_string()
        }
        r if (r.starts_with('+') || r.starts_with('-')) && r.len() == 5 => {
            format!("{}:{}", &r[..3], &r[3..])
        }
        _ => return None,
    };
    if !(1..=12).contains(&month) || day == 0 || day > 31 || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{h:02}:{mi:02}:{sec:02}{offset}"
    ))
}

fn format_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, mi, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}+00:00")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times() {
        assert_eq!(
            format_time("2024-02-01 10:11:12").unwrap(),
            "2024-02-01T10:11:12+00:00"
        );
        assert_eq!(
            format_time("2024-02-01T10:11:12+02:00").unwrap(),
            "2024-02-01T10:11:12+02:00"
        );
        assert_eq!(
            format_time("2024-02-01T10:11:12.123456Z").unwrap(),
            "2024-02-01T10:11:12+00:00"
        );
        assert_eq!(
            format_time("2024-02-01").unwrap(),
            "2024-02-01T00:00:00+00:00"
        );
        assert_eq!(format_time("0").unwrap(), "1970-01-01T00:00:00+00:00");
        assert_eq!(
            format_time("1700000000").unwrap(),
            "2023-11-14T22:13:20+00:00"
        );
        assert_eq!(format_time("garbage"), None);
    }

    #[test]
    fn dump_order_and_normalisation() {
        let e = json!({"name": "Acme/Lib", "version": "v1.0", "version_normalized": "1.0.0.0",
            "time": "2024-01-01 00:00:00", "type": "Library", "require": {"Z/z": "^1", "a/a": "*", "acme/lib": "1"},
            "autoload": {"psr-4": {}}, "extra": {}, "keywords": ["b", "a"], "license": "MIT",
            "dist": {"type": "zip", "url": "u", "reference": 5, "shasum": null}});
        let d = dump(e.as_object().unwrap());
        let keys: Vec<&str> = d.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "name", "version", "dist", "require", "type", "autoload", "license", "keywords",
                "time"
            ]
        );
        assert_eq!(d["require"], json!({"a/a": "*", "z/z": "^1"}));
        assert_eq!(d["autoload"], json!({"psr-4": []}));
        assert_eq!(
            d["dist"],
            json!({"type": "zip", "url": "u", "reference": "5"})
        );
        assert_eq!(d["type"], json!("library"));
        assert_eq!(d["keywords"], json!(["a", "b"]));
    }
}
