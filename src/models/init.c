/* init.c - initial parameters.
 *
 * He et al. 2015, "Delving Deep into Rectifiers" (https://arxiv.org/abs/1502.01852),
 * eq. 10: for a layer followed by a ReLU, W ~ N(0, 2 / fan_in) keeps the
 * variance of the activations constant through depth (torch's
 * kaiming_normal_, mode fan_in).
 * Glorot & Bengio 2010, "Understanding the difficulty of training deep
 * feedforward neural networks" (https://proceedings.mlr.press/v9/glorot10a.html),
 * eq. 16 "normalized initialization": W ~ U(-a, a), a = sqrt(6 / (fan_in +
 * fan_out)), variance 2 / (fan_in + fan_out) (torch's xavier_uniform_), for
 * sigmoid, tanh and the linear output layer.
 * Biases start at 0 under both rules. Values are drawn layer by layer in
 * storage order from one ds_rng seeded with p->seed, so a seed fixes every
 * parameter. */
#include "core/internal.h"
#include "models/net.h"
#include "descent/rng.h"

#include <math.h>
#include <string.h>

void ds__draw_weights(float *w, size_t n, double fan_in, double fan_out, ds_init rule, ds_rng *r)
{
    if (rule == DS_INIT_HE) {
        double sd = sqrt(2.0 / fan_in);
        for (size_t i = 0; i < n; i++)
            w[i] = (float)(sd * ds_rng_normal(r));
    } else {
        double a = sqrt(6.0 / (fan_in + fan_out));
        for (size_t i = 0; i < n; i++)
            w[i] = (float)(a * (2.0 * ds_rng_uniform(r) - 1.0));
    }
}

/* The rule DS_INIT_DEFAULT picks for layer l: He before a ReLU, else Xavier. */
static ds_init default_rule(const ds_model *m, int l)
{
    return ds__layer_act(m, l) == DS_ACT_RELU ? DS_INIT_HE : DS_INIT_XAVIER;
}

ds_status ds__model_init_params(ds_model *m, const ds_model_params *p)
{
    if ((unsigned)p->init >= DS_INIT_COUNT)
        return ds__fail(DS_ERR_INVALID, "init %d out of range", (int)p->init);
    if (p->init == DS_INIT_CONST && !isfinite(p->init_value))
        return ds__fail(DS_ERR_INVALID, "init const:%g is not finite", p->init_value);
    if (p->init == DS_INIT_ZEROS || p->init == DS_INIT_CONST) {
        float v = p->init == DS_INIT_CONST ? (float)p->init_value : 0.0f;
        for (size_t i = 0; i < m->nparams; i++)
            m->params[i] = v;
    }
    if (m->net) {
        ds__net_init_params(m, p);
        return DS_OK;
    }
    if (p->init == DS_INIT_ZEROS || p->init == DS_INIT_CONST) return DS_OK;
    ds_rng r = ds_rng_seed(p->seed);
    for (int l = 1; l <= m->L; l++) {
        ds_init rule = p->init == DS_INIT_DEFAULT ? default_rule(m, l) : p->init;
        ds__draw_weights(m->params + m->woff[l], m->sizes[l - 1] * m->sizes[l],
                         (double)m->sizes[l - 1], (double)m->sizes[l], rule, &r);
    }
    memset(m->params + m->nweights, 0, (m->nparams - m->nweights) * sizeof(float));
    return DS_OK;
}

ds_status ds_model_reinit(ds_model *m, const ds_model_params *p)
{
    ds_status st = ds__model_init_params(m, p);
    if (st != DS_OK) return st;
    m->p.init = p->init;
    m->p.init_value = p->init_value;
    m->p.seed = p->seed;
    return DS_OK;
}
