/* topo_gf.c: GF(p^e) arithmetic for the Slim Fly builder (see topo_gf.h for the encoding). */
#include <stdlib.h>
#include <string.h>

#include "topo_gf.h"
#include "topo_int.h"

/* v * x mod f, on the base-p digits of v: shift the coefficients up one place and fold the
 * overflowing x^e back in as x^e = -(poly[e-1] x^(e-1) + ... + poly[0]). */
static int mul_x(int v, int p, int e, const int *poly) {
  int c[32];
  for (int i = 0; i < e; i++) {
    c[i] = v % p;
    v /= p;
  }
  int top = c[e - 1], out = 0;
  for (int i = e - 1; i >= 0; i--) {
    int lower = i > 0 ? c[i - 1] : 0;
    int ci = (int)(((long)lower - (long)top * poly[i]) % p);
    if (ci < 0) ci += p;
    out = out * p + ci;
  }
  return out;
}

int topo__gf_init(topo__gf *f, int q, char *err, size_t errlen) {
  memset(f, 0, sizeof *f);
  int p = 0, e = 0;
  if (!topo__is_prime_power(q, &p, &e))
    return topo__fail(err, errlen, TOPO_EINVAL, "GF(q): q=%d is not a prime power >= 2", q);
  TOPO_ASSERT(e < 32);
  f->q = q;
  f->p = p;
  f->e = e;
  f->exp = malloc(sizeof *f->exp * (size_t)q);
  f->log = malloc(sizeof *f->log * (size_t)q);
  f->poly = calloc((size_t)e, sizeof *f->poly);
  if (!f->exp || !f->log || !f->poly) {
    topo__gf_free(f);
    return topo__fail(err, errlen, TOPO_ENOMEM, "GF(%d): out of memory for the tables", q);
  }
  if (q == 2) {   /* GF(2)*: just 1; the search below would start at the non-existent xi = 2 */
    f->poly[0] = 1;   /* f = x + 1: x = 1 */
    f->exp[0] = 1;
    f->log[0] = -1;
    f->log[1] = 0;
    return 0;
  }
  /* Candidates: e = 1: xi = c for c = 2 .. p-1, as the modulus x - c (poly[0] = -c mod p);
   * e > 1: every monic polynomial of degree e in base-p order of its lower coefficients. */
  int first = e == 1 ? 2 : 0, last = e == 1 ? p : q;
  for (int cand = first; cand < last; cand++) {
    if (e == 1) {
      f->poly[0] = (p - cand) % p;
    } else {
      int v = cand;
      for (int i = 0; i < e; i++) {
        f->poly[i] = v % p;
        v /= p;
      }
      if (f->poly[0] == 0) continue;   /* divisible by x: not irreducible */
    }
    for (int v = 0; v < q; v++) f->log[v] = -1;
    int v = 1, k = 0, ok = 1;
    for (k = 0; k < q - 1; k++) {
      if (v == 0 || f->log[v] >= 0) {   /* reducible, or the order of x is below q - 1 */
        ok = 0;
        break;
      }
      f->exp[k] = v;
      f->log[v] = k;
      v = mul_x(v, p, e, f->poly);
    }
    if (ok && v == 1) return 0;
  }
  topo__gf_free(f);
  /* Unreachable for a prime power (primitive polynomials exist for every q): a bug if seen. */
  return topo__fail(err, errlen, TOPO_EINVAL, "GF(%d): no primitive polynomial found (internal error)", q);
}

void topo__gf_free(topo__gf *f) {
  if (!f) return;
  free(f->exp);
  free(f->log);
  free(f->poly);
  f->exp = f->log = f->poly = NULL;
}

int topo__gf_add(const topo__gf *f, int a, int b) {
  if (f->e == 1) return (a + b) % f->p;
  if (f->p == 2) return a ^ b;
  int out = 0, scale = 1;
  for (int i = 0; i < f->e; i++) {
    out += ((a % f->p + b % f->p) % f->p) * scale;
    a /= f->p;
    b /= f->p;
    scale *= f->p;
  }
  return out;
}

int topo__gf_neg(const topo__gf *f, int a) {
  if (f->e == 1) return (f->p - a) % f->p;
  if (f->p == 2) return a;
  int out = 0, scale = 1;
  for (int i = 0; i < f->e; i++) {
    out += ((f->p - a % f->p) % f->p) * scale;
    a /= f->p;
    scale *= f->p;
  }
  return out;
}

int topo__gf_sub(const topo__gf *f, int a, int b) { return topo__gf_add(f, a, topo__gf_neg(f, b)); }

int topo__gf_mul(const topo__gf *f, int a, int b) {
  if (a == 0 || b == 0) return 0;
  int k = f->log[a] + f->log[b];
  if (k >= f->q - 1) k -= f->q - 1;
  return f->exp[k];
}

int topo__gf_pow_xi(const topo__gf *f, long k) {
  long n = f->q - 1;
  long r = k % n;
  if (r < 0) r += n;
  return f->exp[r];
}
