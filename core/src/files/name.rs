//! Where a received file may be written: only ever inside the received folder, under
//! a name the sender suggested but cannot turn into a path.

use std::path::{Path, PathBuf};

/// Longest stored name, in bytes (file systems allow 255).
const MAX_NAME_BYTES: usize = 200;

/// A file name safe to create inside one folder: the last path component of what the
/// sender gave, without control characters, leading dots or trailing dots and spaces
/// (Windows), shortened at a character boundary, and `file` if nothing is left.
pub fn safe_file_name(offered: &str) -> String {
    let last = offered.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .collect();
    let trimmed = cleaned
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    let mut name = String::new();
    for c in trimmed.chars() {
        if name.len() + c.len_utf8() > MAX_NAME_BYTES {
            break;
        }
        name.push(c);
    }
    if name.is_empty() {
        "file".to_owned()
    } else {
        name
    }
}

/// A path in `dir` for `name` that does not exist yet: `name`, then `stem (2).ext`…
pub fn unused_path(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, Some(ext)),
        _ => (name, None),
    };
    (2u32..10_000)
        .map(|n| match ext {
            Some(ext) => dir.join(format!("{stem} ({n}).{ext}")),
            None => dir.join(format!("{stem} ({n})")),
        })
        .find(|p| !p.exists())
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_never_leaves_the_folder() {
        assert_eq!(safe_file_name("../../x"), "x");
        assert_eq!(safe_file_name("..\\..\\windows\\evil.exe"), "evil.exe");
        assert_eq!(safe_file_name("/etc/passwd"), "passwd");
        assert_eq!(safe_file_name(".."), "file");
        assert_eq!(safe_file_name(""), "file");
        assert_eq!(safe_file_name(".hidden"), "hidden");
        assert_eq!(safe_file_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(safe_file_name("cat photo.jpg"), "cat photo.jpg");
        assert_eq!(safe_file_name("trailing. "), "trailing");
        let long = "é".repeat(300);
        let short = safe_file_name(&long);
        assert!(short.len() <= MAX_NAME_BYTES && short.chars().all(|c| c == 'é'));
    }

    #[test]
    fn a_taken_name_gets_a_number() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(unused_path(dir.path(), "a.txt"), dir.path().join("a.txt"));
        std::fs::write(dir.path().join("a.txt"), b"1").unwrap();
        assert_eq!(
            unused_path(dir.path(), "a.txt"),
            dir.path().join("a (2).txt")
        );
        std::fs::write(dir.path().join("notes"), b"1").unwrap();
        assert_eq!(
            unused_path(dir.path(), "notes"),
            dir.path().join("notes (2)")
        );
    }
}
