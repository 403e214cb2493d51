/* report.h: tables (Markdown + CSV) and figures (gnuplot PNG + SVG) from the SQLite results.
 *
 * A report is described by the `report:` block of a scenario file (full reference: docs/reports.md):
 *
 *   report:
 *     tables:
 *       - name: table1                       # writes results/tables/table1.md and .csv
 *         title: "Table 1: KV cache size per token"
 *         row: {param: model, label: Model}  # param key whose value labels each row (or just `row: model`)
 *         rows: [deepseek-v3, qwen2.5-72b]   # rows and their order (optional; default: every current
 *                                            # point, in point order); a listed row with no 'ok' run is an error
 *         where: {precision: bf16}           # only points with these param values (optional)
 *         columns:                           # extra param columns shown verbatim (optional)
 *           - {param: model.attention, label: Attention}
 *           - {param: source, label: Source, footnote: true}   # listed under the table instead
 *         values:                            # one or more metric columns
 *           - metric: kv_cache_bytes_per_token
 *             label: "KV cache per token"
 *             unit: KB                       # shown in the header
 *             scale: 0.001                   # simulated value x scale
 *             digits: 3                      # decimals in the Markdown
 *             paper: {deepseek-v3: 70.272, qwen2.5-72b: 327.680}   # optional: paper + deviation columns
 *             tolerance: 0.001               # relative (default 0.01); rows outside it are marked OUTSIDE
 *         note: "free text for the footnote block"
 *     figures:
 *       - name: kv_cache_vs_context          # folder <figures_src>/<name>/ holds query.sql and plot.gp
 *
 * Values are the mean over replicates of the latest 'ok' run of each (point, replicate); the Markdown
 * shows n when a point has more than one. The database is only read (TEMP tables aside).
 *
 * Figure queries (query.sql) and tables see two TEMP tables:
 *   cur(sha256 TEXT PRIMARY KEY, ord INTEGER)        the current points; ord = index in pts
 *   sel(sha256 TEXT, replicate INTEGER, run INTEGER)  the latest 'ok' run per current point and replicate
 * query.sql returns rows (series, x, y[, more columns]). They are written to
 * <results_dir>/figures/<name>/data.tsv as gnuplot data blocks (one per distinct series, in order of
 * first appearance, separated by two blank lines, each starting with a "# series" comment line); when
 * <figures_src> is not that folder, query.sql and plot.gp are copied there too. Then gnuplot runs
 * plot.gp twice from inside that folder (fork/exec, no shell) with the terminal and output already
 * set and these variables defined:
 *   out='<name>.png' | '<name>.svg'   term='pngcairo' (or 'png' without cairo) | 'svg'   fmt='png' | 'svg'
 *   data='data.tsv'   nseries=<blocks>   series='"<name 1>" "<name 2>" ...'  (use word(series, i))
 * so a plot.gp may set no terminal at all, or `set terminal @term size 800,500; set output out`.
 * gnuplot is the build's GNUPLOT_EXE, overridden by the environment variable CLUSTERSIM_GNUPLOT
 * (empty: none). Without gnuplot, or with no_images, only data.tsv (and the copies) are written.
 * Paper values live in the scenario's report block, never in code.
 */
#ifndef CLUSTERSIM_REPORT_H
#define CLUSTERSIM_REPORT_H

#include <stddef.h>

typedef struct report_opts {
  const char *db_path;          /* results database (must exist); NULL: RES_DEFAULT_DB */
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

/* Renders every table and figure in report_yaml (the scenario's `report:` block as YAML text, with
 * or without the `report:` key itself). scenario_file only names the source in messages and footnotes.
 * Writes the list of files produced to `written` (newline-separated) if non-NULL, also after an
 * error (the files written before it); lines starting with "# " are notes (e.g. "images not
 * rendered: gnuplot not found"), not files; a list too long for written_len ends with "...".
 * Returns 0; 1 if a table has a row outside its tolerance (files are still written); -1 on error,
 * with a message in err naming the file/line:col and key of the report block, the table or figure,
 * and what is allowed. Rendering stops at the first error. */
int report_render(const char *report_yaml, const char *scenario_file, const report_points *pts,
                  const report_opts *opts, char *written, size_t written_len, char *err, size_t errlen);

#endif
