// SPDX-License-Identifier: MIT
// rust_guest.rs -- WASI command in Rust (std for wasm32-wasi): args, env,
// files and directories in /sandbox, an escape attempt, stdin and the exit
// code. Prints one line per check and exits 3 when all pass.
use std::fs;
use std::io::{Read, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("args={:?}", &args[1..]);
    println!("GREETING={}", std::env::var("GREETING").unwrap_or_default());

    fs::create_dir("/sandbox/dir").expect("mkdir");
    fs::write("/sandbox/dir/f.txt", b"rust data").expect("write");
    let back = fs::read_to_string("/sandbox/dir/f.txt").expect("read");
    println!("read={}", back);
    let mut names: Vec<String> = fs::read_dir("/sandbox/dir")
        .expect("read_dir")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("entries={:?}", names);
    let meta = fs::metadata("/sandbox/dir/f.txt").expect("metadata");
    println!("len={}", meta.len());
    fs::rename("/sandbox/dir/f.txt", "/sandbox/g.txt").expect("rename");
    fs::remove_dir("/sandbox/dir").expect("rmdir");
    fs::remove_file("/sandbox/g.txt").expect("unlink");
    println!("escape={}", fs::read("/sandbox/../secret.txt").is_err());

    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).expect("stdin");
    println!("stdin={}", input.trim());
    std::io::stdout().flush().unwrap();
    std::process::exit(3);
}
