/*
 * The parts of hallpass built as shared modules, loaded only by the commands that use them,
 * so that a report or an import does not pay at every start for loading libraries it never
 * calls: the PostgreSQL backend (hallpass-postgres.so, with libpq), the HTTP server
 * (hallpass-http.so, with libmicrohttpd, libcurl and libcjose), the XLSX writer
 * (hallpass-xlsx.so, with libxlsxwriter) and the .zip reader (hallpass-zip.so, with libzip);
 * the last two bring libcrypto with them.
 */
#ifndef HP_CORE_MODULE_H
#define HP_CORE_MODULE_H

/* The module files. */
#define HP_MODULE_POSTGRES "hallpass-postgres.so"
#define HP_MODULE_HTTP "hallpass-http.so"
#define HP_MODULE_XLSX "hallpass-xlsx.so"
#define HP_MODULE_ZIP "hallpass-zip.so"

/* Sets *out to the function `symbol` of the module `file` (what names the module's part in
 * the error), loading the module the first time: from the folder the running binary is in
 * (the build folder), else from the installed one (LIBDIR/hallpass). HP_ERROR, naming both
 * folders, when it is in neither or cannot be loaded. */
int hp_module_symbol(const char *file, const char *what, const char *symbol, void **out);

#endif
