/* path.c: joining and splitting paths without the surprises of dirname(3)
 * and basename(3) (which may modify their argument). */
#include <string.h>

#include "wasm_bpf_base.h"

char *base_path_join(const char *dir, const char *name)
{
    if (!*dir || name[0] == '/')
        return base_strdup(name);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return base_asprintf("%.*s%s%s", (int)n, dir, dir[n - 1] == '/' ? "" : "/", name);
}

char *base_path_dirname(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') /* trailing slashes */
        n--;
    while (n && path[n - 1] != '/') /* the last component */
        n--;
    if (!n)
        return base_strdup(".");
    while (n > 1 && path[n - 1] == '/') /* the slashes before it */
        n--;
    return base_strndup(path, n);
}

char *base_path_basename(const char *path)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    if (end == 1 && path[0] == '/')
        return base_strdup("/");
    size_t start = end;
    while (start && path[start - 1] != '/')
        start--;
    if (start == end)
        return base_strdup("."); /* "" */
    return base_strndup(path + start, end - start);
}
