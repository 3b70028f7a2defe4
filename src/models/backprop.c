/* backprop.c - forward pass, losses and backpropagation on a mini-batch.
 *
 * Ng's vectorised L-layer network with the batch as rows (doc/models.md):
 *   forward   Z[l] = A[l-1] W[l]^T + b,  A[l] = g(Z[l])
 *   backward  dZ[L] from the loss;  dW[l] = dZ[l]^T A[l-1] (+ lambda/m W[l]);
 *             db[l] = column sums of dZ[l];  dA[l-1] = dZ[l] W[l];
 *             dZ[l-1] = dA[l-1] * g'(A[l-1])
 * The three products per layer go through the compute layer (compute.h:
 * oneDNN or OpenBLAS) on the whole batch, bias + activation fused into the
 * forward product, the bias gradient summed in double with the weight
 * gradient; the activation's derivative is one loop. dZ[l] overwrites A[l]
 * in place (A[l] is no longer needed once dW[l+1] and dA[l] have been
 * computed), so the workspace holds one buffer per layer plus one delta
 * buffer. Loops are OpenMP-parallel over rows; each output element is computed by one thread in a
 * fixed order, and the loss is summed per row and then over rows in order, so results do not depend
 * on the thread count. */
#include "core/internal.h"
#include "models/compute.h"
#include "models/net.h"

#include <math.h>

/* The row helper must be inlined into every DS__CLONES_WIDE version of its
 * caller (GCC does not inline across target attributes on its own): a call
 * per row block cost 8% of a Fashion-MNIST epoch. */
#if defined(__GNUC__)
#define DS__ROW static inline __attribute__((always_inline))
#else
#define DS__ROW static inline
#endif

/* a[j] = d[j] * g'(z[j]) for one row, with g' written in terms of the
 * activation's output a = g(z), which is what the workspace holds. */
DS__ROW void deriv_row(float *a, const float *d, size_t n, int kind)
{
    switch (kind) {
    case DS_ACT_RELU:
        for (size_t j = 0; j < n; j++)
            a[j] = a[j] > 0.0f ? d[j] : 0.0f;
        break;
    case DS_ACT_SIGMOID:
        for (size_t j = 0; j < n; j++)
            a[j] = d[j] * a[j] * (1.0f - a[j]);
        break;
    case DS_ACT_TANH:
        for (size_t j = 0; j < n; j++)
            a[j] = d[j] * (1.0f - a[j] * a[j]);
        break;
    default:
        for (size_t j = 0; j < n; j++)
            a[j] = d[j];
    }
}

/* a = da * g'(a) in place (dZ from dA), parallel over rows. */
DS__CLONES_WIDE static void backprop_act(float *a, const float *da, size_t r, size_t n, int kind,
                                         int nt)
{
#pragma omp parallel for num_threads(nt) schedule(static) if (r * n >= DS__PAR_MIN)
    for (size_t i = 0; i < r; i++)
        deriv_row(a + i * n, da + i * n, n, kind);
}

static ds_status forward(ds_model *m, const float *x, size_t r)
{
    const float *in = x;
    ds_status st = DS_OK;
    for (int l = 1; l <= m->L && st == DS_OK; l++) {
        st =
            ds__compute_forward(m->cx, in, m->params + m->woff[l], m->params + m->boff[l],
                                m->act[l], r, m->sizes[l - 1], m->sizes[l], ds__layer_act(m, l), 0);
        in = m->act[l];
    }
    return st;
}

/* Forward over rows c0..c0+r-1 of a batch: a network's layers (train:
 * batch statistics and dropout), or the mlp's. */
static ds_status run_forward(ds_model *m, const float *x, size_t c0, size_t r, int train)
{
    return m->net ? ds__net_forward(m, x, c0, r, train) : forward(m, x, r);
}

ds_status ds__model_forward_eval(ds_model *m, const float *x, size_t r, const float **z)
{
    if (r > m->max_rows)
        return ds__fail(DS_ERR_INVALID, "forward: %zu rows, the workspace holds %zu", r,
                        m->max_rows);
    *z = m->act[m->L];
    return run_forward(m, x, 0, r, 0);
}

/* Backward over r rows whose dZ[L] is in act[L]; acc: add to the gradient
 * (a later chunk of a batch larger than the workspace) instead of
 * overwriting it. */
static ds_status backward(ds_model *m, const float *x, size_t r, int acc)
{
    ds_status st = DS_OK;
    for (int l = m->L; l >= 1 && st == DS_OK; l--) {
        size_t ni = m->sizes[l - 1], no = m->sizes[l];
        const float *in = l > 1 ? m->act[l - 1] : x;
        st = ds__compute_weight_grad(m->cx, in, m->act[l], m->grads + m->woff[l],
                                     m->grads + m->boff[l], r, ni, no, acc ? DS__COMPUTE_ACC : 0);
        if (st != DS_OK || l == 1) break;
        st = ds__compute_input_grad(m->cx, m->act[l], m->params + m->woff[l], m->delta, r, ni, no,
                                    0);
        if (st == DS_OK)
            backprop_act(m->act[l - 1], m->delta, r, ni, ds__layer_act(m, l - 1), m->threads);
    }
    return st;
}

/* log sum_j e^{z_j}, shifted by the maximum so no term overflows. */
static double log_sum_exp(const float *z, size_t c)
{
    float mx = z[0];
    for (size_t j = 1; j < c; j++)
        mx = z[j] > mx ? z[j] : mx;
    double s = 0.0;
    for (size_t j = 0; j < c; j++)
        s += exp((double)z[j] - mx);
    return mx + log(s);
}

/* Cross-entropy of one row of logits; with grad, the row becomes
 * dZ = scale (softmax(z) - onehot(y)). */
static double xent_row(float *z, size_t c, int32_t y, double scale, int grad)
{
    double lse = log_sum_exp(z, c), loss = lse - z[y];
    if (grad)
        for (size_t j = 0; j < c; j++)
            z[j] = (float)(scale * (exp((double)z[j] - lse) - (j == (size_t)y)));
    return loss;
}

/* Target j of row i: the targets, else the label (one output) or its
 * one-hot vector. */
static float target(const ds_batch *b, size_t i, size_t j, size_t c)
{
    if (b->targets) return b->targets[i * c + j];
    return c == 1 ? (float)b->labels[i] : (float)(j == (size_t)b->labels[i]);
}

/* Sum of squared errors of one row; with grad the row becomes
 * dZ = scale (a - t) g'(a) for the output activation `kind`. */
static double sq_row(float *a, const ds_batch *b, size_t i, size_t c, double scale, int kind,
                     int grad)
{
    double loss = 0.0;
    for (size_t j = 0; j < c; j++) {
        float d = a[j] - target(b, i, j, c);
        loss += (double)d * d;
        if (grad) {
            float dz = (float)scale * d;
            deriv_row(&a[j], &dz, 1, kind);
        }
    }
    return loss;
}

/* Sums the per-row losses of rows c0..c0+r-1 (in order); with grad, turns
 * act[L] into dZ[L] scaled by `scale`. */
static double loss_rows(ds_model *m, const ds_batch *b, size_t c0, size_t r, double scale, int grad)
{
    size_t c = m->sizes[m->L];
    float *a = m->act[m->L];
    int kind = ds__layer_act(m, m->L), xent = m->p.loss == DS_LOSS_XENT;
#pragma omp parallel for num_threads(m->threads) schedule(static) if (r * c >= DS__PAR_MIN)
    for (size_t i = 0; i < r; i++)
        m->rowloss[i] = xent ? xent_row(a + i * c, c, b->labels[c0 + i], scale, grad)
                             : sq_row(a + i * c, b, c0 + i, c, scale, kind, grad);
    double s = 0.0;
    for (size_t i = 0; i < r; i++)
        s += m->rowloss[i];
    return s;
}

/* Factor from the sum of row losses over n rows to the loss (mean or
 * half-sum), and in *scale the matching factor of the gradient. */
static double loss_norm(const ds_model *m, size_t n, double *scale)
{
    double c = (double)m->sizes[m->L];
    switch (m->p.loss) {
    case DS_LOSS_XENT:
        *scale = 1.0 / (double)n;
        return 1.0 / (double)n;
    case DS_LOSS_MSE:
        *scale = 2.0 / ((double)n * c);
        return 1.0 / ((double)n * c);
    default: /* sse: 1/2 sum, gradient sum (a - t) */
        *scale = 1.0;
        return 0.5;
    }
}

/* Sum of squares of the weights in one block; with g, g += k w (Ng's L2
 * gradient lambda/m W). */
static double l2_block(const float *w, float *g, size_t n, float k)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)w[i] * w[i];
    if (g)
        for (size_t i = 0; i < n; i++)
            g[i] += k * w[i];
    return s;
}

/* Ng's L2 term lambda/(2n) sum ||W||_F^2 over n rows; with grad, also adds
 * its gradient. Fixed blocks keep the sum independent of the threads. */
static double l2_term(ds_model *m, size_t n, int grad)
{
    if (m->p.l2 == 0.0) return 0.0;
    double k = m->p.l2 / (double)n;
    size_t nw = m->nweights;
#pragma omp parallel for num_threads(m->threads) schedule(static) if (nw >= DS__PAR_MIN)
    for (size_t blk = 0; blk < m->nl2blocks; blk++) {
        size_t i0 = blk * DS__L2_BLOCK, len = nw - i0 < DS__L2_BLOCK ? nw - i0 : DS__L2_BLOCK;
        m->l2part[blk] = l2_block(m->params + i0, grad ? m->grads + i0 : NULL, len, (float)k);
    }
    double s = 0.0;
    for (size_t blk = 0; blk < m->nl2blocks; blk++)
        s += m->l2part[blk];
    return 0.5 * k * s;
}

/* Labels are checked before anything is computed, so a bad one writes
 * nothing. */
static ds_status check_labels(const ds_model *m, const ds_batch *b)
{
    size_t c = m->sizes[m->L], top = c > 1 ? c : 2;
    for (size_t i = 0; i < b->n; i++)
        if (b->labels[i] < 0 || (size_t)b->labels[i] >= top)
            return ds__fail(DS_ERR_INVALID,
                            "label %ld of row %zu out of range (accepted: 0 to %zu)",
                            (long)b->labels[i], i, top - 1);
    return DS_OK;
}

static ds_status check_batch(const ds_model *m, const ds_batch *b)
{
    size_t c = m->sizes[m->L];
    if (!b || !b->x || b->n == 0) return ds__fail(DS_ERR_INVALID, "empty batch");
    if (b->features != m->sizes[0])
        return ds__fail(DS_ERR_MISMATCH, "batch rows have %zu features but the model takes %zu",
                        b->features, m->sizes[0]);
    int use_labels = m->p.loss == DS_LOSS_XENT || !b->targets;
    if (use_labels && !b->labels)
        return ds__fail(DS_ERR_INVALID, "loss '%s' needs %s", ds_loss_name(m->p.loss),
                        m->p.loss == DS_LOSS_XENT ? "labels" : "labels or targets");
    if (!use_labels && b->outputs != c)
        return ds__fail(DS_ERR_MISMATCH, "batch targets have %zu outputs but the model has %zu",
                        b->outputs, c);
    return b->labels ? check_labels(m, b) : DS_OK;
}

static ds_status finish(double cost, double *loss)
{
    if (loss) *loss = cost;
    if (!isfinite(cost)) return ds__fail(DS_ERR_NONFINITE, "the loss is %g", ds__msg_num(cost));
    return DS_OK;
}

ds_status ds_model_forward_backward(ds_model *m, const ds_batch *b, double *loss)
{
    ds_status st = check_batch(m, b);
    if (st != DS_OK) return st;
    double scale, norm = loss_norm(m, b->n, &scale), sum = 0.0;
    for (size_t c0 = 0; c0 < b->n; c0 += m->max_rows) {
        size_t r = b->n - c0 < m->max_rows ? b->n - c0 : m->max_rows;
        const float *x = b->x + c0 * b->features;
        if ((st = run_forward(m, x, c0, r, 1)) != DS_OK) return st;
        sum += loss_rows(m, b, c0, r, scale, 1);
        st = m->net ? ds__net_backward(m, x, r, c0 > 0) : backward(m, x, r, c0 > 0);
        if (st != DS_OK) return st;
    }
    if (m->net) m->net->batches++;
    return finish(norm * sum + l2_term(m, b->n, 1), loss);
}

/* Rows c0..c0+r-1 whose outputs (act[L]) pick the label. */
static size_t count_right(const ds_model *m, const ds_batch *b, size_t c0, size_t r)
{
    size_t c = m->sizes[m->L], right = 0;
    for (size_t i = 0; i < r; i++) {
        const float *a = m->act[m->L] + i * c;
        size_t best = 0;
        for (size_t j = 1; j < c; j++)
            best = a[j] > a[best] ? j : best;
        if (c == 1) best = a[0] > 0.5f;
        right += best == (size_t)b->labels[c0 + i];
    }
    return right;
}

ds_status ds_model_evaluate(ds_model *m, const ds_batch *b, double *loss, double *accuracy)
{
    ds_status st = check_batch(m, b);
    if (st != DS_OK) return st;
    double scale, norm = loss_norm(m, b->n, &scale), sum = 0.0;
    size_t right = 0;
    for (size_t c0 = 0; c0 < b->n; c0 += m->max_rows) {
        size_t r = b->n - c0 < m->max_rows ? b->n - c0 : m->max_rows;
        if ((st = run_forward(m, b->x + c0 * b->features, c0, r, 0)) != DS_OK) return st;
        if (b->labels) right += count_right(m, b, c0, r);
        sum += loss_rows(m, b, c0, r, scale, 0);
    }
    if (accuracy) *accuracy = b->labels ? (double)right / (double)b->n : NAN;
    return finish(norm * sum + l2_term(m, b->n, 0), loss);
}

void ds__model_outputs(const ds_model *m, const float *z, size_t r, float *out)
{
    size_t c = m->sizes[m->L];
    for (size_t i = 0; i < r; i++) {
        const float *zi = z + i * c;
        float *o = out + i * c;
        double lse = m->p.loss == DS_LOSS_XENT ? log_sum_exp(zi, c) : 0.0;
        for (size_t j = 0; j < c; j++)
            o[j] = m->p.loss == DS_LOSS_XENT ? (float)exp((double)zi[j] - lse) : zi[j];
    }
}

ds_status ds_model_predict(ds_model *m, const float *x, size_t n, float *out)
{
    if (n && (!x || !out)) return ds__fail(DS_ERR_INVALID, "predict: x or out is NULL");
    size_t c = m->sizes[m->L], f = m->sizes[0];
    for (size_t c0 = 0; c0 < n; c0 += m->max_rows) {
        size_t r = n - c0 < m->max_rows ? n - c0 : m->max_rows;
        ds_status st = run_forward(m, x + c0 * f, c0, r, 0);
        if (st != DS_OK) return st;
        ds__model_outputs(m, m->act[m->L], r, out + c0 * c);
    }
    return DS_OK;
}

ds_status ds_model_objective_fn(void *ctx, int need_grad, double *loss)
{
    ds_model_objective *o = ctx;
    return need_grad ? ds_model_forward_backward(o->model, o->batch, loss)
                     : ds_model_evaluate(o->model, o->batch, loss, NULL);
}
