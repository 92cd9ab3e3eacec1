/* SPDX-License-Identifier: MIT */
/*
 * cmd_serve.c — `s3inv serve`: option parsing and signal setup for the
 * HTTP/JSON server of src/server (server.h does the work).
 *
 * SIGINT/SIGTERM only set a flag; the server's main loop sees it within a
 * tenth of a second, stops the daemon (running requests finish), closes
 * the indexes and returns 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "server.h"

const char s3i_cli_help_serve[] =
    "NAME\n"
    "    s3inv serve - HTTP/JSON API and web page over indexes\n"
    "\n"
    "SYNOPSIS\n"
    "    s3inv serve [--listen ADDR] [--token T] [--threads N] INDEX.s3i...\n"
    "    s3inv serve [--listen ADDR] [--token T] [--threads N] --dir DIR\n"
    "    s3inv serve [--listen ADDR] [--token T] --source SRC... --index-dir DIR\n"
    "                [--keep N] [--build-budget SIZE] [--build-threads N]\n"
    "\n"
    "DESCRIPTION\n"
    "    Serves one or more indexes read-only over HTTP: a JSON API (see\n"
    "    docs/http-api.md) and, at /, a web page to browse them (breadcrumbs,\n"
    "    children table, storage classes, treemap, search). Each index is\n"
    "    named by its file name without \".s3i\" and is opened and verified\n"
    "    once, then shared by every request thread.\n"
    "\n"
    "    With --dir, every *.s3i file in DIR is served and DIR is rescanned\n"
    "    every few seconds: a new index appears, a removed one disappears, and\n"
    "    a replaced file (new inode, size or mtime) is re-opened while requests\n"
    "    on the old one finish. Listed files are re-opened when replaced too.\n"
    "\n"
    "    With --source (a local folder of dated reports or an s3:// prefix;\n"
    "    may be repeated), the server also lists the reports found and builds\n"
    "    the newest one not yet built in a background thread, into\n"
    "    DIR/<source-bucket>-<report date>.s3i, which it then serves like\n"
    "    --dir. Sources are rescanned every --source-rescan seconds and on\n"
    "    POST /api/builds/rescan. What is built is recognised from the index\n"
    "    files themselves, so a restart does not rebuild. Progress, cancel\n"
    "    and retry: GET /api/reports, /api/builds, /api/builds/events (SSE);\n"
    "    POST /api/builds/cancel?id=N, /api/builds/retry?id=N.\n"
    "\n"
    "    Endpoints: GET /api/indexes, /api/stats, /api/children, /api/top,\n"
    "    /api/age, /api/diff (cost=1 adds cost estimates); POST /api/batch;\n"
    "    GET /healthz, /metrics (Prometheus); the page at /.\n"
    "\n"
    "OPTIONS\n"
    "    --listen ADDR   HOST:PORT, [IPV6]:PORT or PORT (default 127.0.0.1:8080;\n"
    "                    port 0 picks a free port, printed at start)\n"
    "    --token T       require \"Authorization: Bearer T\" on the API and\n"
    "                    /metrics (not on /healthz and the page's static files);\n"
    "                    also read from S3INV_TOKEN when the option is absent\n"
    "    --threads N     request threads (default: number of CPUs)\n"
    "    --prices FILE.json  price table for cost=1 (default: the built-in\n"
    "                    us-east-1 table; docs/cost.md)\n"
    "    --dir DIR       serve DIR/*.s3i and watch DIR for changes\n"
    "    --rescan S      seconds between rescans (default 5)\n"
    "    --source SRC    build indexes from the reports under SRC (repeatable)\n"
    "    --index-dir DIR where --source builds go (created; served like --dir)\n"
    "    --keep N        keep the newest N indexes per source, delete older\n"
    "                    ones after a successful build (default 0 = all)\n"
    "    --build-budget SIZE  memory budget of a build (e.g. 512MiB; default:\n"
    "                    a quarter of RAM)\n"
    "    --build-threads N    threads of a build (default: number of CPUs)\n"
    "    --source-rescan S    seconds between source rescans (default 60)\n"
    "    --quiet         no notices on stderr when indexes change\n"
    "    --region, --profile, --endpoint-url, --requester-pays,\n"
    "    --max-connections, --part-size   S3 access of --source s3://...\n"
    "                    (as for s3inv build)\n"
    "    -h, --help      show this help\n"
    "\n"
    "    Ctrl-C (SIGINT) or SIGTERM stops the server cleanly.\n"
    "\n"
    "EXIT STATUS\n"
    "    0  stopped by a signal\n"
    "    2  error (bad arguments, an index that cannot be opened, address in use)\n"
    "\n"
    "EXAMPLES\n"
    "    s3inv serve bucket.s3i\n"
    "    s3inv serve --dir /var/lib/s3inv --listen 0.0.0.0:8080 --token \"$TOKEN\"\n"
    "    s3inv serve --source s3://inv-bucket/my-bucket/daily/ --index-dir /var/lib/s3inv \\\n"
    "                --keep 7 --build-budget 2GiB\n"
    "    curl 'http://127.0.0.1:8080/api/children?prefix=logs/&limit=10'\n";

enum {
	O_LISTEN = 1,
	O_TOKEN,
	O_THREADS,
	O_DIR,
	O_RESCAN,
	O_QUIET,
	O_SOURCE,
	O_INDEX_DIR,
	O_KEEP,
	O_BUDGET,
	O_BTHREADS,
	O_SRESCAN,
	O_PRICES
};
static const struct s3i_opt opts[] = {{"listen", 'l', true, O_LISTEN},
                                      {"token", 0, true, O_TOKEN},
                                      {"prices", 0, true, O_PRICES},
                                      S3I_CLI_S3_OPTS,
                                      {"threads", 't', true, O_THREADS},
                                      {"dir", 0, true, O_DIR},
                                      {"rescan", 0, true, O_RESCAN},
                                      {"quiet", 'q', false, O_QUIET},
                                      {"source", 0, true, O_SOURCE},
                                      {"index-dir", 0, true, O_INDEX_DIR},
                                      {"keep", 0, true, O_KEEP},
                                      {"build-budget", 0, true, O_BUDGET},
                                      {"build-threads", 0, true, O_BTHREADS},
                                      {"source-rescan", 0, true, O_SRESCAN},
                                      {NULL, 0, false, 0}};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

int s3i_cli_serve(int argc, char **argv)
{
	struct s3i_server_config cfg;
	struct s3i_args a;
	struct sigaction sa, old_int, old_term;
	const char **paths, **sources;
	const char *index_dir = NULL;
	uint64_t v;
	int id, code;
	s3inv_build_options s3o = S3INV_BUILD_OPTIONS_INIT;
	bool s3set = false;

	memset(&cfg, 0, sizeof cfg);
	cfg.s3 = &s3o;
	paths = calloc((size_t)argc + 1, sizeof *paths);
	sources = calloc((size_t)argc + 1, sizeof *sources);
	if (!paths || !sources) {
		code = s3i_cli_error("out of memory");
		goto out;
	}
	s3i_args_init(&a, argc, argv, "serve", opts);
	while ((id = s3i_args_next(&a)) != S3I_OPT_END) {
		switch (id) {
		case S3I_OPT_HELP: code = s3i_cli_print_help("serve"); goto out;
		case S3I_OPT_ERROR: code = S3I_EXIT_ERROR; goto out;
		case O_LISTEN: cfg.listen = a.arg; break;
		case O_TOKEN: cfg.token = a.arg; break;
		case O_PRICES: cfg.prices = a.arg; break;
		case O_DIR: cfg.dir = a.arg; break;
		case O_QUIET: cfg.quiet = true; break;
		case O_SOURCE: sources[cfg.nsources++] = a.arg; break;
		case O_INDEX_DIR: index_dir = a.arg; break;
		case O_THREADS:
			if (s3i_cli_parse_u64(&v, "serve", "--threads", a.arg, 1, 256, false) < 0) {
				code = S3I_EXIT_ERROR;
				goto out;
			}
			cfg.threads = (unsigned)v;
			break;
		case O_RESCAN:
			if (s3i_cli_parse_u64(&v, "serve", "--rescan", a.arg, 1, 86400, false) < 0) {
				code = S3I_EXIT_ERROR;
				goto out;
			}
			cfg.rescan_s = (double)v;
			break;
		case O_KEEP:
			if (s3i_cli_parse_u64(&v, "serve", "--keep", a.arg, 0, 100000, false) < 0) {
				code = S3I_EXIT_ERROR;
				goto out;
			}
			cfg.keep = (unsigned)v;
			break;
		case O_BTHREADS:
			if (s3i_cli_parse_u64(&v, "serve", "--build-threads", a.arg, 1, 256, false) < 0) {
				code = S3I_EXIT_ERROR;
				goto out;
			}
			cfg.build_threads = (unsigned)v;
			break;
		case O_SRESCAN:
			if (s3i_cli_parse_u64(&v, "serve", "--source-rescan", a.arg, 1, 7 * 86400, false) <
			    0) {
				code = S3I_EXIT_ERROR;
				goto out;
			}
			cfg.source_rescan_s = (double)v;
			break;
		case O_BUDGET:
			if (s3inv_parse_size(&cfg.build_budget, a.arg) < 0 || cfg.build_budget == 0) {
				code = s3i_cli_usage("serve", "--build-budget: expected a size such as 512MiB");
				goto out;
			}
			break;
		default:
			if (id != S3I_OPT_POS) {
				int r = s3i_cli_s3_option(&s3o, id, a.arg, "serve");
				if (r < 0) {
					code = S3I_EXIT_ERROR;
					goto out;
				}
				s3set = true;
				break;
			}
			paths[cfg.npaths++] = a.arg;
		}
	}
	if (cfg.nsources > 0) {
		if (!index_dir || cfg.dir || cfg.npaths > 0) {
			code = s3i_cli_usage("serve", "--source needs --index-dir DIR (and no --dir or INDEX)");
			goto out;
		}
		cfg.dir = index_dir;
		cfg.sources = sources;
	} else if (index_dir || cfg.keep || cfg.build_budget || cfg.build_threads ||
	           cfg.source_rescan_s > 0 || s3set) {
		code = s3i_cli_usage("serve", "--index-dir, --keep, --build-*, --source-rescan "
		                              "and the S3 options need --source");
		goto out;
	}
	if (!cfg.dir && cfg.npaths == 0) {
		code = s3i_cli_usage("serve", "missing INDEX or --dir DIR");
		goto out;
	}
	if (cfg.dir && cfg.npaths > 0) {
		code = s3i_cli_usage("serve", "give either INDEX files or --dir, not both");
		goto out;
	}
	if (!cfg.token) {
		const char *t = getenv("S3INV_TOKEN");
		if (t && *t)
			cfg.token = t;
	}
	if (cfg.token && (strlen(cfg.token) == 0 || strlen(cfg.token) > 4096)) {
		code = s3i_cli_usage("serve", "--token must be 1 to 4096 bytes");
		goto out;
	}
	cfg.paths = paths;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	stop_flag = 0;
	code = s3i_server_run(&cfg, &stop_flag);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	free(paths);
	free(sources);
	return code;
}
