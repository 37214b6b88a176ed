/* The pages and their scripts and styles, built into the binary from web/. */
#ifndef HP_HTTP_ASSETS_H
#define HP_HTTP_ASSETS_H

#include <stddef.h>

typedef struct {
    const char *path; /* "/analytics.html", "/js/app.js" */
    const char *content_type;
    const unsigned char *data;
    size_t size;
} hp_asset;

extern const hp_asset hp_assets[];
extern const unsigned hp_asset_count;

/* The asset at a path, or NULL. */
const hp_asset *hp_asset_find(const char *path);

#endif
