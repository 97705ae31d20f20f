/*
 * access_use.c: the rules of access.c as listen and udp-recv use them: read
 * from the options (and files), said when they refuse a peer, applied to a
 * batch of datagrams.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "addr.h"
#include "cmd.h"
#include "dgram.h"
#include "json.h"
#include "opts.h"
#include "report.h"

/* A rules file larger than this is not a list of addresses. */
#define ACCESS_FILE_MAX (4 << 20)

/* The whole file, NUL-free or not: NULL after the error line. */
static char *
read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 || fstat(fd, &st) == -1)
		goto fail;
	if (st.st_size > ACCESS_FILE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	*len = 0;
	while (
	    *len < (size_t)st.st_size && (n = read(fd, buf + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)n;
	if (n == -1)
		goto fail;
	close(fd);
	return buf;
fail:
	report_errno(errno, "--allow-file %s", path);
	free(buf);
	if (fd != -1)
		close(fd);
	return NULL;
}

static void __attribute__((noreturn))
bad_rule(const struct opt_parser *p, const struct access_failure *f, int rc)
{
	char path[256];

	if (f->line > 0) {
		access_escape(path, sizeof(path), p->arg);
		if (rc == -2)
			report_eai(f->eai, f->err, "%s %s line %zu: %s", p->name, path, f->line,
			    f->word);
		else
			report_error("%s %s line %zu: '%s': %s", p->name, path, f->line, f->word,
			    f->why);
		exit(rc == -2 ? EXIT_RESOLVE : EXIT_USAGE);
	}
	if (rc == -2) {
		report_eai(f->eai, f->err, "%s %s", p->name, f->word);
		exit(EXIT_RESOLVE);
	}
	opt_usage_error(p->cmd, "invalid %s '%s': %s", p->name, f->word, f->why);
}

void
access_option(struct access_list *l, const struct opt_parser *p, int allow, int file)
{
	struct access_failure f;
	char origin[340], path[256];
	size_t len = 0;
	char *text;
	int rc;

	if (!file) {
		snprintf(origin, sizeof(origin), "%s", p->name);
		if ((rc = access_add(l, allow, p->arg, origin, 1, &f)) != 0)
			bad_rule(p, &f, rc);
		return;
	}
	if ((text = read_file(p->arg, &len)) == NULL)
		exit(EXIT_USAGE);
	access_escape(path, sizeof(path), p->arg);
	snprintf(origin, sizeof(origin), "%s %s", p->name, path);
	rc = access_add_text(l, allow, text, len, origin, 1, &f);
	free(text);
	if (rc != 0)
		bad_rule(p, &f, rc);
}

static void
say_refused(const struct sockaddr *peer, const char *what, const char *rule)
{
	char addr[ADDR_STRLEN];
	struct sockaddr_storage un;

	addr_unmap(peer, &un);
	addr_format((const struct sockaddr *)&un, addr, sizeof(addr));
	report_verbose(1, "refused %s%s port %u: %s", what, addr,
	    addr_port((const struct sockaddr *)&un),
	    rule != NULL ? rule : "no --allow rule matches");
}

int
access_admit(struct access_list *l, const struct sockaddr *peer)
{
	const char *rule;

	if (!access_active(l) || access_check(l, peer, &rule))
		return 1;
	l->refused++;
	say_refused(peer, "", rule);
	return 0;
}

void
access_summary(const struct access_list *l, const char *what)
{
	struct json j;

	if (!access_active(l))
		return;
	report_verbose(1, "%llu %s%s refused (--allow, --deny)", (unsigned long long)l->refused,
	    what, l->refused == 1 ? "" : "s");
	if (!globals.json)
		return;
	json_init(&j);
	json_object_begin(&j);
	json_int(&j, "refused", (long long)l->refused);
	json_object_end(&j);
	if (json_write(&j) == -1 && errno != EPIPE)
		report_errno(errno, "write to stdout");
	json_free(&j);
}

unsigned
access_filter(struct access_list *l, struct dgram_batch *b, unsigned n)
{
	unsigned kept = 0;
	const char *rule;

	if (!access_active(l))
		return n;
	for (unsigned i = 0; i < n; i++) {
		if (!access_check(l, dgram_from(b, i), &rule)) {
			l->refused++;
			if (globals.verbose >= 2)
				say_refused(dgram_from(b, i), "datagram from ", rule);
			continue;
		}
		if (kept != i) {
			memcpy(b->buf + (size_t)kept * b->size, b->buf + (size_t)i * b->size,
			    dgram_kept(b, i));
			b->addr[kept] = b->addr[i];
			b->msg[kept].msg_len = b->msg[i].msg_len;
			b->msg[kept].msg_hdr.msg_namelen = b->msg[i].msg_hdr.msg_namelen;
		}
		kept++;
	}
	return kept;
}
