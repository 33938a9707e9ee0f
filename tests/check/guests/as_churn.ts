// SPDX-License-Identifier: MIT
// as_churn.ts -- a busy AssemblyScript program for `wasmem check`: maps,
// arrays, strings, typed arrays and a linked list made and dropped over
// rounds, so the collector runs many times in between. It never calls
// __collect, so none is compiled in: the leak check cannot collect first,
// and the objects left at exit must count as still reachable, not lost.
// Built by ../build.sh (--debug, the incremental and minimal collectors).
class Node {
  next: Node | null = null;
  val: string = "";
  constructor(v: string) { this.val = v; }
}

let head: Node | null = null;

// Returns a checksum (10374), the same with and without the checker.
export function churn(): i32 {
  let total = 0;
  for (let round = 0; round < 30; round++) {
    const m = new Map<string, Array<i32>>();
    for (let i = 0; i < 200; i++) {
      const k = "key" + (i % 37).toString() + "-" + round.toString();
      if (!m.has(k)) m.set(k, new Array<i32>());
      m.get(k).push(i);
    }
    const keys = m.keys();
    for (let i = 0; i < keys.length; i++) {
      total += m.get(keys[i]).length;
      if (i % 3 == 0) m.delete(keys[i]);
    }
    const n = new Node("r" + round.toString());
    n.next = head; head = n;
    let s = "";
    for (let i = 0; i < 50; i++) s = s.concat(String.fromCharCode(65 + (i + round) % 26));
    total += s.toLowerCase().split("a").length;
    const buf = new Uint8Array(1000 + round * 100);
    for (let i = 0; i < buf.length; i++) buf[i] = <u8>i;
    total += buf[buf.length - 1];
    const f = new Float64Array(10);
    f.fill(1.5);
    total += <i32>f.reduce((a: f64, b: f64) => a + b, 0.0);
    if (round % 7 == 0) head = null;
  }
  return total;
}

// Replaces the env.abort import (--use abort=...): an assertion traps.
export function abort(message: string | null, fileName: string | null,
                      line: u32, column: u32): void {
  unreachable();
}
