//! Differential test of `magefetch::composer::manipulator` (how `require` and `remove` edit
//! composer.json) against Composer's own `JsonManipulator`, run by one `php` process
//! (`tests/php/json_edit_oracle.php`).
//!
//! Files in many shapes (4 spaces, 2 spaces, tabs, CRLF, one line, empty and missing sections,
//! `[]` for an empty section, mixed-case and `\/`-escaped names, nested values) get sequences of
//! the edits `require`/`remove` make: add a link (new, existing, sorted), remove one (first,
//! middle, last, only, absent), drop a section left empty. Wherever Composer edits cleanly, the
//! resulting text must be identical byte for byte.

#[path = "support/php.rs"]
mod php;

use magefetch::composer::manipulator::JsonEditor;
use serde_json::{json, Value};

const AUTOLOAD: &str = "/usr/share/php/Composer/autoload.php";

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const NAMES: &[&str] = &[
    "php",
    "ext-json",
    "ext-intl",
    "lib-icu",
    "composer-plugin-api",
    "acme/a",
    "acme/b",
    "Acme/Mixed",
    "acme/a10",
    "acme/a9",
    "magento/product-community-edition",
    "magento/module-catalog",
    "psr/log",
    "zeta/last",
];

/// A composer.json text with the given sections, in one of several styles.
fn file(r: &mut Rng) -> String {
    let (indent, newline) = match r.below(5) {
        0 => ("  ", "\n"),
        1 => ("\t", "\n"),
        2 => ("    ", "\r\n"),
        3 => ("", ""),
        _ => ("    ", "\n"),
    };
    let sep = if indent.is_empty() { " " } else { "" };
    let mut members = Vec::new();
    members.push("\"name\": \"acme/project\"".to_string());
    for section in ["require", "require-dev"] {
        match r.below(5) {
            0 => continue,
            1 => members.push(format!("\"{section}\": {{}}")),
            2 => members.push(format!("\"{section}\": []")),
            _ => {
                let n = 1 + r.below(4);
                let mut entries = Vec::new();
                for _ in 0..n {
                    let name = r.pick_str(NAMES);
                    if entries
                        .iter()
                        .any(|(e, _): &(String, String)| e.eq_ignore_ascii_case(name))
                    {
                        continue;
                    }
                    let name = if r.below(6) == 0 {
                        name.replace('/', "\\/")
                    } else {
                        name.to_string()
                    };
                    let constraint =
                        r.pick_str(&["^1.0", "*", "~2.4.7", ">=1.0 <2.0", "dev-master"]);
                    entries.push((name, constraint.to_string()));
                }
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(n, c)| format!("{indent}{indent}\"{n}\": \"{c}\""))
                    .collect();
                members.push(format!(
                    "\"{section}\": {{{newline}{}{newline}{indent}}}",
                    inner.join(&format!(",{newline}{sep}"))
                ));
            }
        }
        if r.below(3) == 0 {
            members.push(
                "\"extra\": {\"map\": [[\"a\", \"b\"]], \"require\": {\"x/y\": \"1\"}}".to_string(),
            );
        }
    }
    if r.below(2) == 0 {
        members.push("\"minimum-stability\": \"dev\"".to_string());
    }
    let body: Vec<String> = members.iter().map(|m| format!("{indent}{m}")).collect();
    format!(
        "{{{newline}{}{newline}}}{}",
        body.join(&format!(",{newline}{sep}")),
        if r.below(2) == 0 { "\n" } else { "" }
    )
}

fn ops(r: &mut Rng) -> Vec<Value> {
    let n = 1 + r.below(3);
    (0..n)
        .map(|_| {
            let section = r.pick_str(&["require", "require-dev"]);
            let name = r.pick_str(NAMES).to_lowercase();
            match r.below(4) {
                0 | 1 => json!([
                    "add",
                    section,
                    name,
                    r.pick_str(&["^1.2", "*", "^2.4@beta", "2.4.7-p1"]),
                    r.below(3) == 0
                ]),
                2 => json!(["rm", section, name]),
                _ => json!(["rmempty", section]),
            }
        })
        .collect()
}

fn ours(text: &str, ops: &[Value]) -> Value {
    let Ok(mut editor) = JsonEditor::new(text) else {
        return Value::Bool(false);
    };
    for op in ops {
        let s = |i: usize| op[i].as_str().unwrap();
        let ok = match s(0) {
            "add" => editor
                .add_link(s(1), s(2), s(3), op[4].as_bool().unwrap())
                .is_ok(),
            "rm" => editor.remove_sub_node(s(1), s(2)).is_ok(),
            _ => {
                editor.remove_main_key_if_empty(s(1));
                true
            }
        };
        if !ok {
            return Value::Bool(false);
        }
    }
    Value::String(editor.contents())
}

#[test]
fn composer_json_edits_agree_with_composer() {
    let mut r = Rng(0x6d61_6765);
    let cases: Vec<(String, Vec<Value>)> = (0..3000).map(|_| (file(&mut r), ops(&mut r))).collect();
    let requests: Vec<String> = cases
        .iter()
        .map(|(text, ops)| json!([text, ops]).to_string())
        .collect();
    let Some(answers) = php::oracle("json_edit_oracle.php", AUTOLOAD, requests) else {
        return;
    };
    assert_eq!(answers.len(), cases.len());
    let mut compared = 0;
    let mut differences = Vec::new();
    for ((text, ops), theirs) in cases.iter().zip(&answers) {
        if *theirs == Value::Bool(false) {
            continue; // Composer falls back to rewriting the whole file here
        }
        compared += 1;
        let mine = ours(text, ops);
        if mine != *theirs {
            differences.push(format!(
                "input {text:?}\nedits {}\ncomposer {theirs}\nmagefetch {mine}",
                Value::Array(ops.clone())
            ));
        }
    }
    println!(
        "compared {compared} edit sequences with Composer's JsonManipulator ({} skipped where it gives up); {} differences",
        cases.len() - compared,
        differences.len()
    );
    assert!(
        differences.is_empty(),
        "{} differences, first ones:\n{}",
        differences.len(),
        differences[..differences.len().min(5)].join("\n\n")
    );
    assert!(compared >= 2000, "only {compared} comparable cases");
}

/// Package entries whose recommended `require` constraint is compared with Composer's
/// `VersionSelector::findRecommendedRequireVersion`.
fn recommend_cases() -> Vec<Value> {
    let mut out = Vec::new();
    let versions = [
        "1.2.1",
        "1.2",
        "v3.2.1",
        "0.3.1",
        "0.0.4",
        "2.4.7-p1",
        "2.4.7-p12",
        "2.4.7.1",
        "2.0-beta.1",
        "1.0.0-RC2",
        "3.0.0-alpha3",
        "1.0.0-dev",
        "20240101",
        "1.0.0-patch2",
        "dev-master",
        "dev-main",
        "dev-feature/x",
        "2.4.x-dev",
        "1.x-dev",
        "103.0.7-p1",
        "100.4.0",
        "0.1",
        "5",
        "1.2.3.4.5",
    ];
    let aliases = [
        None,
        Some(json!({"dev-master": "2.1.x-dev"})),
        Some(json!({"dev-main": "3.0-dev"})),
        Some(json!({"1.x-dev": "1.2.x-dev"})),
        Some(json!({"1.x-dev": "2.0.x-dev"})),
        Some(json!({"dev-master": "2.1"})),
        Some(json!({"dev-feature/x": "dev-other"})),
    ];
    for v in versions {
        for (i, alias) in aliases.iter().enumerate() {
            let mut p = json!({"name": "acme/pkg", "version": v, "type": "library"});
            if let Some(a) = alias {
                p["extra"] = json!({"branch-alias": a});
            }
            if i == 0 && v.starts_with("dev-") {
                p["default-branch"] = json!(true);
            }
            out.push(p);
        }
    }
    out
}

#[test]
fn recommended_require_versions_agree_with_composer() {
    let cases = recommend_cases();
    let requests: Vec<String> = cases
        .iter()
        .map(|p| json!(["recommend", p]).to_string())
        .collect();
    let Some(answers) = php::oracle("json_edit_oracle.php", AUTOLOAD, requests) else {
        return;
    };
    let mut differences = Vec::new();
    for (package, theirs) in cases.iter().zip(&answers) {
        let Some(theirs) = theirs.as_str() else {
            continue; // Composer refused to load this entry
        };
        let ours = magefetch::composer::require_version::recommended_require_version(package, None);
        if ours != theirs {
            differences.push(format!("{package}: composer {theirs}, magefetch {ours}"));
        }
    }
    println!(
        "compared {} recommended constraints with Composer; {} differences",
        cases.len(),
        differences.len()
    );
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
