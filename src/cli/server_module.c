/* Runs the HTTP server from its module (hallpass-http.so, see core/module.h), so that only
 * serve and demo load libmicrohttpd, libcurl and the TLS libraries under them. */
#include "cli/cli.h"

#include "core/module.h"

typedef int (*server_run_fn)(const hp_server_config *config);

int hp_cli_server_run(const hp_server_config *config)
{
    void *sym;
    int rc = hp_module_symbol(HP_MODULE_HTTP, "the HTTP server", "hp_server_run", &sym);
    if (rc < 0)
        return rc;
    return ((server_run_fn)sym)(config);
}
