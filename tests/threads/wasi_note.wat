;; SPDX-License-Identifier: MIT
;; wasi_note.wat -- a WASI command for test_threads.c: creates note.txt in
;; its pre-opened directory (fd 3, through path_open and so the openat2
;; probe), writes to it, prints "ok" and exits with status 7.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "note.txt")
  (data (i32.const 80) "written by a thread\n")
  (data (i32.const 112) "ok\n")
  (func $write (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    ;; one iovec at 0: {ptr, len}; bytes written at 8
    i32.const 0
    local.get $ptr
    i32.store
    i32.const 4
    local.get $len
    i32.store
    local.get $fd
    i32.const 0
    i32.const 1
    i32.const 8
    call $fd_write)
  (func (export "_start")
    (local $fd i32)
    ;; path_open(3, 0, "note.txt", O_CREAT|O_TRUNC, all rights, 0, 0, &fd at 32)
    i32.const 3
    i32.const 0
    i32.const 64
    i32.const 8
    i32.const 9
    i64.const -1
    i64.const -1
    i32.const 0
    i32.const 32
    call $path_open
    if
      i32.const 1
      call $proc_exit
    end
    i32.const 32
    i32.load
    local.tee $fd
    i32.const 80
    i32.const 20
    call $write
    if
      i32.const 2
      call $proc_exit
    end
    local.get $fd
    call $fd_close
    drop
    i32.const 1
    i32.const 112
    i32.const 3
    call $write
    drop
    i32.const 7
    call $proc_exit))
