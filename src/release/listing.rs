//! Parsers for the downloads API's answers.
//!
//! Tables (`info/files`, `info/filter/...`): an optional header line, a line of at least five
//! dashes, then rows whose cells are separated by two or more spaces (or a tab), each row
//! starting with whitespace. A cell may be missing (rows without an MD5 exist), so a row whose
//! cell count differs from the header's is read by content: a 32-hex cell is the MD5, a
//! `YYYY-MM-DD…` cell the date, the first cell the description, the last one the file name, and
//! the rest fill type and version in order.
//!
//! `info/versions`: blocks separated by blank lines, each an edition heading, a dash line and
//! one version per line.
//!
//! `info/json`: an object keyed by type (`ce-full`, …); a value is a list of file objects or a
//! map version → list. File objects carry `file_name`, `name` (the description) and `md5`.

use serde::Serialize;
use serde_json::Value;

use super::{ReleaseFile, ReleaseType};

/// The columns of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Description,
    Type,
    Md5,
    Date,
    Version,
    File,
    Unknown,
}

const DEFAULT_COLUMNS: [Column; 6] = [
    Column::Description,
    Column::Type,
    Column::Md5,
    Column::Date,
    Column::Version,
    Column::File,
];

/// Parses a listing: the JSON feed when the body is a JSON object, a table otherwise.
pub fn parse_listing(text: &str) -> Result<Vec<ReleaseFile>, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        return parse_json_feed(trimmed);
    }
    if trimmed.starts_with('<') {
        return Err("the server answered with an HTML page".to_string());
    }
    Ok(parse_table(text))
}

/// Parses a text table (see the module documentation).
pub fn parse_table(text: &str) -> Vec<ReleaseFile> {
    let lines: Vec<&str> = text.lines().collect();
    let separator = lines.iter().position(|l| is_dash_line(l));
    let (columns, body) = match separator {
        Some(i) => {
            let header = lines[..i].iter().rev().find(|l| !l.trim().is_empty());
            let columns = header
                .map(|h| {
                    split_cells(h)
                        .iter()
                        .map(|c| column_of(c))
                        .collect::<Vec<_>>()
                })
                .filter(|c| c.contains(&Column::File))
                .unwrap_or_else(|| DEFAULT_COLUMNS.to_vec());
            (columns, &lines[i + 1..])
        }
        None => (DEFAULT_COLUMNS.to_vec(), &lines[..]),
    };
    body.iter()
        .filter(|l| !l.trim().is_empty() && !is_dash_line(l))
        .filter_map(|l| parse_row(&split_cells(l), &columns))
        .collect()
}

fn is_dash_line(line: &str) -> bool {
    let t = line.trim();
    t.chars().filter(|c| *c == '-').count() >= 5
        && t.chars().all(|c| c == '-' || c == '+' || c.is_whitespace())
}

fn column_of(header: &str) -> Column {
    let h = header.to_ascii_lowercase();
    if h.contains("md5") || h.contains("hash") || h.contains("checksum") {
        Column::Md5
    } else if h.contains("description") {
        Column::Description
    } else if h.contains("type") {
        Column::Type
    } else if h.contains("date") {
        Column::Date
    } else if h.contains("version") {
        Column::Version
    } else if h.contains("name") || h.contains("file") {
        Column::File
    } else {
        Column::Unknown
    }
}

/// Cells separated by two or more whitespace characters or a tab.
pub fn split_cells(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut pending_ws = String::new();
    for c in line.trim().chars() {
        if c.is_whitespace() {
            pending_ws.push(c);
            continue;
        }
        if !pending_ws.is_empty() {
            if pending_ws.chars().count() >= 2 || pending_ws.contains('\t') {
                cells.push(std::mem::take(&mut current));
            } else {
                current.push(' ');
            }
            pending_ws.clear();
        }
        current.push(c);
    }
    if !current.is_empty() {
        cells.push(current);
    }
    cells
}

fn is_md5(cell: &str) -> bool {
    cell.len() == 32 && cell.chars().all(|c| c.is_ascii_hexdigit())
}

fn is_date(cell: &str) -> bool {
    let b = cell.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

fn is_placeholder(cell: &str) -> bool {
    matches!(
        cell.trim().to_ascii_lowercase().as_str(),
        "" | "-" | "--" | "n/a" | "na" | "none" | "null"
    )
}

fn parse_row(cells: &[String], columns: &[Column]) -> Option<ReleaseFile> {
    if cells.len() < 2 {
        return None;
    }
    let mut row = RowBuilder::default();
    if cells.len() == columns.len() {
        for (cell, column) in cells.iter().zip(columns) {
            row.set(*column, cell);
        }
    } else {
        let mut rest = Vec::new();
        for cell in cells {
            if is_md5(cell) && row.md5.is_none() {
                row.md5 = Some(cell.to_ascii_lowercase());
            } else if is_date(cell) && row.date.is_none() {
                row.date = Some(cell.clone());
            } else {
                rest.push(cell.as_str());
            }
        }
        let (file, rest) = rest.split_last()?;
        row.file = Some(file.to_string());
        let mut middle = rest.iter();
        row.description = middle.next().map(|s| s.to_string());
        row.type_label = middle.next().map(|s| s.to_string());
        row.version = middle.next().map(|s| s.to_string());
    }
    row.build()
}

#[derive(Default)]
struct RowBuilder {
    description: Option<String>,
    type_label: Option<String>,
    md5: Option<String>,
    date: Option<String>,
    version: Option<String>,
    file: Option<String>,
}

impl RowBuilder {
    fn set(&mut self, column: Column, cell: &str) {
        let value = (!is_placeholder(cell)).then(|| cell.trim().to_string());
        match column {
            Column::Description => self.description = value,
            Column::Type => self.type_label = value,
            Column::Md5 => self.md5 = value.filter(|v| is_md5(v)).map(|v| v.to_ascii_lowercase()),
            Column::Date => self.date = value,
            Column::Version => self.version = value,
            Column::File => self.file = value,
            Column::Unknown => {}
        }
    }

    fn build(self) -> Option<ReleaseFile> {
        let file = self.file.filter(|f| !f.is_empty())?;
        let type_label = self.type_label.unwrap_or_default();
        Some(ReleaseFile {
            description: self.description.unwrap_or_default(),
            kind: ReleaseType::from_label(&type_label),
            type_label,
            version: self.version.unwrap_or_default(),
            file,
            md5: self.md5,
            date: self.date,
        })
    }
}

/// One block of `info/versions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionGroup {
    pub edition: String,
    pub versions: Vec<String>,
}

pub fn parse_versions(text: &str) -> Vec<VersionGroup> {
    let mut groups = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    let flush = |block: &mut Vec<&str>, groups: &mut Vec<VersionGroup>| {
        if block.is_empty() {
            return;
        }
        let (edition, versions) = match block.iter().position(|l| is_dash_line(l)) {
            Some(i) => (
                block[..i]
                    .iter()
                    .map(|l| l.trim())
                    .collect::<Vec<_>>()
                    .join(" "),
                &block[i + 1..],
            ),
            None => (String::new(), &block[..]),
        };
        let versions: Vec<String> = versions
            .iter()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty() && !is_dash_line(l))
            .collect();
        if !versions.is_empty() || !edition.is_empty() {
            groups.push(VersionGroup { edition, versions });
        }
        block.clear();
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut block, &mut groups);
        } else {
            block.push(line);
        }
    }
    flush(&mut block, &mut groups);
    groups
}

/// Parses the `info/json` feed.
pub fn parse_json_feed(text: &str) -> Result<Vec<ReleaseFile>, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(categories) = json else {
        return Err("the JSON feed is not an object".to_string());
    };
    let mut out = Vec::new();
    for (category, value) in &categories {
        let kind = ReleaseType::from_key(category).unwrap_or(ReleaseType::Other);
        match value {
            Value::Array(items) => {
                for item in items {
                    out.extend(feed_file(item, category, kind, None));
                }
            }
            Value::Object(by_version) => {
                for (version, items) in by_version {
                    let items = match items {
                        Value::Array(a) => a.iter().collect::<Vec<_>>(),
                        other => vec![other],
                    };
                    for item in items {
                        out.extend(feed_file(item, category, kind, Some(version)));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn feed_file(
    item: &Value,
    category: &str,
    kind: ReleaseType,
    version: Option<&str>,
) -> Option<ReleaseFile> {
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| item.get(*k).and_then(Value::as_str))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let file = text(&["file_name", "filename", "file"])?;
    Some(ReleaseFile {
        description: text(&["name", "description"]).unwrap_or_default(),
        kind,
        type_label: category.to_string(),
        version: version
            .map(str::to_string)
            .or_else(|| text(&["version"]))
            .unwrap_or_default(),
        file,
        md5: text(&["md5"])
            .filter(|m| is_md5(m))
            .map(|m| m.to_ascii_lowercase()),
        date: text(&["date", "publication_date", "release_date"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "  File Description                                     File Type                   Md5 Hash                          Publication Date     Version   File Name
  ------------------------------------------------------------------------------------------------------------------------------------
  Magento Community Edition 2.0.2 with Sample Data.zip   Community Edition - Full     0123456789abcdef0123456789ABCDEF  2016-01-28 06:33:00  2.0.2     Magento-CE-2.0.2+sample_data.zip
  Magento Community Edition 2.0.7                        Community Edition - Full                                       2016-05-30 10:00:00  2.0.7     Magento-CE-2.0.7.zip
  Patch SUPEE-1 for EE\tEnterprise Edition - Patch   fedcba9876543210fedcba9876543210    2016-02-01 00:00:00    2.0.2   PATCH_SUPEE-1_EE_2.0.2.sh
";

    #[test]
    fn table_with_missing_md5_and_odd_spacing() {
        let files = parse_table(TABLE);
        assert_eq!(files.len(), 3);
        assert_eq!(
            files[0].description,
            "Magento Community Edition 2.0.2 with Sample Data.zip"
        );
        assert_eq!(files[0].kind, ReleaseType::CeFull);
        assert_eq!(
            files[0].md5.as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(files[0].date.as_deref(), Some("2016-01-28 06:33:00"));
        assert_eq!(files[0].version, "2.0.2");
        assert_eq!(files[0].file, "Magento-CE-2.0.2+sample_data.zip");
        assert_eq!(files[1].md5, None);
        assert_eq!(files[1].version, "2.0.7");
        assert_eq!(files[1].file, "Magento-CE-2.0.7.zip");
        assert_eq!(files[1].date.as_deref(), Some("2016-05-30 10:00:00"));
        assert_eq!(files[2].kind, ReleaseType::EePatch);
        assert_eq!(files[2].description, "Patch SUPEE-1 for EE");
        assert_eq!(files[2].file, "PATCH_SUPEE-1_EE_2.0.2.sh");
    }

    #[test]
    fn table_without_header_uses_the_documented_order() {
        let files = parse_table(
            "   Desc A   Community Edition - Full   0123456789abcdef0123456789abcdef   2020-01-01   2.3.4   Magento-CE-2.3.4.tar.gz\n",
        );
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].version, "2.3.4");
        assert_eq!(files[0].file, "Magento-CE-2.3.4.tar.gz");
    }

    #[test]
    fn placeholder_md5_is_none() {
        let text = "Description  Type  Md5 Hash  Date  Version  File Name\n-------\n  A  Community Edition - Full  -  2020-01-01  2.3.4  a.zip\n";
        let files = parse_table(text);
        assert_eq!(files[0].md5, None);
        assert_eq!(files[0].file, "a.zip");
    }

    #[test]
    fn versions_blocks() {
        let text = "Community Edition\n-----------------\n2.0.0\n2.0.1\n\nEnterprise Edition\n------------------\n2.0.0\n";
        let groups = parse_versions(text);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].edition, "Community Edition");
        assert_eq!(groups[0].versions, vec!["2.0.0", "2.0.1"]);
        assert_eq!(groups[1].versions, vec!["2.0.0"]);
    }

    #[test]
    fn json_feed_flat_and_by_version() {
        let text = r#"{"ce-full": {"2.0.2": [{"file_name": "Magento-CE-2.0.2.zip", "name": "CE 2.0.2", "md5": "0123456789ABCDEF0123456789abcdef"}]},
            "other": [{"file_name": "x.tar.gz", "name": "X", "md5": ""}]}"#;
        let files = parse_listing(text).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].kind, ReleaseType::CeFull);
        assert_eq!(files[0].version, "2.0.2");
        assert_eq!(
            files[0].md5.as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(files[1].kind, ReleaseType::Other);
        assert_eq!(files[1].md5, None);
        assert!(parse_listing("<html>login</html>").is_err());
    }
}
