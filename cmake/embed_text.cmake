# Writes OUT, a C file defining `const char NAME[]` with the text of IN
# (NUL-terminated), for the AOT translator, which copies aot_abi.h and the
# interpreter's numeric.h (and simd_lanes.h) into every C file it writes.
# Lines including "wasmem.h" are dropped: the translator defines what they
# would give; so are those including "numeric.h", copied in before.
# cmake -DIN=... -DOUT=... -DNAME=... -P embed_text.cmake
file(READ "${IN}" text)
string(REPLACE "#include \"wasmem.h\"" "" text "${text}")
string(REPLACE "#include \"numeric.h\"" "" text "${text}")
file(WRITE "${OUT}.tmp" "${text}")
file(READ "${OUT}.tmp" hex HEX)
file(REMOVE "${OUT}.tmp")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" hex "${hex}")
file(WRITE "${OUT}.new" "/* Generated from ${IN} by cmake/embed_text.cmake. */\nconst char ${NAME}[] = {\n${hex}0};\n")
file(COPY_FILE "${OUT}.new" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.new")
