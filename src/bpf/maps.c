/* maps.c: wasm_bpf_map_operate.
 *
 * The call carries a bare fd, so the host keeps a table, indexed by fd, of
 * the maps of every loaded object: an fd that is not a map of the calling
 * instance's own objects is -EBADF (the original runtime accepted any fd
 * of the process), and the key and value sizes are known without a
 * syscall (the original asked the kernel on every call, which doubled its
 * cost).  Key and value pointers go straight to the kernel after a bounds
 * check: no copy. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum {
    CMD_LOOKUP = 1,
    CMD_UPDATE = 2,
    CMD_DELETE = 3,
    CMD_GET_NEXT_KEY = 4,
    CMD_LOOKUP_AND_DELETE = 21,
};

int wasm_bpf__map_fds_add(wasm_bpf_host *host, struct wb_object *o)
{
    struct bpf_map *map;
    bpf_object__for_each_map(map, o->obj) {
        int fd = bpf_map__fd(map);
        if (fd < 0)
            continue;
        if (fd >= host->nfds) {
            int n = host->nfds ? host->nfds : 64;
            while (n <= fd)
                n *= 2;
            struct wb_map_fd *t = realloc(host->fds, (size_t)n * sizeof(*t));
            if (!t) {
                wasm_bpf__map_fds_remove(host, o);
                return -ENOMEM;
            }
            memset(t + host->nfds, 0, (size_t)(n - host->nfds) * sizeof(*t));
            host->fds = t;
            host->nfds = n;
        }
        host->fds[fd] = (struct wb_map_fd){
            .object = o,
            .type = bpf_map__type(map),
            .key_size = bpf_map__key_size(map),
            .value_size = wasm_bpf__value_size(map),
            .stats = wasm_bpf__stats_of(host, o, map),
        };
    }
    return 0;
}

void wasm_bpf__map_fds_remove(wasm_bpf_host *host, struct wb_object *o)
{
    for (int fd = 0; fd < host->nfds; fd++)
        if (host->fds[fd].object == o)
            host->fds[fd].object = NULL;
}

/* [ptr, ptr + size) of the guest, NULL (no pointer) for size 0 */
static int guest_range(struct wb_instance *wi, uint32_t ptr, uint32_t size, const char *what,
                       void **out)
{
    *out = NULL;
    if (!size)
        return 0;
    if (!(*out = wasm_mem(wi->inst, ptr, size)))
        return wasm_bpf__fail(wi, -EFAULT,
                              "map_operate: %s [%#x, +%u) lies outside the guest's memory", what,
                              ptr, size);
    return 0;
}

int wasm_bpf__map_operate(struct wb_instance *wi, int fd, int cmd, uint32_t key_ptr,
                          uint32_t value_ptr, uint32_t next_key_ptr, uint64_t flags)
{
    wasm_bpf_host *host = wi->host;
    if (fd < 0 || fd >= host->nfds || !host->fds[fd].object || host->fds[fd].object->owner != wi)
        return wasm_bpf__fail(wi, -EBADF, "map_operate: fd %d is not a map of this guest's objects",
                              fd);
    const struct wb_map_fd *m = &host->fds[fd];
    if (!host->ready)
        wasm_bpf__ready_if_attached(wi);
    void *key, *value, *next_key;
    enum wasm_bpf_map_op op;
    int err;

    switch (cmd) {
    case CMD_LOOKUP:
        op = WASM_BPF_MAP_LOOKUP;
        if ((err = guest_range(wi, key_ptr, m->key_size, "key", &key)) ||
            (err = guest_range(wi, value_ptr, m->value_size, "value", &value)))
            goto bad_range;
        err = bpf_map_lookup_elem_flags(fd, key, value, flags);
        break;
    case CMD_UPDATE:
        op = WASM_BPF_MAP_UPDATE;
        if ((err = guest_range(wi, key_ptr, m->key_size, "key", &key)) ||
            (err = guest_range(wi, value_ptr, m->value_size, "value", &value)))
            goto bad_range;
        err = bpf_map_update_elem(fd, key, value, flags);
        break;
    case CMD_DELETE:
        op = WASM_BPF_MAP_DELETE;
        if ((err = guest_range(wi, key_ptr, m->key_size, "key", &key)))
            goto bad_range;
        err = flags ? bpf_map_delete_elem_flags(fd, key, flags) : bpf_map_delete_elem(fd, key);
        break;
    case CMD_GET_NEXT_KEY:
        op = WASM_BPF_MAP_GET_NEXT_KEY;
        /* key 0 (NULL) asks for the first key */
        if ((key_ptr && (err = guest_range(wi, key_ptr, m->key_size, "key", &key))) ||
            (err = guest_range(wi, next_key_ptr, m->key_size, "next key", &next_key)))
            goto bad_range;
        if (!key_ptr)
            key = NULL;
        err = bpf_map_get_next_key(fd, key, next_key);
        break;
    case CMD_LOOKUP_AND_DELETE:
        op = WASM_BPF_MAP_LOOKUP_AND_DELETE;
        if ((err = guest_range(wi, key_ptr, m->key_size, "key", &key)) ||
            (err = guest_range(wi, value_ptr, m->value_size, "value", &value)))
            goto bad_range;
        err = flags ? bpf_map_lookup_and_delete_elem_flags(fd, key, value, flags)
                    : bpf_map_lookup_and_delete_elem(fd, key, value);
        break;
    default:
        return wasm_bpf__fail(
            wi, -EINVAL,
            "map_operate: command %d is not one of 1 (lookup), 2 (update), 3 (delete), "
            "4 (get next key), 21 (lookup and delete)",
            cmd);
    }
    WB_STAT_ADD(m->stats->ops[op], 1);
    if (err < 0) {
        WB_STAT_ADD(m->stats->errors[op], 1);
        /* failures are common here (-ENOENT ends every iteration): the
         * message is only written if the guest asks for it */
        wi->last_errno = err;
        wi->last_error[0] = '\0';
        wi->map_error_cmd = cmd;
        wi->map_error_fd = fd;
    }
    return err < 0 ? err : 0;
bad_range: /* a failed operation too; guest_range wrote the message */
    WB_STAT_ADD(m->stats->ops[op], 1);
    WB_STAT_ADD(m->stats->errors[op], 1);
    return err;
}
