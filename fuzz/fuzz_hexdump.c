/* fuzz_hexdump: the --hex dump writes exactly the size it announces, in printable ASCII. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hexdump.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t need = hexdump_size(size), got;
	char *out;

	if ((out = malloc(need ? need : 1)) == NULL)
		return 0;
	got = hexdump_format(data, size, out, need);
	if (got != need)
		abort();
	for (size_t i = 0; i < got; i++)
		if ((out[i] < 0x20 || out[i] > 0x7e) && out[i] != '\n')
			abort();
	/* Too small a buffer is never written past. */
	if (need > 0 && hexdump_format(data, size, out, need - 1) != need)
		abort();
	free(out);
	return 0;
}
