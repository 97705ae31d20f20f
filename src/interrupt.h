/* interrupt.h: SIGINT and SIGTERM as a flag that ends a probing loop (raw-ping, trace). */
#ifndef SOCKT_INTERRUPT_H
#define SOCKT_INTERRUPT_H

#include <signal.h>

/* Set by SIGINT or SIGTERM once interrupt_catch has run. */
extern volatile sig_atomic_t interrupt_requested;

/*
 * Catches SIGINT and SIGTERM into interrupt_requested and blocks them; *waitmask is
 * the mask to wait with (ppoll), which lets them in, so that a signal can only end a
 * wait and never slip past the check before it.
 */
void interrupt_catch(sigset_t *waitmask);

#endif
