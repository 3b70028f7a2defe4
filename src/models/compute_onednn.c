/* compute_onednn.c - compute.h on oneDNN (the C API of oneDNN 2.x, dnnl.h).
 * Every product is a matmul primitive C[M x N] = op(A) op(B): the forward
 * product with the bias and the activation fused as post-ops, an
 * accumulating product with a sum post-op. A primitive and its memory
 * objects are made at a shape's first use and kept in a small cache (the
 * least recently used slot is replaced when it is full); a call then only
 * points the memory objects at the caller's buffers and executes, so a
 * training loop creates nothing after its first batch. oneDNN's Debian
 * build runs on OpenMP: the context's thread count is set as OpenMP's for
 * the calling thread around each creation and execution. bf16: A and B are
 * rounded to bf16 copies (nearest even) and multiplied by oneDNN's bf16
 * kernels into an f32 C. */
#include "core/internal.h"
#include "models/compute.h"
#include "models/model_internal.h"

#include <dnnl.h>
#include <dnnl_debug.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DS__SLOTS 64

/* One product: C[m x n] (+)= act(op(A) op(B) + bias); ta: A is stored
 * [k x m]; tb: B is stored [n x k]. */
typedef struct gemm_key {
    size_t m, n, k;
    int ta, tb, bias, act, acc, bf16, threads;
} gemm_key;

typedef struct slot {
    gemm_key key;
    dnnl_primitive_t prim;
    dnnl_memory_t mem[4]; /* A (src), B (weights), bias, C (dst) */
    const char *impl;     /* owned by prim's primitive descriptor */
    unsigned long used;   /* tick of the last use; 0: empty */
} slot;

struct ds__compute {
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    int threads;
    ds__precision prec;
    unsigned long tick;
    slot slots[DS__SLOTS];
    uint16_t *half[2]; /* bf16 copies of A and B */
    size_t halfcap[2];
};

static ds_status dnnl_fail(dnnl_status_t s, const char *what, const gemm_key *k)
{
    return ds__fail(s == dnnl_out_of_memory ? DS_ERR_NOMEM : DS_ERR_UNSUPPORTED,
                    "oneDNN %s for a %zux%zux%zu product failed: %s", what, k->m, k->k, k->n,
                    dnnl_status2str(s));
}

ds__compute *ds__compute_new(int threads)
{
    ds__compute *c = calloc(1, sizeof *c);
    if (!c) {
        ds__nomem("compute context", sizeof *c);
        return NULL;
    }
    dnnl_status_t s = dnnl_engine_create(&c->eng, dnnl_cpu, 0);
    if (s == dnnl_success) s = dnnl_stream_create(&c->strm, c->eng, dnnl_stream_default_flags);
    if (s != dnnl_success) {
        ds__fail(DS_ERR_UNSUPPORTED, "oneDNN CPU engine failed to start: %s", dnnl_status2str(s));
        ds__compute_free(c);
        return NULL;
    }
    c->threads = threads;
    return c;
}

static void slot_clear(slot *s)
{
    if (s->prim) dnnl_primitive_destroy(s->prim);
    for (int i = 0; i < 4; i++)
        if (s->mem[i]) dnnl_memory_destroy(s->mem[i]);
    memset(s, 0, sizeof *s);
}

void ds__compute_free(ds__compute *c)
{
    if (!c) return;
    for (int i = 0; i < DS__SLOTS; i++)
        slot_clear(&c->slots[i]);
    if (c->strm) dnnl_stream_destroy(c->strm);
    if (c->eng) dnnl_engine_destroy(c->eng);
    free(c->half[0]), free(c->half[1]);
    free(c);
}

void ds__compute_set_threads(ds__compute *c, int threads)
{
    c->threads = threads;
}

/* "avx512_core_bf16": the name of the instruction set oneDNN's kernels use. */
static const char *isa_name(void)
{
    const char *s = dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa());
    return strncmp(s, "cpu_isa_", 8) == 0 ? s + 8 : s;
}

static int cpu_has_bf16(void)
{
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
}

ds_status ds__compute_set_precision(ds__compute *c, ds__precision p)
{
    if (p == DS__PREC_BF16 && !cpu_has_bf16())
        return ds__fail(DS_ERR_UNSUPPORTED,
                        "precision bf16 needs a CPU with native bf16 products (AVX512_BF16 or "
                        "AMX); this one has %s (accepted here: fp32)",
                        isa_name());
    c->prec = p;
    return DS_OK;
}

ds__precision ds__compute_precision(const ds__compute *c)
{
    return c->prec;
}

/* The memory descriptors of A, B, bias and C. */
static dnnl_status_t gemm_descs(const gemm_key *k, dnnl_memory_desc_t md[4])
{
    dnnl_data_type_t in = k->bf16 ? dnnl_bf16 : dnnl_f32;
    dnnl_dims_t a = {(dnnl_dim_t)k->m, (dnnl_dim_t)k->k}, b = {(dnnl_dim_t)k->k, (dnnl_dim_t)k->n};
    dnnl_dims_t sa = {k->ta ? 1 : a[1], k->ta ? a[0] : 1};
    dnnl_dims_t sb = {k->tb ? 1 : b[1], k->tb ? b[0] : 1};
    dnnl_dims_t bias = {1, b[1]}, c = {a[0], b[1]}, sc = {b[1], 1};
    dnnl_status_t s = dnnl_memory_desc_init_by_strides(&md[0], 2, a, in, sa);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_strides(&md[1], 2, b, in, sb);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_strides(&md[2], 2, bias, dnnl_f32, sc);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_strides(&md[3], 2, c, dnnl_f32, sc);
    return s;
}

/* The post-ops: sum (accumulate), then the activation. */
static dnnl_status_t gemm_attr(const gemm_key *k, dnnl_primitive_attr_t *attr)
{
    static const dnnl_alg_kind_t algs[DS_ACT_COUNT] = {
        [DS_ACT_RELU] = dnnl_eltwise_relu,
        [DS_ACT_SIGMOID] = dnnl_eltwise_logistic,
        [DS_ACT_TANH] = dnnl_eltwise_tanh,
    };
    dnnl_post_ops_t po;
    dnnl_status_t s = dnnl_primitive_attr_create(attr);
    if (s != dnnl_success) return s;
    if ((s = dnnl_post_ops_create(&po)) != dnnl_success) return s;
    if (k->acc) s = dnnl_post_ops_append_sum(po, 1.0f);
    if (s == dnnl_success && k->act >= 0 && k->act < DS_ACT_COUNT)
        s = dnnl_post_ops_append_eltwise(po, 1.0f, algs[k->act], 0.0f, 0.0f);
    if (s == dnnl_success) s = dnnl_primitive_attr_set_post_ops(*attr, po);
    dnnl_post_ops_destroy(po);
    return s;
}

/* Creates slot s's primitive and memory objects for k. */
static dnnl_status_t slot_make(ds__compute *c, slot *s, const gemm_key *k)
{
    dnnl_memory_desc_t md[4];
    dnnl_matmul_desc_t op;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    const_dnnl_primitive_desc_t own;
    dnnl_status_t st = gemm_descs(k, md);
    if (st == dnnl_success)
        st = dnnl_matmul_desc_init(&op, &md[0], &md[1], k->bias ? &md[2] : NULL, &md[3]);
    if (st == dnnl_success) st = gemm_attr(k, &attr);
    if (st == dnnl_success) st = dnnl_primitive_desc_create(&pd, &op, attr, c->eng, NULL);
    if (st == dnnl_success) st = dnnl_primitive_create(&s->prim, pd);
    for (int i = 0; i < 4 && st == dnnl_success; i++)
        st = dnnl_memory_create(&s->mem[i], &md[i], c->eng, DNNL_MEMORY_NONE);
    if (st == dnnl_success) st = dnnl_primitive_get_primitive_desc(s->prim, &own);
    if (st == dnnl_success)
        st = dnnl_primitive_desc_query(own, dnnl_query_impl_info_str, 0, &s->impl);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return st;
}

/* The cached slot of k, made in the least recently used slot if none. */
static ds_status slot_get(ds__compute *c, const gemm_key *k, slot **out)
{
    slot *lru = &c->slots[0];
    for (int i = 0; i < DS__SLOTS; i++) {
        slot *s = &c->slots[i];
        if (s->used && memcmp(&s->key, k, sizeof *k) == 0) {
            *out = s;
            return DS_OK;
        }
        if (s->used < lru->used) lru = s;
    }
    slot_clear(lru);
    dnnl_status_t st = slot_make(c, lru, k);
    if (st != dnnl_success) {
        slot_clear(lru);
        return dnnl_fail(st, "matmul creation", k);
    }
    lru->key = *k;
    *out = lru;
    return DS_OK;
}

/* n floats rounded to bf16 (nearest, ties to even) into c->half[i]. */
static ds_status to_bf16(ds__compute *c, int i, const float *x, size_t n, const void **out)
{
    if (c->halfcap[i] < n) {
        uint16_t *h = realloc(c->half[i], n * sizeof *h);
        if (!h) return ds__nomem("bf16 operands", n * sizeof *h);
        c->half[i] = h, c->halfcap[i] = n;
    }
    uint16_t *h = c->half[i];
#pragma omp parallel for num_threads(c->threads) schedule(static) if (n >= DS__PAR_MIN)
    for (size_t j = 0; j < n; j++) {
        uint32_t u;
        memcpy(&u, &x[j], sizeof u);
        h[j] = (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
    }
    *out = h;
    return DS_OK;
}

/* Runs k on the caller's buffers: C (+)= act(op(A) op(B) + bias). */
static ds_status gemm(ds__compute *c, gemm_key *k, const float *a, const float *b,
                      const float *bias, float *out)
{
    const void *ops[2] = {a, b};
    ds_status st = DS_OK;
    k->bf16 = c->prec == DS__PREC_BF16, k->threads = c->threads;
    if (k->bf16) st = to_bf16(c, 0, a, k->m * k->k, &ops[0]);
    if (k->bf16 && st == DS_OK) st = to_bf16(c, 1, b, k->k * k->n, &ops[1]);
    int saved = omp_get_max_threads();
    omp_set_num_threads(c->threads);
    slot *s = NULL;
    if (st == DS_OK) st = slot_get(c, k, &s);
    if (st == DS_OK) {
        s->used = ++c->tick;
        void *bufs[4] = {(void *)ops[0], (void *)ops[1], (void *)bias, out};
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, s->mem[0]},
                                   {DNNL_ARG_WEIGHTS, s->mem[1]},
                                   {DNNL_ARG_DST, s->mem[3]},
                                   {DNNL_ARG_BIAS, s->mem[2]}};
        dnnl_status_t ds = dnnl_success;
        for (int i = 0; i < 4 && ds == dnnl_success; i++)
            if (bufs[i]) ds = dnnl_memory_set_data_handle(s->mem[i], bufs[i]);
        if (ds == dnnl_success) ds = dnnl_primitive_execute(s->prim, c->strm, bias ? 4 : 3, args);
        if (ds == dnnl_success) ds = dnnl_stream_wait(c->strm);
        if (ds != dnnl_success) st = dnnl_fail(ds, "matmul", k);
    }
    omp_set_num_threads(saved);
    return st;
}

ds_status ds__compute_forward(ds__compute *c, const float *x, const float *w, const float *b,
                              float *y, size_t m, size_t k, size_t n, int act, int flags)
{
    gemm_key key = {.m = m,
                    .n = n,
                    .k = k,
                    .tb = 1,
                    .bias = b != NULL,
                    .act = act,
                    .acc = flags & DS__COMPUTE_ACC};
    return gemm(c, &key, x, w, b, y);
}

ds_status ds__compute_weight_grad(ds__compute *c, const float *x, const float *dy, float *dw,
                                  float *db, size_t m, size_t k, size_t n, int flags)
{
    gemm_key key = {.m = n, .n = k, .k = m, .ta = 1, .act = -1, .acc = flags & DS__COMPUTE_ACC};
    ds_status st = gemm(c, &key, dy, x, NULL, dw);
    if (st == DS_OK && db) ds__compute_bias_grad(dy, db, m, n, flags, c->threads);
    return st;
}

ds_status ds__compute_input_grad(ds__compute *c, const float *dy, const float *w, float *dx,
                                 size_t m, size_t k, size_t n, int flags)
{
    gemm_key key = {.m = m, .n = k, .k = n, .act = -1, .acc = flags & DS__COMPUTE_ACC};
    return gemm(c, &key, dy, w, NULL, dx);
}

const char *ds__compute_backend(void)
{
    return "onednn";
}

/* s1 s2 appended to buf at len; the new length as snprintf counts it. */
static int cat(char *buf, size_t size, int len, const char *s1, const char *s2)
{
    size_t used = (size_t)len;
    return len +
           snprintf(used < size ? buf + used : NULL, used < size ? size - used : 0, "%s%s", s1, s2);
}

int ds__compute_describe(const ds__compute *c, char *buf, size_t size)
{
    const dnnl_version_t *v = dnnl_version();
    int len =
        snprintf(buf, size, "oneDNN %d.%d.%d (isa %s)", v->major, v->minor, v->patch, isa_name());
    if (!c) return len;
    len = cat(buf, size, len, "; kernels:", "");
    for (int i = 0, shown = 0; i < DS__SLOTS; i++) { /* each impl name once */
        const char *impl = c->slots[i].used ? c->slots[i].impl : NULL;
        int seen = 0;
        for (int j = 0; impl && j < i && !seen; j++)
            seen = c->slots[j].used && strcmp(c->slots[j].impl, impl) == 0;
        if (impl && !seen) len = cat(buf, size, len, shown++ ? ", " : " ", impl);
    }
    return len;
}
