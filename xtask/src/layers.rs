//! Keeps the runtime's layering true: the table at the top of
//! `runtime/src/lib.rs` gives each module a level, and no module may name
//! (`crate::x`) a module of a higher level. Test modules are exempt.

use std::collections::BTreeMap;
use std::path::Path;

/// Module name → level, from the `| level | modules | what |` table in the
/// crate documentation.
fn levels(lib: &str) -> BTreeMap<String, u32> {
    let mut map = BTreeMap::new();
    for line in lib.lines() {
        let Some(row) = line.strip_prefix("//! |") else {
            continue;
        };
        let mut cols = row.split('|');
        let (Some(level), Some(modules)) = (cols.next(), cols.next()) else {
            continue;
        };
        let Ok(level) = level.trim().parse::<u32>() else {
            continue;
        };
        // The names in backticks, without paths (`os::linux` is in `os`).
        for (i, part) in modules.split('`').enumerate() {
            if i % 2 == 1 && !part.contains("::") {
                map.insert(part.to_string(), level);
            }
        }
    }
    map
}

/// The text of a source file that counts: no test modules, no comments.
fn code(text: &str) -> String {
    let cut = ["#[cfg(test)]", "#[cfg(all(test"]
        .iter()
        .filter_map(|m| text.find(m))
        .min()
        .unwrap_or(text.len());
    text[..cut]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules a file names as `crate::<module>`.
fn named_modules(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every violation of the layering, as `file (level a) names m (level b)`.
pub fn violations(root: &Path) -> Result<Vec<String>, String> {
    let src = root.join("runtime/src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).map_err(|e| format!("lib.rs: {e}"))?;
    let levels = levels(&lib);
    if levels.len() < 10 {
        return Err("runtime/src/lib.rs: no layer table found".into());
    }
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap_or(&f);
        let first = rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
        let module = first.unwrap_or_default().trim_end_matches(".rs").to_string();
        if module == "lib" {
            continue;
        }
        let Some(&mine) = levels.get(&module) else {
            bad.push(format!("{}: module `{module}` is not in lib.rs's layer table", rel.display()));
            continue;
        };
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        for m in named_modules(&code(&text)) {
            if let Some(&theirs) = levels.get(&m) {
                if theirs > mine {
                    bad.push(format!(
                        "{} (level {mine}) names `{m}` (level {theirs})",
                        rel.display()
                    ));
                }
            }
        }
    }
    Ok(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_table_and_finds_upward_names() {
        let lib = "//! | level | modules | what |\n//! |---|---|---|\n//! | 1 | `arch` | x |\n//! | 2 | `os` (`os::linux`) | y |\n";
        let l = levels(lib);
        assert_eq!(l.get("arch"), Some(&1));
        assert_eq!(l.get("os"), Some(&2));
        assert_eq!(l.get("os::linux"), None);
        let c = code("use crate::os;\n// crate::proc\nfn f() { crate::arch::x() }\n#[cfg(test)]\nmod t { use crate::sched; }");
        assert_eq!(named_modules(&c), vec!["os".to_string(), "arch".to_string()]);
    }
}

#[cfg(test)]
mod repo {
    /// The repository's own runtime obeys its table.
    #[test]
    fn the_runtime_is_layered() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        assert_eq!(super::violations(&root), Ok(vec![]));
    }
}
