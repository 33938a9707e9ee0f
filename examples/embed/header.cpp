// SPDX-License-Identifier: MIT
// header.cpp -- wasmem.h from C++: the header is plain C with extern "C",
// so a C++ program includes and links it as it is. Loads a module given as
// bytes (an `add` export) and calls it.
//
//   c++ header.cpp $(pkg-config --cflags --libs wasmem) -o header
#include <wasmem.h>

#include <cstdio>
#include <vector>

int main() {
  // (module (func (export "add") (param i32 i32) (result i32)
  //   local.get 0 local.get 1 i32.add))
  const std::vector<uint8_t> wasm = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f,
      0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64,
      0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b};
  wm_error err{};
  wm_module *mod = nullptr;
  wm_runtime *rt = nullptr;
  wm_instance *inst = nullptr;
  int rc = wm_module_load(wasm.data(), wasm.size(), nullptr, &mod, &err);
  if (!rc) rc = wm_runtime_new(nullptr, &rt, &err);
  if (!rc) rc = wm_instance_new(rt, mod, nullptr, &inst, &err);
  wm_val args[2] = {wm_val_i32(40), wm_val_i32(2)}, res[1];
  wm_func *add = rc ? nullptr : wm_instance_func(inst, "add");
  if (add) rc = wm_func_call(rt, add, args, 2, res, 1, &err);
  if (!rc && add) std::printf("C++: add(40, 2) = %d (wasmem %s)\n", res[0].of.i32, wm_version());
  else std::fprintf(stderr, "header: %s\n", err.message);
  wm_runtime_free(rt);
  wm_module_free(mod);
  return rc || !add;
}
