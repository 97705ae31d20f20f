/* interrupt.c: SIGINT and SIGTERM end raw-ping's and trace's loops with their summaries. */
#include "config.h"

#include <string.h>

#include "interrupt.h"

volatile sig_atomic_t interrupt_requested;

static void
on_signal(int sig)
{
	(void)sig;
	interrupt_requested = 1;
}

void
interrupt_catch(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
}
