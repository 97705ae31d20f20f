/* fuzz_parse: the command-line parsers (durations, sizes, ports, ranges, escapes, endpoints). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "parse.h"

/* Splits the input at newlines into words, as argv would hold them. */
static int
words(char *s, char **argv, int max)
{
	int n = 0;

	while (n < max) {
		argv[n++] = s;
		if ((s = strchr(s, '\n')) == NULL)
			break;
		*s++ = '\0';
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *out, *argv[4];
	const char *why;
	struct endpoint ep;
	int64_t usec;
	uint64_t v;
	uint16_t lo, hi;
	int argc;

	if (size < 1)
		return 0;
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 6) {
	case 0:
		if (parse_duration(s, &usec) == 0 && (usec < 0 || usec > DURATION_MAX))
			abort();
		break;
	case 1:
		if (parse_size(s, UINT64_C(1) << 40, &v) == 0 && v > UINT64_C(1) << 40)
			abort();
		break;
	case 2:
		if (parse_port_range(s, "tcp", &lo, &hi) == 0 && lo > hi)
			abort();
		break;
	case 3:
		if ((out = malloc(strlen(s) + 1)) != NULL) {
			long n = parse_escapes(s, out, &why);
			if (n > (long)strlen(s))
				abort();
			free(out);
		}
		break;
	case 4:
		argc = words(s, argv, 4);
		if (endpoint_parse_remote(argc, argv, &ep, &why) > 0)
			endpoint_free(&ep);
		break;
	case 5:
		argc = words(s, argv, 4);
		if (endpoint_parse_local(argc, argv, &ep, &why) > 0)
			endpoint_free(&ep);
		break;
	}
	free(s);
	return 0;
}
