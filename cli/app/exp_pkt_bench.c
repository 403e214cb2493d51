/* exp_pkt_bench.c: `clustersim bench packet`: the 128-GPU all-to-all of 64 KiB per pair (16,256
 * messages) at packet level on the alltoall scenario's topology (default
 * scenarios/examples/alltoall-mpft.yaml: MPFT of H800 hosts, 400G IB), then the same on the flow
 * model for the agreement. Prints packets, packet hops, engine events, events per wall second and
 * the wall time of the packet run (posting + running, CLOCK_MONOTONIC; topology build excluded, as
 * in bench net). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "exp_net.h"
#include "exp_pkt.h"
#include "wl_a2a.h"

static const char usage[] =
  "usage: clustersim bench packet [--gpus N] [--bytes SIZE] [--scenario FILE] [--set KEY=VALUE ...]\n"
  "Packet-level all-to-all (every GPU sends SIZE to every other, all posted at once; default 128 GPUs,\n"
  "64KiB) on the scenario's topology (default scenarios/examples/alltoall-mpft.yaml), then the same on\n"
  "the flow model. Prints packets, packet hops, events, events/s and wall time, and both completion times.\n";

typedef struct one_run {
  wl_a2a_result r;
  net_pkt_stats ps;
  uint64_t events;
  int pkt;
} one_run;

static int run_one(const scen *s, int packet, one_run *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  sim_engine_opts eo = {SIM_QUEUE_DEFAULT, 0, scen_seed(s), 0};
  sim_engine *e = sim_engine_new(&eo);
  topo_graph *g = NULL;
  net_model *n = NULL;
  uint32_t *eps = NULL;
  int rc = -1;
  if (cli_net_build(s, e, &g, &n, err, errlen) < 0) goto done;
  int64_t want = scen_int(s, "gpus");
  uint32_t count = want == 0 ? g->n_endpoints : (uint32_t)want;
  if (want < 0 || (uint64_t)want > g->n_endpoints || count < 2) {
    snprintf(err, errlen, "gpus = %lld: the topology has %u endpoints", (long long)want, g->n_endpoints);
    goto done;
  }
  eps = malloc((size_t)count * sizeof *eps);
  if (!eps) goto done;
  for (uint32_t i = 0; i < count; i++) eps[i] = i;
  uint64_t ev0 = sim_events_processed(e);
  if (wl_alltoall(n, eps, count, scen_bytes(s, "bytes"), &out->r) < 0) {
    snprintf(err, errlen, "all-to-all: a message could not be sent");
    goto done;
  }
  out->events = sim_events_processed(e) - ev0;
  out->pkt = packet;
  if (packet) net_get_pkt_stats(n, &out->ps);
  rc = 0;
done:
  free(eps);
  net_free(n);
  topo_free(g);
  sim_engine_free(e);
  return rc;
}

int cli_bench_packet(int argc, char **argv) {
  const char *gpus = "128", *bytes = "64KiB", *sets[CLI_MAX_SETS];
  size_t nsets = 0;
  char defpath[1024];
  snprintf(defpath, sizeof defpath, "%s/scenarios/examples/alltoall-mpft.yaml", cli_source_dir());
  const char *path = defpath;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(usage, stdout);
      return 0;
    }
    if (!v) {
      fprintf(stderr, "clustersim: bench packet: %s needs a value\n%s", a, usage);
      return 2;
    }
    if (strcmp(a, "--gpus") == 0) gpus = v;
    else if (strcmp(a, "--bytes") == 0) bytes = v;
    else if (strcmp(a, "--scenario") == 0) path = v;
    else if (strcmp(a, "--set") == 0 && nsets < CLI_MAX_SETS - 8) sets[nsets++] = v;
    else {
      fprintf(stderr, "clustersim: bench packet: unknown option '%s'\n%s", a, usage);
      return 2;
    }
    i++;
  }
  char ov_ep[64], ov_g[64], ov_b[96];
  snprintf(ov_ep, sizeof ov_ep, "topology.endpoints=%s", gpus);
  snprintf(ov_g, sizeof ov_g, "gpus=%s", gpus);
  snprintf(ov_b, sizeof ov_b, "bytes=%s", bytes);
  one_run res[2];
  for (int packet = 1; packet >= 0; packet--) {
    cli_opts o;
    memset(&o, 0, sizeof o);
    o.sets[o.nsets++] = ov_ep;
    o.sets[o.nsets++] = ov_g;
    o.sets[o.nsets++] = ov_b;
    o.sets[o.nsets++] = packet ? "network.model=packet" : "network.model=flow";
    for (size_t i = 0; i < nsets; i++) o.sets[o.nsets++] = sets[i];
    cli_scenario cs;
    if (cli_scenario_load(path, &o, &cs) < 0) return 1;
    if (strcmp(cs.exp->name, "alltoall") != 0 || cs.npoints != 1) {
      fprintf(stderr, "clustersim: bench packet: %s must be one point of experiment alltoall\n", path);
      cli_scenario_free(&cs);
      return 1;
    }
    char err[1024];
    int rc = run_one(cs.points[0], packet, &res[packet], err, sizeof err);
    cli_scenario_free(&cs);
    if (rc < 0) {
      fprintf(stderr, "clustersim: bench packet: %s\n", err);
      return 1;
    }
  }
  const one_run *p = &res[1], *f = &res[0];
  double dev = f->r.t_done_ps ? (double)p->r.t_done_ps / (double)f->r.t_done_ps - 1 : 0;
  printf("bench packet: %s, %s GPUs, %s per pair\n", path, gpus, bytes);
  printf("| messages | packets | packet hops | events | wall s | events/s | packet us | flow us | packet/flow |\n");
  printf("|---------:|--------:|------------:|-------:|-------:|---------:|----------:|--------:|------------:|\n");
  printf("| %llu | %llu | %llu | %llu | %.3f | %.3g | %.3f | %.3f | %+.2f%% |\n", (unsigned long long)p->r.messages,
         (unsigned long long)p->ps.pkts_sent, (unsigned long long)p->ps.transmissions, (unsigned long long)p->events,
         p->r.wall_s, p->r.wall_s > 0 ? (double)p->events / p->r.wall_s : 0.0, (double)p->r.t_done_ps * 1e-6,
         (double)f->r.t_done_ps * 1e-6, 100 * dev);
  printf("packet model memory: %.1f MB peak packets in flight %u\n", (double)p->ps.bytes / 1048576.0, p->ps.peak_pkts);
  return 0;
}
