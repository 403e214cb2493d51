/* topo_gf.h: the finite field GF(q), q = p^e, for the Slim Fly builder (internal to topo/).
 *
 * Element encoding: an element is an int in [0, q): the polynomial c_0 + c_1 x + ... + c_{e-1} x^{e-1}
 * over GF(p) written in base p, v = c_0 + c_1 p + ... + c_{e-1} p^{e-1}. For a prime q (e = 1) this is
 * plain arithmetic mod p. 0 is the additive and 1 the multiplicative identity in both cases.
 *
 * Construction: the modulus is the first monic polynomial f of degree e (lower coefficients
 * enumerated in the same base-p order) for which x has multiplicative order exactly q - 1, i.e. a
 * primitive polynomial (hence irreducible); xi = x is then a primitive element. For e = 1 the
 * candidates are xi = 2, 3, ... (the smallest primitive root of p). Multiplication goes through
 * exp/log tables of q ints each (about 8q bytes); addition is digit-wise (XOR for p = 2).
 * The search walks at most q - 1 powers per candidate: O(q) per try, a few tries in practice.
 *
 * Lifetime: topo__gf_init() allocates the tables, topo__gf_free() releases them (a zeroed or freed
 * field is a no-op).
 */
#ifndef CLUSTERSIM_TOPO_GF_H
#define CLUSTERSIM_TOPO_GF_H

#include <stddef.h>

typedef struct topo__gf {
  int q, p, e;
  int *exp;   /* exp[k] = xi^k for k = 0 .. q-2 */
  int *log;   /* log[v] = k with xi^k = v for v = 1 .. q-1; log[0] = -1 */
  int *poly;  /* the modulus: x^e + poly[e-1] x^(e-1) + ... + poly[0] (e coefficients) */
} topo__gf;

/* 0 or TOPO_EINVAL (q not a prime power >= 2) / TOPO_ENOMEM, with a message in err. */
int topo__gf_init(topo__gf *f, int q, char *err, size_t errlen);
void topo__gf_free(topo__gf *f);

int topo__gf_add(const topo__gf *f, int a, int b);
int topo__gf_neg(const topo__gf *f, int a);
int topo__gf_sub(const topo__gf *f, int a, int b);
int topo__gf_mul(const topo__gf *f, int a, int b);
/* xi^k for any integer k (reduced mod q - 1). */
int topo__gf_pow_xi(const topo__gf *f, long k);

#endif
