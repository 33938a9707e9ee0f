// article.ts -- the seed article's AssemblyScript guest ("Passing arrays to
// AssemblyScript modules"), its three functions exactly as printed there:
// alloc hands out one static 8-byte slot, the same for every call, and
// there is no dealloc. Built by ../build.sh as as-article.wasm, the article's
// way (no --exportRuntime); index.ts is the guest the other tests use.

// Allocate memory for a new byte array of
// size `len` and return the offset into
// the module's linear memory to the start
// of the block.
export function alloc(len: i32): usize {
    // create a new AssemblyScript byte array
    let buf = new Array<u8>(len);
    let buf_ptr = memory.data(8);
    // create a pointer to the byte array and
    // return it
    store<Array<u8>>(buf_ptr, buf);
    return buf_ptr;
}

export function array_sum(buf_ptr: usize, len: i32): u8 {
   let result: u8 = 0;
   for(let i = 0; i < len; i++) {
      // for each new item in the array,
      // load a byte from the memory and add
      // it to the result
      result += load<u8>(buf_ptr + i) as u8;
   }
   return result as u8;
}

export function abort(
  message: string | null,
  fileName: string | null,
  lineNumber: u32,
  columnNumber: u32
): void {}
