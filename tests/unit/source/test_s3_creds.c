/* SPDX-License-Identifier: MIT */
/*
 * test_s3_creds.c — the AWS credential chain: INI parsing of the shared
 * files, precedence (environment, profile, container, instance metadata),
 * and the container and IMDSv2 paths against a small HTTP responder running
 * on a thread of this test (127.0.0.1, ephemeral port).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "source/s3_creds.h"
#include "util/alloc.h"

/* ---- a tiny HTTP responder ------------------------------------------------ */

static int lsock = -1, port;
static pthread_t rthread;
static atomic_int stop_flag, token_puts, role_gets;

static void reply(int c, int status, const char *body)
{
	char h[512];
	int n = snprintf(h, sizeof h,
	                 "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", status,
	                 strlen(body));
	if (write(c, h, (size_t)n) < 0 || write(c, body, strlen(body)) < 0)
		return;
}

static void serve(int c)
{
	char req[8192];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof req - 1 && (n = read(c, req + len, sizeof req - 1 - len)) > 0) {
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[len] = '\0';
	if (strncmp(req, "PUT /latest/api/token ", 22) == 0) {
		token_puts++;
		if (strstr(req, "X-aws-ec2-metadata-token-ttl-seconds: 21600"))
			reply(c, 200, "TOKEN-abc");
		else
			reply(c, 400, "");
	} else if (strncmp(req, "GET /latest/meta-data/iam/security-credentials/ ", 48) == 0) {
		role_gets++;
		if (strstr(req, "X-aws-ec2-metadata-token: TOKEN-abc"))
			reply(c, 200, "my-role\n");
		else
			reply(c, 401, "");
	} else if (strncmp(req, "GET /latest/meta-data/iam/security-credentials/my-role ", 55) == 0) {
		if (strstr(req, "X-aws-ec2-metadata-token: TOKEN-abc"))
			reply(c, 200,
			      "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAIMDS\",\"SecretAccessKey\":\"imds/secret+\","
			      "\"Token\":\"imds-token\",\"Expiration\":\"2030-01-01T00:00:00Z\"}");
		else
			reply(c, 401, "");
	} else if (strncmp(req, "GET /container-creds ", 21) == 0) {
		if (strstr(req, "Authorization: Bearer sesame"))
			reply(c, 200,
			      "{\"AccessKeyId\":\"ASIACONT\",\"SecretAccessKey\":\"cont:secret\",\"Token\":\"ctok\"}");
		else
			reply(c, 403, "no");
	} else if (strncmp(req, "GET /broken ", 12) == 0) {
		reply(c, 200, "{not json");
	} else {
		reply(c, 404, "");
	}
}

static void *responder(void *arg)
{
	(void)arg;
	while (!stop_flag) {
		struct pollfd p = {lsock, POLLIN, 0};
		if (poll(&p, 1, 50) == 1) {
			int c = accept(lsock, NULL, NULL);
			if (c >= 0) {
				serve(c);
				close(c);
			}
		}
	}
	return NULL;
}

static char dir[256];

static int setup_all(void **state)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	const char *tmp = getenv("S3INV_TMP");
	(void)state;
	snprintf(dir, sizeof dir, "%s/s3creds.%d", tmp && tmp[0] ? tmp : "/tmp", (int)getpid());
	{
		char cmd[400];
		snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
		if (system(cmd) != 0)
			return -1;
	}
	lsock = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lsock, (struct sockaddr *)&a, sizeof a) < 0 || listen(lsock, 16) < 0 ||
	    getsockname(lsock, (struct sockaddr *)&a, &al) < 0)
		return -1;
	port = ntohs(a.sin_port);
	return pthread_create(&rthread, NULL, responder, NULL) == 0 ? 0 : -1;
}

static int teardown_all(void **state)
{
	(void)state;
	stop_flag = 1;
	pthread_join(rthread, NULL);
	close(lsock);
	return 0;
}

static const char *envs[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                             "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
                             "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                             "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                             "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                             "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                             "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT"};

/* A clean environment: no keys, no files, metadata disabled. */
static int setup_env(void **state)
{
	char p[300];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof envs / sizeof envs[0]; i++)
		unsetenv(envs[i]);
	snprintf(p, sizeof p, "%s/none", dir);
	setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
	setenv("AWS_CONFIG_FILE", p, 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	return 0;
}

static void write_file(const char *name, const char *text, char *path, size_t cap)
{
	FILE *f;
	snprintf(path, cap, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char cred_file[] =
    "# comment\n"
    "[default]\n"
    "aws_access_key_id = AKIADEFAULT\n"
    "aws_secret_access_key=default/secret\n"
    "\n"
    "[work]\n"
    "  ; indented comment\n"
    "AWS_Access_Key_Id = AKIAWORK  \r\n"
    "aws_secret_access_key = work:secret=x\r\n"
    "aws_session_token = tok en\n"
    "s3 =\n"
    "  aws_access_key_id = NESTED\n"
    "[workx]\n"
    "aws_access_key_id = WRONG\n";

static const char conf_file[] =
    "[default]\n"
    "region = eu-central-1\n"
    "[profile work]\n"
    "region = ap-south-1\n"
    "aws_access_key_id = AKIACONFIG\n"
    "[profile cfgonly]\n"
    "aws_access_key_id = AKIACFGONLY\n"
    "aws_secret_access_key = cfgonly-secret\n"
    "region = us-west-2\n"
    "[work]\n"
    "region = not-a-profile-section\n";

static void use_files(void)
{
	char p[300];
	write_file("credentials", cred_file, p, sizeof p);
	setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
	write_file("config", conf_file, p, sizeof p);
	setenv("AWS_CONFIG_FILE", p, 1);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_s3_creds__ini_lookup(void **state)
{
	bool oom;
	char *v;
	(void)state;
	v = s3i_ini_get(cred_file, strlen(cred_file), "work", "aws_access_key_id", &oom);
	assert_string_equal(v, "AKIAWORK");
	s3i_free(v);
	v = s3i_ini_get(cred_file, strlen(cred_file), "work", "aws_secret_access_key", &oom);
	assert_string_equal(v, "work:secret=x");
	s3i_free(v);
	v = s3i_ini_get(cred_file, strlen(cred_file), "work", "aws_session_token", &oom);
	assert_string_equal(v, "tok en");
	s3i_free(v);
	v = s3i_ini_get(cred_file, strlen(cred_file), "default", "aws_secret_access_key", &oom);
	assert_string_equal(v, "default/secret");
	s3i_free(v);
	assert_null(s3i_ini_get(cred_file, strlen(cred_file), "work", "region", &oom));
	assert_false(oom);
	assert_null(s3i_ini_get(cred_file, strlen(cred_file), "wor", "aws_access_key_id", &oom));
	assert_null(s3i_ini_get(cred_file, strlen(cred_file), "nope", "aws_access_key_id", &oom));
	/* truncated text: the last line without newline still counts; a cut header does not */
	v = s3i_ini_get("[a]\nk=v", 7, "a", "k", &oom);
	assert_string_equal(v, "v");
	s3i_free(v);
	assert_null(s3i_ini_get("[a\nk=v\n", 7, "a", "k", &oom));
	assert_null(s3i_ini_get("", 0, "a", "k", &oom));
}

static void test_s3_creds__env_first(void **state)
{
	struct s3i_creds c;
	(void)state;
	use_files();
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env:secret", 1);
	setenv("AWS_SESSION_TOKEN", "envtok", 1);
	assert_int_equal(s3i_creds_resolve(&c, NULL, NULL), 0);
	assert_string_equal(c.access_key, "AKIAENV");
	assert_string_equal(c.secret_key, "env:secret");
	assert_string_equal(c.session_token, "envtok");
	assert_string_equal(c.source, "environment");
	assert_string_equal(c.region, "eu-central-1"); /* region still from the default profile */
	s3i_creds_free(&c);
}

static void test_s3_creds__explicit_profile_beats_env(void **state)
{
	struct s3i_creds c;
	(void)state;
	use_files();
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env:secret", 1);
	assert_int_equal(s3i_creds_resolve(&c, "work", NULL), 0);
	assert_string_equal(c.access_key, "AKIAWORK"); /* credentials file wins over config */
	assert_string_equal(c.secret_key, "work:secret=x");
	assert_string_equal(c.session_token, "tok en");
	assert_string_equal(c.region, "ap-south-1");
	assert_string_equal(c.source, "profile 'work'");
	s3i_creds_free(&c);
}

static void test_s3_creds__aws_profile_env(void **state)
{
	struct s3i_creds c;
	(void)state;
	use_files();
	setenv("AWS_PROFILE", "cfgonly", 1);
	assert_int_equal(s3i_creds_resolve(&c, NULL, NULL), 0);
	assert_string_equal(c.access_key, "AKIACFGONLY");
	assert_string_equal(c.secret_key, "cfgonly-secret");
	assert_null(c.session_token);
	assert_string_equal(c.region, "us-west-2");
	s3i_creds_free(&c);
	/* the default profile when nothing is named */
	unsetenv("AWS_PROFILE");
	assert_int_equal(s3i_creds_resolve(&c, NULL, NULL), 0);
	assert_string_equal(c.access_key, "AKIADEFAULT");
	assert_string_equal(c.region, "eu-central-1");
	s3i_creds_free(&c);
}

static void test_s3_creds__nothing_lists_what_was_tried(void **state)
{
	struct s3i_creds c;
	s3inv_error e = {0};
	(void)state;
	setenv("AWS_PROFILE", "ghost", 1);
	assert_int_equal(s3i_creds_resolve(&c, NULL, &e), S3INV_EAUTH);
	assert_int_equal(e.code, S3INV_EAUTH);
	assert_non_null(strstr(e.msg, "environment (AWS_ACCESS_KEY_ID unset)"));
	assert_non_null(strstr(e.msg, "profile 'ghost'"));
	assert_non_null(strstr(e.msg, "container credentials (not configured)"));
	assert_non_null(strstr(e.msg, "EC2 instance metadata (disabled)"));
	assert_null(c.access_key);
	/* half the environment pair is not enough */
	setenv("AWS_ACCESS_KEY_ID", "AKIAHALF", 1);
	memset(&e, 0, sizeof e);
	assert_int_equal(s3i_creds_resolve(&c, NULL, &e), S3INV_EAUTH);
	assert_non_null(strstr(e.msg, "AWS_SECRET_ACCESS_KEY unset"));
}

static void test_s3_creds__container_full_uri(void **state)
{
	struct s3i_creds c;
	s3inv_error e = {0};
	char url[128];
	(void)state;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/container-creds", port);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer sesame", 1);
	assert_int_equal(s3i_creds_resolve(&c, NULL, &e), 0);
	assert_string_equal(c.access_key, "ASIACONT");
	assert_string_equal(c.secret_key, "cont:secret");
	assert_string_equal(c.session_token, "ctok");
	assert_string_equal(c.source, "container credentials");
	s3i_creds_free(&c);
	/* a wrong token: refused, and the chain says so */
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong", 1);
	assert_int_equal(s3i_creds_resolve(&c, NULL, &e), S3INV_EAUTH);
	/* the token from a file */
	{
		char p[300];
		memset(&e, 0, sizeof e);
		unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
		write_file("token", "Bearer sesame\n", p, sizeof p);
		setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", p, 1);
		assert_int_equal(s3i_creds_resolve(&c, NULL, &e), 0);
		assert_string_equal(c.access_key, "ASIACONT");
		s3i_creds_free(&c);
	}
	/* an answer that is not JSON is a format error, not a silent miss */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/broken", port);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	memset(&e, 0, sizeof e);
	assert_int_equal(s3i_creds_resolve(&c, NULL, &e), S3INV_EFORMAT);
	assert_non_null(strstr(e.msg, "not JSON"));
}

static void test_s3_creds__imds_v2(void **state)
{
	struct s3i_creds c;
	s3inv_error e = {0};
	char url[128];
	int puts0 = token_puts;
	(void)state;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	assert_int_equal(s3i_creds_resolve(&c, NULL, &e), 0);
	assert_int_equal(token_puts, puts0 + 1); /* the token came first */
	assert_string_equal(c.access_key, "ASIAIMDS");
	assert_string_equal(c.secret_key, "imds/secret+");
	assert_string_equal(c.session_token, "imds-token");
	assert_string_equal(c.source, "EC2 instance metadata");
	s3i_creds_free(&c);
}

static void test_s3_creds__imds_nothing_there(void **state)
{
	struct s3i_creds c;
	s3inv_error e = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0), dead;
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	char url[128];
	(void)state;
	/* a port that refuses connections: bind, learn it, close */
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	dead = ntohs(a.sin_port);
	close(fd);
	snprintf(url, sizeof url, "http://127.0.0.1:%d", dead);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	assert_int_equal(s3i_creds_resolve(&c, NULL, &e), S3INV_EAUTH);
	assert_non_null(strstr(e.msg, "EC2 instance metadata ("));
	assert_non_null(strstr(e.msg, "no answer"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_s3_creds__ini_lookup),
	    cmocka_unit_test_setup(test_s3_creds__env_first, setup_env),
	    cmocka_unit_test_setup(test_s3_creds__explicit_profile_beats_env, setup_env),
	    cmocka_unit_test_setup(test_s3_creds__aws_profile_env, setup_env),
	    cmocka_unit_test_setup(test_s3_creds__nothing_lists_what_was_tried, setup_env),
	    cmocka_unit_test_setup(test_s3_creds__container_full_uri, setup_env),
	    cmocka_unit_test_setup(test_s3_creds__imds_v2, setup_env),
	    cmocka_unit_test_setup(test_s3_creds__imds_nothing_there, setup_env),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
