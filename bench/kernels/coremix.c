/* coremix: a mixed workload in the spirit of CoreMark (our own code):
 * linked-list search and reversal, a small integer matrix multiply with
 * masking, a character state machine, and a CRC-16 tying the results
 * together.  Each part is small and branchy, like control-plane code. */
#define BENCH_NAME "coremix"
#include "bench_main.h"

#ifndef COREMIX_ITERS
#define COREMIX_ITERS 12000
#endif

static volatile uint32_t iterations = COREMIX_ITERS;

static uint16_t crc16(uint16_t crc, uint32_t data)
{
    for (int i = 0; i < 32; i++) {
        uint16_t bit = (uint16_t)((crc ^ data) & 1);
        data >>= 1;
        crc >>= 1;
        if (bit)
            crc ^= 0xa001;
    }
    return crc;
}

/* ---- linked list ---- */
#define LIST_N 96
struct node {
    struct node *next;
    int16_t key;
    int16_t value;
};
static struct node nodes[LIST_N];

static struct node *list_build(uint32_t seed)
{
    struct node *head = 0;
    for (int i = LIST_N - 1; i >= 0; i--) {
        seed = seed * 1103515245u + 12345u;
        nodes[i].key = (int16_t)(seed >> 20);
        nodes[i].value = (int16_t)i;
        nodes[i].next = head;
        head = &nodes[i];
    }
    return head;
}

static struct node *list_reverse(struct node *l)
{
    struct node *prev = 0;
    while (l) {
        struct node *next = l->next;
        l->next = prev;
        prev = l;
        l = next;
    }
    return prev;
}

static int list_find(struct node *l, int16_t key)
{
    int pos = 0;
    for (; l; l = l->next, pos++)
        if (l->key == key)
            return pos;
    return -1;
}

/* insertion sort by key: pointer-heavy and branchy */
static struct node *list_sort(struct node *l)
{
    struct node *sorted = 0;
    while (l) {
        struct node *next = l->next, **p = &sorted;
        while (*p && (*p)->key < l->key)
            p = &(*p)->next;
        l->next = *p;
        *p = l;
        l = next;
    }
    return sorted;
}

static uint16_t bench_list(uint32_t seed, uint16_t crc)
{
    struct node *l = list_build(seed);
    for (int i = 0; i < 8; i++) {
        int pos = list_find(l, (int16_t)(nodes[(seed + (uint32_t)i * 7) % LIST_N].key));
        crc = crc16(crc, (uint32_t)pos);
        l = list_reverse(l);
    }
    l = list_sort(l);
    for (struct node *n = l; n; n = n->next)
        crc = crc16(crc, (uint16_t)n->value);
    return crc;
}

/* ---- matrix ---- */
#define MAT_N 12
static int16_t ma[MAT_N][MAT_N], mb[MAT_N][MAT_N];
static int32_t mc[MAT_N][MAT_N];

static uint16_t bench_matrix(uint32_t seed, uint16_t crc)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            seed = seed * 1664525u + 1013904223u;
            ma[i][j] = (int16_t)(seed >> 17);
            mb[i][j] = (int16_t)((seed >> 5) & 0x7ff);
        }
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t sum = 0;
            for (int k = 0; k < MAT_N; k++)
                sum += (int32_t)ma[i][k] * mb[k][j];
            mc[i][j] = sum;
        }
    int32_t acc = 0;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t v = mc[i][j];
            acc += (v > 0 ? (v >> 3) : -(v & 0xff)) ^ (i * j);
        }
    return crc16(crc, (uint32_t)acc);
}

/* ---- state machine ---- */
enum state { S_START, S_INT, S_FLOAT, S_EXP, S_SCIENTIFIC, S_INVALID, S_COUNT };

static enum state next_state(enum state s, char c)
{
    int digit = c >= '0' && c <= '9';
    switch (s) {
    case S_START:
        if (digit)
            return S_INT;
        if (c == '+' || c == '-')
            return S_INT;
        if (c == '.')
            return S_FLOAT;
        return S_INVALID;
    case S_INT:
        if (digit)
            return S_INT;
        if (c == '.')
            return S_FLOAT;
        if (c == 'e' || c == 'E')
            return S_EXP;
        return S_INVALID;
    case S_FLOAT:
        if (digit)
            return S_FLOAT;
        if (c == 'e' || c == 'E')
            return S_EXP;
        return S_INVALID;
    case S_EXP:
        if (digit || c == '+' || c == '-')
            return S_SCIENTIFIC;
        return S_INVALID;
    case S_SCIENTIFIC: return digit ? S_SCIENTIFIC : S_INVALID;
    default: return S_INVALID;
    }
}

static uint16_t bench_state(uint32_t seed, uint16_t crc)
{
    static const char alphabet[] = "0123456789+-.eE,x ";
    char buf[160];
    for (int i = 0; i < (int)sizeof buf; i++) {
        seed = seed * 22695477u + 1u;
        buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
    }
    uint32_t counts[S_COUNT] = {0};
    enum state s = S_START;
    for (int i = 0; i < (int)sizeof buf; i++) {
        if (buf[i] == ',' || buf[i] == ' ') {
            counts[s]++;
            s = S_START;
            continue;
        }
        s = next_state(s, buf[i]);
    }
    for (int i = 0; i < S_COUNT; i++)
        crc = crc16(crc, counts[i]);
    return crc;
}

BENCH_EXPORT uint32_t bench_run(void)
{
    uint16_t crc = 0;
    uint32_t n = iterations;
    for (uint32_t it = 0; it < n; it++) {
        crc = bench_list(it, crc);
        crc = bench_matrix(it, crc);
        crc = bench_state(it, crc);
    }
    return crc;
}
