/*
 * Readiness for the service manager. Under systemd's Type=notify the unit counts as started
 * only once serve listens, so units ordered after it never meet a refused connection; and the
 * manager learns when a stop has begun. sd_notify() does nothing without NOTIFY_SOCKET (a
 * server started by hand or by the tests), so these are safe to call everywhere.
 */
#include "http/notify.h"

#include <systemd/sd-daemon.h>

void hp_notify_ready(void)
{
    /* A failed notification is no reason to stop serving: the manager times out on its own. */
    (void)sd_notify(0, "READY=1");
}

void hp_notify_stopping(void)
{
    (void)sd_notify(0, "STOPPING=1");
}
