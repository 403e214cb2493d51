/* test_scen_units.c: unit parsing (every unit, case errors, negatives), sha256 vectors,
 * error formatting. No files, no engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scen.h"

typedef struct time_case {
  const char *text;
  uint64_t ps;
} time_case;

static void test_time_units(void **state) {
  (void)state;
  static const time_case ok[] = {
      {"1ps", 1ULL},           {"1ns", 1000ULL},          {"1us", 1000000ULL},
      {"1ms", 1000000000ULL},  {"1s", 1000000000000ULL},  {"1.5us", 1500000ULL},
      {"0.1ns", 100ULL},       {"0ps", 0ULL},             {"2.5e3ns", 2500000ULL},
      {"700 ns", 700000ULL},   {"0.000001s", 1000000ULL}, {"18446744073709551615ps", UINT64_MAX},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    uint64_t v = 7;
    char why[512] = "";
    int rc = scen_parse_time_ps(ok[i].text, &v, why, sizeof why);
    if (rc != 0 || v != ok[i].ps) fail_msg("'%s': rc %d value %llu want %llu (%s)", ok[i].text, rc,
                                           (unsigned long long)v, (unsigned long long)ok[i].ps, why);
  }
  static const struct {
    const char *text, *want;
  } bad[] = {
      {"1", "has no unit"},
      {"1Us", "did you mean 'us'"},
      {"1 sec", "unknown unit 'sec'"},
      {"0.5ps", "whole number of picoseconds"},
      {"-1ns", "negative"},
      {"fast", "is not a time"},
      {"5GB", "unit of a size in bytes"},
      {"18446744073709551616ps", "too large"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint64_t v;
    char why[512] = "";
    int rc = scen_parse_time_ps(bad[i].text, &v, why, sizeof why);
    if (rc != SCEN_ERR_INVALID || !strstr(why, bad[i].want))
      fail_msg("'%s': rc %d, message '%s' lacks '%s'", bad[i].text, rc, why, bad[i].want);
    if (!strstr(bad[i].text, "ps") && strcmp(bad[i].want, "negative") != 0 && !strstr(why, "ps ns us ms s") &&
        strcmp(bad[i].want, "too large") != 0)
      fail_msg("'%s': message '%s' does not list the allowed units", bad[i].text, why);
  }
}

typedef struct dbl_case {
  const char *text;
  double v;
} dbl_case;

static void test_bytes_units(void **state) {
  (void)state;
  static const dbl_case ok[] = {
      {"1B", 1},
      {"1KB", 1e3},
      {"1MB", 1e6},
      {"1GB", 1e9},
      {"1TB", 1e12},
      {"1KiB", 1024},
      {"1MiB", 1048576},
      {"1GiB", 1073741824.0},
      {"1TiB", 1099511627776.0},
      {"1.5KiB", 1536},
      {"0B", 0},
      {"70.272KB", 70272},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    double v = -1;
    char why[512] = "";
    int rc = scen_parse_bytes(ok[i].text, &v, why, sizeof why);
    if (rc != 0 || v != ok[i].v) fail_msg("'%s': rc %d value %.17g want %.17g (%s)", ok[i].text, rc, v, ok[i].v, why);
  }
  static const struct {
    const char *text, *want;
  } bad[] = {
      {"1kb", "case-sensitive; did you mean 'KB'"},
      {"1kib", "did you mean 'KiB'"},
      {"4096", "has no unit"},
      {"-1KB", "negative"},
      {"1GB/s", "unit of a bandwidth"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    double v;
    char why[512] = "";
    int rc = scen_parse_bytes(bad[i].text, &v, why, sizeof why);
    if (rc != SCEN_ERR_INVALID || !strstr(why, bad[i].want))
      fail_msg("'%s': rc %d, message '%s' lacks '%s'", bad[i].text, rc, why, bad[i].want);
  }
}

static void test_bw_units(void **state) {
  (void)state;
  static const dbl_case ok[] = {
      {"8bps", 1},        {"8Kbps", 1e3},       {"8Mbps", 1e6},      {"8Gbps", 1e9},
      {"8Tbps", 1e12},    {"400Gbps", 50e9},    {"1B/s", 1},         {"1KB/s", 1e3},
      {"1MB/s", 1e6},     {"50GB/s", 50e9},     {"1TB/s", 1e12},     {"1KiB/s", 1024},
      {"1MiB/s", 1048576}, {"1GiB/s", 1073741824.0}, {"1TiB/s", 1099511627776.0}, {"0Gbps", 0},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    double v = -1;
    char why[512] = "";
    int rc = scen_parse_bw_Bps(ok[i].text, &v, why, sizeof why);
    if (rc != 0 || v != ok[i].v) fail_msg("'%s': rc %d value %.17g want %.17g (%s)", ok[i].text, rc, v, ok[i].v, why);
  }
  static const struct {
    const char *text, *want;
  } bad[] = {
      {"50gbps", "case-sensitive; did you mean 'Gbps'"},
      {"50gb/s", "case-sensitive; did you mean 'GB/s'"},
      {"50GB", "did you mean 'GB/s'"},
      {"50GBps", "unknown unit 'GBps'"},
      {"-400Gbps", "negative"},
      {"400", "has no unit"},
      {"1us", "unit of a time"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    double v;
    char why[512] = "";
    int rc = scen_parse_bw_Bps(bad[i].text, &v, why, sizeof why);
    if (rc != SCEN_ERR_INVALID || !strstr(why, bad[i].want))
      fail_msg("'%s': rc %d, message '%s' lacks '%s'", bad[i].text, rc, why, bad[i].want);
    if (strcmp(bad[i].want, "negative") != 0 && !strstr(why, "bps Kbps Mbps Gbps Tbps (bits/s)"))
      fail_msg("'%s': message '%s' does not list the allowed units", bad[i].text, why);
  }
}

/* FIPS 180-4 / NIST examples, plus a message whose padding spills into a second block. */
static void test_sha256_vectors(void **state) {
  (void)state;
  static const struct {
    const char *msg, *hex;
  } v[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    char out[65];
    scen_sha256_hex(v[i].msg, strlen(v[i].msg), out);
    assert_string_equal(out, v[i].hex);
  }
  /* one million 'a' */
  static char mil[1000000];
  memset(mil, 'a', sizeof mil);
  char out[65];
  scen_sha256_hex(mil, sizeof mil, out);
  assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_err_format(void **state) {
  (void)state;
  scen_err e;
  memset(&e, 0, sizeof e);
  snprintf(e.file, sizeof e.file, "a.yaml");
  e.line = 3;
  e.col = 7;
  snprintf(e.path, sizeof e.path, "link.bw");
  snprintf(e.msg, sizeof e.msg, "bad");
  char buf[256];
  scen_err_format(&e, buf, sizeof buf);
  assert_string_equal(buf, "a.yaml:3:7: error: link.bw: bad\n");
  e.line = e.col = 0;
  e.path[0] = '\0';
  scen_err_format(&e, buf, sizeof buf);
  assert_string_equal(buf, "a.yaml: error: bad\n");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_time_units),     cmocka_unit_test(test_bytes_units),
      cmocka_unit_test(test_bw_units),       cmocka_unit_test(test_sha256_vectors),
      cmocka_unit_test(test_err_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
