/* rxbuf.h — read-ahead for the sockets libssh reads (src/util/rxbuf.c).
 *
 * libssh 0.10 reads a socket 4 KiB per recv(), each after its own poll():
 * two syscalls per 4 KiB. Between rxbuf_pump_begin(fd) and rxbuf_pump_end()
 * sftpgwd's own recv() and poll() (libssh's calls bind to the executable's
 * definitions first) take up to RXBUF_READ_MAX bytes of fd at once and hand
 * them to libssh 4 KiB at a time, answering poll() from the buffer while it
 * holds bytes. Everything else passes straight through.
 */
#ifndef SFTPGW_RXBUF_H
#define SFTPGW_RXBUF_H

#include <stddef.h>

#define RXBUF_READ_MAX (256 * 1024) /* bytes one recv() takes from the kernel */
/* ssh_event_dopoll calls that drain a full buffer (libssh takes 4 KiB each). */
#define RXBUF_DRAIN_ROUNDS (RXBUF_READ_MAX / 4096 + 1)

/* Lets recv() on fd read ahead, on this thread, until rxbuf_pump_end(). The
 * caller must call ssh_event_dopoll until rxbuf_pending(fd) is 0 before it
 * ends the pump: the event loop does not hear of bytes the kernel no longer
 * holds. */
void rxbuf_pump_begin(int fd);
void rxbuf_pump_end(void);
/* Bytes of fd read ahead on this thread and not yet handed to libssh. */
size_t rxbuf_pending(int fd);
/* Forgets what was read ahead for fd (a connection being torn down: close()
 * does the same, this is for teardown paths that end before libssh closes). */
void rxbuf_drop(int fd);
/* Frees this thread's buffer; call when a thread that pumped ends. */
void rxbuf_thread_free(void);

#endif
