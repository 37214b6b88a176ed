/*
 * The XLSX writer's module interface. src/export/xlsx.c, the only user of libxlsxwriter, is
 * built as the module hallpass-xlsx.so (see core/module.h), since libxlsxwriter brings
 * libminizip and libcrypto with it and only an XLSX export uses them; hp_export_xlsx_file()
 * (src/export/xlsx_module.c) finds this function there.
 */
#ifndef HP_EXPORT_XLSX_H
#define HP_EXPORT_XLSX_H

#include "report/report.h"

/* The function hallpass-xlsx.so exports, by this name. */
#define HP_XLSX_WRITE_SYMBOL "hp_xlsx_write"

/* Writes the report as a workbook to a file at path: what hp_export_xlsx_file() does. */
int hp_xlsx_write(const hp_report *report, const char *path);
typedef int (*hp_xlsx_write_fn)(const hp_report *report, const char *path);

#endif
