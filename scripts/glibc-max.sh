#!/usr/bin/env bash
# Print the highest GLIBC_x.y symbol version a binary asks its loader for (e.g. 2.17), or
# "none" for a binary that asks for none. The binary runs on any glibc at least that new.
# Usage: scripts/glibc-max.sh BINARY
set -euo pipefail
bin=${1:?usage: glibc-max.sh BINARY}
[[ -f $bin ]] || { echo "glibc-max.sh: no $bin" >&2; exit 1; }
# The dynamic symbol table names the version each imported symbol needs (`malloc_trim@GLIBC_2.10`);
# weak ones that std looks up at run time (getrandom, __cxa_thread_atexit_impl) are listed too,
# so the floor is read from what the linker recorded, not from what we expect it to have done.
if command -v objdump >/dev/null 2>&1; then
  syms=$(objdump -T "$bin")
elif command -v readelf >/dev/null 2>&1; then
  syms=$(readelf --dyn-syms --wide "$bin")
else
  echo "glibc-max.sh: needs objdump or readelf (binutils)" >&2
  exit 1
fi
max=$(grep -o 'GLIBC_[0-9][0-9.]*' <<<"$syms" | sed 's/^GLIBC_//' | sort -uV | tail -1 || true)
echo "${max:-none}"
