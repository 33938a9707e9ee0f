// SPDX-License-Identifier: MIT
// rust_sock.rs -- Rust std on wasm32-wasi serving one connection on the
// listening socket the host pre-opened as fd 3 (`wasmem run --tcplisten`):
// TcpListener::accept goes through sock_accept, reads and writes through
// fd_read/fd_write on the accepted socket.
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::wasi::io::FromRawFd;

fn main() {
    // SAFETY: fd 3 is the listener wasmem pre-opened; nothing else owns it.
    let listener = unsafe { TcpListener::from_raw_fd(3) };
    let (mut conn, _) = match listener.accept() {
        Ok(c) => c,
        Err(e) => {
            println!("accept: {}", e);
            std::process::exit(1)
        }
    };
    let mut buf = [0u8; 64];
    let n = conn.read(&mut buf).expect("read");
    conn.write_all(&buf[..n].to_ascii_uppercase()).expect("write");
    println!("rust served {} bytes", n);
}
