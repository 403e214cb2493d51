/* fuzz_util.h: shared by the fuzz targets of tests/fuzz (libFuzzer entry points).
 *
 * Every target defines LLVMFuzzerInitialize (limits for the run) and LLVMFuzzerTestOneInput. Built
 * with clang and -fsanitize=fuzzer they are libFuzzer programs; built with any other compiler they
 * link replay_main.c, which runs the inputs named on its command line (files or folders) once each:
 * that is how ctest replays the seed corpora and the kept regression inputs in every build.
 * A target aborts (a finding) only on a broken invariant of its own: a crash, a sanitizer report,
 * or an oracle that fails (e.g. canonical YAML that does not parse back).
 */
#ifndef CLUSTERSIM_FUZZ_UTIL_H
#define CLUSTERSIM_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (owned by the caller). */
char *fuzz_strdup(const uint8_t *data, size_t size);
/* Writes the input to a per-process file under $TMPDIR (created once) named `name`; its path. */
const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size);
/* An oracle failed: message on stderr, then abort (libFuzzer keeps the input as a crash). */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
void fuzz_fail(const char *fmt, ...);
/* Sets the limits the targets run under (small sweeps and graphs keep an input fast). */
void fuzz_limits(void);

#endif
