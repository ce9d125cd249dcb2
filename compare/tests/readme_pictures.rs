//! Every picture a README links exists in the repository.

use std::path::Path;

#[test]
fn every_picture_the_readmes_link_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut checked = 0;
    for readme in [
        "README.md",
        "README.pt-BR.md",
        "compare/README.md",
        "pool-core/README.md",
        "docs/README.md",
    ] {
        let path = root.join(readme);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let dir = path.parent().unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let target = &rest[..rest.find(')').unwrap_or(0)];
            if target.ends_with(".svg") || target.ends_with(".png") {
                assert!(
                    !target.starts_with("http"),
                    "{readme} links a picture off-site: {target}"
                );
                assert!(
                    dir.join(target).is_file(),
                    "{readme} links {target}, which does not exist"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked > 0,
        "no picture links found: is the README test looking in the right place?"
    );
}
