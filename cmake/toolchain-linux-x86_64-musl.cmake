# Build for linux-x86_64 with musl libc through Debian's musl-tools (musl-gcc); the harness runs natively.
set(CMAKE_C_COMPILER musl-gcc)
