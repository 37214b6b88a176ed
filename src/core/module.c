/* Loading hallpass's shared modules; see module.h. */
#include "core/module.h"

#include "core/error.h"

#include <dlfcn.h>
#include <glib.h>

#ifndef HALLPASS_MODULE_DIR
#error "HALLPASS_MODULE_DIR (the installed modules' folder) comes from CMakeLists.txt"
#endif

/* Opens file from dir; NULL (with *why set to the loader's words) when it cannot. */
static void *open_in(const char *dir, const char *file, char **why)
{
    char *path = g_build_filename(dir, file, NULL);
    void *handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (handle == NULL && g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_free(*why);
        *why = g_strdup(dlerror());
    }
    g_free(path);
    return handle;
}

int hp_module_symbol(const char *file, const char *what, const char *symbol, void **out)
{
    *out = NULL;
    char *why = NULL;
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    char *here = exe ? g_path_get_dirname(exe) : g_strdup(".");
    /* dlopen hands back the same handle when the module is loaded already. */
    void *handle = open_in(here, file, &why);
    if (handle == NULL)
        handle = open_in(HALLPASS_MODULE_DIR, file, &why);
    int rc = HP_OK;
    if (handle == NULL)
        rc = hp_error_set(HP_ERROR, "%s needs %s, which is %s (looked in %s and %s)", what, file,
                          why ? why : "not installed", here, HALLPASS_MODULE_DIR);
    else if ((*out = dlsym(handle, symbol)) == NULL)
        rc = hp_error_set(HP_ERROR, "%s: %s is not in it: %s", file, symbol, dlerror());
    g_free(why);
    g_free(here);
    g_free(exe);
    return rc;
}
