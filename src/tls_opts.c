/* tls_opts.c: the --tls options, read and checked alike in every command (with or without TLS). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "opts.h"
#include "report.h"
#include "tls.h"

/* The versions --tls-min takes, as the protocol numbers them. */
static const struct {
	const char *name;
	int version;
} versions[] = {
	{ "1.0", 0x0301 },
	{ "1.1", 0x0302 },
	{ "1.2", 0x0303 },
	{ "1.3", 0x0304 },
};

static int
read_version(const struct opt_parser *p)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (strcmp(p->arg, versions[i].name) == 0)
			return versions[i].version;
	opt_usage_error(p->cmd, "invalid %s '%s': must be 1.0, 1.1, 1.2 or 1.3", p->name, p->arg);
}

/* A file or name argument must say something. */
static const char *
read_word(const struct opt_parser *p)
{
	if (p->arg[0] == '\0')
		opt_usage_error(p->cmd, "invalid %s '': must not be empty", p->name);
	return p->arg;
}

/* ALPN names are 1-255 bytes each, comma-separated, none empty. */
static const char *
read_alpn(const struct opt_parser *p)
{
	const char *s = p->arg, *comma;
	size_t len;

	if (strlen(s) > 1000)
		opt_usage_error(p->cmd, "invalid %s: longer than 1000 bytes", p->name);
	do {
		comma = strchr(s, ',');
		len = comma ? (size_t)(comma - s) : strlen(s);
		if (len == 0 || len > 255)
			opt_usage_error(p->cmd,
			    "invalid %s '%s': must be protocol names of 1-255 bytes, "
			    "comma-separated (h2,http/1.1)",
			    p->name, p->arg);
		s = comma + 1;
	} while (comma != NULL);
	return p->arg;
}

static int
tls_value(struct tls_options *t, const struct opt_parser *p, int key)
{
	switch (key) {
	case OPT_TLS_NO_VERIFY: t->no_verify = 1; return 1;
	case OPT_TLS_CA: t->ca = read_word(p); return 1;
	case OPT_TLS_SNI: t->sni = read_word(p); return 1;
	case OPT_TLS_ALPN: t->alpn = read_alpn(p); return 1;
	case OPT_TLS_MIN: t->min_version = read_version(p); return 1;
	case OPT_TLS_CERT: t->cert = read_word(p); return 1;
	case OPT_TLS_KEY: t->key = read_word(p); return 1;
	case OPT_TLS_WARN_DAYS:
		t->warn_days = (int)opt_number(p, 0, 36500);
		t->warn_days_set = 1;
		return 1;
	}
	return 0;
}

int
tls_option(struct tls_options *t, const struct opt_parser *p, int key)
{
	static char given[64];

	if (key == OPT_TLS) {
		t->enabled = 1;
		return 1;
	}
	if (!tls_value(t, p, key))
		return 0;
	if (t->given == NULL) {
		/* The option as typed, kept past the parser's next option. */
		strlcpy(given, p->name, sizeof(given));
		t->given = given;
	}
	return 1;
}

void
tls_options_check(const struct command *cmd, const struct tls_options *t, int server)
{
	if (!t->enabled && t->given != NULL)
		opt_usage_error(cmd, "%s applies with --tls", t->given);
	if (!t->enabled)
		return;
	if (server && t->cert == NULL)
		opt_usage_error(cmd, "--tls needs --cert FILE (and --key FILE) to listen");
	if (t->key != NULL && t->cert == NULL)
		opt_usage_error(cmd, "--key needs --cert");
#ifndef HAVE_TLS
	report_error("--tls: this sockt was built without TLS (configure found no OpenSSL 3, or "
		     "was given --without-tls)");
	exit(EXIT_LOCAL);
#endif
}
