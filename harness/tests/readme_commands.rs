//! The commands a class runs live, run here: every command block after a
//! `<!-- quick -->` line, in both READMEs and every lesson page
//! (`docs/lessons/*.md`, English and pt-BR), must exit 0. `cargo run [--release] -p PACKAGE [--example NAME] -- ARGS`
//! runs the dev-profile binary or example the test build has already
//! compiled (`target/debug/...`), so nothing is built again here, with a
//! generous time limit, one after the other.
//!
//! Also: every relative link and picture in both READMEs, the crates'
//! READMEs, `ARCHITECTURE.md`, `docs/` and the lesson pages points at a
//! file that exists, and at an anchor that exists in it; and every lesson
//! page has its translation.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The commands of every block marked quick in `readme`.
fn quick_commands(readme: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "<!-- quick -->" {
            continue;
        }
        // The fence, then the commands until the closing fence.
        assert!(
            lines.next().is_some_and(|l| l.starts_with("```")),
            "a quick marker must sit right above a code block"
        );
        for command in lines.by_ref() {
            if command.starts_with("```") {
                break;
            }
            if command.starts_with("cargo ") {
                commands.push(command.trim().to_owned());
            }
        }
    }
    commands
}

/// The lesson pages, English and pt-BR.
fn lesson_pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root().join("docs/lessons"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages
}

#[test]
fn every_lesson_page_has_its_translation() {
    let pages = lesson_pages();
    assert!(pages.len() >= 18, "only {} lesson pages", pages.len());
    for page in &pages {
        let name = page.file_name().unwrap().to_string_lossy().into_owned();
        let other = match name.strip_suffix(".pt-BR.md") {
            Some(stem) => format!("{stem}.md"),
            None => name.replace(".md", ".pt-BR.md"),
        };
        assert!(
            page.with_file_name(&other).is_file(),
            "{name} has no translation: {other} is missing"
        );
    }
}

#[test]
fn every_quick_command_in_the_readmes_and_lessons_exits_0() {
    let root = root();
    let mut all = Vec::new();
    let mut files = vec![root.join("README.md"), root.join("README.pt-BR.md")];
    files.extend(lesson_pages());
    let mut lessons_with_commands = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let commands = quick_commands(&text);
        if file.starts_with(root.join("docs")) {
            lessons_with_commands += usize::from(!commands.is_empty());
        }
        for c in commands {
            if !all.contains(&c) {
                all.push(c);
            }
        }
    }
    assert!(
        lessons_with_commands >= 10,
        "only {lessons_with_commands} lesson pages mark a quick command"
    );
    for command in all {
        let (program, args) = program_and_args(&command);
        // The commands write their results into the current folder
        // (compare-results/, dhat profiles): a scratch folder, not the tree.
        let scratch = std::env::temp_dir().join(format!("readme-commands-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).unwrap();
        let started = Instant::now();
        let mut child = Command::new(&program)
            .args(&args)
            .current_dir(&scratch)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("`{command}`: cannot start {}: {e}", program.display()));
        // Read stderr as it comes, so a chatty command cannot fill the pipe.
        let mut pipe = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
            text
        });
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(300) {
                let _ = child.kill();
                panic!("`{command}` ran for more than 300 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stderr = reader.join().unwrap();
        assert!(status.success(), "`{command}` failed ({status}):\n{stderr}");
        println!("{command}: ok in {:.1} s", started.elapsed().as_secs_f64());
    }
}

/// `cargo run [--release] -p PACKAGE [--example NAME] [-- ARGS]` as the
/// dev-profile program the test build compiled, and its arguments.
fn program_and_args(command: &str) -> (PathBuf, Vec<String>) {
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(
        &words[..2],
        ["cargo", "run"],
        "`{command}`: only `cargo run` is supported"
    );
    let split = words.iter().position(|w| *w == "--").unwrap_or(words.len());
    let (cargo_args, args) = (&words[2..split], words.get(split + 1..).unwrap_or_default());
    let value = |flag: &str| {
        cargo_args
            .iter()
            .position(|w| *w == flag)
            .map(|i| cargo_args[i + 1])
    };
    let package = value("-p").unwrap_or_else(|| panic!("`{command}` names no -p package"));
    // target/debug/deps/<this test> -> target/debug
    let debug = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf();
    let program = match value("--example") {
        Some(example) => debug.join("examples").join(example),
        None => debug.join(package),
    };
    (program, args.iter().map(|a| a.to_string()).collect())
}

/// The anchors a Markdown file offers: `<a id="...">` and its headings,
/// as GitHub spells them (lower case, spaces to dashes, punctuation gone).
fn anchors(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(i) = rest.find("id=\"") {
            let tail = &rest[i + 4..];
            if let Some(end) = tail.find('"') {
                found.push(tail[..end].to_owned());
            }
            rest = &rest[i + 4..];
        }
        if let Some(heading) = line.strip_prefix('#') {
            let title = heading.trim_start_matches('#').trim();
            let slug: String = title
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
                .map(|c| if c == ' ' { '-' } else { c })
                .collect();
            found.push(slug);
        }
    }
    found
}

#[test]
fn every_relative_link_and_picture_in_the_readmes_and_docs_exists() {
    let root = root();
    let mut files = vec![
        root.join("README.md"),
        root.join("README.pt-BR.md"),
        root.join("ARCHITECTURE.md"),
    ];
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        let readme = dir.path().join("README.md");
        if readme.is_file() {
            files.push(readme);
        }
    }
    for entry in std::fs::read_dir(root.join("docs")).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "md") {
            files.push(entry.path());
        }
    }
    files.extend(lesson_pages());
    let (mut links, mut pictures, mut anchored) = (0, 0, 0);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let dir = file.parent().unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            let picture = target.ends_with(".svg") || target.ends_with(".png");
            // A picture the README shows must be in the repository.
            assert!(
                !(picture && target.starts_with("http")),
                "{} links a picture off-site: {target}",
                file.display()
            );
            if target.starts_with("http") || target.contains(' ') {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target, None),
            };
            let linked = if path.is_empty() {
                file.clone()
            } else {
                dir.join(path)
            };
            assert!(
                linked.exists(),
                "{} links {target}, which does not exist",
                file.display()
            );
            if let Some(anchor) = anchor {
                let there = std::fs::read_to_string(&linked).unwrap_or_default();
                assert!(
                    anchors(&there).iter().any(|a| a == anchor),
                    "{} links {target}, but {} has no anchor {anchor:?}",
                    file.display(),
                    linked.display()
                );
                anchored += 1;
            }
            links += 1;
            pictures += usize::from(picture);
        }
    }
    assert!(links > 10, "only {links} links found");
    assert!(anchored > 5, "only {anchored} links to an anchor found");
    assert!(
        pictures > 0,
        "no picture links found: is the test looking in the right place?"
    );
}
