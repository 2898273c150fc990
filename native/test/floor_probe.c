/*
 * floor_probe.c - a library that needs a glibc symbol newer than the floor (strerrorname_np,
 * GLIBC_2.32), so that ctest can prove cmake/CheckSymbolVersions.cmake refuses such a library.
 */
#define _GNU_SOURCE
#include <string.h>

const char *mmp_probe_name(int e) { return strerrorname_np(e); }
