/* Readiness for the service manager: tells systemd (Type=notify) when serve listens and when it
 * stops. libsystemd appears only in notify.c. */
#ifndef HP_HTTP_NOTIFY_H
#define HP_HTTP_NOTIFY_H

/* Sends READY=1: the socket listens and requests are answered from now on. */
void hp_notify_ready(void);
/* Sends STOPPING=1: a SIGTERM or SIGINT came and the server is finishing its requests. */
void hp_notify_stopping(void);

#endif
