/* replay_main.c: a main() for the fuzz targets where libFuzzer is not available (gcc builds): runs
 * LLVMFuzzerTestOneInput once on every file named on the command line, and on every regular file
 * inside a folder named there (sorted by name, not recursive). Prints how many inputs it ran; a
 * crashing input crashes this program, as it would the fuzzer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"

static size_t ran;

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return -1;
  }
  size_t cap = 4096, len = 0;
  unsigned char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  if (!buf) abort();
  if (getenv("FUZZ_REPLAY_VERBOSE")) fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  ran++;
  return 0;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "replay: cannot open folder %s\n", dir);
    return -1;
  }
  char **names = NULL;
  size_t nn = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    names = realloc(names, (nn + 1) * sizeof *names);
    size_t l = strlen(dir) + strlen(e->d_name) + 2;
    names[nn] = malloc(l);
    snprintf(names[nn], l, "%s/%s", dir, e->d_name);
    nn++;
  }
  closedir(d);
  if (nn) qsort(names, nn, sizeof *names, cmp);
  int rc = 0;
  for (size_t i = 0; i < nn; i++) {
    struct stat st;
    if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) && run_file(names[i]) < 0) rc = -1;
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv) {
  LLVMFuzzerInitialize(&argc, &argv);
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: no such file or folder: %s\n", argv[i]);
      rc = 1;
    } else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) < 0 : run_file(argv[i]) < 0) {
      rc = 1;
    }
  }
  printf("replay: %zu inputs ran without a finding\n", ran);
  return rc;
}
