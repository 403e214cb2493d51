/* test_res_diff.c: the table comparison behind `clustersim reproduce`'s closing summary
 * (res_tables_diff) and the tolerance rule of res_diff_moved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "res_diff.h"

static int fails;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: FAIL %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)

static void put(const char *dir, const char *name, const char *text) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  if (!f) { perror(p); exit(1); }
  fputs(text, f);
  fclose(f);
}

int main(void) {
  res_diff_opts o = {1e-6, 0, NULL, NULL};
  CHECK(!res_diff_moved(1.0, 1.0 + 1e-9, &o));
  CHECK(res_diff_moved(1.0, 1.001, &o));
  CHECK(!res_diff_moved(0.0, 0.0, &o));
  CHECK(res_diff_moved(0.0, 1e-30, &o));
  o.abs_tol = 1e-20;
  CHECK(!res_diff_moved(0.0, 1e-30, &o));
  o.abs_tol = 0;

  char dir[] = "/tmp/test_res_diff.XXXXXX";
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
  const char *t1 = "model,attn,kv,kv_paper,kv_deviation,kv_status,n,scenario_sha256\n"
                   "a,mla,70.272,70.272,0,ok,1,aaaa\n"
                   "b,\"gqa, grouped\",327.68,327.68,0,ok,1,bbbb\n";
  put(dir, "t1.csv", t1);
  put(dir, "t2.csv", "x,y\n1,2\n");
  put(dir, "t3.csv", "x,y\n1,2\n");
  res_tables *before = res_tables_snapshot(dir);
  res_diff_stats st;

  /* Nothing rewritten: nothing moved, every cell compared. */
  FILE *out = tmpfile();
  res_tables_diff(before, dir, &o, out, &st);
  CHECK(st.moved == 0 && st.only_a == 0 && st.only_b == 0);
  CHECK(st.compared == 2 * 5 + 1 + 1);

  /* One value moves (its deviation too, not counted; the hash changes, not counted); a status
   * changes; a table goes and one appears; t2 gains a row. */
  put(dir, "t1.csv", "model,attn,kv,kv_paper,kv_deviation,kv_status,n,scenario_sha256\n"
                     "a,mla,70.272,70.272,0,ok,1,cccc\n"
                     "b,\"gqa, grouped\",330,327.68,0.007,OUTSIDE,1,dddd\n");
  put(dir, "t2.csv", "x,y\n1,2\n5,6\n");
  char p[512];
  snprintf(p, sizeof p, "%s/t3.csv", dir);
  unlink(p);
  put(dir, "t4.csv", "x,y\n1,2\n");
  rewind(out);
  res_tables_diff(before, dir, &o, out, &st);
  CHECK(st.moved == 2);
  CHECK(st.only_a == 1 && st.only_b == 2);
  fflush(out);
  rewind(out);
  char buf[4096];
  size_t n = fread(buf, 1, sizeof buf - 1, out);
  buf[n] = 0;
  CHECK(strstr(buf, "t1: b, kv: 327.68 -> 330") != NULL);
  CHECK(strstr(buf, "t1: b, kv_status: ok -> OUTSIDE") != NULL);
  CHECK(strstr(buf, "t3: table is gone") != NULL);
  CHECK(strstr(buf, "t4: new table") != NULL);
  CHECK(strstr(buf, "t2: new row '5'") != NULL);
  CHECK(strstr(buf, "scenario_sha256") == NULL && strstr(buf, "deviation") == NULL);
  fclose(out);
  res_tables_free(before);
  const char *names[] = {"t1.csv", "t2.csv", "t4.csv"};
  for (int i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, names[i]);
    unlink(p);
  }
  rmdir(dir);
  printf("test_res_diff: %s\n", fails ? "FAILED" : "ok");
  return fails != 0;
}
