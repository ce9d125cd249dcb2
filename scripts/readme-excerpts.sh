#!/usr/bin/env bash
# Prints a fresh output for every quick command of the given Markdown files
# (default: both READMEs and every lesson page), each under its command, so
# the excerpt below that command can be replaced with what this machine
# prints. The commands are the ones `harness/tests/readme_commands.rs` runs.
#
#   scripts/readme-excerpts.sh                 every page
#   scripts/readme-excerpts.sh docs/lessons/06-leak-demo.md
set -euo pipefail
cd "$(dirname "$0")/.."
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    shopt -s nullglob
    files=(README.md README.pt-BR.md docs/lessons/*.md)
fi
cargo build --release --workspace --bins --examples
for file in "${files[@]}"; do
    # A command block marked quick: the line after `<!-- quick -->` opens it.
    awk '/^<!-- quick -->$/ { quick = 1; next }
         quick && /^```/ { if (inside) { quick = 0; inside = 0 } else inside = 1; next }
         quick && inside && /^cargo / { print }' "$file" |
    while IFS= read -r command; do
        echo "=== $file: $command"
        bash -c "$command" 2>&1 < /dev/null || echo "(exit $?)"
    done
done
