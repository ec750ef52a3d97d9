//! Unified diffs of two texts, line by line (Myers' O((N+M)D) algorithm),
//! with three lines of context, as `diff -u` prints them.

/// The unified diff turning `old` into `new`, or "" if they are equal.
pub fn unified(old_name: &str, new_name: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = diff(&a, &b);
    if ops.iter().all(|o| matches!(o, Op::Same)) {
        return String::new();
    }
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    // Walk the script, grouping changes that are within 6 lines of each other.
    let (mut i, mut j, mut k) = (0usize, 0usize, 0usize);
    const CTX: usize = 3;
    while k < ops.len() {
        if matches!(ops[k], Op::Same) {
            i += 1;
            j += 1;
            k += 1;
            continue;
        }
        // A hunk starts CTX lines before this change.
        let back = CTX.min(i).min(j);
        let (hi, hj) = (i - back, j - back);
        let mut body: Vec<String> = (0..back).map(|d| format!(" {}", a[hi + d])).collect();
        let (mut ci, mut cj) = (i, j);
        let mut same_run = 0;
        let mut end = k;
        while end < ops.len() {
            match ops[end] {
                Op::Same => {
                    same_run += 1;
                    if same_run > 2 * CTX {
                        break;
                    }
                    body.push(format!(" {}", a[ci]));
                    ci += 1;
                    cj += 1;
                }
                Op::Del => {
                    same_run = 0;
                    body.push(format!("-{}", a[ci]));
                    ci += 1;
                }
                Op::Ins => {
                    same_run = 0;
                    body.push(format!("+{}", b[cj]));
                    cj += 1;
                }
            }
            end += 1;
        }
        // Keep CTX lines of trailing context (the Same that ended the hunk
        // was not pushed).
        let pushed_same = if end < ops.len() { same_run - 1 } else { same_run };
        let extra = pushed_same.saturating_sub(CTX);
        for _ in 0..extra {
            body.pop();
            ci -= 1;
            cj -= 1;
        }
        let (old_len, new_len) = (ci - hi, cj - hj);
        out.push_str(&format!("@@ -{} +{} @@\n", range(hi, old_len), range(hj, new_len)));
        for l in body {
            out.push_str(&l);
            if !l.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        i = ci;
        j = cj;
        k = end - extra;
    }
    out
}

fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Del,
    Ins,
}

/// The shortest edit script from `a` to `b`.
fn diff(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let off = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    'outer: for d in 0..=max as isize {
        trace.push(v.clone());
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && v[(off + k - 1) as usize] < v[(off + k + 1) as usize]) {
                v[(off + k + 1) as usize]
            } else {
                v[(off + k - 1) as usize] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(off + k) as usize] = x;
            if x >= n && y >= m {
                break 'outer;
            }
            k += 2;
        }
    }
    // Backtrack through the saved frontiers.
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..trace.len() as isize).rev() {
        let v = &trace[d as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && v[(off + k - 1) as usize] < v[(off + k + 1) as usize]) { k + 1 } else { k - 1 };
        let prev_x = if d == 0 { 0 } else { v[(off + prev_k) as usize] };
        let prev_y = prev_x - prev_k;
        while x > prev_x.max(0) && y > prev_y.max(0) && x > 0 && y > 0 && a[(x - 1) as usize] == b[(y - 1) as usize] {
            ops.push(Op::Same);
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            if x == prev_x {
                ops.push(Op::Ins);
            } else {
                ops.push(Op::Del);
            }
            x = prev_x;
            y = prev_y;
        }
    }
    while x > 0 && y > 0 {
        ops.push(Op::Same);
        x -= 1;
        y -= 1;
    }
    ops.reverse();
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(a: &[&str], b: &[&str]) -> Vec<String> {
        let ops = diff(a, b);
        let (mut i, mut j, mut out) = (0, 0, Vec::new());
        for o in ops {
            match o {
                Op::Same => {
                    assert_eq!(a[i], b[j]);
                    out.push(a[i].to_string());
                    i += 1;
                    j += 1;
                }
                Op::Del => i += 1,
                Op::Ins => {
                    out.push(b[j].to_string());
                    j += 1;
                }
            }
        }
        assert_eq!((i, j), (a.len(), b.len()));
        out
    }

    #[test]
    fn scripts_reproduce_the_new_text() {
        let cases: &[(&[&str], &[&str])] = &[
            (&["a", "b", "c"], &["a", "x", "c"]),
            (&[], &["a"]),
            (&["a"], &[]),
            (&["a", "b", "c", "d"], &["b", "c", "d", "e"]),
            (&["x", "a", "b", "x", "c"], &["a", "x", "b", "c", "x"]),
        ];
        for (a, b) in cases {
            assert_eq!(apply(a, b), b.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn unified_hunks() {
        let old: String = (1..=20).map(|i| format!("l{i}\n")).collect();
        let new = old.replace("l5\n", "l5 changed\n").replace("l18\n", "l18\nadded\n");
        let d = unified("a/f.go", "b/f.go", &old, &new);
        assert_eq!(
            d,
            "--- a/f.go\n+++ b/f.go\n@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+l5 changed\n l6\n l7\n l8\n@@ -16,5 +16,6 @@\n l16\n l17\n l18\n+added\n l19\n l20\n"
        );
        assert_eq!(unified("a", "b", "same\n", "same\n"), "");
    }
}
