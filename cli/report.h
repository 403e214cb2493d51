/* report.h: tables (Markdown + CSV) and figures (gnuplot PNG + SVG) from the SQLite results.
 *
 * A report is described by the `report:` block of a scenario file (see docs/reports.md):
 *
 *   report:
 *     tables:
 *       - name: table1                       # writes results/tables/table1.md and .csv
 *         title: "Table 1: KV cache size per token"
 *         row: model                         # param key whose value labels each row
 *         rows: [deepseek-v3, qwen2.5-72b]   # row order (optional; default: order of first run)
 *         columns:                           # extra param columns shown verbatim (optional)
 *           - {param: model.attention, label: Attention}
 *         values:                            # one or more metric columns
 *           - metric: kv_cache_bytes_per_token
 *             label: "KV cache per token"
 *             unit: KB                       # shown in the header
 *             scale: 0.001                   # simulated value x scale
 *             digits: 3
 *             paper: {deepseek-v3: 70.272, qwen2.5-72b: 327.680}   # optional: paper + deviation columns
 *             tolerance: 0.001               # relative; the deviation column marks rows outside it
 *     figures:
 *       - name: kv_cache_vs_context          # folder results/figures/<name>/ holds query.sql and plot.gp
 *
 * A figure's query.sql is run against the database with the temporary table `cur(sha256)` holding
 * the current points of the scenario; it returns rows (series, x, y). They are written to
 * results/figures/<name>/data.tsv as gnuplot data blocks (one per distinct series, in query order,
 * separated by two blank lines, each starting with a "# series" comment line), then gnuplot runs
 * plot.gp twice with -e "out='<name>.png'; term='png'" and "... 'svg'" from inside that folder.
 * Paper values live in the scenario's report block, never in code.
 */
#ifndef CLUSTERSIM_REPORT_H
#define CLUSTERSIM_REPORT_H

#include <stddef.h>

typedef struct report_opts {
  const char *db_path;          /* results database */
  const char *results_dir;      /* where tables/ and figures/ are written; default "results" */
  const char *figures_src;      /* folder holding the checked-in <name>/query.sql + plot.gp;
                                   default <results_dir>/figures */
  int no_images;                /* 1: skip gnuplot (data and scripts only) */
} report_opts;

/* The current point identities of a scenario; the caller runs the scenario first (resuming). */
typedef struct report_points {
  const char *scenario_name;
  const char *const *sha256;    /* current points */
  size_t n;
} report_points;

/* Renders every table and figure in report_yaml (the scenario's `report:` block as YAML text).
 * Writes the list of files produced to `written` (newline-separated) if non-NULL.
 * Returns 0; 1 if a table has a row outside its tolerance (files are still written); -1 on error. */
int report_render(const char *report_yaml, const char *scenario_file, const report_points *pts,
                  const report_opts *opts, char *written, size_t written_len, char *err, size_t errlen);

#endif
