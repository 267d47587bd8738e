/* main.c — sftpgwd: options, listeners, workers, signals. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "sftpgw/err.h"
#include "sftpgw/log.h"
#include "sftpgw/vfs.h"

#define MAIN_THREADPOOL_DEFAULT "16"  /* file work runs here; rsync holds one thread per transfer */

struct core_global core_g;

static void usage(FILE *f)
{
	fprintf(f, "usage: sftpgwd [--config FILE] [--db FILE] [--listen ADDR:PORT]... [--workers N]\n"
	           "               [--ready-file FILE] [--log-level error|warn|info|debug]\n"
	           "       sftpgwd --help | --version\n"
	           "Serves SFTP, SCP, rsync and forwarded shells; see sftpgwd(8).\n");
}

static const struct option main_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "db", required_argument, NULL, 'd' },
	{ "listen", required_argument, NULL, 'l' },
	{ "workers", required_argument, NULL, 'w' },
	{ "ready-file", required_argument, NULL, 'r' },
	{ "log-level", required_argument, NULL, 'L' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Loads the config file, then applies flags over it. Returns 0, or the exit status. */
static int main_configure(int argc, char **argv)
{
	const char *flag_keys[128] = { 0 };
	char err[512];
	bool listen_reset = false;
	int c;

	config_defaults(&core_g.cfg);
	flag_keys['d'] = "db";
	flag_keys['l'] = "listen";
	flag_keys['w'] = "workers";
	flag_keys['r'] = "ready_file";
	flag_keys['L'] = "log_level";
	while ((c = getopt_long(argc, argv, "c:d:l:w:r:L:hV", main_opts, NULL)) != -1) {
		if (c == 'c')
			core_g.config_path = optarg;
		else if (c == 'h') {
			usage(stdout);
			exit(0);
		} else if (c == 'V') {
			printf("sftpgwd %s\n", PACKAGE_VERSION);
			exit(0);
		} else if (c == '?')
			return 2;
	}
	if (core_g.config_path == NULL && access(CONFIG_DEFAULT_FILE, R_OK) == 0)
		core_g.config_path = CONFIG_DEFAULT_FILE;
	if (core_g.config_path != NULL &&
	    config_load(&core_g.cfg, core_g.config_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "sftpgwd: %s\n", err);
		return 1;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:d:l:w:r:L:hV", main_opts, NULL)) != -1) {
		if (c >= 128 || flag_keys[c] == NULL)
			continue;
		if (c == 'l' && !listen_reset) {
			/* flags replace the file's listen addresses */
			for (int i = 0; i < core_g.cfg.n_listen; i++)
				free(core_g.cfg.listen[i]);
			core_g.cfg.n_listen = 0;
			listen_reset = true;
		}
		if (config_set(&core_g.cfg, flag_keys[c], optarg, err, sizeof(err)) != 0) {
			fprintf(stderr, "sftpgwd: --%s\n", err);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sftpgwd: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	if (core_g.cfg.db_path == NULL)
		core_g.cfg.db_path = strdup(CONFIG_DEFAULT_DB);
	if (core_g.cfg.n_listen == 0)
		config_set(&core_g.cfg, "listen", "0.0.0.0:2222", err, sizeof(err));
	return 0;
}

static int main_write_ready(const char *lines)
{
	char tmp[4096];
	FILE *f;

	if (core_g.cfg.ready_file == NULL)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", core_g.cfg.ready_file);
	if ((f = fopen(tmp, "w")) == NULL || fputs(lines, f) < 0 || fclose(f) != 0 ||
	    rename(tmp, core_g.cfg.ready_file) != 0) {
		log_err("ready file %s: %s", core_g.cfg.ready_file, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Opens the listeners and sets up every worker. */
static int main_setup_workers(void)
{
	int fds[CONFIG_MAX_LISTEN][CORE_MAX_WORKERS];
	char bound[CONFIG_MAX_LISTEN][128], ready[CONFIG_MAX_LISTEN * 130] = "";
	int n = core_g.nworkers;

	for (int l = 0; l < core_g.cfg.n_listen; l++) {
		if (listen_open(core_g.cfg.listen[l], n, fds[l], bound[l], sizeof(bound[l])) != 0)
			return 1;
		log_info("listening on %s", bound[l]);
		strncat(ready, bound[l], sizeof(ready) - strlen(ready) - 2);
		strncat(ready, "\n", sizeof(ready) - strlen(ready) - 1);
	}
	for (int i = 0; i < n; i++) {
		int wfds[CONFIG_MAX_LISTEN];
		for (int l = 0; l < core_g.cfg.n_listen; l++)
			wfds[l] = fds[l][i];
		if ((core_g.workers[i] = calloc(1, sizeof(struct worker))) == NULL ||
		    worker_init(core_g.workers[i], i, wfds, core_g.cfg.n_listen) != 0)
			return 1;
	}
	for (int i = 0; i < n; i++)
		if (worker_start(core_g.workers[i]) != 0)
			return 1;
	return main_write_ready(ready) == 0 ? 0 : 1;
}

static void main_reload(void)
{
	struct sgw_config fresh;
	char err[512];

	if (core_g.config_path == NULL) {
		log_info("SIGHUP: no config file to reload; the store is read on every login anyway");
		return;
	}
	config_defaults(&fresh);
	if (config_load(&fresh, core_g.config_path, err, sizeof(err)) != 0) {
		log_err("SIGHUP: %s: keeping the old settings", err);
		config_free(&fresh);
		return;
	}
	/* Limits and policies take effect for new connections; addresses, the db
	 * and workers need a restart. */
	core_g.cfg.max_auth_tries = fresh.max_auth_tries;
	core_g.cfg.login_grace_time = fresh.login_grace_time;
	core_g.cfg.max_unauth = fresh.max_unauth;
	core_g.cfg.max_unauth_per_source = fresh.max_unauth_per_source;
	core_g.cfg.max_sessions = fresh.max_sessions;
	core_g.cfg.max_sessions_per_user = fresh.max_sessions_per_user;
	core_g.cfg.shutdown_timeout = fresh.shutdown_timeout;
	core_g.cfg.cert_disconnect_expired = fresh.cert_disconnect_expired;
	core_g.cfg.cert_skew = fresh.cert_skew;
	core_g.cfg.node_connect_timeout = fresh.node_connect_timeout;
	log_set_level((enum log_level)fresh.log_level);
	config_free(&fresh);
	log_info("SIGHUP: reloaded %s", core_g.config_path);
}

static void main_signal_cb(uv_signal_t *h, int signum)
{
	if (signum == SIGHUP) {
		main_reload();
		return;
	}
	log_info("%s: no new connections; sessions get up to %d s", strsignal(signum),
	         core_g.cfg.shutdown_timeout);
	worker_stop_all();
	uv_close((uv_handle_t *)h, NULL);
	uv_close((uv_handle_t *)h->data, NULL);
}

int main(int argc, char **argv)
{
	uv_signal_t sigterm, sigint, sighup;
	uv_loop_t *loop = uv_default_loop();
	int r;

	signal(SIGPIPE, SIG_IGN);
	if ((r = main_configure(argc, argv)) != 0)
		return r;
	log_set_level((enum log_level)core_g.cfg.log_level);
	limits_init(&core_g.cfg);
	setenv("UV_THREADPOOL_SIZE", MAIN_THREADPOOL_DEFAULT, 0);
	core_g.state_dir = config_state_dir(&core_g.cfg);
	core_g.nworkers = core_g.cfg.workers > 0 ? core_g.cfg.workers : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (core_g.nworkers < 1)
		core_g.nworkers = 1;
	if (core_g.nworkers > CORE_MAX_WORKERS)
		core_g.nworkers = CORE_MAX_WORKERS;
	if (vfs_probe() != 0) {
		log_err("this kernel has no openat2(2) (Linux 5.6 or later is needed): sftpgwd confines "
		        "every file access with it and will not run without it");
		return 1;
	}
	ssh_init();
	if (main_setup_workers() != 0)
		return 1;
	log_info("sftpgwd %s ready: %d workers, store %s", PACKAGE_VERSION, core_g.nworkers,
	         core_g.cfg.db_path);
	uv_signal_init(loop, &sigterm);
	uv_signal_init(loop, &sigint);
	uv_signal_init(loop, &sighup);
	sigterm.data = &sigint;
	sigint.data = &sigterm;
	uv_signal_start(&sigterm, main_signal_cb, SIGTERM);
	uv_signal_start(&sigint, main_signal_cb, SIGINT);
	uv_signal_start(&sighup, main_signal_cb, SIGHUP);
	uv_unref((uv_handle_t *)&sighup);
	uv_run(loop, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&sighup, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	for (int i = 0; i < core_g.nworkers; i++) {
		uv_thread_join(&core_g.workers[i]->thread);
		free(core_g.workers[i]);
	}
	log_info("stopped");
	ssh_finalize();
	free(core_g.state_dir);
	config_free(&core_g.cfg);
	return 0;
}
