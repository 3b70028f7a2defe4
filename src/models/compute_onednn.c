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
#include <immintrin.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DS__SLOTS 64
#define DS__ARGS  4

enum { OP_GEMM, OP_CONV_FWD, OP_CONV_BWD_DATA, OP_CONV_BWD_WEIGHTS, OP_POOL_FWD, OP_POOL_BWD };

/* One primitive. A product: C[m x n] (+)= act(op(A) op(B) + bias); ta: A
 * is stored [k x m]; tb: B is stored [n x k]. A convolution: cv, its
 * direction op, acc (the weight gradient added to the caller's). A
 * pooling: cv (o = c, pad 0), its direction, max (else the mean). */
typedef struct key {
    int op, ta, tb, bias, act, acc, bf16, threads, max;
    size_t m, n, k;
    ds__conv cv;
} key;

/* One argument of a primitive: the caller's buffer in its plain f32
 * layout (user) and, where the primitive wants another layout or data type
 * (oneDNN's blocked ones, bf16) or the result is added to the caller's, the
 * primitive's own buffer (inner) and the reorder between the two, run
 * before the primitive for an input, after it for an output. */
typedef struct arg {
    int id, out;
    dnnl_memory_t user, inner;
    dnnl_primitive_t reorder;
} arg;

typedef struct slot {
    key key;
    dnnl_primitive_t prim;
    arg args[DS__ARGS]; /* in the order of the callers' buffers */
    int nargs;
    const char *impl;   /* owned by prim's primitive descriptor */
    unsigned long used; /* tick of the last use; 0: empty */
} slot;
struct ds__compute {
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    int threads;
    ds__precision prec;
    unsigned long tick;
    ds__compute_clock clock; /* the products' time */
    slot slots[DS__SLOTS];
    uint16_t *half[2]; /* bf16 copies of A and B */
    size_t halfcap[2];
};

static ds_status dnnl_fail(dnnl_status_t s, const char *what, const key *k)
{
    const ds__conv *cv = &k->cv;
    ds_status code = s == dnnl_out_of_memory ? DS_ERR_NOMEM : DS_ERR_UNSUPPORTED;
    if (k->op == OP_GEMM)
        return ds__fail(code, "oneDNN %s for a %zux%zux%zu product failed: %s", what, k->m, k->k,
                        k->n, dnnl_status2str(s));
    return ds__fail(code, "oneDNN convolution %s (%zux%zux%zux%zu, %zu filters %zux%zu) failed: %s",
                    what, cv->n, cv->c, cv->h, cv->w, cv->o, cv->k, cv->k, dnnl_status2str(s));
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
    for (int i = 0; i < s->nargs; i++) {
        arg *a = &s->args[i];
        if (a->user) dnnl_memory_destroy(a->user);
        if (a->inner) dnnl_memory_destroy(a->inner);
        if (a->reorder) dnnl_primitive_destroy(a->reorder);
    }
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

/* The memory descriptors of A, B, C and bias. */
static dnnl_status_t gemm_descs(const key *k, dnnl_memory_desc_t md[4])
{
    dnnl_data_type_t in = k->bf16 ? dnnl_bf16 : dnnl_f32;
    dnnl_dims_t a = {(dnnl_dim_t)k->m, (dnnl_dim_t)k->k}, b = {(dnnl_dim_t)k->k, (dnnl_dim_t)k->n};
    dnnl_dims_t sa = {k->ta ? 1 : a[1], k->ta ? a[0] : 1};
    dnnl_dims_t sb = {k->tb ? 1 : b[1], k->tb ? b[0] : 1};
    dnnl_dims_t bias = {1, b[1]}, c = {a[0], b[1]}, sc = {b[1], 1};
    dnnl_status_t s = dnnl_memory_desc_init_by_strides(&md[0], 2, a, in, sa);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_strides(&md[1], 2, b, in, sb);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_strides(&md[2], 2, c, dnnl_f32, sc);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_strides(&md[3], 2, bias, dnnl_f32, sc);
    return s;
}

/* Post-ops: sum (acc: add to the destination), then the activation act
 * (none unless a ds_activation). */
static dnnl_status_t post_ops(int acc, int act, dnnl_primitive_attr_t *attr)
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
    if (acc) s = dnnl_post_ops_append_sum(po, 1.0f);
    if (s == dnnl_success && act >= 0 && act < DS_ACT_COUNT)
        s = dnnl_post_ops_append_eltwise(po, 1.0f, algs[act], 0.0f, 0.0f);
    if (s == dnnl_success) s = dnnl_primitive_attr_set_post_ops(*attr, po);
    dnnl_post_ops_destroy(po);
    return s;
}

/* Appends argument id to s: the caller's layout user, the primitive's want;
 * out: an output; acc: an output added to the caller's buffer. */
static dnnl_status_t arg_add(ds__compute *c, slot *s, int id, const dnnl_memory_desc_t *user,
                             const dnnl_memory_desc_t *want, int out, int acc)
{
    arg *a = &s->args[s->nargs++];
    a->id = id, a->out = out;
    dnnl_status_t st = dnnl_memory_create(&a->user, user, c->eng, DNNL_MEMORY_NONE);
    if (st != dnnl_success || (!acc && dnnl_memory_desc_equal(user, want))) return st;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    st = dnnl_memory_create(&a->inner, want, c->eng, DNNL_MEMORY_ALLOCATE);
    if (st == dnnl_success) st = post_ops(acc, -1, &attr);
    if (st == dnnl_success)
        st = dnnl_reorder_primitive_desc_create(&pd, out ? want : user, c->eng, out ? user : want,
                                                c->eng, attr);
    if (st == dnnl_success) st = dnnl_primitive_create(&a->reorder, pd);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return st;
}

/* s's primitive from pd (with its implementation's name). */
static dnnl_status_t prim_make(slot *s, const_dnnl_primitive_desc_t pd)
{
    const_dnnl_primitive_desc_t own;
    dnnl_status_t st = dnnl_primitive_create(&s->prim, pd);
    if (st == dnnl_success) st = dnnl_primitive_get_primitive_desc(s->prim, &own);
    if (st == dnnl_success)
        st = dnnl_primitive_desc_query(own, dnnl_query_impl_info_str, 0, &s->impl);
    return st;
}

/* A matmul primitive: arguments A, B, C and the bias, all the caller's
 * layouts (the accumulation is the primitive's sum post-op). */
static dnnl_status_t gemm_make(ds__compute *c, slot *s, const key *k)
{
    static const int ids[4] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST, DNNL_ARG_BIAS};
    dnnl_memory_desc_t md[4];
    dnnl_matmul_desc_t op;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t st = gemm_descs(k, md);
    if (st == dnnl_success)
        st = dnnl_matmul_desc_init(&op, &md[0], &md[1], k->bias ? &md[3] : NULL, &md[2]);
    if (st == dnnl_success) st = post_ops(k->acc, k->act, &attr);
    if (st == dnnl_success) st = dnnl_primitive_desc_create(&pd, &op, attr, c->eng, NULL);
    if (st == dnnl_success) st = prim_make(s, pd);
    for (int i = 0; i < 3 + k->bias && st == dnnl_success; i++)
        st = arg_add(c, s, ids[i], &md[i], &md[i], i == 2, 0);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return st;
}

/* The arguments of each convolution and pooling direction, in the order of
 * the callers' buffers: the argument, its query, its shape (0: source, 1:
 * weights, 2: destination, 3: bias, 4: max pooling's workspace, in the
 * caller's buffer as the primitive lays it out) and whether it is an
 * output. */
typedef struct conv_arg {
    int id;
    dnnl_query_t query;
    int index, shape, out;
} conv_arg;

static const conv_arg conv_args[][DS__ARGS] = {
    [OP_CONV_FWD] = {{DNNL_ARG_SRC, dnnl_query_src_md, 0, 0, 0},
                     {DNNL_ARG_WEIGHTS, dnnl_query_weights_md, 0, 1, 0},
                     {DNNL_ARG_DST, dnnl_query_dst_md, 0, 2, 1},
                     {DNNL_ARG_BIAS, dnnl_query_weights_md, 1, 3, 0}},
    [OP_CONV_BWD_DATA] = {{DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, 0, 2, 0},
                          {DNNL_ARG_WEIGHTS, dnnl_query_weights_md, 0, 1, 0},
                          {DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md, 0, 0, 1}},
    [OP_CONV_BWD_WEIGHTS] = {{DNNL_ARG_SRC, dnnl_query_src_md, 0, 0, 0},
                             {DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, 0, 2, 0},
                             {DNNL_ARG_DIFF_WEIGHTS, dnnl_query_diff_weights_md, 0, 1, 1}},
    [OP_POOL_FWD] = {{DNNL_ARG_SRC, dnnl_query_src_md, 0, 0, 0},
                     {DNNL_ARG_DST, dnnl_query_dst_md, 0, 2, 1},
                     {DNNL_ARG_WORKSPACE, dnnl_query_workspace_md, 0, 4, 1}},
    [OP_POOL_BWD] = {{DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, 0, 2, 0},
                     {DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md, 0, 0, 1},
                     {DNNL_ARG_WORKSPACE, dnnl_query_workspace_md, 0, 4, 0}},
};

/* The n arguments of k's primitive pd (conv_args), on the caller's layouts
 * user. */
static dnnl_status_t args_add(ds__compute *c, slot *s, const key *k, const_dnnl_primitive_desc_t pd,
                              const dnnl_memory_desc_t user[4], int n)
{
    dnnl_status_t st = dnnl_success;
    for (int i = 0; i < n && st == dnnl_success; i++) {
        const conv_arg *a = &conv_args[k->op][i];
        const dnnl_memory_desc_t *want = dnnl_primitive_desc_query_md(pd, a->query, a->index);
        st = arg_add(c, s, a->id, a->shape == 4 ? want : &user[a->shape], want, a->out,
                     a->out && k->acc);
    }
    return st;
}

/* The caller's layouts of a convolution's source, weights, destination and
 * bias (f32 NCHW, OIHW, NCHW, one value per filter), or (any) each as the
 * primitive chooses, in type in except the direction's output (f32). */
static dnnl_status_t conv_descs(const key *k, int any, dnnl_memory_desc_t md[4])
{
    const ds__conv *cv = &k->cv;
    dnnl_dims_t d[4] = {
        {(dnnl_dim_t)cv->n, (dnnl_dim_t)cv->c, (dnnl_dim_t)cv->h, (dnnl_dim_t)cv->w},
        {(dnnl_dim_t)cv->o, (dnnl_dim_t)cv->c, (dnnl_dim_t)cv->k, (dnnl_dim_t)cv->k},
        {(dnnl_dim_t)cv->n, (dnnl_dim_t)cv->o, (dnnl_dim_t)cv->oh, (dnnl_dim_t)cv->ow},
        {(dnnl_dim_t)cv->o}};
    static const dnnl_format_tag_t tags[4] = {dnnl_nchw, dnnl_oihw, dnnl_nchw, dnnl_a};
    static const int outputs[][3] = {[OP_CONV_FWD] = {0, 0, 1},
                                     [OP_CONV_BWD_DATA] = {1, 0, 0},
                                     [OP_CONV_BWD_WEIGHTS] = {0, 1, 0}};
    dnnl_data_type_t in = any && k->bf16 ? dnnl_bf16 : dnnl_f32;
    dnnl_status_t st = dnnl_success;
    for (int i = 0; i < 4 && st == dnnl_success; i++)
        st = dnnl_memory_desc_init_by_tag(&md[i], i < 3 ? 4 : 1, d[i],
                                          i == 3 || outputs[k->op][i] ? dnnl_f32 : in,
                                          any && i < 3 ? dnnl_format_tag_any : tags[i]);
    return st;
}

/* The descriptor of k's direction op (OP_CONV_FWD: the forward one, also
 * the hint of the backward ones) on the layouts md. */
static dnnl_status_t conv_desc(const key *k, int op, const dnnl_memory_desc_t md[4],
                               dnnl_convolution_desc_t *d)
{
    const ds__conv *cv = &k->cv;
    dnnl_dim_t s = (dnnl_dim_t)cv->stride, p = (dnnl_dim_t)cv->pad;
    dnnl_dims_t strides = {s, s}, pl = {p, p};
    dnnl_dims_t pr = {((dnnl_dim_t)cv->oh - 1) * s + (dnnl_dim_t)cv->k - (dnnl_dim_t)cv->h - p,
                      ((dnnl_dim_t)cv->ow - 1) * s + (dnnl_dim_t)cv->k - (dnnl_dim_t)cv->w - p};
    dnnl_alg_kind_t alg = dnnl_convolution_direct;
    if (op == OP_CONV_FWD)
        return dnnl_convolution_forward_desc_init(d, dnnl_forward_training, alg, &md[0], &md[1],
                                                  k->bias ? &md[3] : NULL, &md[2], strides, pl, pr);
    if (op == OP_CONV_BWD_DATA)
        return dnnl_convolution_backward_data_desc_init(d, alg, &md[0], &md[1], &md[2], strides, pl,
                                                        pr);
    return dnnl_convolution_backward_weights_desc_init(d, alg, &md[0], &md[1], NULL, &md[2],
                                                       strides, pl, pr);
}

/* A convolution primitive of k's direction, its layouts oneDNN's choice
 * (format any), and the reorders from and to the caller's layouts. */
static dnnl_status_t conv_make(ds__compute *c, slot *s, const key *k)
{
    dnnl_memory_desc_t user[4], any[4], hany[4];
    dnnl_convolution_desc_t d, hd;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL, hint = NULL;
    key fwd = *k;
    fwd.op = OP_CONV_FWD, fwd.bias = 0;
    dnnl_status_t st = conv_descs(k, 0, user);
    if (st == dnnl_success) st = conv_descs(k, 1, any);
    if (st == dnnl_success) st = conv_descs(&fwd, 1, hany);
    if (st == dnnl_success && k->op != OP_CONV_FWD) st = conv_desc(&fwd, OP_CONV_FWD, hany, &hd);
    if (st == dnnl_success && k->op != OP_CONV_FWD)
        st = dnnl_primitive_desc_create(&hint, &hd, NULL, c->eng, NULL);
    if (st == dnnl_success) st = conv_desc(k, k->op, any, &d);
    if (st == dnnl_success) st = post_ops(0, k->act, &attr);
    if (st == dnnl_success) st = dnnl_primitive_desc_create(&pd, &d, attr, c->eng, hint);
    if (st == dnnl_success) st = prim_make(s, pd);
    if (st == dnnl_success)
        st = args_add(c, s, k, pd, user, k->op == OP_CONV_FWD ? 3 + k->bias : 3);
    if (hint) dnnl_primitive_desc_destroy(hint);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return st;
}

/* The descriptor of a pooling of k's shape in direction op on the
 * caller's NCHW layouts md (source, -, destination). */
static dnnl_status_t pool_desc(const key *k, int op, const dnnl_memory_desc_t md[4],
                               dnnl_pooling_desc_t *d)
{
    const ds__conv *p = &k->cv;
    dnnl_dim_t s = (dnnl_dim_t)p->stride, kk = (dnnl_dim_t)p->k;
    dnnl_dims_t strides = {s, s}, kernel = {kk, kk}, pl = {0, 0};
    dnnl_dims_t pr = {((dnnl_dim_t)p->oh - 1) * s + kk - (dnnl_dim_t)p->h,
                      ((dnnl_dim_t)p->ow - 1) * s + kk - (dnnl_dim_t)p->w};
    dnnl_alg_kind_t alg = k->max ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
    if (op == OP_POOL_FWD)
        return dnnl_pooling_forward_desc_init(d, dnnl_forward_training, alg, &md[0], &md[2],
                                              strides, kernel, pl, pr);
    return dnnl_pooling_backward_desc_init(d, alg, &md[0], &md[2], strides, kernel, pl, pr);
}

/* A pooling primitive on the caller's layouts (f32 NCHW; max pooling's
 * workspace in the caller's buffer, which must hold 4 bytes per output). */
static dnnl_status_t pool_make(ds__compute *c, slot *s, const key *k)
{
    dnnl_memory_desc_t user[4];
    dnnl_pooling_desc_t d, hd;
    dnnl_primitive_desc_t pd = NULL, hint = NULL;
    key fwd = *k;
    fwd.op = OP_CONV_FWD; /* f32 everywhere: the descriptors of a forward conv */
    dnnl_status_t st = conv_descs(&fwd, 0, user);
    if (st == dnnl_success) user[2].dims[1] = (dnnl_dim_t)k->cv.c;
    if (st == dnnl_success && k->op == OP_POOL_BWD) st = pool_desc(k, OP_POOL_FWD, user, &hd);
    if (st == dnnl_success && k->op == OP_POOL_BWD)
        st = dnnl_primitive_desc_create(&hint, &hd, NULL, c->eng, NULL);
    if (st == dnnl_success) st = pool_desc(k, k->op, user, &d);
    if (st == dnnl_success) st = dnnl_primitive_desc_create(&pd, &d, NULL, c->eng, hint);
    const dnnl_memory_desc_t *ws =
        st == dnnl_success && k->max ? dnnl_primitive_desc_query_md(pd, dnnl_query_workspace_md, 0)
                                     : NULL;
    size_t outs = k->cv.n * k->cv.c * k->cv.oh * k->cv.ow;
    if (ws && dnnl_memory_desc_get_size(ws) > 4 * outs) st = dnnl_unimplemented;
    if (st == dnnl_success) st = prim_make(s, pd);
    if (st == dnnl_success) st = args_add(c, s, k, pd, user, 2 + k->max);
    if (hint) dnnl_primitive_desc_destroy(hint);
    if (pd) dnnl_primitive_desc_destroy(pd);
    return st;
}

/* Field by field: memcmp would also compare the struct's padding. */
static int key_equal(const key *a, const key *b)
{
    const ds__conv *p = &a->cv, *q = &b->cv;
    return a->op == b->op && a->m == b->m && a->n == b->n && a->k == b->k && a->ta == b->ta &&
           a->tb == b->tb && a->bias == b->bias && a->act == b->act && a->acc == b->acc &&
           a->bf16 == b->bf16 && a->threads == b->threads && p->n == q->n && p->c == q->c &&
           p->h == q->h && p->w == q->w && p->o == q->o && p->k == q->k && p->stride == q->stride &&
           p->pad == q->pad && p->oh == q->oh && p->ow == q->ow && a->max == b->max;
}

/* The cached slot of k, made in the least recently used slot if none. */
static ds_status slot_get(ds__compute *c, const key *k, slot **out)
{
    slot *lru = &c->slots[0];
    for (int i = 0; i < DS__SLOTS; i++) {
        slot *s = &c->slots[i];
        if (s->used && key_equal(&s->key, k)) {
            *out = s;
            return DS_OK;
        }
        if (s->used < lru->used) lru = s;
    }
    slot_clear(lru);
    dnnl_status_t st = k->op == OP_GEMM                               ? gemm_make(c, lru, k)
                       : k->op == OP_POOL_FWD || k->op == OP_POOL_BWD ? pool_make(c, lru, k)
                                                                      : conv_make(c, lru, k);
    if (st != dnnl_success) {
        slot_clear(lru);
        return dnnl_fail(st, "creation", k);
    }
    lru->key = *k;
    *out = lru;
    return DS_OK;
}

static dnnl_status_t reorder(ds__compute *c, dnnl_primitive_t r, dnnl_memory_t from,
                             dnnl_memory_t to)
{
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    return dnnl_primitive_execute(r, c->strm, 2, args);
}

/* Runs s on the caller's buffers (bufs in the order of s->args): the
 * inputs' reorders, the primitive, the outputs' reorders. */
static dnnl_status_t slot_run(ds__compute *c, slot *s, void *const bufs[])
{
    dnnl_exec_arg_t args[DS__ARGS];
    dnnl_status_t st = dnnl_success;
    for (int i = 0; i < s->nargs && st == dnnl_success; i++) {
        arg *a = &s->args[i];
        args[i] = (dnnl_exec_arg_t){a->id, a->inner ? a->inner : a->user};
        st = dnnl_memory_set_data_handle(a->user, bufs[i]);
        if (st == dnnl_success && a->reorder && !a->out)
            st = reorder(c, a->reorder, a->user, a->inner);
    }
    if (st == dnnl_success) st = dnnl_primitive_execute(s->prim, c->strm, s->nargs, args);
    for (int i = 0; i < s->nargs && st == dnnl_success; i++)
        if (s->args[i].reorder && s->args[i].out)
            st = reorder(c, s->args[i].reorder, s->args[i].inner, s->args[i].user);
    if (st == dnnl_success) st = dnnl_stream_wait(c->strm);
    return st;
}

/* A product of fewer floating-point operations than this runs on one
 * thread. Alone, two threads do finish a batch-64 product of the default
 * network faster (64x784x256: 131 us against 147), but inside training
 * they lose: the product's output and the gradients then sit half in the
 * other core's cache, and every loop after it pays to fetch them (an epoch
 * of mlp:784-256-128-10 at batch 64, 2 threads on its two largest
 * products: 0.67-0.69 s, against 0.51-0.55 s on one thread). At batch 256
 * (103 MFLOP) two threads pay (0.42 s against 0.47-0.54), at batch 64 (26
 * MFLOP) they do not: the bound lies between. */
#define DS__GEMM_PAR_FLOPS 5e7

/* The threads k runs on: the context's, but one for a small product. */
static int threads_for(const ds__compute *c, const key *k)
{
    double flops = 2.0 * (double)k->m * (double)k->n * (double)k->k;
    return k->op == OP_GEMM && flops < DS__GEMM_PAR_FLOPS ? 1 : c->threads;
}

/* k's primitive (made at its first use) on the caller's buffers, on its
 * threads and the context's precision. */
static ds_status run(ds__compute *c, key *k, void *const bufs[])
{
    k->bf16 = c->prec == DS__PREC_BF16, k->threads = threads_for(c, k);
    int saved = omp_get_max_threads();
    omp_set_num_threads(k->threads);
    slot *s = NULL;
    ds_status st = slot_get(c, k, &s);
    if (st == DS_OK) {
        s->used = ++c->tick;
        dnnl_status_t ds = slot_run(c, s, bufs);
        if (ds != dnnl_success) st = dnnl_fail(ds, "execution", k);
    }
    omp_set_num_threads(saved);
    return st;
}

/* h = x rounded to bf16 by the CPU's own conversion (VCVTNEPS2BF16:
 * nearest, ties to even; a NaN stays a NaN), 16 floats at a time, the last
 * ones through a mask. bf16 runs only where the CPU has AVX512_BF16
 * (ds__compute_set_precision), so no other build of it is needed. Against
 * the rounding bias added to the bits, which it replaces: 12 us instead of
 * 16 for the first layer's 784x256 weights, and the NaN 0x7fffffff no longer
 * becomes -0. */
__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"))) static void
round_bf16_run(const float *x, uint16_t *h, size_t n)
{
    for (size_t j = 0; j < n; j += 16) {
        __mmask16 m = n - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - j)) - 1);
        __m256bh r = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, x + j));
        _mm256_mask_storeu_epi16(h + j, m, (__m256i)r);
    }
}

/* round_bf16_run over n floats on nt threads, in runs of DS__BF16_RUN (the
 * vector code stays out of the loop OpenMP outlines, which clang builds
 * without the target's instructions). */
#define DS__BF16_RUN 4096
static void round_bf16(const float *x, uint16_t *h, size_t n, int nt)
{
    const size_t runs = (n + DS__BF16_RUN - 1) / DS__BF16_RUN;
#pragma omp parallel for num_threads(nt) schedule(static) if (n >= DS__PAR_MIN)
    for (size_t r = 0; r < runs; r++) {
        size_t lo = r * DS__BF16_RUN, len = n - lo < DS__BF16_RUN ? n - lo : DS__BF16_RUN;
        round_bf16_run(x + lo, h + lo, len);
    }
}

/* n floats rounded to bf16 into c->half[i], on nt threads. */
static ds_status to_bf16(ds__compute *c, int i, const float *x, size_t n, int nt, const void **out)
{
    if (c->halfcap[i] < n) {
        uint16_t *h = realloc(c->half[i], n * sizeof *h);
        if (!h) return ds__nomem("bf16 operands", n * sizeof *h);
        c->half[i] = h, c->halfcap[i] = n;
    }
    round_bf16(x, c->half[i], n, nt);
    *out = c->half[i];
    return DS_OK;
}

/* C (+)= act(op(A) op(B) + bias), bf16 operands rounded first (the
 * rounding is counted in the products' time). */
static ds_status gemm(ds__compute *c, key *k, const float *a, const float *b, const float *bias,
                      float *out)
{
    double t0 = ds__now();
    const void *ops[2] = {a, b};
    ds_status st = DS_OK;
    int nt = threads_for(c, k); /* the product's: its operands stay on its cores */
    if (c->prec == DS__PREC_BF16) st = to_bf16(c, 0, a, k->m * k->k, nt, &ops[0]);
    if (c->prec == DS__PREC_BF16 && st == DS_OK) st = to_bf16(c, 1, b, k->k * k->n, nt, &ops[1]);
    void *bufs[4] = {(void *)ops[0], (void *)ops[1], out, (void *)bias};
    if (st == DS_OK) st = run(c, k, bufs);
    if (st == DS_OK) ds__compute_count(&c->clock, t0, k->m, k->k, k->n);
    return st;
}

ds__compute_clock ds__compute_products(const ds__compute *c)
{
    return c->clock;
}

ds_status ds__compute_forward(ds__compute *c, const float *x, const float *w, const float *b,
                              float *y, size_t m, size_t k, size_t n, int act, int flags)
{
    key key = {.m = m,
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
    key key = {.m = n, .n = k, .k = m, .ta = 1, .act = -1, .acc = flags & DS__COMPUTE_ACC};
    ds_status st = gemm(c, &key, dy, x, NULL, dw);
    if (st == DS_OK && db) ds__compute_bias_grad(dy, db, m, n, flags, c->threads);
    return st;
}

ds_status ds__compute_input_grad(ds__compute *c, const float *dy, const float *w, float *dx,
                                 size_t m, size_t k, size_t n, int flags)
{
    key key = {.m = m, .n = k, .k = n, .act = -1, .acc = flags & DS__COMPUTE_ACC};
    return gemm(c, &key, dy, w, NULL, dx);
}

size_t ds__compute_conv_work(const ds__conv *cv)
{
    (void)cv;
    return 0;
}

ds_status ds__compute_conv_forward(ds__compute *c, const ds__conv *cv, const float *x,
                                   const float *w, const float *b, float *y, int act, float *work)
{
    (void)work;
    key k = {.op = OP_CONV_FWD, .bias = b != NULL, .act = act, .cv = *cv};
    void *bufs[4] = {(void *)x, (void *)w, y, (void *)b};
    return run(c, &k, bufs);
}

/* The weight gradient (oneDNN's backward-weights primitive, added to dw by
 * its output reorder with ACC), the bias gradient in double, then dx
 * (backward data). */
ds_status ds__compute_conv_backward(ds__compute *c, const ds__conv *cv, const float *x,
                                    const float *w, const float *dy, float *dw, float *db,
                                    float *dx, int flags, float *work)
{
    (void)work;
    key kw = {.op = OP_CONV_BWD_WEIGHTS, .act = -1, .acc = flags & DS__COMPUTE_ACC, .cv = *cv};
    void *bw[3] = {(void *)x, (void *)dy, dw};
    ds_status st = run(c, &kw, bw);
    if (st == DS_OK && db)
        ds__compute_chan_grad(dy, db, cv->n, cv->o, cv->oh * cv->ow, flags, c->threads);
    if (st != DS_OK || !dx) return st;
    key kd = {.op = OP_CONV_BWD_DATA, .act = -1, .cv = *cv};
    void *bd[3] = {(void *)dy, (void *)w, dx};
    return run(c, &kd, bd);
}

ds_status ds__compute_pool_forward(ds__compute *c, const ds__conv *p, int max, const float *x,
                                   float *y, void *ws)
{
    key k = {.op = OP_POOL_FWD, .act = -1, .max = max, .cv = *p};
    void *bufs[3] = {(void *)x, y, ws};
    return run(c, &k, bufs);
}

ds_status ds__compute_pool_backward(ds__compute *c, const ds__conv *p, int max, const float *dy,
                                    float *dx, const void *ws)
{
    key k = {.op = OP_POOL_BWD, .act = -1, .max = max, .cv = *p};
    void *bufs[3] = {(void *)dy, dx, (void *)ws};
    return run(c, &k, bufs);
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
