/* scen_units.c: values with units ("400Gbps", "50GB/s", "1.5us", "2KiB") and their canonical text.
 *
 * Units are case-sensitive on purpose: `Gbps` is gigabits per second and `GB/s` gigabytes per
 * second, a factor of 8 apart, so a lowercase `gbps` is refused rather than guessed.
 * Time is parsed exactly (decimal mantissa times a power of ten, integer picoseconds), so 0.1ns
 * is 100 ps and not 99.99999; a time finer than 1 ps is an error. Bytes and bandwidths are doubles.
 * Negative values of united types are always errors (no key wants a negative size or rate).
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scen_int.h"

typedef struct unit {
  const char *name;
  double factor; /* to canonical units: bytes, bytes/s, ps */
  int exp10;     /* time: factor = 10^exp10 exactly */
  int canon;     /* used for the canonical spelling */
} unit;

static const unit time_units[] = {
    {"ps", 1, 0, 1}, {"ns", 1e3, 3, 1}, {"us", 1e6, 6, 1}, {"ms", 1e9, 9, 1}, {"s", 1e12, 12, 1},
};

static const unit bytes_units[] = {
    {"B", 1, 0, 1},           {"KB", 1e3, 0, 1},          {"MB", 1e6, 0, 1},
    {"GB", 1e9, 0, 1},        {"TB", 1e12, 0, 1},         {"KiB", 1024.0, 0, 1},
    {"MiB", 1048576.0, 0, 1}, {"GiB", 1073741824.0, 0, 1}, {"TiB", 1099511627776.0, 0, 1},
};

/* Bits per second divide by 8; the canonical spelling is always in bytes per second. */
static const unit bw_units[] = {
    {"bps", 1.0 / 8, 0, 0},       {"Kbps", 1e3 / 8, 0, 0},         {"Mbps", 1e6 / 8, 0, 0},
    {"Gbps", 1e9 / 8, 0, 0},      {"Tbps", 1e12 / 8, 0, 0},        {"B/s", 1, 0, 1},
    {"KB/s", 1e3, 0, 1},          {"MB/s", 1e6, 0, 1},             {"GB/s", 1e9, 0, 1},
    {"TB/s", 1e12, 0, 1},         {"KiB/s", 1024.0, 0, 1},         {"MiB/s", 1048576.0, 0, 1},
    {"GiB/s", 1073741824.0, 0, 1}, {"TiB/s", 1099511627776.0, 0, 1},
};

typedef struct family {
  scen_type type;
  const char *what; /* "a time", ... */
  const unit *u;
  size_t n;
  const char *allowed;
  const char *example;
} family;

#define NUNITS(a) (sizeof(a) / sizeof((a)[0]))
static const family families[] = {
    {SCEN_TIME, "a time", time_units, NUNITS(time_units), "ps ns us ms s", "1.5us"},
    {SCEN_BYTES, "a size in bytes", bytes_units, NUNITS(bytes_units),
     "B KB MB GB TB (powers of 1000), KiB MiB GiB TiB (powers of 1024)", "2KiB"},
    {SCEN_BW, "a bandwidth", bw_units, NUNITS(bw_units),
     "bps Kbps Mbps Gbps Tbps (bits/s), B/s KB/s MB/s GB/s TB/s KiB/s MiB/s GiB/s TiB/s (bytes/s)",
     "400Gbps"},
};

static const family *family_of(scen_type t) {
  for (size_t i = 0; i < NUNITS(families); i++)
    if (families[i].type == t) return &families[i];
  return NULL;
}

const char *scen__units_allowed(scen_type t) {
  const family *f = family_of(t);
  return f ? f->allowed : "";
}

/* A decimal number: sign, digits, fraction, exponent; the exact mantissa is kept for time. */
typedef struct num {
  int neg;
  uint64_t mant; /* significant digits while they fit in 64 bits */
  int exp10;     /* value = mant * 10^exp10 */
  int inexact;   /* non-zero digits beyond the 19th */
  double val;
  const char *unit;
} num;

static int lex_number(const char *s, num *o) {
  memset(o, 0, sizeof *o);
  const char *c = s;
  while (*c == ' ') c++;
  const char *start = c;
  if (*c == '+' || *c == '-') o->neg = *c++ == '-';
  int ndig = 0;
  for (int frac = 0;; c++) {
    if (*c == '.' && !frac) {
      frac = 1;
      continue;
    }
    if (!isdigit((unsigned char)*c)) break;
    int d = *c - '0';
    ndig++;
    if (o->mant == 0 && d == 0) {
      if (frac) o->exp10--;
      continue;
    }
    if (o->mant <= (UINT64_MAX - (uint64_t)d) / 10u) {
      o->mant = o->mant * 10u + (uint64_t)d;
      if (frac) o->exp10--;
    } else {
      if (!frac) o->exp10++;
      if (d) o->inexact = 1;
    }
  }
  if (ndig == 0) return -1;
  if ((*c == 'e' || *c == 'E') &&
      (isdigit((unsigned char)c[1]) || ((c[1] == '+' || c[1] == '-') && isdigit((unsigned char)c[2])))) {
    char *end;
    long e = strtol(c + 1, &end, 10);
    if (e > 400 || e < -400) return -1;
    o->exp10 += (int)e;
    c = end;
  }
  char tmp[128];
  size_t len = (size_t)(c - start);
  if (len >= sizeof tmp) return -1;
  memcpy(tmp, start, len);
  tmp[len] = '\0';
  o->val = strtod(tmp, NULL);
  if (!isfinite(o->val)) return -1;
  while (*c == ' ') c++;
  o->unit = c;
  return 0;
}

static const unit *find_unit(const family *f, const char *name) {
  for (size_t i = 0; i < f->n; i++)
    if (strcmp(f->u[i].name, name) == 0) return &f->u[i];
  return NULL;
}

/* "did you mean" for a unit: same letters in another case, a byte size where a rate is wanted
 * ("50GB" -> "GB/s"), or one edit away. */
static const char *suggest_unit(const family *f, const char *name) {
  size_t nl = strlen(name);
  if (f->type == SCEN_BW && nl > 3 && strcmp(name + nl - 3, "Bps") == 0) { /* "GBps" means GB/s */
    char t[32];
    snprintf(t, sizeof t, "%.*sB/s", (int)(nl - 3), name);
    for (size_t i = 0; i < f->n; i++)
      if (strcmp(f->u[i].name, t) == 0) return f->u[i].name;
  }
  for (size_t i = 0; i < f->n; i++)
    if (strcasecmp(f->u[i].name, name) == 0) return f->u[i].name;
  if (f->type == SCEN_BW) {
    char t[32];
    snprintf(t, sizeof t, "%s/s", name);
    for (size_t i = 0; i < f->n; i++)
      if (strcmp(f->u[i].name, t) == 0) return f->u[i].name;
  }
  for (size_t i = 0; i < f->n; i++)
    if (scen__edit_distance(f->u[i].name, name) == 1 && nl > 1) return f->u[i].name;
  return NULL;
}

static int unit_why(const family *f, const char *text, const num *nm, char *why, size_t whylen) {
  if (!why) return SCEN_ERR_INVALID;
  if (!nm) {
    snprintf(why, whylen, "'%s' is not %s; write a number and a unit, e.g. %s; allowed units: %s", text,
             f->what, f->example, f->allowed);
    return SCEN_ERR_INVALID;
  }
  if (!nm->unit[0]) {
    snprintf(why, whylen, "'%s' has no unit; %s needs one, e.g. %s; allowed units: %s", text, f->what,
             f->example, f->allowed);
    return SCEN_ERR_INVALID;
  }
  const char *sug = suggest_unit(f, nm->unit);
  char hint[160] = "";
  if (sug && strcasecmp(sug, nm->unit) == 0)
    snprintf(hint, sizeof hint, " (units are case-sensitive; did you mean '%s'?)", sug);
  else if (sug)
    snprintf(hint, sizeof hint, " (did you mean '%s'?)", sug);
  else
    for (size_t i = 0; i < NUNITS(families); i++)
      if (&families[i] != f && find_unit(&families[i], nm->unit)) {
        snprintf(hint, sizeof hint, " ('%s' is the unit of %s, not of %s)", nm->unit, families[i].what,
                 f->what);
        break;
      }
  snprintf(why, whylen, "'%s': unknown unit '%s'%s; allowed units: %s", text, nm->unit, hint, f->allowed);
  return SCEN_ERR_INVALID;
}

/* Common front: lexes the number, finds the unit, refuses negatives. */
static int parse_united(const family *f, const char *text, num *nm, const unit **u, char *why, size_t whylen) {
  if (lex_number(text, nm) < 0) return unit_why(f, text, NULL, why, whylen);
  *u = find_unit(f, nm->unit);
  if (!*u) return unit_why(f, text, nm, why, whylen);
  if (nm->neg && nm->mant != 0) {
    if (why) snprintf(why, whylen, "'%s' is negative; %s cannot be negative", text, f->what);
    return SCEN_ERR_INVALID;
  }
  return 0;
}

int scen_parse_time_ps(const char *text, uint64_t *out, char *why, size_t whylen) {
  const family *f = family_of(SCEN_TIME);
  num nm;
  const unit *u;
  int rc = parse_united(f, text, &nm, &u, why, whylen);
  if (rc < 0) return rc;
  if (nm.inexact) {
    if (why) snprintf(why, whylen, "'%s' is too large or has too many digits for picoseconds", text);
    return SCEN_ERR_INVALID;
  }
  int e = nm.exp10 + u->exp10;
  uint64_t v = nm.mant;
  for (; e < 0 && v; e++) {
    if (v % 10u) {
      if (why) snprintf(why, whylen, "'%s' is not a whole number of picoseconds (the clock's resolution)", text);
      return SCEN_ERR_INVALID;
    }
    v /= 10u;
  }
  for (; e > 0 && v; e--) {
    if (v > UINT64_MAX / 10u) {
      if (why) snprintf(why, whylen, "'%s' is too large (more than 2^64 ps, about 213 days)", text);
      return SCEN_ERR_INVALID;
    }
    v *= 10u;
  }
  *out = v;
  return 0;
}

static int parse_double_family(scen_type t, const char *text, double *out, char *why, size_t whylen) {
  const family *f = family_of(t);
  num nm;
  const unit *u;
  int rc = parse_united(f, text, &nm, &u, why, whylen);
  if (rc < 0) return rc;
  double v = fabs(nm.val) * u->factor;
  if (!isfinite(v)) {
    if (why) snprintf(why, whylen, "'%s' is too large", text);
    return SCEN_ERR_INVALID;
  }
  *out = v;
  return 0;
}

int scen_parse_bytes(const char *text, double *out, char *why, size_t whylen) {
  return parse_double_family(SCEN_BYTES, text, out, why, whylen);
}

int scen_parse_bw_Bps(const char *text, double *out, char *why, size_t whylen) {
  return parse_double_family(SCEN_BW, text, out, why, whylen);
}

void scen__fmt_f64(double v, char *out, size_t len) {
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(out, len, "%.*g", prec, v);
    if (strtod(out, NULL) == v) return;
  }
}

void scen__fmt_time(uint64_t ps, char *out, size_t len) {
  if (ps == 0) {
    snprintf(out, len, "0ps");
    return;
  }
  for (size_t i = NUNITS(time_units); i-- > 0;) {
    uint64_t div = 1;
    for (int e = 0; e < time_units[i].exp10; e++) div *= 10u;
    if (ps % div == 0) {
      snprintf(out, len, "%" PRIu64 "%s", ps / div, time_units[i].name);
      return;
    }
  }
}

/* Largest canonical unit that divides v exactly (v integral and below 2^53); else base unit. */
static void fmt_family(const family *f, double v, char *out, size_t len) {
  const unit *base = NULL, *best = NULL;
  for (size_t i = 0; i < f->n; i++)
    if (f->u[i].canon && f->u[i].factor == 1.0) base = &f->u[i];
  if (v == 0) {
    snprintf(out, len, "0%s", base->name);
    return;
  }
  if (v == floor(v) && v < 9007199254740992.0) {
    for (size_t i = 0; i < f->n; i++)
      if (f->u[i].canon && fmod(v, f->u[i].factor) == 0 && (!best || f->u[i].factor > best->factor))
        best = &f->u[i];
    snprintf(out, len, "%.0f%s", v / best->factor, best->name);
    return;
  }
  char num_s[40];
  scen__fmt_f64(v, num_s, sizeof num_s);
  snprintf(out, len, "%s%s", num_s, base->name);
}

void scen__fmt_bytes(double bytes, char *out, size_t len) { fmt_family(family_of(SCEN_BYTES), bytes, out, len); }

void scen__fmt_bw(double Bps, char *out, size_t len) { fmt_family(family_of(SCEN_BW), Bps, out, len); }
