/* cflags: -mtail-call */
/* SPDX-License-Identifier: MIT */
/*
** tailcall.c -- C whose calls clang must compile to return_call and
** return_call_indirect (musttail): mutual recursion a million deep, and a
** threaded-code interpreter whose handlers jump to each other through a
** table. Without tail calls both would run out of stack, in V8 and here.
*/
typedef unsigned u32;

__attribute__((noinline)) static int is_odd(u32 n, int acc);
__attribute__((noinline)) static int is_even(u32 n, int acc) {
  if (n == 0) return acc;
  __attribute__((musttail)) return is_odd(n - 1, acc + 1);
}
__attribute__((noinline)) static int is_odd(u32 n, int acc) {
  if (n == 0) return -acc;
  __attribute__((musttail)) return is_even(n - 1, acc + 1);
}
/* n even: n; n odd: -n. */
__attribute__((export_name("parity_walk"))) int parity_walk(int n) { return is_even((u32)n, 0); }

/* A tiny bytecode machine: each handler does its work and tail-calls the
** next opcode's handler through the table. */
typedef long long (*handler)(const unsigned char *pc, long long acc, u32 steps);
static long long op_halt(const unsigned char *pc, long long acc, u32 steps);
static long long op_inc(const unsigned char *pc, long long acc, u32 steps);
static long long op_dbl(const unsigned char *pc, long long acc, u32 steps);
static long long op_loop(const unsigned char *pc, long long acc, u32 steps);
static handler const table[4] = {op_halt, op_inc, op_dbl, op_loop};
static const unsigned char program[] = {1, 2, 1, 3, 0};

static long long op_halt(const unsigned char *pc, long long acc, u32 steps) {
  (void)pc, (void)steps;
  return acc;
}
static long long op_inc(const unsigned char *pc, long long acc, u32 steps) {
  __attribute__((musttail)) return table[pc[1]](pc + 1, acc + 1, steps);
}
static long long op_dbl(const unsigned char *pc, long long acc, u32 steps) {
  __attribute__((musttail)) return table[pc[1]](pc + 1, (acc * 2) % 1000000007, steps);
}
/* Back to the start until `steps` runs out, then on to the next opcode. */
static long long op_loop(const unsigned char *pc, long long acc, u32 steps) {
  if (steps == 0) __attribute__((musttail)) return table[pc[1]](pc + 1, acc, 0);
  __attribute__((musttail)) return table[program[0]](program, acc, steps - 1);
}
__attribute__((export_name("run_program"))) long long run_program(int steps) { return table[program[0]](program, 0, (u32)steps); }
