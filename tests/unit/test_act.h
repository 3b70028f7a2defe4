/* test_act.h - the activations written plainly in double, the reference
 * the model and compute-layer tests check against. */
#ifndef DS_TEST_ACT_H
#define DS_TEST_ACT_H

#include "descent/model.h"

#include <math.h>

static inline double ref_act(double z, int kind)
{
    switch (kind) {
    case DS_ACT_RELU:
        return z > 0 ? z : 0;
    case DS_ACT_SIGMOID:
        return 1 / (1 + exp(-z));
    case DS_ACT_TANH:
        return tanh(z);
    default:
        return z; /* identity: an mlp's output layer */
    }
}

#endif
