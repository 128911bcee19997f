//! Every `$ rampart ...` console block of `examples/README.md` is run, and its standard output
//! and exit code must be what the README shows: the examples' documented outputs stay real.

/// One documented command: its arguments, the output shown and the exit code.
struct Block {
    args: Vec<String>,
    output: Vec<String>,
    exit: i32,
}

/// The console blocks of a Markdown text whose command is `rampart`.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        let Some(command) = lines.next().and_then(|l| l.strip_prefix("$ rampart ")) else {
            continue;
        };
        let mut output = Vec::new();
        let mut exit = 0;
        for line in lines.by_ref() {
            if line.trim() == "```" {
                break;
            }
            match line
                .strip_prefix("(exit ")
                .and_then(|rest| rest.strip_suffix(')'))
            {
                Some(code) => exit = code.parse().expect("an exit code"),
                None => output.push(line.trim_end().to_string()),
            }
        }
        out.push(Block {
            args: command.split_whitespace().map(str::to_string).collect(),
            output,
            exit,
        });
    }
    out
}

/// Lines without trailing spaces, without leading and trailing empty lines.
fn normalise(lines: &[String]) -> Vec<String> {
    let lines: Vec<String> = lines.iter().map(|l| l.trim_end().to_string()).collect();
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |e| e + 1);
    lines[start..end].to_vec()
}

#[test]
fn the_examples_readme_shows_real_output() {
    let readme = std::fs::read_to_string("examples/README.md").expect("examples/README.md");
    let blocks = blocks(&readme);
    assert!(blocks.len() >= 10, "found {} blocks", blocks.len());
    for block in blocks {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
            .args(&block.args)
            .env("NO_COLOR", "1")
            .output()
            .expect("the rampart binary runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let actual: Vec<String> = stdout.lines().map(str::to_string).collect();
        assert_eq!(
            normalise(&actual).join("\n"),
            normalise(&block.output).join("\n"),
            "rampart {}",
            block.args.join(" ")
        );
        assert_eq!(
            output.status.code(),
            Some(block.exit),
            "rampart {}",
            block.args.join(" ")
        );
    }
}
