/*
 * unit_access.c: sockt-unit's "access": rules (access.c) read from the text of a rules file
 * with names left unresolved, then each peer address checked against them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "unit.h"

/* An address literal as a sockaddr: 0, or -1 if it is not one. */
static int
peer_addr(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return 0;
	}
	sin6->sin6_family = AF_INET6;
	return inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1 ? 0 : -1;
}

/*
 * access ALLOW-TEXT DENY-TEXT PEER...: the two texts as rule files (\n between lines), then
 * "PEER admit|refuse RULE" for each peer; a bad rule: "line N: WORD: WHY", status 1.
 */
int
unit_access(char **argv, int argc)
{
	struct access_list l = { 0 };
	struct access_failure f;
	struct sockaddr_storage ss;
	const char *rule;

	for (int i = 0; i < 2; i++)
		if (access_add_text(&l, i == 0, argv[i], strlen(argv[i]), i == 0 ? "allow" : "deny",
			0, &f) != 0) {
			printf("line %zu: %s: %s\n", f.line, f.word, f.why);
			access_free(&l);
			return 1;
		}
	for (int i = 2; i < argc; i++) {
		if (peer_addr(argv[i], &ss) == -1)
			continue;
		int admit = access_check(&l, (struct sockaddr *)&ss, &rule);
		printf("%s %s %s\n", argv[i], admit ? "admit" : "refuse", rule ? rule : "-");
	}
	access_free(&l);
	return 0;
}
