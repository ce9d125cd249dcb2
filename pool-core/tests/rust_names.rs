//! A Rust user searching the docs for the names of threadpool, rayon,
//! tokio or rusty_pool finds pool-core's ants-named methods: each has a
//! `#[doc(alias)]` (rustdoc's search reads them).

#[test]
fn the_rust_names_are_doc_aliases_on_the_ants_named_items() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = String::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        sources += &std::fs::read_to_string(entry.unwrap().path()).unwrap();
    }
    for (alias, item) in [
        ("shutdown", "pub fn release(&self)"),
        ("resize", "pub fn tune(&self, capacity: usize)"),
        ("set_num_threads", "pub fn tune(&self, capacity: usize)"),
        ("keep_alive", "pub fn expiry("),
        ("execute", "pub fn submit<F>(&self, task: F)"),
        ("active_count", "pub fn busy(&self)"),
        ("max_count", "pub fn cap(&self)"),
        ("join", "pub fn wait_idle(&self)"),
        ("spawn_blocking", "pub fn spawn_async<F, R>("),
    ] {
        let tag = format!("#[doc(alias = \"{alias}\")]");
        let found = sources.match_indices(&tag).any(|(at, _)| {
            // The alias sits among the attributes right above the item.
            let after = &sources[at..];
            let next_fn = after.find("pub fn").unwrap_or(after.len());
            after[next_fn..].starts_with(item)
        });
        assert!(found, "no doc alias {alias:?} on `{item}`");
    }
}
