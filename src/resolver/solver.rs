//! The CDCL solver (Composer's `Solver`, `Decisions`, `RuleWatchGraph`).
//!
//! Composer's choices depend on the exact order of its steps: which rule it looks at first,
//! which watched rule propagates first, which branch it revisits. This port keeps those orders:
//! rules by id, watch chains newest-first, request rules before the "look at all rules" pass,
//! and the same branch revisiting and learning.

use std::collections::{HashMap, HashSet};

use super::policy::Policy;
use super::pool::Pool;
use super::rules::{Reason, Rule, RuleClass, RuleSet, RuleType};

/// Decisions: per package the signed level, and the decision queue.
struct Decisions {
    map: Vec<i32>,
    queue: Vec<(i32, usize)>,
}

impl Decisions {
    fn value(&self, lit: i32) -> i32 {
        self.map[lit.unsigned_abs() as usize]
    }
    fn decide(&mut self, lit: i32, level: i32, rule: usize) {
        self.map[lit.unsigned_abs() as usize] = if lit > 0 { level } else { -level };
        self.queue.push((lit, rule));
    }
    fn satisfy(&self, lit: i32) -> bool {
        let v = self.value(lit);
        (lit > 0 && v > 0) || (lit < 0 && v < 0)
    }
    fn conflict(&self, lit: i32) -> bool {
        let v = self.value(lit);
        (v > 0 && lit < 0) || (v < 0 && lit > 0)
    }
    fn decided(&self, lit: i32) -> bool {
        self.value(lit) != 0
    }
    fn undecided(&self, lit: i32) -> bool {
        self.value(lit) == 0
    }
    fn decided_install(&self, lit: i32) -> bool {
        self.value(lit) > 0
    }
    fn level(&self, lit: i32) -> i32 {
        self.value(lit).abs()
    }
    fn decision_rule(&self, lit: i32) -> Option<usize> {
        let id = lit.unsigned_abs();
        self.queue
            .iter()
            .find(|(l, _)| l.unsigned_abs() == id)
            .map(|(_, r)| *r)
    }
    fn revert_last(&mut self) {
        if let Some((lit, _)) = self.queue.pop() {
            self.map[lit.unsigned_abs() as usize] = 0;
        }
    }
    fn reset_to_offset(&mut self, offset: isize) {
        while self.queue.len() as isize > offset + 1 {
            self.revert_last();
        }
    }
}

struct WatchNode {
    rule: usize,
    w1: i32,
    w2: i32,
}

/// An internal inconsistency (Composer's `SolverBugException`).
#[derive(Debug, thiserror::Error)]
#[error("the dependency solver reached an inconsistent state: {0}")]
pub struct SolverBug(pub String);

/// The outcome of a solve.
pub enum Outcome {
    /// Installed package ids, in decision order.
    Solved(Vec<u32>),
    /// Each problem: the rules (storage indexes) that explain it.
    Unsolvable(Vec<Vec<usize>>),
}

pub struct Solver<'a> {
    pool: &'a Pool,
    policy: Policy,
    pub rules: RuleSet,
    fixed: HashSet<u32>,
    decisions: Decisions,
    nodes: Vec<WatchNode>,
    /// Watch chains by literal (index `literal + offset`); the newest node is last.
    chains: Vec<Vec<usize>>,
    offset: i32,
    propagate_index: usize,
    branches: Vec<(Vec<i32>, i32)>,
    problems: Vec<Vec<usize>>,
    learned_pool: Vec<Vec<usize>>,
    learned_why: HashMap<usize, usize>,
}

impl<'a> Solver<'a> {
    pub fn new(pool: &'a Pool, policy: Policy, rules: RuleSet, fixed: &[u32]) -> Solver<'a> {
        let n = pool.len() as i32;
        Solver {
            pool,
            policy,
            rules,
            fixed: fixed.iter().copied().collect(),
            decisions: Decisions {
                map: vec![0; pool.len() + 1],
                queue: Vec::new(),
            },
            nodes: Vec::new(),
            chains: (0..(2 * n + 1)).map(|_| Vec::new()).collect(),
            offset: n,
            propagate_index: 0,
            branches: Vec::new(),
            problems: Vec::new(),
            learned_pool: Vec::new(),
            learned_why: HashMap::new(),
        }
    }

    /// Solves. `root_problems` are the root requirements nothing provides (reported first).
    pub fn solve(
        mut self,
        root_problems: Vec<Vec<usize>>,
    ) -> Result<(Outcome, RuleSet), SolverBug> {
        self.problems = root_problems;
        for &r in &self.rules.by_id.clone() {
            self.insert_node(r, false);
        }
        self.make_assertion_decisions();
        self.run_sat()?;
        if !self.problems.is_empty() {
            return Ok((Outcome::Unsolvable(self.problems), self.rules));
        }
        let installed = self
            .decisions
            .queue
            .iter()
            .filter(|(l, _)| *l > 0)
            .map(|(l, _)| *l as u32)
            .collect();
        Ok((Outcome::Solved(installed), self.rules))
    }

    fn chain(&mut self, lit: i32) -> &mut Vec<usize> {
        let i = (lit + self.offset) as usize;
        &mut self.chains[i]
    }

    fn insert_node(&mut self, rule: usize, highest: bool) {
        let r = &self.rules.rules[rule];
        if r.is_assertion() {
            return;
        }
        let lits = &r.literals;
        let w1 = lits.first().copied().unwrap_or(0);
        let mut w2 = lits.get(1).copied().unwrap_or(0);
        if highest && lits.len() >= 3 && r.class != RuleClass::MultiConflict {
            let mut watch_level = 0;
            for &l in lits {
                let level = self.decisions.level(l);
                if level > watch_level {
                    w2 = l;
                    watch_level = level;
                }
            }
        }
        let multi = r.class == RuleClass::MultiConflict;
        let watched: Vec<i32> = if multi { lits.clone() } else { vec![w1, w2] };
        let node = self.nodes.len();
        self.nodes.push(WatchNode { rule, w1, w2 });
        for l in watched {
            self.chain(l).push(node);
        }
    }

    fn propagate_literal(&mut self, decided: i32, level: i32) -> Option<usize> {
        let literal = -decided;
        let ci = (literal + self.offset) as usize;
        let mut chain = std::mem::take(&mut self.chains[ci]);
        let mut pos = chain.len();
        let mut result = None;
        while pos > 0 {
            let idx = pos - 1;
            let node_id = chain[idx];
            let rule_id = self.nodes[node_id].rule;
            let rule = &self.rules.rules[rule_id];
            if rule.class != RuleClass::MultiConflict {
                let node = &self.nodes[node_id];
                let other = if node.w1 == literal { node.w2 } else { node.w1 };
                if !rule.disabled && !self.decisions.satisfy(other) {
                    let alternative = rule
                        .literals
                        .iter()
                        .copied()
                        .find(|l| *l != literal && *l != other && !self.decisions.conflict(*l));
                    if let Some(alt) = alternative {
                        let node = &mut self.nodes[node_id];
                        if node.w1 == literal {
                            node.w1 = alt;
                        } else {
                            node.w2 = alt;
                        }
                        chain.remove(idx);
                        self.chains[(alt + self.offset) as usize].push(node_id);
                        pos = idx;
                        continue;
                    }
                    if self.decisions.conflict(other) {
                        result = Some(rule_id);
                        break;
                    }
                    self.decisions.decide(other, level, rule_id);
                }
            } else {
                let lits = rule.literals.clone();
                let mut conflict = false;
                for other in lits {
                    if literal != other && !self.decisions.satisfy(other) {
                        if self.decisions.conflict(other) {
                            conflict = true;
                            break;
                        }
                        self.decisions.decide(other, level, rule_id);
                    }
                }
                if conflict {
                    result = Some(rule_id);
                    break;
                }
            }
            pos = idx;
        }
        // Nodes moved to this same chain cannot happen (alternatives differ from `literal`),
        // so the taken chain is put back as it is.
        let pushed = std::mem::take(&mut self.chains[ci]);
        chain.extend(pushed);
        self.chains[ci] = chain;
        result
    }

    fn propagate(&mut self, level: i32) -> Option<usize> {
        while self.propagate_index < self.decisions.queue.len() {
            let lit = self.decisions.queue[self.propagate_index].0;
            let conflict = self.propagate_literal(lit, level);
            self.propagate_index += 1;
            if conflict.is_some() {
                return conflict;
            }
        }
        None
    }

    fn make_assertion_decisions(&mut self) {
        let decision_start = self.decisions.queue.len() as isize - 1;
        let mut i = 0;
        while i < self.rules.by_id.len() {
            let r = self.rules.by_id[i];
            i += 1;
            let rule = &self.rules.rules[r];
            if !rule.is_assertion() || rule.disabled {
                continue;
            }
            let lit = rule.literals[0];
            if !self.decisions.decided(lit) {
                self.decisions.decide(lit, 1, r);
                continue;
            }
            if self.decisions.satisfy(lit) {
                continue;
            }
            if rule.rtype == RuleType::Learned {
                self.rules.rules[r].disabled = true;
                continue;
            }
            let conflict = self.decisions.decision_rule(lit);
            if let Some(c) = conflict {
                if self.rules.rules[c].rtype == RuleType::Package {
                    self.problems.push(vec![r, c]);
                    self.rules.rules[r].disabled = true;
                    continue;
                }
            }
            let mut problem = vec![r];
            problem.extend(conflict);
            for &ar in &self.rules.request.clone() {
                let a = &self.rules.rules[ar];
                if a.disabled || !a.is_assertion() {
                    continue;
                }
                if a.literals[0].unsigned_abs() != lit.unsigned_abs() {
                    continue;
                }
                problem.push(ar);
                self.rules.rules[ar].disabled = true;
            }
            self.problems.push(problem);
            self.decisions.reset_to_offset(decision_start);
            i = 0;
        }
    }

    fn revert(&mut self, level: i32) {
        while let Some(&(lit, _)) = self.decisions.queue.last() {
            if self.decisions.undecided(lit) {
                break;
            }
            if self.decisions.level(lit) <= level {
                break;
            }
            self.decisions.revert_last();
            self.propagate_index = self.decisions.queue.len();
        }
        while self.branches.last().is_some_and(|b| b.1 >= level) {
            self.branches.pop();
        }
    }

    fn set_propagate_learn(&mut self, level: i32, lit: i32, rule: usize) -> Result<i32, SolverBug> {
        let mut level = level + 1;
        self.decisions.decide(lit, level, rule);
        while let Some(conflict) = self.propagate(level) {
            if level == 1 {
                self.analyze_unsolvable(conflict);
                return Ok(0);
            }
            let (learn_lit, new_level, new_rule, why) = self.analyze(level, conflict)?;
            if new_level <= 0 || new_level >= level {
                return Err(SolverBug(format!(
                    "trying to revert to invalid level {new_level} from level {level}"
                )));
            }
            level = new_level;
            self.revert(level);
            let idx = self
                .rules
                .add(new_rule, RuleType::Learned)
                .ok_or_else(|| SolverBug("a learned rule was not stored".into()))?;
            self.learned_why.insert(idx, why);
            self.insert_node(idx, true);
            self.decisions.decide(learn_lit, level, idx);
        }
        Ok(level)
    }

    fn select_and_install(
        &mut self,
        level: i32,
        queue: Vec<i32>,
        rule: usize,
    ) -> Result<i32, SolverBug> {
        let required = self.rules.rules[rule]
            .required_package(self.pool)
            .map(str::to_string);
        let mut literals = self
            .policy
            .select_preferred(self.pool, &queue, required.as_deref());
        let selected = literals.remove(0);
        if !literals.is_empty() {
            self.branches.push((literals, level));
        }
        self.set_propagate_learn(level, selected, rule)
    }

    fn analyze(
        &mut self,
        level: i32,
        conflict: usize,
    ) -> Result<(i32, i32, Rule, usize), SolverBug> {
        let mut rule_level = 1;
        let mut num = 0;
        let mut l1num: i32 = 0;
        let mut seen: HashSet<u32> = HashSet::new();
        let mut learned: Vec<i32> = vec![0];
        let mut decision_id = self.decisions.queue.len();
        self.learned_pool.push(Vec::new());
        let pool_idx = self.learned_pool.len() - 1;
        let mut rule = conflict;
        'outer: loop {
            self.learned_pool[pool_idx].push(rule);
            let r = &self.rules.rules[rule];
            let multi = r.class == RuleClass::MultiConflict;
            for &lit in &r.literals {
                if multi && !self.decisions.decided(lit) {
                    continue;
                }
                if self.decisions.satisfy(lit) {
                    continue;
                }
                if !seen.insert(lit.unsigned_abs()) {
                    continue;
                }
                let l = self.decisions.level(lit);
                if l == 1 {
                    l1num += 1;
                } else if l == level {
                    num += 1;
                } else {
                    learned.push(lit);
                    if l > rule_level {
                        rule_level = l;
                    }
                }
            }
            let mut l1retry = true;
            while l1retry {
                l1retry = false;
                if num == 0 {
                    l1num -= 1;
                    if l1num == 0 {
                        break 'outer;
                    }
                }
                let literal;
                loop {
                    if decision_id == 0 {
                        return Err(SolverBug(
                            "reached an invalid decision id while learning".into(),
                        ));
                    }
                    decision_id -= 1;
                    let l = self.decisions.queue[decision_id].0;
                    if seen.contains(&l.unsigned_abs()) {
                        literal = l;
                        break;
                    }
                }
                seen.remove(&literal.unsigned_abs());
                let took = if num != 0 {
                    num -= 1;
                    num == 0
                } else {
                    false
                };
                if took {
                    learned[0] = -literal;
                    if l1num == 0 {
                        break 'outer;
                    }
                    for l in &learned[1..] {
                        seen.remove(&l.unsigned_abs());
                    }
                    l1num += 1;
                    l1retry = true;
                } else {
                    let reason = self.decisions.queue[decision_id].1;
                    let r = &self.rules.rules[reason];
                    if r.class == RuleClass::MultiConflict {
                        for &lit in &r.literals.clone() {
                            if !seen.contains(&lit.unsigned_abs()) && self.decisions.satisfy(-lit) {
                                self.learned_pool[pool_idx].push(reason);
                                let l = self.decisions.level(lit);
                                if l == 1 {
                                    l1num += 1;
                                } else if l == level {
                                    num += 1;
                                } else {
                                    learned.push(lit);
                                    if l > rule_level {
                                        rule_level = l;
                                    }
                                }
                                seen.insert(lit.unsigned_abs());
                                break;
                            }
                        }
                        l1retry = true;
                    }
                }
            }
            rule = self.decisions.queue[decision_id].1;
        }
        if learned[0] == 0 {
            return Err(SolverBug(
                "no learnable literal in the analyzed rule".into(),
            ));
        }
        let new_rule = Rule {
            literals: learned.clone(),
            class: RuleClass::Generic,
            rtype: RuleType::Learned,
            reason: Reason::Learned(pool_idx),
            disabled: false,
        };
        Ok((learned[0], rule_level, new_rule, pool_idx))
    }

    fn analyze_unsolvable_rule(
        &self,
        problem: &mut Vec<usize>,
        rule: usize,
        seen: &mut HashSet<usize>,
    ) {
        seen.insert(rule);
        let r = &self.rules.rules[rule];
        if r.rtype == RuleType::Learned {
            if let Some(why) = self.learned_why.get(&rule) {
                for &pr in &self.learned_pool[*why] {
                    if !seen.contains(&pr) {
                        self.analyze_unsolvable_rule(problem, pr, seen);
                    }
                }
            }
            return;
        }
        if r.rtype == RuleType::Package {
            return;
        }
        problem.push(rule);
    }

    fn analyze_unsolvable(&mut self, conflict: usize) {
        let mut problem = vec![conflict];
        let mut rule_seen = HashSet::new();
        self.analyze_unsolvable_rule(&mut problem, conflict, &mut rule_seen);
        let mut seen: HashSet<u32> = HashSet::new();
        for &lit in &self.rules.rules[conflict].literals {
            if !self.decisions.satisfy(lit) {
                seen.insert(lit.unsigned_abs());
            }
        }
        for i in (0..self.decisions.queue.len()).rev() {
            let (lit, why) = self.decisions.queue[i];
            if !seen.contains(&lit.unsigned_abs()) {
                continue;
            }
            problem.push(why);
            self.analyze_unsolvable_rule(&mut problem, why, &mut rule_seen);
            for &l in &self.rules.rules[why].literals {
                if !self.decisions.satisfy(l) {
                    seen.insert(l.unsigned_abs());
                }
            }
        }
        self.problems.push(problem);
    }

    fn run_sat(&mut self) -> Result<(), SolverBug> {
        self.propagate_index = 0;
        let mut level: i32 = 1;
        let mut system_level = level + 1;
        loop {
            if level == 1 {
                if let Some(conflict) = self.propagate(level) {
                    self.analyze_unsolvable(conflict);
                    return Ok(());
                }
            }
            if level < system_level {
                let request = self.rules.request.clone();
                let mut broke_at = None;
                for (k, &r) in request.iter().enumerate() {
                    if self.rules.rules[r].disabled {
                        continue;
                    }
                    let mut queue = Vec::new();
                    let mut none_satisfied = true;
                    for &lit in &self.rules.rules[r].literals {
                        if self.decisions.satisfy(lit) {
                            none_satisfied = false;
                            break;
                        }
                        if lit > 0 && self.decisions.undecided(lit) {
                            queue.push(lit);
                        }
                    }
                    if none_satisfied && !queue.is_empty() {
                        let pruned: Vec<i32> = queue
                            .iter()
                            .copied()
                            .filter(|l| self.fixed.contains(&l.unsigned_abs()))
                            .collect();
                        if !pruned.is_empty() {
                            queue = pruned;
                        }
                    }
                    if none_satisfied && !queue.is_empty() {
                        let o_level = level;
                        level = self.select_and_install(level, queue, r)?;
                        if level == 0 {
                            return Ok(());
                        }
                        if level <= o_level {
                            broke_at = Some(k);
                            break;
                        }
                    }
                }
                system_level = level + 1;
                if broke_at.is_some_and(|k| k + 1 < request.len()) {
                    continue;
                }
            }
            if level < system_level {
                system_level = level;
            }
            let mut rules_count = self.rules.by_id.len();
            let mut i = 0usize;
            let mut n: isize = 0;
            while (n as usize) < rules_count || n < 0 {
                if i == rules_count {
                    i = 0;
                }
                let r = self.rules.by_id[i];
                let mut skip = self.rules.rules[r].disabled;
                let mut queue = Vec::new();
                if !skip {
                    for &lit in &self.rules.rules[r].literals {
                        if lit <= 0 {
                            if !self.decisions.decided_install(lit) {
                                skip = true;
                                break;
                            }
                        } else {
                            if self.decisions.decided_install(lit) {
                                skip = true;
                                break;
                            }
                            if self.decisions.undecided(lit) {
                                queue.push(lit);
                            }
                        }
                    }
                }
                if !skip && queue.len() >= 2 {
                    level = self.select_and_install(level, queue, r)?;
                    if level == 0 {
                        return Ok(());
                    }
                    rules_count = self.rules.by_id.len();
                    n = -1;
                }
                i += 1;
                n += 1;
            }
            if level < system_level {
                continue;
            }
            if !self.branches.is_empty() {
                let mut last: Option<(i32, i32, usize, usize)> = None;
                for bi in (0..self.branches.len()).rev() {
                    let (lits, l) = &self.branches[bi];
                    for (offset, &lit) in lits.iter().enumerate() {
                        if lit > 0 && self.decisions.level(lit) > l + 1 {
                            last = Some((lit, *l, bi, offset));
                        }
                    }
                }
                if let Some((lit, l, bi, offset)) = last {
                    self.branches[bi].0[offset] = 0;
                    level = l;
                    self.revert(level);
                    let why = self
                        .decisions
                        .queue
                        .last()
                        .map(|d| d.1)
                        .ok_or_else(|| SolverBug("no decision to branch from".into()))?;
                    level = self.set_propagate_learn(level, lit, why)?;
                    if level == 0 {
                        return Ok(());
                    }
                    continue;
                }
            }
            break;
        }
        Ok(())
    }
}
