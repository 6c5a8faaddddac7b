//! The order Composer gives packages for `files` autoloads and class-map scanning.
//!
//! Composer's `PackageSorter::sortPackages` weighs each package by how much it is depended on:
//! every package that requires it subtracts `1 - weight(user)` (weights are zero or negative,
//! cycles count as 0), so widely used packages get the lowest weights. Packages are then sorted
//! by weight, ties broken by PHP's `strnatcasecmp` of the names, with a stable sort. The weights
//! are memoised in the order packages are visited, which matters only for cycles; this module
//! visits them in the same order Composer does (installed.json order).

use std::cmp::Ordering;
use std::collections::HashMap;

/// One package for sorting: its lower-cased name and the lower-cased names it requires.
pub struct SortItem {
    pub name: String,
    pub requires: Vec<String>,
}

/// Indices of `items` in Composer's order.
pub fn sort_packages(items: &[SortItem]) -> Vec<usize> {
    let index: HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.name.as_str(), i))
        .collect();
    // users[i]: the items that require item i, in item order.
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (i, item) in items.iter().enumerate() {
        for target in &item.requires {
            if let Some(&t) = index.get(target.as_str()) {
                users[t].push(i);
            }
        }
    }
    let mut weigher = Weigher {
        users: &users,
        state: vec![Visit::New; items.len()],
    };
    let mut weighted: Vec<(i64, &str, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (weigher.weight(i), item.name.as_str(), i))
        .collect();
    weighted.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| strnatcasecmp(a.1, b.1)));
    weighted.into_iter().map(|(_, _, i)| i).collect()
}

#[derive(Clone, Copy)]
enum Visit {
    New,
    Computing,
    Done(i64),
}

struct Weigher<'a> {
    users: &'a [Vec<usize>],
    state: Vec<Visit>,
}

impl Weigher<'_> {
    fn weight(&mut self, item: usize) -> i64 {
        match self.state[item] {
            Visit::Done(w) => return w,
            Visit::Computing => return 0,
            Visit::New => {}
        }
        self.state[item] = Visit::Computing;
        let mut weight = 0;
        for &user in &self.users[item] {
            weight -= 1 - self.weight(user);
        }
        self.state[item] = Visit::Done(weight);
        weight
    }
}

/// PHP's `strnatcasecmp`: digit runs compare by value (runs starting with 0 compare left-aligned,
/// as fractions), letters case-insensitively, leading zeros and whitespace skipped.
pub fn strnatcasecmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.is_empty() || b.is_empty() {
        return a.len().cmp(&b.len());
    }
    let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    let (mut i, mut j) = (0usize, 0usize);
    let mut leading = true;
    loop {
        if leading {
            while at(a, i) == b'0' && at(a, i + 1).is_ascii_digit() {
                i += 1;
            }
            while at(b, j) == b'0' && at(b, j + 1).is_ascii_digit() {
                j += 1;
            }
            leading = false;
        }
        while at(a, i).is_ascii_whitespace() {
            i += 1;
        }
        while at(b, j).is_ascii_whitespace() {
            j += 1;
        }
        let (mut ca, mut cb) = (at(a, i), at(b, j));
        if ca.is_ascii_digit() && cb.is_ascii_digit() {
            let fractional = ca == b'0' || cb == b'0';
            let result = if fractional {
                compare_left(a, &mut i, b, &mut j)
            } else {
                compare_right(a, &mut i, b, &mut j)
            };
            if result != Ordering::Equal {
                return result;
            }
            match (i >= a.len(), j >= b.len()) {
                (true, true) => return Ordering::Equal,
                (true, false) => return Ordering::Less,
                (false, true) => return Ordering::Greater,
                _ => {
                    ca = at(a, i);
                    cb = at(b, j);
                }
            }
        }
        let (ua, ub) = (ca.to_ascii_uppercase(), cb.to_ascii_uppercase());
        if ua != ub {
            return ua.cmp(&ub);
        }
        i += 1;
        j += 1;
        match (i >= a.len(), j >= b.len()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
    }
}

fn digit_at(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// Right-aligned numbers: the longer run wins, else the first difference.
fn compare_right(a: &[u8], i: &mut usize, b: &[u8], j: &mut usize) -> Ordering {
    let mut bias = Ordering::Equal;
    loop {
        match (digit_at(a, *i), digit_at(b, *j)) {
            (false, false) => return bias,
            (false, true) => return Ordering::Less,
            (true, false) => return Ordering::Greater,
            (true, true) => {
                if bias == Ordering::Equal {
                    bias = a[*i].cmp(&b[*j]);
                }
            }
        }
        *i += 1;
        *j += 1;
    }
}

/// Left-aligned numbers (fractions): the first difference wins.
fn compare_left(a: &[u8], i: &mut usize, b: &[u8], j: &mut usize) -> Ordering {
    loop {
        match (digit_at(a, *i), digit_at(b, *j)) {
            (false, false) => return Ordering::Equal,
            (false, true) => return Ordering::Less,
            (true, false) => return Ordering::Greater,
            (true, true) => {
                let o = a[*i].cmp(&b[*j]);
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
        *i += 1;
        *j += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        assert_eq!(strnatcasecmp("img12", "img10"), Ordering::Greater);
        assert_eq!(strnatcasecmp("img2", "img10"), Ordering::Less);
        assert_eq!(strnatcasecmp("A/b", "a/B"), Ordering::Equal);
        assert_eq!(strnatcasecmp("a-b", "a/b"), Ordering::Less);
        assert_eq!(strnatcasecmp("x1.05", "x1.5"), Ordering::Less);
        assert_eq!(strnatcasecmp("", "a"), Ordering::Less);
    }

    fn item(name: &str, requires: &[&str]) -> SortItem {
        SortItem {
            name: name.to_string(),
            requires: requires.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn dependencies_come_first() {
        let items = vec![
            item("a/app", &["b/lib", "c/base"]),
            item("b/lib", &["c/base"]),
            item("c/base", &["php"]),
            item("d/solo", &[]),
        ];
        let order: Vec<&str> = sort_packages(&items)
            .into_iter()
            .map(|i| items[i].name.as_str())
            .collect();
        assert_eq!(order, ["c/base", "b/lib", "a/app", "d/solo"]);
    }

    #[test]
    fn cycles_terminate() {
        let items = vec![item("a/a", &["b/b"]), item("b/b", &["a/a"])];
        assert_eq!(sort_packages(&items).len(), 2);
    }
}
