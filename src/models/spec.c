/* spec.c - the words that describe a model: spec strings
 * ("mlp:784-256-10", "neuron"), descriptions ("mlp:784-10 loss=xent") and
 * the --act, --loss and --init values. Every failure names the offending
 * item and lists what is accepted. */
#include "core/spec.h"
#include "models/model_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const act_names[DS_ACT_COUNT] = {"relu", "sigmoid", "tanh"};
static const char *const loss_names[DS_LOSS_COUNT] = {"auto", "xent", "mse", "sse"};
static const char *const init_names[DS_INIT_COUNT] = {"default", "he", "xavier", "zeros", "const"};

const char *ds_act_name(ds_activation a)
{
    return (unsigned)a < DS_ACT_COUNT ? act_names[a] : NULL;
}

const char *ds_loss_name(ds_loss l)
{
    return (unsigned)l < DS_LOSS_COUNT ? loss_names[l] : NULL;
}

const char *ds_init_name(ds_init i)
{
    return (unsigned)i < DS_INIT_COUNT ? init_names[i] : NULL;
}

ds_status ds_act_parse(const char *s, ds_activation *out)
{
    for (int i = 0; s && i < DS_ACT_COUNT; i++)
        if (strcmp(s, act_names[i]) == 0) {
            *out = (ds_activation)i;
            return DS_OK;
        }
    return ds__fail(DS_ERR_INVALID, "unknown activation '%s' (accepted: relu, sigmoid, tanh)",
                    s ? s : "(null)");
}

ds_status ds_loss_parse(const char *s, ds_loss *out)
{
    /* "auto" is not accepted: it is the absence of a choice, not a loss. */
    for (int i = DS_LOSS_XENT; s && i < DS_LOSS_COUNT; i++)
        if (strcmp(s, loss_names[i]) == 0) {
            *out = (ds_loss)i;
            return DS_OK;
        }
    if (s && strcmp(s, "cross-entropy") == 0) {
        *out = DS_LOSS_XENT;
        return DS_OK;
    }
    return ds__fail(DS_ERR_INVALID,
                    "unknown loss '%s' (accepted: xent (alias cross-entropy), mse, sse)",
                    s ? s : "(null)");
}

ds_status ds_init_parse(const char *s, ds_model_params *p)
{
    static const char accepted[] = "(accepted: default, he, xavier, zeros, const:V)";
    if (s && strncmp(s, "const:", 6) == 0) {
        double v;
        if (ds_parse_double(s + 6, &v) != 0)
            return ds__fail(DS_ERR_INVALID, "init '%s': '%s' is not a finite number %s", s, s + 6,
                            accepted);
        p->init = DS_INIT_CONST;
        p->init_value = v;
        return DS_OK;
    }
    for (int i = 0; s && i < DS_INIT_CONST; i++)
        if (strcmp(s, init_names[i]) == 0) {
            p->init = (ds_init)i;
            return DS_OK;
        }
    return ds__fail(DS_ERR_INVALID, "unknown init '%s' %s", s ? s : "(null)", accepted);
}

/* One layer size: a positive integer CBLAS can index (<= INT_MAX). */
static ds_status parse_size(const char *spec, const char *item, size_t len, int pos, size_t *out)
{
    char buf[32];
    long v;
    if (len == 0)
        return ds__fail(DS_ERR_PARSE, "model '%s': size %d is empty (expected e.g. mlp:784-10)",
                        spec, pos);
    if (len >= sizeof buf || (memcpy(buf, item, len), buf[len] = '\0', ds_parse_long(buf, &v)))
        return ds__fail(DS_ERR_PARSE, "model '%s': size %d '%.*s' is not an integer", spec, pos,
                        (int)len, item);
    if (v <= 0 || v > INT_MAX)
        return ds__fail(DS_ERR_INVALID, "model '%s': size %d is %ld (accepted: 1 to %d)", spec, pos,
                        v, INT_MAX);
    *out = (size_t)v;
    return DS_OK;
}

/* Size i of n given as "auto": the data's inputs (first) or outputs (last). */
static ds_status auto_size(const char *spec, int i, int n, const size_t io[2], size_t *out)
{
    if (i > 0 && i < n - 1)
        return ds__fail(DS_ERR_PARSE,
                        "model '%s': size %d is 'auto': only the first (inputs) and the last "
                        "(outputs) size can be taken from the data",
                        spec, i + 1);
    size_t v = io[i == 0 ? 0 : 1];
    if (v == 0 || v > INT_MAX)
        return ds__fail(DS_ERR_INVALID,
                        "model '%s': size %d is 'auto' but the data's %s count is %s", spec, i + 1,
                        i == 0 ? "input" : "output", v ? "above 2^31 - 1" : "not known here");
    *out = v;
    return DS_OK;
}

/* "N0-N1-...-NL" after "mlp:"; io: the data's inputs and outputs for
 * "auto" (0: not known). */
static ds_status parse_mlp(const char *spec, const char *s, const size_t io[2], size_t **sizes,
                           int *nsizes)
{
    int n = 1;
    for (const char *c = s; *c; c++)
        n += *c == '-';
    if (n < 2)
        return ds__fail(DS_ERR_PARSE,
                        "model '%s' needs an input and an output size (e.g. mlp:784-10)", spec);
    size_t *v = malloc((size_t)n * sizeof *v);
    if (!v) return ds__nomem("model sizes", (size_t)n * sizeof *v);
    for (int i = 0; i < n; i++) {
        size_t len = strcspn(s, "-");
        ds_status st = len == 4 && strncmp(s, "auto", 4) == 0
                           ? auto_size(spec, i, n, io, &v[i])
                           : parse_size(spec, s, len, i + 1, &v[i]);
        if (st != DS_OK) {
            free(v);
            return st;
        }
        s += len + (s[len] == '-');
    }
    *sizes = v;
    *nsizes = n;
    return DS_OK;
}

/* "neuron" (size from the data) or "neuron:N". */
static ds_status parse_neuron(const char *spec, const char *count, size_t inputs, size_t **sizes,
                              int *nsizes)
{
    size_t n = inputs;
    if (count) {
        ds_status st = parse_size(spec, count, strlen(count), 1, &n);
        if (st != DS_OK) return st;
        if (inputs && inputs != n)
            return ds__fail(DS_ERR_MISMATCH, "model '%s' has %zu inputs but the data has %zu", spec,
                            n, inputs);
    } else if (n == 0) {
        return ds__fail(DS_ERR_PARSE,
                        "model '%s': the neuron needs its input count (neuron:N) "
                        "or data to take it from",
                        spec);
    } else if (n > INT_MAX) {
        return ds__fail(DS_ERR_INVALID, "model '%s': %zu inputs (accepted: 1 to %d)", spec, n,
                        INT_MAX);
    }
    size_t *v = malloc(2 * sizeof *v);
    if (!v) return ds__nomem("model sizes", 2 * sizeof *v);
    v[0] = n;
    v[1] = 1;
    *sizes = v;
    *nsizes = 2;
    return DS_OK;
}

/* The model forms: each takes one positional value (the sizes) and, for
 * now, no keys (the table the layer grammar will fill). */
static const ds__spec_key no_keys[] = {{0}};

static ds_status split_model(const char *spec, ds__spec *sp, char **value)
{
    char ctx[DS__SPEC_MAX_TEXT + 16];
    int npos = 0;
    ds_status st = ds__spec_split(spec, strlen(spec), "model spec", sp);
    if (st != DS_OK) return st;
    if (strcmp(sp->name, "mlp") != 0 && strcmp(sp->name, "neuron") != 0)
        return ds__fail(DS_ERR_PARSE,
                        "unknown model '%s' in '%s' (accepted: mlp:N0-...-NL, neuron, neuron:N)",
                        sp->name, spec);
    snprintf(ctx, sizeof ctx, "model '%s'", spec);
    st = ds__spec_apply(ctx, no_keys, sp, NULL, value, 1, &npos);
    if (npos == 0) *value = NULL;
    return st;
}

ds_status ds__model_parse_spec(const char *spec, size_t inputs, size_t outputs, size_t **sizes,
                               int *nsizes, int *neuron)
{
    const size_t io[2] = {inputs, outputs};
    ds__spec sp;
    char *value;
    if (!spec) return ds__fail(DS_ERR_INVALID, "model spec is NULL");
    ds_status st = split_model(spec, &sp, &value);
    if (st != DS_OK) return st;
    *neuron = strcmp(sp.name, "neuron") == 0;
    if (*neuron) return parse_neuron(spec, value, inputs, sizes, nsizes);
    st = parse_mlp(spec, value ? value : "", io, sizes, nsizes);
    if (st == DS_OK && inputs && (*sizes)[0] != inputs) {
        st = ds__fail(DS_ERR_MISMATCH, "model '%s' has %zu inputs but the data has %zu", spec,
                      (*sizes)[0], inputs);
        free(*sizes);
        *sizes = NULL;
    }
    return st;
}

/* One "key=value" word of a description. */
static ds_status parse_key(const char *word, size_t len, ds_model_params *p)
{
    char buf[64];
    if (len >= sizeof buf)
        return ds__fail(DS_ERR_PARSE, "model description: item '%.*s...' is too long", 20, word);
    memcpy(buf, word, len);
    buf[len] = '\0';
    char *eq = strchr(buf, '=');
    if (eq) *eq++ = '\0';
    if (eq && strcmp(buf, "act") == 0) return ds_act_parse(eq, &p->act);
    if (eq && strcmp(buf, "loss") == 0) return ds_loss_parse(eq, &p->loss);
    return ds__fail(DS_ERR_PARSE,
                    "model description: unknown item '%.*s' (accepted: act=A, loss=L)", (int)len,
                    word);
}

ds_status ds__model_parse_desc_keys(const char *keys, ds_model_params *p)
{
    ds_model_params q = *p;
    while (*keys) {
        size_t len = strcspn(keys, " ");
        if (len) {
            ds_status st = parse_key(keys, len, &q);
            if (st != DS_OK) return st;
        }
        keys += len + (keys[len] == ' ');
    }
    *p = q;
    return DS_OK;
}
